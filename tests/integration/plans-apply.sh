#!/usr/bin/env bash
# Analyze -> review -> apply -> rollback against the fake Stash:
#  - review selectors and edits (a new studio, a new performer on two scenes)
#  - a change whose field was edited in Stash after analysis becomes a
#    conflict and is not written; an edit of another field does not block
#  - missing entities are created once (looked up by name first), the cache
#    is refreshed, requests stay within 20 per 1,000 scenes
#  - rollback restores Stash exactly (state identical except updated_at and
#    the entities apply created) and reports a field edited since apply
source "$(dirname "$0")/lib.sh"

start_fake_stash --scenes 1200 --seed 5
start_daemon
ctl settings set stash.url "$FAKE_STASH_URL" >/dev/null
ctl sync full --wait >/dev/null 2>&1 || fail "full sync failed"

# --- analyze (estimate first: no LLM asked, so only the scene count)
est=$(ctl --json analyze --estimate --path /data/)
[[ $(jqr .scenes <<<"$est") -gt 0 ]] || fail "estimate counts scenes: $est"
ref=$(ctl --json analyze --allow-new --name "it plan")
plan=$(jqr .plan_id <<<"$ref")
ctl jobs watch "$(jqr .id <<<"$ref")" >/dev/null || fail "analyze job failed"
sum=$(ctl --json plans show --limit 0 "$plan" | jqr .summary)
total=$(jqr .change_count <<<"$sum")
[[ $total -gt 500 ]] || fail "analysis made only $total changes"
assert_eq "$(jqr .pending <<<"$sum")" "$total" "all changes pending"
# organized scenes are left out unless asked for
org=$(fake_stash GET /__control/state | jq '[.scenes[] | select(.organized)] | length')
[[ $org -gt 0 ]] || fail "the fake library has no organized scenes"
ctl --json plans show "$plan" | jq -e --argjson ids "$(fake_stash GET /__control/state | jq '[.scenes[] | select(.organized) | .id | tonumber]')" \
    '[.changes[].scene_id] | map(. as $s | $ids | index($s)) | all(. == null)' >/dev/null ||
    fail "an organized scene got changes"

# --- review: confident changes, then reject all details changes
n=$(ctl --json plans accept "$plan" --min-confidence 0.8 | jqr .updated)
[[ $n -gt 0 ]] || fail "nothing accepted"
ctl plans reject "$plan" --field details >/dev/null
assert_fails ctl plans accept "$plan"  # no selector: refused
show=$(ctl --json plans show "$plan" --status accepted)

# a new studio on one scene, a new performer on two scenes (replacing theirs)
studio_chg=$(jq -c '[.changes[] | select(.field == "studio")][0]' <<<"$show")
ctl plans edit "$plan" --change "$(jqr .id <<<"$studio_chg")" --value "Brand New Studio IT" >/dev/null
perf=$(ctl --json plans show "$plan" --field performers |
    jq -c '[.changes[] | select((.current.entities | length) > 0)][0:2]')
for id in $(jq -r '.[].id' <<<"$perf"); do
    ctl plans edit "$plan" --change "$id" --value "Newcomer Person IT" >/dev/null
done
edited=$(ctl --json plans show "$plan" --field performers | jq -c --argjson id "$(jq '.[0].id' <<<"$perf")" '.changes[] | select(.id == $id)')
assert_eq "$(jq '.removed | length' <<<"$edited")" "$(jq '.[0].current.entities | length' <<<"$perf")" "edit diffs removed members"
assert_eq "$(jq -r '.added[0].name' <<<"$edited")" "Newcomer Person IT" "edit diffs added member"

# --- Stash changes after analysis: one touches an accepted field, one does not
date_chg=$(ctl --json plans show "$plan" --field date --status accepted | jq -c '.changes[0]')
conflict_scene=$(jqr .scene_id <<<"$date_chg")
fake_stash POST "/__control/scenes/$conflict_scene" '{"date": "1999-01-01"}' >/dev/null
other_scene=$(jqr .scene_id <<<"$studio_chg")
fake_stash POST "/__control/scenes/$other_scene" '{"details": "edited by a user"}' >/dev/null

fake_stash GET /__control/state >"$SCRATCH/before.json"
fake_stash POST /__control/stats/reset >/dev/null
accepted=$(ctl --json plans show --limit 0 "$plan" | jqr .summary.accepted)
job=$(ctl --json plans apply "$plan" | jqr .id)
ctl jobs watch "$job" >/dev/null || fail "apply failed: $(ctl jobs show "$job")"
result=$(ctl --json jobs show "$job" | jqr .result_json)
sum=$(ctl --json plans show --limit 0 "$plan" | jqr .summary)
assert_eq "$(jqr .status <<<"$sum")" "PLAN_PARTIALLY_APPLIED" "plan status with a conflict"
assert_eq "$(jqr .conflicts <<<"$sum")" 1 "one conflict"
assert_eq "$(jqr .applied <<<"$sum")" "$((accepted - 1))" "every other accepted change applied"
c=$(ctl --json plans show "$plan" --field date | jq -r --argjson s "$conflict_scene" '.changes[] | select(.scene_id == $s) | .status')
assert_eq "$c" "CHANGE_CONFLICT" "the edited field is a conflict"
by=$(ctl --json plans show "$plan" --status applied | jq -r '[.changes[].applied_by] | unique | join(",")')
assert_eq "$by" "owner" "applied changes record who applied them"
after=$(fake_stash GET /__control/state)
assert_eq "$(jq -r --arg s "$conflict_scene" '.scenes[] | select(.id == $s) | .date' <<<"$after")" "1999-01-01" \
    "a conflicting change is not written"
