#!/usr/bin/env bash
# Full sync is an exact copy of the fake Stash; incremental follows edits,
# creations and deletions; one-scene and entity syncs; history; the
# sync.finished event.
source "$STASHHOG_SOURCE_DIR/tests/integration/lib.sh"

APIKEY="itest-key-$RANDOM-7d3f0a9c2b"
start_fake_stash --scenes 1500 --seed 5 --api-key "$APIKEY"
start_daemon
DB=$DATA/stashhog.db

ctl settings set stash.url "$FAKE_STASH_URL" stash.page_size 200 >/dev/null
ctl settings set stash.api_key - <<<"$APIKEY" >/dev/null

# Exact copy: the cache rendered like the fake's state document.
assert_copy() {
    fake_stash GET /__control/state >"$SCRATCH/state.json"
    "$BIN/sh-cache-compare" "$DB" "$SCRATCH/state.json" >"$SCRATCH/compare.txt" ||
        fail "$1: cache differs from Stash: $(cat "$SCRATCH/compare.txt")"
}

out=$(ctl settings test-connection) || fail "test-connection failed: $out"
assert_contains "$out" "authenticated:  yes"
assert_contains "$out" "1500 scenes"

# A sync.finished event is published at the end of the run.
ctl --json events --topic sync. --count 1 --for 60 >"$SCRATCH/events.json" &
EVENTS_PID=$!
sleep 0.5
ctl sync full --wait >/dev/null 2>&1 || fail "full sync failed"
assert_copy "full sync"
wait "$EVENTS_PID" || fail "no sync.finished event"
assert_eq "$(jqr '.topic' <"$SCRATCH/events.json")" "sync.finished" "event topic"
assert_eq "$(jqr '.syncFinished.run.counts.scenesUpserted // .sync_finished.run.counts.scenes_upserted' \
    <"$SCRATCH/events.json")" "1500" "event counts"

# Edits, a creation, deletions, an entity rename: incremental catches all.
fake_stash POST /__control/scenes/5 '{"title": "Edited by the test", "organized": true}' >/dev/null
fake_stash DELETE /__control/scenes/6 >/dev/null
fake_stash DELETE /__control/scenes/1400 >/dev/null
fake_stash POST /__control/scenes '{"title": "Created by the test", "files": [{"path": "/new/created.mp4"}]}' >/dev/null
fake_stash POST /__control/performers/3 '{"name": "Renamed Performer"}' >/dev/null
fake_stash DELETE /__control/tags/2 >/dev/null
ctl sync incremental --wait >/dev/null 2>&1 || fail "incremental sync failed"
assert_copy "incremental sync"

# Nothing changed: quick and writes nothing.
ctl sync incremental --wait >/dev/null 2>&1 || fail "second incremental failed"
last=$(ctl --json sync history --limit 1)
assert_eq "$(jqr '.runs[0].counts.scenesUpserted // .runs[0].counts.scenes_upserted' <<<"$last")" "0" "no-op incremental"
assert_eq "$(jqr '.runs[0].status' <<<"$last")" "completed" "no-op status"

# One scene: edited, then gone.
fake_stash POST /__control/scenes/9 '{"details": "one scene resync"}' >/dev/null
ctl sync scene 9 --wait >/dev/null 2>&1 || fail "sync scene 9 failed"
assert_copy "sync scene 9"
fake_stash DELETE /__control/scenes/12 >/dev/null
ctl sync scene 12 --wait >/dev/null 2>&1 || fail "sync scene 12 failed"
assert_copy "sync scene 12 (deleted)"
assert_eq "$(ctl --json sync history --limit 1 | jqr '.runs[0].counts.scenesDeleted // .runs[0].counts.scenes_deleted')" \
    "1" "missing scene removed"

# Entities only.
fake_stash POST /__control/studios/2 '{"name": "Renamed Studio", "aliases": ["RS One"]}' >/dev/null
ctl sync entities --wait >/dev/null 2>&1 || fail "entity sync failed"
assert_copy "entity sync"

hist=$(ctl sync history)
assert_contains "$hist" "full"
assert_contains "$hist" "incremental"
assert_contains "$hist" "entities"
assert_contains "$hist" "completed"
assert_fails ctl sync scene 0
assert_fails ctl sync bogus
pass
