#!/usr/bin/env bash
# sync-bench: full-sync throughput against the fake Stash with a fixed delay
# per page, compared with merely downloading the same pages with curl.
# Prints figures; not a ctest test.  Usage (from a build directory):
#   tests/bench/sync-bench [--scenes N] [--page-delay-ms MS] [--page-size N]
# Goals: full sync <= 1.1 x download time, no-op incremental < 100 ms,
# daemon RSS after sync < 50 MB.
set -euo pipefail

SCENES=100000 DELAY=200 PAGE=500
while (($#)); do
    case $1 in
    --scenes) SCENES=$2; shift 2 ;;
    --page-delay-ms) DELAY=$2; shift 2 ;;
    --page-size) PAGE=$2; shift 2 ;;
    *) echo "usage: $0 [--scenes N] [--page-delay-ms MS] [--page-size N]" >&2; exit 2 ;;
    esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${STASHHOG_BIN_DIR:-$(cd "$HERE/../../bin" 2>/dev/null && pwd || echo "")}
SRC=${STASHHOG_SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}
[[ -x $BIN/stashhogd && -x $BIN/fake-stash ]] || { echo "set STASHHOG_BIN_DIR to the build's bin/" >&2; exit 2; }
[[ -f $SRC/server/stash/graphql/operations/FindScenes.graphql ]] || { echo "set STASHHOG_SOURCE_DIR" >&2; exit 2; }

SCRATCH=$(mktemp -d /tmp/sh-bench-XXXXXX)
DAEMON_PID="" FAKE_PID=""
cleanup() {
    [[ -n $DAEMON_PID ]] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
    [[ -n $FAKE_PID ]] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null || true
    rm -rf "$SCRATCH"
}
trap cleanup EXIT
now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }
ctl() { "$BIN/stashhogctl" --connect "ipc://$SCRATCH/run/stashhogd.sock" "$@"; }

echo "fake Stash: $SCENES scenes, ${DELAY} ms per page, $PAGE scenes per page"
"$BIN/fake-stash" --port 0 --port-file "$SCRATCH/port" --quiet --scenes "$SCENES" --seed 1 \
    --page-delay-ms "$DELAY" >"$SCRATCH/fake.log" 2>&1 &
FAKE_PID=$!
for _ in $(seq 600); do [[ -s $SCRATCH/port ]] && break; sleep 0.1; done
URL="http://127.0.0.1:$(cat "$SCRATCH/port")"

# ---- baseline: download the same keyset pages with curl, nothing else.
QUERY=$(cat "$SRC/server/stash/graphql/operations/FindScenes.graphql" "$SRC/server/stash/graphql/fragments/SceneData.graphql")
pages=$((SCENES / PAGE + 1))
: >"$SCRATCH/bodies"
for ((k = 0; k < pages; k++)); do
    jq -cn --arg q "$QUERY" --argjson after $((k * PAGE)) --argjson pp "$PAGE" \
        '{operationName: "FindScenes", query: $q, variables: {filter: {per_page: $pp, sort: "id", direction: "ASC"},
          scene_filter: {id: {value: $after, modifier: "GREATER_THAN"}}}}' >>"$SCRATCH/bodies"
done
t0=$(now)
bytes=0
while IFS= read -r body; do
    n=$(curl -sS -o /dev/null -w '%{size_download}' -H 'Content-Type: application/json' --data-binary "$body" "$URL/graphql")
    bytes=$((bytes + n))
done <"$SCRATCH/bodies"
download_s=$(calc "$(now) - $t0")
printf 'download only:   %d pages, %.1f MB in %.2f s\n' "$pages" "$(calc "$bytes / 1048576")" "$download_s"

# ---- the daemon's full sync.
mkdir -p "$SCRATCH/data" "$SCRATCH/run"
STASHHOG_DATA_DIR=$SCRATCH/data STASHHOG_RUNTIME_DIR=$SCRATCH/run STASHHOG_CONFIG=/dev/null \
    "$BIN/stashhogd" --log-level warning >"$SCRATCH/daemon.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 200); do ctl ping >/dev/null 2>&1 && break; sleep 0.05; done
ctl settings set stash.url "$URL" stash.page_size "$PAGE" >/dev/null
cpu() { awk '{print $14 + $15}' "/proc/$DAEMON_PID/stat"; }
tick=$(getconf CLK_TCK)
cpu0=$(cpu)
ctl sync full --wait >/dev/null 2>&1 || { echo "full sync failed" >&2; tail "$SCRATCH/daemon.log" >&2; exit 1; }
cpu1=$(cpu)
run=$(ctl --json sync history --limit 1)
full_ms=$(jq -r '.runs[0] | (.finished_at_ms - .started_at_ms)' <<<"$run")
cached=$(ctl --json status | jq -r '.scene_count')
printf 'full sync:       %d scenes in %.2f s (run time), ratio to download %.3f (goal <= 1.1)\n' \
    "$cached" "$(calc "$full_ms / 1000")" "$(calc "$full_ms / 1000 / $download_s")"
printf 'daemon CPU:      %.1f ms per 1000 scenes (%.2f s total)\n' \
    "$(calc "($cpu1 - $cpu0) * 1000 / $tick / ($cached / 1000)")" "$(calc "($cpu1 - $cpu0) / $tick")"
printf 'daemon RSS:      %.1f MB after the full sync (goal < 50)\n' \
    "$(awk '/VmRSS/ {print $2 / 1024}' "/proc/$DAEMON_PID/status")"

# ---- incremental with nothing changed (run time from sync history): with
# the page delay (each of its Find* requests pays it) and without.
noop() {
    ctl sync incremental --wait >/dev/null 2>&1 || { echo "incremental failed" >&2; exit 1; }
    local run
    run=$(ctl --json sync history --limit 1)
    printf 'no-op incremental %s: %d ms, %d requests\n' "$1" \
        "$(jq -r '.runs[0] | (.finished_at_ms - .started_at_ms)' <<<"$run")" "$(jq -r '.runs[0].counts.requests' <<<"$run")"
}
noop "(${DELAY} ms per Find request)"
curl -sS -o /dev/null -X POST -H 'Content-Type: application/json' --data '{"page_delay_ms": 0}' "$URL/__control/faults"
noop "(no page delay; goal < 100 ms)"
printf 'daemon RSS:      %.1f MB at the end\n' "$(awk '/VmRSS/ {print $2 / 1024}' "/proc/$DAEMON_PID/status")"
