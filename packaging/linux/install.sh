#!/bin/sh
# Add the station to the desktop's application menu: a launcher (station.desktop) and its icon.
#
#   ./install.sh                                  for the current user ($XDG_DATA_HOME, default ~/.local/share)
#   sudo ./install.sh --system [--station-user U]  for every user (/usr/local/share), and the machine folders
#
# With --system it also makes the station an installed one (station/locations.py):
#   /etc/opt/station/policies/{managed,recommended}  root-owned, 0755: the bank's policy files go
#                                                    here; nobody else can add or change one
#   /var/lib/station                                 the journal, its key, the PIN attempt count
#                                                    and the logs: owned by the account the station
#                                                    runs as (--station-user, default the account
#                                                    that ran sudo), 0700
# Existing folders keep their contents; their owner and mode are set again.
# Run it from the unpacked bundle, where it stays: the launcher points at this folder's
# `station` program. Remove the launcher with ./uninstall.sh (the same option).
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
exe="$here/station"
icon="$here/_internal/resources/icons/station.png"
# Where the machine folders go (moved by the tests only).
etc="${STATION_INSTALL_ETC:-/etc/opt/station}"
var="${STATION_INSTALL_VAR:-/var/lib/station}"
share="${STATION_INSTALL_SHARE:-/usr/local/share}"

system=""
station_user="${SUDO_USER:-}"
while [ $# -gt 0 ]; do
    case "$1" in
        --system) system=1 ;;
        --station-user) [ $# -ge 2 ] || { echo "usage: $0 [--system [--station-user USER]]" >&2; exit 64; }
                        station_user="$2"; shift ;;
        *) echo "usage: $0 [--system [--station-user USER]]" >&2; exit 64 ;;
    esac
    shift
done
if [ -n "$system" ]; then
    data="$share"
else
    data="${XDG_DATA_HOME:-$HOME/.local/share}"
fi

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

if [ -n "$system" ]; then
    if [ -z "$station_user" ]; then
        echo "install.sh: say which account runs the station: --station-user USER" >&2
        exit 64
    fi
    if ! id -u "$station_user" >/dev/null 2>&1; then
        echo "install.sh: there is no account $station_user" >&2
        exit 64
    fi
    for folder in "$etc" "$etc/policies" "$etc/policies/managed" "$etc/policies/recommended"; do
        mkdir -p "$folder"
        chown root:root "$folder"
        chmod 0755 "$folder"
    done
    mkdir -p "$var"
    chown "$station_user" "$var"
    chmod 0700 "$var"
    echo "machine folders: $etc (policy, root's) and $var (the journal, $station_user's)"
fi
