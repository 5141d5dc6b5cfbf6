#!/bin/sh
# Install the station.
#
#   ./install.sh            the launcher (station.desktop) and its icon for the current user
#                           ($XDG_DATA_HOME, default ~/.local/share); the program stays where it is
#   sudo ./install.sh --system [--root DIR] [--operator USER]... [--from DIR]
#                           an installed station with its service, for every user:
#
#   accounts   `station` (system user and group: the service runs as it) and `station-clients`
#              (system group: operators' accounts in it may talk to the service's socket);
#              --operator USER adds USER to station-clients (repeat for each operator)
#   /opt/station                    this bundle, copied; root's, nobody else can change it
#   /etc/opt/station/policies/{managed,recommended}
#                                   root's, 0755: the bank's policy files go here
#   /var/lib/station                the service's state: the journal, its key and anchor, the PIN
#                                   attempt count, private/ (PINs, supervisors): `station`'s, 0700,
#                                   every file in it 0600
#   /etc/systemd/system/station-service.service
#                                   the unit; enabled and started when systemd runs here
#   /usr/local/share/applications/station.desktop   the launcher for everyone
#
# Upgrade from a station installed before the service (the journal, audit.key and audit.anchor
# in /var/lib/station, owned by the account the GUI ran as): run the same command; stop the
# stations first. Everything in /var/lib/station is given to `station` (files 0600, folders 0700)
# where it is, so the journal's chain, its head file and its anchor stay as they are. A journal
# kept elsewhere (an `audit_db` policy, a per-user folder) is moved in with --from DIR (its
# -wal, -shm and .head files, audit.key and audit.anchor with it). The administrator PIN and the
# supervisors (/etc/opt/station/people.json, readable by every account) move into
# /var/lib/station/private, with the PIN attempt count.
#
# --root DIR (or DESTDIR=DIR) installs into DIR instead of / (accounts in DIR/etc/passwd and
# DIR/etc/group, which must exist): how the tests install, and how an image is prepared.
# Remove the launcher and the unit with ./uninstall.sh (the same options); the journal stays.
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
exe="$here/station"
icon="$here/_internal/resources/icons/station.png"
usage="usage: $0 [--system [--root DIR] [--operator USER]... [--from DIR]]"

system=""
root="${DESTDIR:-}"
operators=""
legacy=""
while [ $# -gt 0 ]; do
    case "$1" in
        --system) system=1 ;;
        --root) [ $# -ge 2 ] || { echo "$usage" >&2; exit 64; }; root="$2"; shift ;;
        --operator) [ $# -ge 2 ] || { echo "$usage" >&2; exit 64; }; operators="$operators $2"; shift ;;
        --from) [ $# -ge 2 ] || { echo "$usage" >&2; exit 64; }; legacy="$2"; shift ;;
        *) echo "$usage" >&2; exit 64 ;;
    esac
    shift
done
if [ -z "$system" ] && { [ -n "$root" ] || [ -n "$operators" ] || [ -n "$legacy" ]; }; then
    echo "install.sh: --root, --operator and --from go with --system" >&2
    exit 64
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

# The launcher: `$1` is the data folder, `$2` the program as it will be run.
install_launcher() {
    apps="$1/applications"
    icons="$1/icons/hicolor/256x256/apps"
    mkdir -p "$apps" "$icons"
    cp "$icon" "$icons/station.png"
    chmod 644 "$icons/station.png"
    # sed replacement text: escape the characters sed treats specially after s|…|…|.
    sed_exe=$(printf '%s' "$2" | sed -e 's/[&|]/\\&/g')
    sed -e "s|@EXEC@|\"$sed_exe\"|" -e "s|@TRYEXEC@|$sed_exe|" "$here/station.desktop" > "$apps/station.desktop.tmp"
    chmod 644 "$apps/station.desktop.tmp"
    mv -f "$apps/station.desktop.tmp" "$apps/station.desktop"
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$apps" || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t "$1/icons/hicolor" || true
    fi
    echo "installed $apps/station.desktop (starts $2)"
}

if [ -z "$system" ]; then
    install_launcher "${XDG_DATA_HOME:-$HOME/.local/share}" "$exe"
    exit 0
fi

# ------------------------------------------------------------------------------ --system

if [ "$(id -u)" != 0 ]; then
    echo "install.sh: --system needs root (sudo)" >&2
    exit 77
