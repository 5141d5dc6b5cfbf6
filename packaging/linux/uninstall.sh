#!/bin/sh
# Remove what install.sh added (same options: nothing, or --system [--root DIR]).
#   ./uninstall.sh                        the current user's launcher and icon
#   sudo ./uninstall.sh --system [--root DIR]
#                                         the service (stopped, disabled, its unit removed) and the
#                                         launcher for every user
# Evidence and configuration stay: the journal, its key and anchor, the private store
# (/var/lib/station), the policy (/etc/opt/station), the program (/opt/station) and the
# station and station-clients accounts.
set -eu

usage="usage: $0 [--system [--root DIR]]"
system=""
root="${DESTDIR:-}"
while [ $# -gt 0 ]; do
    case "$1" in
        --system) system=1 ;;
        --root) [ $# -ge 2 ] || { echo "$usage" >&2; exit 64; }; root="$2"; shift ;;
        *) echo "$usage" >&2; exit 64 ;;
    esac
    shift
done
root="${root%/}"

if [ -n "$system" ]; then
    data="$root/usr/local/share"
    unit=station-service.service
    if [ -z "$root" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        systemctl disable --now "$unit" || true
    fi
    rm -f "$root/etc/systemd/system/$unit"
    if [ -z "$root" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        systemctl daemon-reload || true
    fi
    echo "removed the station service's unit; the journal in $root/var/lib/station is kept"
else
    [ -z "$root" ] || { echo "$usage" >&2; exit 64; }
    data="${XDG_DATA_HOME:-$HOME/.local/share}"
fi

rm -f "$data/applications/station.desktop" "$data/icons/hicolor/256x256/apps/station.png"
if command -v update-desktop-database >/dev/null 2>&1 && [ -d "$data/applications" ]; then
    update-desktop-database -q "$data/applications" || true
fi
echo "removed the station launcher from $data"
