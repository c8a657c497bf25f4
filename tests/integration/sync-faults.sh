#!/usr/bin/env bash
# About 10% of requests fail (5xx, 429, garbage, cut bodies): full and
# incremental syncs still converge to an exact copy.
source "$STASHHOG_SOURCE_DIR/tests/integration/lib.sh"

start_fake_stash --scenes 1200 --seed 13 --fault-500 0.03 --fault-503 0.02 --fault-429 0.02 \
    --fault-garbage 0.02 --fault-truncate 0.01
start_daemon
DB=$DATA/stashhog.db
ctl settings set stash.url "$FAKE_STASH_URL" stash.page_size 100 >/dev/null

assert_copy() {
    fake_stash GET /__control/state >"$SCRATCH/state.json"
    "$BIN/sh-cache-compare" "$DB" "$SCRATCH/state.json" >"$SCRATCH/compare.txt" ||
        fail "$1: cache differs from Stash: $(cat "$SCRATCH/compare.txt")"
}

ctl sync full --wait >/dev/null 2>&1 || fail "full sync did not survive the faults"
assert_copy "full sync with faults"
for i in 20 21 22 23; do fake_stash POST /__control/scenes/$i "{\"title\": \"fault edit $i\"}" >/dev/null; done
fake_stash DELETE /__control/scenes/30 >/dev/null
ctl sync incremental --wait >/dev/null 2>&1 || fail "incremental sync did not survive the faults"
assert_copy "incremental sync with faults"
pass
