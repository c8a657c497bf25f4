#!/usr/bin/env bash
# Analysis covers exactly the scenes its filter selects:
#  - `analyze --where EXPR` and `analyze --filter NAME`: the plan analyzes as
#    many scenes as `scenes list` with the same options finds, proposes
#    changes only for those, and keeps the exact filter (tree, saved name)
#  - `export scenes` takes the same filter options and exports the same ids
#  - a schedule of type analyze (`--param filter=NAME`) run with
#    `schedules run` makes its own plan over the saved filter; bad analyze
#    params are refused when the schedule is saved
source "$STASHHOG_SOURCE_DIR/tests/integration/lib.sh"

start_fake_stash --scenes 800 --seed 31
start_daemon
ctl settings set stash.url "$FAKE_STASH_URL" stash.page_size 500 >/dev/null
ctl sync full --wait >/dev/null 2>&1 || fail "full sync failed"
S=$SCRATCH/state.json
fake_stash GET /__control/state >"$S"
ALL=$(jq '.scenes | length' "$S")

TAG=$(jq '[.scenes[].tags[].id] | group_by(.) | max_by(length) | .[0] | tonumber' "$S")
STUDIO=$(jq '[.scenes[].studio.id // empty] | group_by(.) | max_by(length) | .[0] | tonumber' "$S")

ids_of() { ctl --json scenes list --all "$@" | jq -c '[.scenes[].id] | sort'; }

# check_plan NAME PLAN_ID WANT_IDS: scene count equal, changes only on those scenes.
check_plan() {
    local name=$1 plan=$2 want=$3 detail count
    detail=$(ctl --json plans show "$plan") || fail "$name: plans show failed"
    count=$(jq length <<<"$want")
    [[ $count -gt 0 && $count -lt $ALL ]] || fail "$name: the filter should select some but not all scenes ($count of $ALL)"
    assert_eq "$(jqr .summary.scene_count <<<"$detail")" "$count" "$name: scenes analyzed"
    [[ $(jq '.changes | length' <<<"$detail") -gt 0 ]] || fail "$name: no changes proposed"
    jq -e --argjson want "$want" '[.changes[].scene_id] | unique | all(. as $s | $want | index($s) != null)' \
        <<<"$detail" >/dev/null || fail "$name: changes for scenes outside the filter"
}

# ---- analyze --where: the where tree reaches the job
EXPR="tag = $TAG and not studio = $STUDIO"
WANT=$(ids_of --where "$EXPR")
ref=$(ctl --json analyze --where "$EXPR" --include-organized --name where-plan) || fail "analyze --where failed"
plan=$(jqr .plan_id <<<"$ref")
ctl jobs watch "$(jqr .id <<<"$ref")" >/dev/null || fail "analyze --where job failed"
check_plan "analyze --where" "$plan" "$WANT"
assert_eq "$(ctl --json plans show --limit 0 "$plan" | jq -r '.summary.filter_json | fromjson | .where.all.nodes | length')" \
    2 "stored where tree"
# the same ids with the flat options the filter parser shares
assert_eq "$(ids_of --tag "$TAG" --where "not studio = $STUDIO")" "$WANT" "--tag + --where"

# ---- analyze --filter NAME (and a flat option ANDed with it)
ctl filters save mine --where "tag = $TAG" >/dev/null || fail "filters save"
WANT=$(ids_of --filter mine --organized no)
ref=$(ctl --json analyze --filter mine --organized no --name saved-plan) || fail "analyze --filter failed"
plan=$(jqr .plan_id <<<"$ref")
ctl jobs watch "$(jqr .id <<<"$ref")" >/dev/null || fail "analyze --filter job failed"
check_plan "analyze --filter" "$plan" "$WANT"
assert_eq "$(ctl --json plans show --limit 0 "$plan" | jq -r '.summary.filter_json | fromjson | .saved')" mine \
    "stored saved-filter name"

# ---- export scenes accepts the same filters
assert_eq "$(ctl export scenes --format json --filter mine --organized no | jq -c '[.[].id] | sort')" "$WANT" \
    "export scenes --filter"
assert_eq "$(ctl export scenes --format json --where "$EXPR" | jq -c '[.[].id] | sort')" "$(ids_of --where "$EXPR")" \
    "export scenes --where"
rc=0; ctl export scenes --where "tag = " >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 2 "export scenes: a bad --where is a usage error"

# ---- a schedule of type analyze over a saved filter
ctl filters save unorganized --where "organized = false and studio = $STUDIO" >/dev/null || fail "filters save unorganized"
WANT=$(ids_of --filter unorganized)
sid=$(ctl --json schedules create --name nightly-analyze --type analyze --cron '0 4 * * *' \
    --param filter=unorganized --param fields=studio,tags,performers,title,date | jqr .id) || fail "schedule create"
ctl schedules run --wait "$sid" >/dev/null || fail "schedules run --wait failed"
plan=$(ctl --json plans list | jq -r '.plans[] | select(.name == "scheduled: nightly-analyze") | .id')
[[ -n $plan && $plan != *$'\n'* ]] || fail "one plan named after the schedule expected, got: $plan"
check_plan "scheduled analyze" "$plan" "$WANT"
sum=$(ctl --json plans show --limit 0 "$plan" | jqr .summary)
assert_eq "$(jq -r '.filter_json | fromjson | .saved' <<<"$sum")" unorganized "schedule plan keeps the saved name"
assert_eq "$(jq -c '.options_json | fromjson | .fields' <<<"$sum")" '["studio","tags","performers","title","date"]' \
    "schedule plan options"
job=$(ctl --json schedules history "$sid" | jqr '.jobs[0].id')
assert_eq "$(ctl --json jobs show "$job" | jq -r '.result_json | fromjson | .plan_id')" "$plan" "job result names its plan"
# a second run makes a second plan; an object filter with a tree works too
ctl schedules update "$sid" --clear-params \
    --param "filter={\"where\":{\"cond\":{\"field\":\"FIELD_TAG\",\"op\":\"OP_EQ\",\"int\":$TAG}}}" \
    --param name=tree-plan --param include_organized=true >/dev/null || fail "schedule update with an object filter"
ctl schedules run --wait "$sid" >/dev/null || fail "second schedules run failed"
plan=$(ctl --json plans list | jq -r '.plans[] | select(.name == "tree-plan") | .id')
check_plan "scheduled analyze, object filter" "$plan" "$(ids_of --where "tag = $TAG")"

# ---- bad params are refused when the schedule is saved
for p in 'filter={"bogus":1}' 'filter={"where":{"cond":{"field":"FIELD_NOPE","op":"OP_EQ"}}}' 'fieldz=studio' \
         'fields=nonsense' 'min_confidence=2' 'filter=42' 'estimate_only=true'; do
    err=$(ctl schedules create --name bad --type analyze --every 1h --param "$p" 2>&1) && fail "params $p accepted"
done
err=$(ctl schedules create --name bad --type analyze --every 1h --param 'filter={"bogus":1}' 2>&1) || true
assert_contains "$err" "filter: bogus: unknown key"
assert_eq "$(ctl --json schedules list | jq '[.schedules[] | select(.name == "bad")] | length')" 0 "no bad schedule saved"

pass
