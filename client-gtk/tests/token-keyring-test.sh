#!/usr/bin/env bash
# token-keyring-test.sh CHECK: run the token store's keyring check against a
# real Secret Service, gnome-keyring with a new, unlocked login keyring on a
# private session bus, all of it under the test's scratch dir.  The bus and
# the keyring daemon end with dbus-run-session.
set -euo pipefail
check=${1:?usage: token-keyring-test.sh CHECK}
for tool in dbus-run-session gnome-keyring-daemon; do
    command -v "$tool" >/dev/null || { echo "SKIPPED: $tool not installed (packaging/install-deps.sh)"; exit 0; }
done
[[ -n ${STASHHOG_TEST_SCRATCH:-} ]] && mkdir -p "$STASHHOG_TEST_SCRATCH"
dir=$(mktemp -d "${STASHHOG_TEST_SCRATCH:-${TMPDIR:-/tmp}}/keyring-XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir -m 700 "$dir/run" "$dir/home" "$dir/data" "$dir/config"
export HOME=$dir/home XDG_DATA_HOME=$dir/data XDG_RUNTIME_DIR=$dir/run XDG_CONFIG_HOME=$dir/config \
    STASHHOG_TEST_SCRATCH=$dir
unset GNOME_KEYRING_CONTROL STASHHOG_TOKEN_STORE
# --unlock creates the login keyring (the default collection) with this
# throwaway password; the daemon claims org.freedesktop.secrets on the bus.
# gnome-keyring-daemon forks and returns: wait until the name is owned.
# shellcheck disable=SC2016
exec dbus-run-session -- bash -c '
    printf "%s" "stashhog-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    for _ in $(seq 100); do
        dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && break
        sleep 0.1
    done
    exec "$1"' keyring-test "$check"
