#!/usr/bin/env bash
# Exact rollback of the entities an apply created, against the fake Stash:
#  - a plan names a new studio and a new performer (edits) and the apply
#    adds a new tag: all three are created once and exist in Stash
#  - rollback --wait destroys them again (nothing uses them), restores the
#    scenes, and prints what became of each entity
#  - a second plan: its new performer is given to a scene outside the plan
#    between apply and rollback, so rollback keeps it ("used by 1 scene")
#    and destroys only the other two
source "$(dirname "$0")/lib.sh"

start_fake_stash --scenes 300 --seed 9
start_daemon
ctl settings set stash.url "$FAKE_STASH_URL" >/dev/null
ctl sync full --wait >/dev/null 2>&1 || fail "full sync failed"

entity_id() { # KIND(performers|studios|tags) NAME -> id or empty
    fake_stash GET /__control/state | jq -r --arg k "$1" --arg n "$2" '.[$k][] | select(.name == $n) | .id'
}
scene_json() { fake_stash GET "/__control/scenes/$1" | jq -S 'del(.updated_at)'; }

# Analyze, then accept only a studio change and a performer change, edited
# to name entities Stash does not have.  Sets PLAN, STUDIO_SCENE, PERF_SCENE.
make_plan() {
    local sfx=$1 ref chg
    ref=$(ctl --json analyze --allow-new --name "entities $sfx")
    PLAN=$(jqr .plan_id <<<"$ref")
    ctl jobs watch "$(jqr .id <<<"$ref")" >/dev/null || fail "analyze $sfx failed"
    chg=$(ctl --json plans show "$PLAN" --field studio | jq -c '.changes[0]')
    [[ $chg != null ]] || fail "analysis $sfx proposed no studio change"
    STUDIO_SCENE=$(jqr .scene_id <<<"$chg")
    ctl plans edit "$PLAN" --change "$(jqr .id <<<"$chg")" --value "RB Studio $sfx" >/dev/null
    chg=$(ctl --json plans show "$PLAN" --field performers |
        jq -c --argjson s "$STUDIO_SCENE" '[.changes[] | select(.scene_id != $s)][0]')
    [[ $chg != null ]] || fail "analysis $sfx proposed no performer change"
    PERF_SCENE=$(jqr .scene_id <<<"$chg")
    ctl plans edit "$PLAN" --change "$(jqr .id <<<"$chg")" --value "RB Person $sfx" >/dev/null
    assert_eq "$(ctl --json plans show --limit 0 "$PLAN" | jqr .summary.accepted)" 2 "plan $sfx: two accepted changes"
}

apply_plan() {
    local sfx=$1 job
    job=$(ctl --json plans apply "$PLAN" --add-tag "RB Tag $sfx" | jqr .id)
    ctl jobs watch "$job" >/dev/null || fail "apply $sfx failed: $(ctl jobs show "$job")"
    assert_eq "$(ctl --json jobs show "$job" | jq -r '.result_json | fromjson | .entities_created')" 3 \
        "plan $sfx: three entities created"
    for e in "studios:RB Studio $sfx" "performers:RB Person $sfx" "tags:RB Tag $sfx"; do
        [[ -n $(entity_id "${e%%:*}" "${e#*:}") ]] || fail "apply $sfx did not create ${e#*:}"
    done
}

# --- 1: nothing uses the new entities after rollback: all three go
make_plan 1
before_studio=$(scene_json "$STUDIO_SCENE")
before_perf=$(scene_json "$PERF_SCENE")
apply_plan 1
[[ $(scene_json "$PERF_SCENE" | jq -r '.performers[].id') == "$(entity_id performers "RB Person 1")" ]] ||
    fail "the new performer is not on scene $PERF_SCENE"
out=$(ctl plans rollback --wait "$PLAN" 2>&1) || fail "rollback 1 failed: $out"
assert_contains "$out" "entities: 3 deleted, 0 kept" "job message counts"
assert_contains "$out" "created entities: 3 deleted, 0 kept"
assert_contains "$out" "deleted studio 'RB Studio 1'"
assert_contains "$out" "deleted performer 'RB Person 1'"
assert_contains "$out" "deleted tag 'RB Tag 1'"
for e in "studios:RB Studio 1" "performers:RB Person 1" "tags:RB Tag 1"; do
    [[ -z $(entity_id "${e%%:*}" "${e#*:}") ]] || fail "rollback left ${e#*:} in Stash"
done
# the scenes are exactly as before (the apply's organized/tag extras included)
assert_eq "$(scene_json "$STUDIO_SCENE")" "$before_studio" "scene $STUDIO_SCENE restored"
assert_eq "$(scene_json "$PERF_SCENE")" "$before_perf" "scene $PERF_SCENE restored"
# and the cache forgot them
cached=$(sqlite3 -cmd '.timeout 2000' "file:$DATA/stashhog.db?mode=ro" \
    "SELECT (SELECT count(*) FROM performers WHERE name = 'RB Person 1') + (SELECT count(*) FROM studios WHERE name = 'RB Studio 1') + (SELECT count(*) FROM tags WHERE name = 'RB Tag 1')")
assert_eq "$cached" 0 "the cache no longer has the deleted entities"

# --- 2: the new performer gets a scene outside the plan: it stays
make_plan 2
apply_plan 2
perf=$(entity_id performers "RB Person 2")
other=$(fake_stash GET /__control/state |
    jq -r --arg a "$STUDIO_SCENE" --arg b "$PERF_SCENE" '[.scenes[] | select(.id != $a and .id != $b)][0].id')
fake_stash POST "/__control/scenes/$other" "{\"performer_ids\": [\"$perf\"]}" >/dev/null
job=$(ctl --json plans rollback "$PLAN" | jqr .id)
out=$(ctl jobs watch "$job" 2>&1) || fail "rollback 2 failed: $out"
result=$(ctl --json jobs show "$job" | jqr .result_json)
assert_eq "$(jqr .entities_deleted <<<"$result")" 2 "two entities deleted"
assert_eq "$(jqr .entities_kept <<<"$result")" 1 "one entity kept"
assert_eq "$(jq -r '.entities[] | select(.outcome == "kept") | .reason' <<<"$result")" "used by 1 scene" "kept reason"
msg=$(ctl --json jobs show "$job" | jqr .message)
assert_contains "$msg" "kept performer 'RB Person 2': used by 1 scene" "job message names the kept entity"
assert_eq "$(entity_id performers "RB Person 2")" "$perf" "the used performer stays in Stash"
[[ -z $(entity_id studios "RB Studio 2") ]] || fail "the unused studio was not deleted"
[[ -z $(entity_id tags "RB Tag 2") ]] || fail "the unused tag was not deleted"
assert_eq "$(scene_json "$other" | jq -r '.performers[].id')" "$perf" "the user's assignment is untouched"
assert_eq "$(ctl --json plans show --limit 0 "$PLAN" | jqr .summary.status)" "PLAN_ROLLED_BACK" "plan 2 rolled back"
pass
