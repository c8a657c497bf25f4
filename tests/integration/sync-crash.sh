#!/usr/bin/env bash
# kill -9 in the middle of a full sync: the cache stays consistent and the
# next run resumes from the last committed page to an exact copy.
source "$STASHHOG_SOURCE_DIR/tests/integration/lib.sh"

start_fake_stash --scenes 3000 --seed 9 --page-delay-ms 120
start_daemon
DB=$DATA/stashhog.db
ctl settings set stash.url "$FAKE_STASH_URL" stash.page_size 100 >/dev/null

scenes() { ctl --json status | jq -r '.sceneCount // .scene_count // 0'; }
enough_pages() { (($(scenes) >= 600)); }
ctl sync full >/dev/null
wait_for "some pages to be committed" 60 enough_pages
kill9_daemon
start_daemon
before=$(scenes)
((before >= 600 && before < 3000)) || fail "expected a partial cache after the crash, got $before scenes"

# The crashed job is re-queued at start-up (resumable); our --wait job runs after it.
ctl sync full --wait >/dev/null 2>&1 || fail "full sync after the crash failed"
fake_stash GET /__control/state >"$SCRATCH/state.json"
"$BIN/sh-cache-compare" "$DB" "$SCRATCH/state.json" >"$SCRATCH/compare.txt" ||
    fail "cache differs after resume: $(cat "$SCRATCH/compare.txt")"

hist=$(ctl --json sync history --limit 10)
assert_eq "$(jq '[.runs[] | select(.status == "interrupted")] | length' <<<"$hist")" "1" "interrupted run"
# The first run after the crash continued after the cursor: it wrote fewer than all scenes.
resumed=$(jq -r '[.runs[] | select(.status == "completed")] | last | (.counts.scenesUpserted // .counts.scenes_upserted)' <<<"$hist")
((resumed < 3000)) || fail "the resumed run rewrote everything ($resumed scenes)"
pass
