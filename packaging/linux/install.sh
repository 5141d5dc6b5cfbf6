#!/bin/sh
# Add the station to the desktop's application menu: a launcher (station.desktop) and its icon.
#
#   ./install.sh            for the current user ($XDG_DATA_HOME, default ~/.local/share)
#   sudo ./install.sh --system   for every user (/usr/local/share)
#
# Run it from the unpacked bundle, where it stays: the launcher points at this folder's
# `station` program. Remove the launcher with ./uninstall.sh (the same option).
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
exe="$here/station"
icon="$here/_internal/resources/icons/station.png"

case "${1:-}" in
    --system) data=/usr/local/share ;;
    "") data="${XDG_DATA_HOME:-$HOME/.local/share}" ;;
    *) echo "usage: $0 [--system]" >&2; exit 64 ;;
esac

if [ ! -x "$exe" ] || [ ! -f "$icon" ] || [ ! -f "$here/station.desktop" ]; then
    echo "install.sh: run me from the unpacked station folder ($exe or its icon is missing)" >&2
    exit 1
fi
case "$exe" in
    *[\"\`\$\\%]*)
        echo "install.sh: move the station to a folder whose path has no \" \` \$ \\ or % ($here)" >&2
        exit 1 ;;
esac

apps="$data/applications"
icons="$data/icons/hicolor/256x256/apps"
mkdir -p "$apps" "$icons"
cp "$icon" "$icons/station.png"
chmod 644 "$icons/station.png"

# sed replacement text: escape the characters sed treats specially after s|…|…|.
sed_exe=$(printf '%s' "$exe" | sed -e 's/[&|]/\\&/g')
sed -e "s|@EXEC@|\"$sed_exe\"|" -e "s|@TRYEXEC@|$sed_exe|" "$here/station.desktop" > "$apps/station.desktop.tmp"
chmod 644 "$apps/station.desktop.tmp"
mv -f "$apps/station.desktop.tmp" "$apps/station.desktop"

if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$apps" || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
fi
echo "installed $apps/station.desktop (starts $exe)"
