#!/usr/bin/env bash
# kill -9 in the middle of an apply, while a ScenesUpdate is in flight (the
# fake Stash still executes it after its latency): the restarted daemon
# resumes the job, re-reads the batch whose outcome it never recorded,
# finds the values already there and does not write any scene twice.
source "$(dirname "$0")/lib.sh"

start_fake_stash --scenes 2500 --seed 7 --latency-ms 400
start_daemon
DB=$DATA/stashhog.db
ctl settings set stash.url "$FAKE_STASH_URL" >/dev/null
ctl sync full --wait >/dev/null 2>&1 || fail "full sync failed"
ref=$(ctl --json analyze --name resume)
plan=$(jqr .plan_id <<<"$ref")
ctl jobs watch "$(jqr .id <<<"$ref")" >/dev/null || fail "analyze failed"
ctl plans accept "$plan" --all >/dev/null
fake_stash POST /__control/stats/reset >/dev/null

job=$(ctl --json plans apply "$plan" | jqr .id)
# A batch is in flight when its pre-images are stored but not marked written,
# after at least one earlier batch completed.
in_flight() {
    local q="SELECT (SELECT count(*) FROM plan_preimages WHERE plan_id = $plan AND written = 0) > 0
             AND (SELECT count(*) FROM plan_preimages WHERE plan_id = $plan AND written = 1) > 0"
    [[ $(sqlite3 -cmd '.timeout 2000' "file:$DB?mode=ro" "$q" 2>/dev/null) == 1 ]]
}
wait_for "a ScenesUpdate in flight" 60 in_flight
kill9_daemon
sleep 0.6 # let the fake finish the orphaned request
written_before=$(fake_stash GET /__control/stats | jq '.mutations.scenes_updated // 0')
unrecorded=$(sqlite3 "file:$DB?mode=ro" "SELECT count(*) FROM plan_preimages WHERE plan_id = $plan AND written = 0")
log "killed with $written_before scenes written by Stash, $unrecorded not recorded as written"
((unrecorded > 0)) || fail "the kill did not land inside a batch"

start_daemon
# The apply job is resumable: re-queued at start-up, it finishes by itself.
ctl jobs watch "$job" >/dev/null || fail "resumed apply failed: $(ctl jobs show "$job")"
result=$(ctl --json jobs show "$job" | jqr .result_json)
log "resumed run: $result"
[[ $(jqr .scenes_resumed <<<"$result") -gt 0 ]] || fail "no scene was recognised as already written"
sum=$(ctl --json plans show --limit 0 "$plan" | jqr .summary)
assert_eq "$(jqr .status <<<"$sum")" "PLAN_APPLIED" "plan applied after resume"
assert_eq "$(jqr .applied <<<"$sum")" "$(jqr .change_count <<<"$sum")" "every change applied"
scenes=$(ctl plans export "$plan" | jq '[.changes[].scene_id] | unique | length')
assert_eq "$(fake_stash GET /__control/stats | jq '.mutations.scenes_updated')" "$scenes" \
    "each of the $scenes scenes written exactly once across the crash"
# and Stash holds every proposed value
dates=$(ctl plans export "$plan" | jq -r '[.changes[] | select(.field == "date")][0:50][] | "\(.scene_id) \(.proposed.text)"')
bad=""
while read -r id date; do
    got=$(fake_stash GET "/__control/scenes/$id" | jq -r .date)
    [[ $got == "$date" ]] || bad+=" $id"
done <<<"$dates"
[[ -z $bad ]] || fail "dates not written for scenes: $bad"
pass
