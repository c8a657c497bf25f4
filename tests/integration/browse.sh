#!/usr/bin/env bash
# Browsing: `stashhogctl scenes list/show` and the performer/studio/tag lists
# over a cache filled by a real full sync, checked with jq against the fake
# Stash's own state document (the truth the cache was copied from).  2500
# scenes, so `--all` streams several 1000-row pages.
source "$STASHHOG_SOURCE_DIR/tests/integration/lib.sh"

start_fake_stash --scenes 2500 --seed 11
start_daemon
ctl settings set stash.url "$FAKE_STASH_URL" stash.page_size 500 >/dev/null
ctl sync full --wait >/dev/null 2>&1 || fail "full sync failed"
S=$SCRATCH/state.json
fake_stash GET /__control/state >"$S"

# expect JQ_CONDITION: ids of the state's scenes matching it, ascending.
expect() { jq -c "[.scenes[] | select($1) | .id | tonumber] | sort" "$S"; }
# got ARGS...: ids `scenes list --all ARGS` returns, in order.
got() { ctl --json scenes list --all "$@" | jq -c '[.scenes[].id]'; }
# check NAME JQ_CONDITION ARGS...: the filter returns exactly the expected ids,
# and its total agrees.
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

# ---- everything, streamed across pages; limit/offset slices of it
N=$(jq '.scenes | length' "$S")
ALL=$(expect 'true')
assert_eq "$(got)" "$ALL" "all scenes"
page=$(ctl --json scenes list --limit 7 --offset 10)
assert_eq "$(jqr '.total' <<<"$page")" "$N" "total"
assert_eq "$(jqr '.offset' <<<"$page")" "10" "offset echoed"
assert_eq "$(jq -c '[.scenes[].id]' <<<"$page")" "$(jq -c '.[10:17]' <<<"$ALL")" "limit/offset slice"
past=$(ctl --json scenes list --offset 100000)
assert_eq "$(jq -c '.scenes' <<<"$past")" "[]" "offset past the end"
assert_eq "$(jqr '.total' <<<"$past")" "$N" "total past the end"
assert_eq "$(ctl --json scenes list --limit 1500 | jq '.scenes | length')" "1500" "limit above one page"
assert_eq "$(ctl --json scenes list --limit 1 --no-total | jq 'has("total")')" "false" "--no-total"

# ---- each filter alone, against the truth
STUDIO=$(jq '[.scenes[].studio.id // empty] | group_by(.) | max_by(length) | .[0] | tonumber' "$S")
STUDIO2=$(jq '[.scenes[].studio.id // empty] | group_by(.) | sort_by(length) | .[-2][0] | tonumber' "$S")
check "studio" ".studio.id == \"$STUDIO\"" --studio "$STUDIO"
check "studio any of" ".studio.id == \"$STUDIO\" or .studio.id == \"$STUDIO2\"" --studio "$STUDIO,$STUDIO2"
PERF=$(jq '[.scenes[].performers[].id] | group_by(.) | max_by(length) | .[0] | tonumber' "$S")
check "performer" "any(.performers[]; .id == \"$PERF\")" --performer "$PERF"
read -r P1 P2 < <(jq -r '[.scenes[] | select(.performers | length >= 2)][0].performers[0:2] | map(.id) | join(" ")' "$S")
check "performers all of" "any(.performers[]; .id == \"$P1\") and any(.performers[]; .id == \"$P2\")" \
    --performer "$P1" --performer "$P2"
check "not performer" "all(.performers[]; .id != \"$PERF\")" --not-performer "$PERF"
TAG=$(jq '[.scenes[].tags[].id] | group_by(.) | max_by(length) | .[0] | tonumber' "$S")
TAG2=$(jq '[.scenes[].tags[].id] | group_by(.) | sort_by(length) | .[-2][0] | tonumber' "$S")
check "tag" "any(.tags[]; .id == \"$TAG\")" --tag "$TAG"
check "tags all of" "any(.tags[]; .id == \"$TAG\") and any(.tags[]; .id == \"$TAG2\")" --tag "$TAG" --tag "$TAG2"
check "tag, not tag" "any(.tags[]; .id == \"$TAG\") and all(.tags[]; .id != \"$TAG2\")" --tag "$TAG" --not-tag "$TAG2"
check "organized" ".organized" --organized yes
check "not organized" ".organized | not" --organized no
check "date range" '.date != null and .date >= "2020-01-01" and .date <= "2021-06-30"' \
    --date-from 2020-01-01 --date-to 2021-06-30