assert_eq "$(jq '[.studios[] | select(.name == "Brand New Studio IT")] | length' <<<"$after")" 1 "studio created once"
assert_eq "$(jq '[.performers[] | select(.name == "Newcomer Person IT")] | length' <<<"$after")" 1 "performer created once"
assert_eq "$(jqr .entities_created <<<"$result")" 2 "two entities created"
newp=$(jq -r '.performers[] | select(.name == "Newcomer Person IT") | .id' <<<"$after")
for s in $(jq -r '.[].scene_id' <<<"$perf"); do
    assert_eq "$(jq -c --arg s "$s" '[.scenes[] | select(.id == $s) | .performers[].id]' <<<"$after")" "[\"$newp\"]" \
        "scene $s has exactly the new performer"
done
# the cache follows what apply wrote
assert_eq "$(ctl --json scenes show "$other_scene" | jqr .summary.studio.name)" "Brand New Studio IT" "cache updated"
# requests: re-reads + writes in batches (goal <= 20 per 1,000 scenes)
stats=$(fake_stash GET /__control/stats)
written=$(jqr .scenes_written <<<"$result")
reqs=$(jq '(.operations.FindScenesByIds // 0) + (.operations.ScenesUpdate // 0)' <<<"$stats")
log "apply: $written scenes written with $reqs scene requests ($(jqr .total <<<"$stats") in all)"
[[ $((reqs * 1000)) -le $((20 * written + 1000)) ]] || fail "$reqs requests for $written scenes"
assert_eq "$(jq '.mutations.scenes_updated' <<<"$stats")" "$written" "each scene written once"

# --- a field edited in Stash after apply is reported, not overwritten
title_scene=$(ctl --json plans show "$plan" --field title --status applied | jq -r '.changes[0].scene_id // empty')
[[ -n $title_scene ]] || title_scene=$(ctl --json plans show "$plan" --field date --status applied | jqr '.changes[0].scene_id')
field=$(ctl --json plans show "$plan" --status applied | jq -r --argjson s "$title_scene" '[.changes[] | select(.scene_id == $s and (.field == "title" or .field == "date"))][0].field')
value='"User Edit"'; [[ $field == date ]] && value='"2001-02-03"'
fake_stash POST "/__control/scenes/$title_scene" "{\"$field\": $value}" >/dev/null

job=$(ctl --json plans rollback "$plan" | jqr .id)
ctl jobs watch "$job" >/dev/null || fail "rollback failed: $(ctl jobs show "$job")"
result=$(ctl --json jobs show "$job" | jqr .result_json)
assert_eq "$(jqr .fields_not_restored <<<"$result")" 1 "one field not restored"
assert_eq "$(jq -r '.not_restored[0].scene_id' <<<"$result")" "$title_scene" "the edited scene is reported"
assert_eq "$(ctl --json plans show --limit 0 "$plan" | jqr .summary.status)" "PLAN_ROLLED_BACK" "plan rolled back"
assert_fails ctl plans rollback "$plan"

# Stash is back as it was, except updated_at, the created entities and the user's edit.
norm='del(.. | .updated_at?) | .studios |= map(select(.name != "Brand New Studio IT"))
      | .performers |= map(select(.name != "Newcomer Person IT"))'
jq -S "$norm" "$SCRATCH/before.json" | jq -S --arg s "$title_scene" --arg f "$field" --argjson v "$value" \
    '.scenes |= map(if .id == $s then .[$f] = $v else . end)' >"$SCRATCH/want.json"
fake_stash GET /__control/state | jq -S "$norm" >"$SCRATCH/got.json"
diff "$SCRATCH/want.json" "$SCRATCH/got.json" >"$SCRATCH/state.diff" || fail "state after rollback differs: $(head -20 "$SCRATCH/state.diff")"

# --- export and delete
ctl plans export "$plan" --format csv -o "$SCRATCH/plan.csv" 2>/dev/null
assert_eq "$(head -1 "$SCRATCH/plan.csv" | tr -d '\r')" \
    "change_id,scene_id,scene_path,field,current,proposed,confidence,analyzer,reason,status,error" "csv header"
assert_eq "$(ctl plans export "$plan" --format json | jq '.changes | length')" "$total" "json export has every change"
text=$(ctl plans show "$plan" --limit 5)
assert_contains "$text" "Plan $plan: it plan"
ctl plans delete "$plan" >/dev/null
assert_fails ctl plans show "$plan"
pass
