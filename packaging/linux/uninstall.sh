#!/bin/sh
# Remove the launcher and icon that install.sh added (same option: nothing or --system).
# The station folder itself, the audit journal and the settings are left alone.
set -eu

case "${1:-}" in
    --system) data=/usr/local/share ;;
    "") data="${XDG_DATA_HOME:-$HOME/.local/share}" ;;
    *) echo "usage: $0 [--system]" >&2; exit 64 ;;
esac

rm -f "$data/applications/station.desktop" "$data/icons/hicolor/256x256/apps/station.png"
if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$data/applications" || true
fi
echo "removed the station launcher from $data"
