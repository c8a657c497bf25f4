#!/usr/bin/env bash
# gtk.sh - display test of stashhog-gtk: the real daemon with the fake Stash,
# a sync, then the real window driven headless under Xvfb through the test
# driver (STASHHOG_GTK_TEST_SCRIPT; no synthesized clicks).  Screenshots of
# the scene list, a plan diff, the jobs view and settings land in
# <build>/screenshots/.  Steps whose RPC the daemon answers UNSUPPORTED are
# reported as SKIP, not failures.
source "$(dirname "$0")/lib.sh"

[[ -x $BIN/stashhog-gtk ]] || { log "SKIPPED: stashhog-gtk not built (STASHHOG_BUILD_GTK=OFF)"; exit 0; }
command -v xvfb-run >/dev/null || { log "SKIPPED: xvfb-run not installed"; exit 0; }

SHOTS=${STASHHOG_SCREENSHOT_DIR:-$BIN/../screenshots}
mkdir -p "$SHOTS"
SHOTS=$(cd "$SHOTS" && pwd)
rm -f "$SHOTS"/gtk-*.png

start_fake_stash --scenes "${GTK_TEST_SCENES:-400}"
start_daemon --stash-url "$FAKE_STASH_URL"
ctl settings set stash.url "$FAKE_STASH_URL" >/dev/null 2>&1 || true
if ctl sync full --wait >"$SCRATCH/sync.out" 2>&1; then
    log "synced: $(ctl --json status | jqr .scene_count) scenes"
else
    log "SKIPPED sync: $(tail -n 1 "$SCRATCH/sync.out")"
fi
# A plan to review, when the daemon can analyze (else the plan steps SKIP).
if ctl analyze --help >/dev/null 2>&1 && ctl analyze --wait --name gtk-test >"$SCRATCH/analyze.out" 2>&1; then
    log "analysis done"
else
    log "no plan created: $(tail -n 1 "$SCRATCH/analyze.out" 2>/dev/null || echo 'analyze not available')"
fi

cat >"$SCRATCH/drive.txt" <<SCRIPT
wait-connected 20
page scenes
wait-scenes 1 30
select-scene 0
sleep 800
screenshot $SHOTS/gtk-scenes.png
search Scene
sleep 600
wait-scenes 0 20
search
sleep 600
wait-scenes 1 20
page plans
plans-wait 10
plan-open-first
plan-wait-changes 10
sleep 500
screenshot $SHOTS/gtk-plan.png
plan-action plan.accept-current
plan-wait-accepted 1 10
plan-apply
page jobs
jobs-wait 10
sleep 800
screenshot $SHOTS/gtk-jobs.png
page library
sleep 800
screenshot $SHOTS/gtk-library.png
page schedules
sleep 500
screenshot $SHOTS/gtk-schedules.png
prefs-open
sleep 800
prefs-test stash
sleep 1500
screenshot $SHOTS/gtk-settings.png prefs
prefs-close
SCRIPT

mkdir -p "$SCRATCH/config"
log "running stashhog-gtk under Xvfb"
# A private session bus keeps GTK from warning about a missing one.
BUS=()
command -v dbus-run-session >/dev/null && BUS=(dbus-run-session --)
set +e
XDG_CONFIG_HOME=$SCRATCH/config STASHHOG_CONNECT=$RPC_URL STASHHOG_GTK_NON_UNIQUE=1 \
    STASHHOG_GTK_TEST_SCRIPT=$SCRATCH/drive.txt GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1 GTK_A11Y=none \
    GSK_RENDERER=${GSK_RENDERER:-cairo} \
    timeout 180 "${BUS[@]}" xvfb-run -a -s "-screen 0 1400x900x24" "$BIN/stashhog-gtk" >"$SCRATCH/gtk.out" 2>"$SCRATCH/gtk.err"
rc=$?
set -e
cat "$SCRATCH/gtk.out" >&2
if grep -qE "CRITICAL|Gtk-WARNING|Adwaita-WARNING" "$SCRATCH/gtk.err"; then
    cat "$SCRATCH/gtk.err" >&2
    fail "stashhog-gtk logged criticals or warnings"
fi
[[ $rc -eq 0 ]] || { cat "$SCRATCH/gtk.err" >&2; fail "stashhog-gtk exited with $rc"; }
grep -q "^DRIVER PASS" "$SCRATCH/gtk.out" || fail "driver did not pass"
for shot in scenes jobs library schedules settings; do
    [[ -s $SHOTS/gtk-$shot.png ]] || fail "missing screenshot gtk-$shot.png"
done
grep -q "^SKIP" "$SCRATCH/gtk.out" && log "SKIPPED steps: $(grep '^SKIP' "$SCRATCH/gtk.out" | tr '\n' ';')"
log "screenshots in $SHOTS"
pass
