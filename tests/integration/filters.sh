#!/usr/bin/env bash
# Advanced filters: `scenes list --where EXPR` (nested and/or/not over scene
# fields) and saved filters (`filters save/list/show/delete`, `scenes list
# --filter NAME`) over a cache filled by a real full sync, checked with jq
# against the fake Stash's own state document.
source "$STASHHOG_SOURCE_DIR/tests/integration/lib.sh"

start_fake_stash --scenes 1500 --seed 23
start_daemon
ctl settings set stash.url "$FAKE_STASH_URL" stash.page_size 500 >/dev/null
ctl sync full --wait >/dev/null 2>&1 || fail "full sync failed"
S=$SCRATCH/state.json
fake_stash GET /__control/state >"$S"

expect() { jq -c "[.scenes[] | select($1) | .id | tonumber] | sort" "$S"; }
got() { ctl --json scenes list --all "$@" | jq -c '[.scenes[].id]'; }
check() {
    local name=$1 cond=$2; shift 2
    local want have total
    want=$(expect "$cond")
    have=$(got "$@") || fail "$name: scenes list failed"
    assert_eq "$have" "$want" "$name"
    total=$(ctl --json scenes list --limit 1 "$@" | jqr '.total')
    assert_eq "$total" "$(jq length <<<"$want")" "$name total"
    [[ $(jq length <<<"$want") -gt 0 ]] || log "note: $name matches nothing"
}

STUDIO=$(jq '[.scenes[].studio.id // empty] | group_by(.) | max_by(length) | .[0] | tonumber' "$S")
PERF=$(jq '[.scenes[].performers[].id] | group_by(.) | max_by(length) | .[0] | tonumber' "$S")
TAG=$(jq '[.scenes[].tags[].id] | group_by(.) | max_by(length) | .[0] | tonumber' "$S")
TAG2=$(jq '[.scenes[].tags[].id] | group_by(.) | sort_by(length) | .[-2][0] | tonumber' "$S")
# A common 3-letter piece of titles, for "contains".
SUB=$(jq -r '[.scenes[].title // "" | ascii_downcase | select(length >= 3) | .[0:3]] | group_by(.) | max_by(length) | .[0]' "$S")

# ---- the issue's example shape, against the truth
check "nested example" \
    "(.studio.id == \"$STUDIO\") and (any(.tags[]; .id == \"$TAG\") or all(.performers[]; .id != \"$PERF\"))
     and (.date // \"\") >= \"2020-01-01\" and (.title // \"\" | ascii_downcase | contains(\"$SUB\"))" \
    --where "studio = $STUDIO and (tag = $TAG or not performer = $PERF) and date >= 2020-01-01 and title ~ \"$SUB\""
check "or of ands" \
    "(any(.tags[]; .id == \"$TAG\") and .organized) or (any(.tags[]; .id == \"$TAG2\") and (.organized | not))" \
    --where "tag = $TAG and organized = true or tag = $TAG2 and organized = false"
check "not over a group (De Morgan)" "(.organized | not) and .studio != null" \
    --where "not (organized = true or studio is null)"
check "tag in" "any(.tags[]; .id == \"$TAG\" or .id == \"$TAG2\")" --where "tag in ($TAG, $TAG2)"
check "counts" "(.performers | length) >= 2 and (.tags | length) < 3" \
    --where "performer_count >= 2 and tag_count < 3"
check "primary file height" "(.files | length) > 0 and .files[0].height >= 1080" --where "height >= 1080"
check "date year, unset dates excluded" '(.date // "")[0:4] == "2019"' --where "date = 2019"
check "not date: unset dates included" '((.date // "") >= "2019") | not' --where "not date >= 2019"
check "title is not empty" '(.title // "") != ""' --where "title is not null"
check "path starts with" "any(.files[]; .path | startswith(\"$(jq -r '.scenes[0].files[0].path | split("/")[0:3] | join("/")' "$S")\"))" \
    --where "path ^= '$(jq -r '.scenes[0].files[0].path | split("/")[0:3] | join("/")' "$S")'"
# ANDed with the flat filters
check "flat + where" ".organized and any(.tags[]; .id == \"$TAG\" or .id == \"$TAG2\")" \
    --organized yes --where "tag in ($TAG,$TAG2)"

# ---- values are data, never SQL
for v in "x' OR 1=1 --" "'; DROP TABLE scenes; --" '%' '_'; do
    q=${v//\\/\\\\}
    q=${q//\"/\\\"}
    n=$(ctl --json scenes list --limit 1 --where "title = \"$q\"" | jqr '.total') || fail "where with '$v' failed"
    assert_eq "$n" "$(jq --arg v "$v" '[.scenes[] | select((.title // "" | ascii_downcase) == ($v | ascii_downcase))] | length' "$S")" "literal '$v'"
done
assert_eq "$(ctl --json scenes list --limit 1 | jqr '.total')" "$(jq '.scenes | length' "$S")" "scenes intact"

# ---- errors point at the column; the daemon's type checks name the node
out=$(ctl scenes list --where "studio = $STUDIO and (tag = " 2>&1) && fail "bad expression accepted"
assert_contains "$out" "column"
assert_contains "$out" "^"
rc=0; ctl scenes list --where "studo = 1" >/dev/null 2>&1 || rc=$?
assert_eq "$rc" "2" "usage exit code for a bad expression"

# ---- saved filters
EXPR="tag = $TAG and not organized = true"
WANT=$(expect "any(.tags[]; .id == \"$TAG\") and (.organized | not)")
ctl filters save mine --where "$EXPR" >/dev/null || fail "filters save"
assert_contains "$(ctl filters list)" "mine"
assert_contains "$(ctl filters show mine)" "$EXPR"
assert_eq "$(ctl --json filters show mine | jqr '.filter.where.all.nodes | length')" "2" "stored tree"
assert_eq "$(got --filter mine)" "$WANT" "scenes list --filter"
check "saved + flat + where" "any(.tags[]; .id == \"$TAG\") and (.organized | not) and .studio.id == \"$STUDIO\"" \
    --filter mine --where "studio = $STUDIO"
assert_fails ctl filters save mine --where "$EXPR"
ctl filters save mine --where "tag = $TAG2" --replace >/dev/null || fail "filters save --replace"
assert_eq "$(got --filter mine)" "$(expect "any(.tags[]; .id == \"$TAG2\")")" "replaced filter used at once"
assert_fails ctl filters save "bad name" --where "id = 1"
ctl filters delete mine >/dev/null || fail "filters delete"
out=$(ctl scenes list --filter mine 2>&1) && fail "deleted filter still usable"
assert_contains "$out" "mine"
assert_fails ctl filters show mine
assert_eq "$(ctl --json filters list | jq -c '.filters // []')" "[]" "no filters left"

pass
