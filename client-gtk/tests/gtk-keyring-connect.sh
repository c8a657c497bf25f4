#!/usr/bin/env bash
# gtk-keyring-connect.sh - the real window connecting to a remote (tcp)
# daemon whose token lives in the keyring, under Xvfb:
#   1. gnome-keyring on a private bus, the token in the old 0600 file: the
#      GUI moves it into the keyring, deletes the file and connects;
#   2. a new session with the same (persisted) keyring and no file: the token
#      comes from the keyring and the GUI connects;
#   3. the keyring locked and no prompt can be shown (D-Bus activates
#      gnome-keyring, which cannot ask for the password), the token in the
#      file: the GUI keeps the file, says so in one line, and connects;
#   4. a bus on which no Secret Service exists at all: the same.
# The token never shows up in the GUI's output.
# shellcheck source-path=SCRIPTDIR/../.. source=tests/integration/lib.sh
source "${STASHHOG_SOURCE_DIR:?run through ctest}/tests/integration/lib.sh"

[[ -x $BIN/stashhog-gtk ]] || { log "SKIPPED: stashhog-gtk not built"; exit 0; }
for tool in xvfb-run dbus-run-session dbus-send gnome-keyring-daemon; do
    command -v "$tool" >/dev/null || { log "SKIPPED: $tool not installed (packaging/install-deps.sh)"; exit 0; }
done

start_daemon --listen tcp://127.0.0.1:0
TCP_URL=$(ctl --json status | jqr '.listen_urls[] | select(startswith("tcp://127."))')
[[ -n $TCP_URL ]] || fail "the daemon has no tcp listener"
TOKEN=$(STASHHOG_DATA_DIR=$DATA "$BIN/stashhogd" --show-token)
[[ -n $TOKEN ]] || fail "no daemon token"

# A desktop user of its own: home, keyrings, config and runtime dir.
U=$SCRATCH/user
mkdir -m 700 "$U" "$U/home" "$U/data" "$U/config" "$U/config/stashhog" "$U/run"
printf '[connection]\nurl=%s\n' "$TCP_URL" >"$U/config/stashhog/gtk.ini"
TOKEN_FILE=$U/config/stashhog/gtk-token
write_token_file() { (umask 077 && printf '%s' "$TOKEN" >"$TOKEN_FILE"); }
# The pause lets the first status calls finish before the window quits.
printf 'wait-connected 30\nsleep 1000\n' >"$SCRATCH/drive.txt"
printf 'leak:libfontconfig.so\n' >"$SCRATCH/lsan.supp"

# A session bus that can start no service (no service directories).
cat >"$SCRATCH/bare-bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$U/run</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF

# run_gui NAME KEYRING: one run of the GUI on its own session bus; KEYRING
# 1 = gnome-keyring started and unlocked, 0 = only what D-Bus activates,
# bare = a bus without any services.
run_gui() {
    local name=$1 keyring=$2 rc=0 bus=(dbus-run-session)
    [[ $keyring == bare ]] && bus+=(--config-file="$SCRATCH/bare-bus.conf")
    set +e
    # shellcheck disable=SC2016 # the inner script expands its own variables
    env -u DBUS_SESSION_BUS_ADDRESS -u STASHHOG_TOKEN -u STASHHOG_CONNECT -u STASHHOG_TOKEN_STORE \
        HOME="$U/home" XDG_DATA_HOME="$U/data" XDG_CONFIG_HOME="$U/config" XDG_RUNTIME_DIR="$U/run" \
        KEYRING="$keyring" BIN="$BIN" STASHHOG_GTK_NON_UNIQUE=1 STASHHOG_GTK_TEST_SCRIPT="$SCRATCH/drive.txt" \
        GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1 GTK_A11Y=none GSK_RENDERER=cairo GDK_DEBUG=gl-disable \
        LSAN_OPTIONS="suppressions=$SCRATCH/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
        timeout 120 "${bus[@]}" -- bash -c '
            if [[ $KEYRING == 1 ]]; then
                printf "%s" "stashhog-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
                for _ in $(seq 100); do
                    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
                        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
                        grep -q "boolean true" && break
                    sleep 0.1
                done
            fi
            exec xvfb-run -a -s "-screen 0 1024x700x24" "$BIN/stashhog-gtk"' \
        >"$SCRATCH/$name.out" 2>"$SCRATCH/$name.err"
    rc=$?
    set -e
    if grep -qF -- "$TOKEN" "$SCRATCH/$name.out" "$SCRATCH/$name.err"; then
        fail "$name: the token appears in the GUI's output"
    fi
    if [[ $rc -ne 0 ]] || ! grep -q "^DRIVER PASS" "$SCRATCH/$name.out"; then
        cat "$SCRATCH/$name.out" "$SCRATCH/$name.err" >&2
        fail "$name: stashhog-gtk did not connect (exit $rc)"
    fi
    log "$name: connected; $(grep -h "daemon token store" "$SCRATCH/$name.err" | sed 's/.*Message: [0-9:.]*: //' | paste -sd'|')"
}

write_token_file
run_gui migrate 1
grep -q "moved the token file into the keyring" "$SCRATCH/migrate.err" || fail "migrate: no migration logged"
[[ ! -e $TOKEN_FILE ]] || fail "migrate: the token file is still there"
ls "$U/data/keyrings/"*.keyring >/dev/null 2>&1 || fail "migrate: no keyring file was written"

run_gui keyring 1
grep -q "daemon token store: the keyring" "$SCRATCH/keyring.err" || fail "keyring: the keyring was not used"
[[ ! -e $TOKEN_FILE ]] || fail "keyring: a token file appeared"

write_token_file
run_gui locked 0
grep -q "keyring unavailable" "$SCRATCH/locked.err" || fail "locked: no fallback logged"
[[ $(stat -c %a "$TOKEN_FILE") == 600 ]] || fail "locked: the token file is gone or its mode changed"

run_gui bare bare
grep -q "keyring unavailable" "$SCRATCH/bare.err" || fail "bare: no fallback logged"
[[ $(stat -c %a "$TOKEN_FILE") == 600 ]] || fail "bare: the token file is gone or its mode changed"
log "PASS"