fi
root="${root%/}"
case "$root" in
    "") ;;
    /*) [ -d "$root/etc" ] || { echo "install.sh: $root/etc does not exist" >&2; exit 64; } ;;
    *) echo "install.sh: --root needs an absolute path" >&2; exit 64 ;;
esac
opt="$root/opt/station"
etc="$root/etc/opt/station"
var="$root/var/lib/station"
private="$var/private"
units="$root/etc/systemd/system"
share="$root/usr/local/share"
unit_name=station-service.service
unit_file="$here/$unit_name"
[ -f "$unit_file" ] || { echo "install.sh: $unit_file is missing from the bundle" >&2; exit 1; }

say() { echo "install.sh: $*"; }
systemd_here() { [ -z "$root" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

# Accounts: in $root's passwd and group files (useradd --prefix), never the build machine's.
prefix=""
[ -n "$root" ] && prefix="--prefix $root"
entry() { awk -F: -v name="$2" '$1 == name { print $3; found = 1 } END { exit !found }' "$root/etc/$1"; }
for operator in $operators; do  # every name checked before anything changes
    entry passwd "$operator" >/dev/null || { echo "install.sh: there is no account $operator" >&2; exit 64; }
done
# shellcheck disable=SC2086 # $prefix is empty or two words
{
    entry group station-clients >/dev/null || groupadd $prefix --system station-clients
    entry group station >/dev/null || groupadd $prefix --system station
    entry passwd station >/dev/null || useradd $prefix --system --gid station --no-create-home \
        --home-dir /var/lib/station --shell /usr/sbin/nologin --comment "Station service" station
    for operator in $operators; do
        usermod $prefix --append --groups station-clients "$operator"
        say "$operator may now use the station (group station-clients; from their next sign-in)"
    done
}
uid=$(entry passwd station)
gid=$(entry group station)

# The running service (or an old station) must not write while its files change hands.
if systemd_here && systemctl is-active --quiet "$unit_name"; then
    systemctl stop "$unit_name"
fi

# The program: a copy in /opt/station, root's (the unit starts it from there).
if [ "$here" != "$(cd "$opt" 2>/dev/null && pwd -P || true)" ]; then
    mkdir -p "$(dirname "$opt")"
    rm -rf "$opt.new"
    cp -R "$here" "$opt.new"
    chown -R 0:0 "$opt.new"
    chmod -R go-w "$opt.new"
    if [ -e "$opt" ]; then
        rm -rf "$opt.old"
        mv "$opt" "$opt.old"
    fi
    mv "$opt.new" "$opt"
    rm -rf "$opt.old"
    say "the program is in $opt"
fi

# Policy folders: root's; nobody else can add or change a policy.
for folder in "$etc" "$etc/policies" "$etc/policies/managed" "$etc/policies/recommended"; do
    mkdir -p "$folder"
    chown 0:0 "$folder"
    chmod 0755 "$folder"
done

# The service's state folder, and what an older station left in it or elsewhere.
mkdir -p "$var" "$private"
links=$(find "$var" -type l -print)
if [ -n "$links" ]; then
    echo "install.sh: $var holds symbolic links ($links): remove them and run me again; nothing was changed" >&2
    exit 1
fi
if [ -n "$legacy" ]; then
    if [ ! -f "$legacy/audit.sqlite3" ]; then
        echo "install.sh: there is no journal (audit.sqlite3) in $legacy" >&2
        exit 1
    fi
    if [ -e "$var/audit.sqlite3" ]; then
        echo "install.sh: $var already has a journal; move one of them away (never two chains in one place)" >&2
        exit 1
    fi
    for name in audit.sqlite3 audit.sqlite3-wal audit.sqlite3-shm audit.sqlite3.head audit.key audit.anchor; do
        [ -e "$legacy/$name" ] && mv "$legacy/$name" "$var/$name"
    done
    say "moved the journal from $legacy to $var"
fi
# The PIN store (Task C's private store): the hashes leave the folder every account can read.
for name in people.json; do
    if [ -f "$etc/$name" ] && [ ! -e "$private/$name" ]; then
        mv "$etc/$name" "$private/$name"
        say "moved $etc/$name to $private/"
    fi
done
for name in pin-attempts.sqlite3 pin-attempts.sqlite3-wal pin-attempts.sqlite3-shm pin-attempts.sqlite3-journal; do
    if [ -f "$var/$name" ] && [ ! -e "$private/$name" ]; then
        mv "$var/$name" "$private/$name"
    fi
done
chown -R -h "$uid:$gid" "$var"
find "$var" -type d -exec chmod 0700 {} +
find "$var" -type f -exec chmod 0600 {} +
say "$var is station's: folders 0700, files 0600"

# The unit, and the launcher for every user.
mkdir -p "$units"
cp "$unit_file" "$units/$unit_name.tmp"
chown 0:0 "$units/$unit_name.tmp"
chmod 0644 "$units/$unit_name.tmp"
mv -f "$units/$unit_name.tmp" "$units/$unit_name"
install_launcher "$share" /opt/station/station

if systemd_here; then
    systemctl daemon-reload
    systemctl enable --now "$unit_name"
    say "station-service is enabled and running (systemctl status $unit_name)"
else
    say "systemd does not run here: on the station, run 'systemctl enable --now $unit_name'"
fi