check "date year" '.date != null and .date[0:4] == "2019"' --date-from 2019 --date-to 2019
check "missing studio" '.studio == null' --missing studio
check "missing performers" '.performers == []' --missing performers
check "missing tags" '.tags == []' --missing tags
check "missing date" '.date == null or .date == ""' --missing date
check "missing title" '.title == null or .title == ""' --missing title
check "missing details" '.details == null or .details == ""' --missing details
check "missing code" '.code == null or .code == ""' --missing code
DIR=$(jq -r '.scenes[0].files[0].path | split("/")[2]' "$S")
check "path" "any(.files[]; .path | ascii_downcase | contains(\"${DIR,,}\"))" --path "${DIR^^}"
check "ids" '.id == "3" or .id == "17" or .id == "2500"' --id 17,3 --id 2500 --id 999999
check "combined" ".organized == false and .studio == null and any(.tags[]; .id == \"$TAG\")" \
    --organized no --missing studio --tag "$TAG"

# ---- full text: every title with the word is found, and every hit has a
# token starting with the word somewhere in its indexed text (title, details,
# code, paths, performer/studio/tag names).
WORD=$(jq -r '[.scenes[] | .title | split(" ")[] | select(test("^[A-Za-z]{5,}$"))] | group_by(.) | max_by(length) | .[0]' "$S")
W=${WORD,,}
hits=$(got --query "$W")
want=$(jq -c --arg w "$WORD" '[.scenes[] | select(.title | split(" ") | index($w)) | .id | tonumber]' "$S")
[[ $(jq length <<<"$want") -gt 0 ]] || fail "full text: no title has $WORD"
assert_eq "$(jq -c --argjson h "$hits" '[.[] | select(. as $i | $h | index($i) | not)]' <<<"$want")" "[]"     "full text: titles with $WORD missing from the hits"
bad=$(jq -c --argjson hits "$hits" --arg w "$W" '
    (.performers | map({key: .id, value: .name}) | from_entries) as $P
    | (.studios | map({key: .id, value: .name}) | from_entries) as $ST
    | (.tags | map({key: .id, value: .name}) | from_entries) as $T
    | [.scenes[] | select((.id | tonumber) as $i | $hits | index($i))
       | select(([.title, .details, .code, (.files[].path), ($ST[.studio.id // ""] // ""),
                  (.performers[] | $P[.id]), (.tags[] | $T[.id])] | join(" ") | ascii_downcase
                 | test("(^|[^a-z0-9])" + $w)) | not)
       | .id]' "$S")
assert_eq "$bad" "[]" "full text: hits without $W"
for q in '"unbalanced (paren* OR' 'NEAR(a b)' '***' "o'brien" 'title:x'; do
    ctl --json scenes list --limit 1 --query "$q" >/dev/null || fail "query '$q' was not treated as text"
done
assert_eq "$(ctl --json scenes list --limit 1 --query '*** ()' | jqr '.total')" "$N" "punctuation is no filter"

# ---- sorts, with the id tiebreak, in both directions
assert_eq "$(got --sort title)" \
    "$(jq -c '[.scenes[] | {k: (.title // "" | ascii_downcase), i: (.id | tonumber)}] | sort_by([.k, .i]) | map(.i)' "$S")" \
    "sort by title"
DATE_ASC=$(jq -c '[.scenes[] | {k: (.date // ""), i: (.id | tonumber)}] | sort_by([.k, .i]) | map(.i)' "$S")
assert_eq "$(got --sort date)" "$DATE_ASC" "sort by date"
assert_eq "$(got --sort date --desc)" "$(jq -c 'reverse' <<<"$DATE_ASC")" "sort by date desc"
PATH_ASC=$(jq -c '[.scenes[] | {k: .files[0].path, i: (.id | tonumber)}] | sort_by([.k, .i]) | map(.i)' "$S")
assert_eq "$(got --sort path)" "$PATH_ASC" "sort by path"
# pages of a sorted list concatenate to the whole list
pages=$(for off in 0 900 1800; do ctl --json scenes list --sort date --limit 900 --offset $off | jq -c '.scenes[].id'; done | jq -sc .)
assert_eq "$pages" "$DATE_ASC" "date pages concatenate"
assert_eq "$(got --sort id --desc)" "$(jq -c reverse <<<"$ALL")" "id desc"

# ---- scenes show: every stored field
ID=$(jq -r '[.scenes[] | select(.studio != null and (.performers | length) > 0 and (.urls | length) > 0)][0].id' "$S")
show=$(ctl --json scenes show "$ID")
truth=$(jq -c --arg id "$ID" '.scenes[] | select(.id == $id)' "$S")
assert_eq "$(jqr '.summary.id' <<<"$show")" "$ID" "show id"
assert_eq "$(jq -c '.summary.title // ""' <<<"$show")" "$(jq -c '.title' <<<"$truth")" "show title"
assert_eq "$(jq -c '.code // ""' <<<"$show")" "$(jq -c '.code' <<<"$truth")" "show code"
assert_eq "$(jq -c '.details // ""' <<<"$show")" "$(jq -c '.details' <<<"$truth")" "show details"
assert_eq "$(jq -c '.summary.studio.id' <<<"$show")" "$(jq -c '.studio.id | tonumber' <<<"$truth")" "show studio"
assert_eq "$(jq -c '.urls' <<<"$show")" "$(jq -c '.urls' <<<"$truth")" "show urls"
assert_eq "$(jq -c '[.summary.performers[].id] | sort' <<<"$show")" \
    "$(jq -c '[.performers[].id | tonumber] | sort' <<<"$truth")" "show performers"
assert_eq "$(jq -c '[.files[] | [.path, .size, .width, .height]]' <<<"$show")" \
    "$(jq -c '[.files[] | [.path, .size, .width, .height]]' <<<"$truth")" "show files"
assert_eq "$(jq -c '.createdAt // .created_at' <<<"$show")" "$(jq -c '.created_at' <<<"$truth")" "show created"
jq -e '(.syncedAtMs // .synced_at_ms) > 0' <<<"$show" >/dev/null || fail "show synced_at"
text=$(ctl scenes show "$ID")
assert_contains "$text" "Scene $ID"
assert_contains "$text" "files:"
assert_contains "$text" "$(jq -r '.files[0].path' <<<"$truth")"
out=$(ctl scenes show 999999 2>&1) && fail "show of an unknown scene succeeded"
assert_contains "$out" "not in the cache"
assert_fails ctl scenes list --date-from 2020-13-45x
assert_fails ctl scenes list --missing nonsense
assert_fails ctl scenes list --sort nonsense
assert_eq "$(ctl scenes list --limit 3 | wc -l)" "3" "plain text: one line per scene"

# ---- performers, studios, tags
for kind in performers studios tags; do
    list=$(ctl --json $kind list --all)
    assert_eq "$(jqr '.total' <<<"$list")" "$(jq ".$kind | length" "$S")" "$kind total"
    assert_eq "$(jq '.entities | length' <<<"$list")" "$(jq ".$kind | length" "$S")" "$kind all streamed"
done
plist=$(ctl --json performers list --all)
assert_eq "$(jq --argjson p "$PERF" '.entities[] | select(.id == $p) | .sceneCount // .scene_count' <<<"$plist")" \
    "$(jq --arg p "$PERF" '[.scenes[] | select(any(.performers[]; .id == $p))] | length' "$S")" "performer scene count"
ALIAS=$(jq -r '[.performers[] | select(.alias_list | length > 0)][0] | .alias_list[0]' "$S")
AID=$(jq -r --arg a "$ALIAS" '[.performers[] | select(.alias_list | index($a))][0].id | tonumber' "$S")
q=$(ctl --json performers list --query "$ALIAS" --all)
jq -e --argjson id "$AID" 'any(.entities[]; .id == $id)' <<<"$q" >/dev/null || fail "alias search for $ALIAS"
tlist=$(ctl --json tags list --all)
assert_eq "$(jq --argjson t "$TAG" '.entities[] | select(.id == $t) | .sceneCount // .scene_count' <<<"$tlist")" \
    "$(jq --arg t "$TAG" '[.scenes[] | select(any(.tags[]; .id == $t))] | length' "$S")" "tag scene count"
slist=$(ctl --json studios list --limit 3 --offset 1)
assert_eq "$(jq '.entities | length' <<<"$slist")" "3" "studios page"
assert_eq "$(ctl tags list --limit 2 | wc -l)" "2" "plain text tags"

stop_daemon
pass
