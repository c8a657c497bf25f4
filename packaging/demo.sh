#!/usr/bin/env bash
# The StashHog demo: build, start the project's own demo Stash with a
# generated library, start stashhogd against it, sync, show the library,
# and open the desktop client when there is a display.
#
#   packaging/demo.sh [--scenes N] [--keep]
#
# Everything lives in a scratch directory that is removed at the end
# (unless --keep, which leaves the services running until Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
SCENES=2000
KEEP=""
while [[ $# -gt 0 ]]; do
    case $1 in
    --scenes) SCENES=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: $0 [--scenes N] [--keep]" >&2; exit 2 ;;
    esac
done

BUILD=${BUILD_DIR:-build}
echo "== building (in $BUILD)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j "$(nproc)" >/dev/null
BIN=$BUILD/bin

DEMO=$(mktemp -d /tmp/stashhog-demo-XXXXXX)
FS_PID="" D_PID=""
stop_all() {
    [[ -n $D_PID ]] && kill -TERM "$D_PID" 2>/dev/null && wait "$D_PID" 2>/dev/null || true
    [[ -n $FS_PID ]] && kill -TERM "$FS_PID" 2>/dev/null && wait "$FS_PID" 2>/dev/null || true
    rm -rf "$DEMO"
}
trap stop_all EXIT

echo "== starting the demo Stash with $SCENES generated scenes"
"$BIN/fake-stash" --port 0 --port-file "$DEMO/stash.port" --scenes "$SCENES" --quiet >"$DEMO/stash.log" 2>&1 &
FS_PID=$!
for _ in $(seq 1 200); do [[ -s $DEMO/stash.port ]] && break; sleep 0.05; done
STASH_URL="http://127.0.0.1:$(cat "$DEMO/stash.port")"
echo "   demo Stash at $STASH_URL"

echo "== starting stashhogd"
export STASHHOG_DATA_DIR=$DEMO/data STASHHOG_RUNTIME_DIR=$DEMO/run STASHHOG_CONFIG=/dev/null
"$BIN/stashhogd" --stash-url "$STASH_URL" >"$DEMO/daemon.log" 2>&1 &
D_PID=$!
CTL=("$BIN/stashhogctl" --connect "ipc://$DEMO/run/stashhogd.sock")
for _ in $(seq 1 200); do "${CTL[@]}" ping >/dev/null 2>&1 && break; sleep 0.05; done

"${CTL[@]}" settings test-connection
echo "== full sync"
"${CTL[@]}" sync full --wait
"${CTL[@]}" status
echo "== the first scenes in the cache"
"${CTL[@]}" scenes list --limit 10
echo "== scenes missing a studio"
"${CTL[@]}" scenes list --missing studio --limit 5
echo "== analysis (heuristics) into a plan"
"${CTL[@]}" analyze --missing studio --name "demo: missing studios" --wait
"${CTL[@]}" plans list

if [[ -n ${DISPLAY:-}${WAYLAND_DISPLAY:-} && -x $BIN/stashhog-gtk ]]; then
    echo "== opening the desktop client (close the window to end the demo)"
    STASHHOG_CONNECT="ipc://$DEMO/run/stashhogd.sock" "$BIN/stashhog-gtk" || true
elif [[ -n $KEEP ]]; then
    echo "== services keep running; use: ${CTL[*]} ...   (Ctrl-C to stop)"
    wait "$D_PID"
else
    echo "== no display: skip the desktop client (run with a display to open it)"
fi
echo "== demo finished"
