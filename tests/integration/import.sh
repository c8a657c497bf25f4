#!/usr/bin/env bash
# plans import and import scenes:
#  - a plan exported as JSON and as CSV imports as a new draft plan whose
#    changes equal the original's (ids new, statuses reset to pending except
#    rejected ones; CSV confidence has three decimals)
#  - scenes exported from one daemon (JSON, CSV) import into a second, empty
#    daemon: scenes list --json and the summary of scenes show are equal
#  - malformed files are refused with the JSON path or CSV line, missing
#    scenes are refused (or dropped with --skip-missing)
#  - viewers and reviewers are refused imports
source "$(dirname "$0")/lib.sh"

start_fake_stash --scenes 80 --seed 11
start_daemon --listen tcp://127.0.0.1:0
ctl settings set stash.url "$FAKE_STASH_URL" >/dev/null
ctl sync full --wait >/dev/null 2>&1 || fail "full sync failed"

# ---- a plan with accepted, rejected and pending changes, some new entities
ref=$(ctl --json analyze --allow-new --name "import source")
plan=$(jqr .plan_id <<<"$ref")
ctl jobs watch "$(jqr .id <<<"$ref")" >/dev/null || fail "analyze job failed"
total=$(ctl --json plans show --limit 0 "$plan" | jqr .summary.change_count)
[[ $total -gt 20 ]] || fail "analysis made only $total changes"
ctl plans accept "$plan" --min-confidence 0.8 >/dev/null
ctl plans reject "$plan" --field details >/dev/null
ctl plans reject "$plan" --max-confidence 0.6 >/dev/null
ctl --json plans show --limit 100000 "$plan" >"$SCRATCH/orig.json"
rejected=$(jq '[.changes[] | select(.status == "CHANGE_REJECTED")] | length' "$SCRATCH/orig.json")
[[ $rejected -gt 0 ]] || fail "no rejected change to carry over"

# normalized changes: no ids, status reset, optional confidence rounding
norm() {
    jq -S --argjson round "${1:-0}" '[.changes[] | del(.id, .applied_by, .error)
        | .status = (if .status == "CHANGE_REJECTED" then "CHANGE_REJECTED" else "CHANGE_PENDING" end)
        | (if $round == 1 then .confidence = ((.confidence // 0) * 1000 | round) else . end)]
        | sort_by(.scene_id, .field)'
}
norm <"$SCRATCH/orig.json" >"$SCRATCH/orig.norm"
norm 1 <"$SCRATCH/orig.json" >"$SCRATCH/orig.norm3"

for fmt in json csv; do
    ctl plans export "$plan" --format "$fmt" -o "$SCRATCH/plan.$fmt" 2>/dev/null
    sum=$(ctl --json plans import "$SCRATCH/plan.$fmt" --name "imported $fmt")
    new=$(jqr .id <<<"$sum")
    [[ $new != "$plan" ]] || fail "$fmt: import reused the plan id"
    assert_eq "$(jqr .status <<<"$sum")" PLAN_DRAFT "$fmt: imported plan is a draft"
    assert_eq "$(jqr .name <<<"$sum")" "imported $fmt" "$fmt: name"
    assert_eq "$(jqr .change_count <<<"$sum")" "$total" "$fmt: change count"
    assert_eq "$(jqr .rejected <<<"$sum")" "$rejected" "$fmt: rejected changes stay rejected"
    assert_eq "$(jqr .accepted <<<"$sum")" 0 "$fmt: accepted changes reset to pending"
    ctl --json plans show --limit 100000 "$new" >"$SCRATCH/imp.json"
    if [[ $fmt == json ]]; then
        norm <"$SCRATCH/imp.json" >"$SCRATCH/imp.norm"
        cmp -s "$SCRATCH/orig.norm" "$SCRATCH/imp.norm" ||
            fail "json: changes differ: $(diff "$SCRATCH/orig.norm" "$SCRATCH/imp.norm" | head -20)"
    else
        norm 1 <"$SCRATCH/imp.json" >"$SCRATCH/imp.norm3"
        cmp -s "$SCRATCH/orig.norm3" "$SCRATCH/imp.norm3" ||
            fail "csv: changes differ: $(diff "$SCRATCH/orig.norm3" "$SCRATCH/imp.norm3" | head -20)"
    fi
done
# the default name comes from the export
assert_eq "$(ctl --json plans import "$SCRATCH/plan.json" | jqr .name)" "import source (imported)" "default name"

# ---- malformed and invalid plan files
bad() { # bad FILE EXPECTED-TEXT [ARGS...]
    local file=$1 want=$2 rc=0 out; shift 2
    out=$(ctl plans import "$file" "$@" 2>&1) || rc=$?
    [[ $rc -ne 0 ]] || fail "import of $(basename "$file") succeeded"
    assert_contains "$out" "$want" "$(basename "$file")"
}
jq '.changes[0].field = "colour"' "$SCRATCH/plan.json" >"$SCRATCH/badfield.json"
bad "$SCRATCH/badfield.json" "changes[0].field"
jq '.changes[1].confidence = "high"' "$SCRATCH/plan.json" >"$SCRATCH/badtype.json"
bad "$SCRATCH/badtype.json" "changes[1].confidence"
head -c 200 "$SCRATCH/plan.json" >"$SCRATCH/trunc.json"
bad "$SCRATCH/trunc.json" "JSON line"
printf 'change_id,scene_id,scene_path,field,current,proposed,confidence,analyzer,reason,status,error\r\n1,1,"/x,title,a,b,0.5,x,y,pending,\r\n' \
    >"$SCRATCH/quote.csv"
bad "$SCRATCH/quote.csv" "line 2: unterminated quoted field"
printf 'change_id,scene_id,scene_path,field,current,proposed,confidence,analyzer,reason,status,error\r\n1,1,/x,title,a,b,0.5,x,y,pending,\r\n2,x1,/y,title,a,b,0.5,x,y,pending,\r\n' \
    >"$SCRATCH/badid.csv"
bad "$SCRATCH/badid.csv" "line 3: scene_id 'x1'"
printf 'change_id,scene_id,scene_path,field,current,proposed,confidence,analyzer,reason,status,error\r\n1,1,/x,tags,,"+Fresh Tag -No Such Tag IT",0.5,x,y,pending,\r\n' \
    >"$SCRATCH/badtag.csv"
bad "$SCRATCH/badtag.csv" "line 2: tag 'No Such Tag IT' is not in the cache"
jq '.changes[0].scene_id = 987654' "$SCRATCH/plan.json" >"$SCRATCH/missing.json"
bad "$SCRATCH/missing.json" "987654"
sum=$(ctl --json plans import "$SCRATCH/missing.json" --skip-missing)
assert_eq "$(jqr .change_count <<<"$sum")" "$((total - 1))" "--skip-missing drops the change"
plans_before=$(ctl --json plans list | jq '.plans | length')
bad "$SCRATCH/badfield.json" "unknown field"
assert_eq "$(ctl --json plans list | jq '.plans | length')" "$plans_before" "a refused import leaves no plan"

# ---- roles: viewers and reviewers may not import
status=$(ctl --json status)
tcp=$(jqr '.listen_urls[] | select(startswith("tcp://127."))' <<<"$status")
tok_v=$(ctl users add vic --role viewer)
tok_r=$(ctl users add rita --role reviewer)
ctl --json export scenes -o "$SCRATCH/scenes.json" 2>/dev/null
for tok in "$tok_v" "$tok_r"; do
    out=$("$BIN/stashhogctl" --connect "$tcp" --token "$tok" plans import "$SCRATCH/plan.json" 2>&1) &&
        fail "a non-admin imported a plan"
    assert_contains "$out" "needs the admin role" "plan import refused"
    out=$("$BIN/stashhogctl" --connect "$tcp" --token "$tok" import scenes "$SCRATCH/scenes.json" 2>&1) &&
        fail "a non-admin imported scenes"
    assert_contains "$out" "needs the admin role" "scene import refused"
done

# ---- scenes: export from this daemon, import into an empty second one
ctl export scenes --format csv -o "$SCRATCH/scenes.csv" 2>/dev/null
ctl --json scenes list --all >"$SCRATCH/a-list.json"
n_scenes=$(jq '.scenes | length' "$SCRATCH/a-list.json")
[[ $n_scenes -eq 80 ]] || fail "source has $n_scenes scenes"

start_second() { # start_second NAME: a fresh daemon; sets URL_<NAME>
    local dir=$SCRATCH/$1
    mkdir -p "$dir/data" "$dir/run"
    STASHHOG_DATA_DIR=$dir/data STASHHOG_RUNTIME_DIR=$dir/run STASHHOG_CONFIG=/dev/null \
        "$BIN/stashhogd" --log-level info >>"$dir/daemon.log" 2>&1 &
    local pid=$!
    on_cleanup "kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null"
    printf -v "URL_$1" '%s' "ipc://$dir/run/stashhogd.sock"
    wait_for "second daemon" 20 "$BIN/stashhogctl" --connect "ipc://$dir/run/stashhogd.sock" ping
}
start_second b
ctlb() { "$BIN/stashhogctl" --connect "$URL_b" "$@"; }
res=$(ctlb --json import scenes --batch 30 "$SCRATCH/scenes.json")
assert_eq "$(jqr .scenes <<<"$res")" "$n_scenes" "json: scenes imported over three batches"
[[ $(jqr .entities_created <<<"$res") -gt 0 ]] || fail "json: entities were not created"
ctlb --json scenes list --all >"$SCRATCH/b-list.json"
cmp -s <(jq -S . "$SCRATCH/a-list.json") <(jq -S . "$SCRATCH/b-list.json") ||
    fail "json: scene lists differ: $(diff <(jq -S . "$SCRATCH/a-list.json") <(jq -S . "$SCRATCH/b-list.json") | head)"
for id in $(jq -r '.scenes[0:5][].id' "$SCRATCH/a-list.json"); do
    assert_eq "$(ctlb --json scenes show "$id" | jq -S -c .summary)" "$(ctl --json scenes show "$id" | jq -S -c .summary)" \
        "scenes show $id"
done
# CSV links entities by name: re-importing it over the JSON import keeps every link
res=$(ctlb --json import scenes --batch 25 "$SCRATCH/scenes.csv")
assert_eq "$(jqr .scenes <<<"$res")" "$n_scenes" "csv: scenes imported"
assert_eq "$(jq '.warnings | length' <<<"$res")" 0 "csv: every entity known"
ctlb --json scenes list --all >"$SCRATCH/b-list2.json"
cmp -s <(jq -S . "$SCRATCH/a-list.json") <(jq -S . "$SCRATCH/b-list2.json") ||
    fail "csv: scene lists differ: $(diff <(jq -S . "$SCRATCH/a-list.json") <(jq -S . "$SCRATCH/b-list2.json") | head)"
# search (full text) works on imported scenes
word=$(jq -r '[.scenes[] | .title // "" | scan("[A-Za-z]{4,}")][0]' "$SCRATCH/a-list.json")
hits=$(ctl --json scenes list --all --query "$word" | jq '.scenes | length')
[[ $hits -gt 0 ]] || fail "no scene matches '$word' on the source"
assert_eq "$(ctlb --json scenes list --all --query "$word" | jq '.scenes | length')" "$hits" "full text of imported scenes"

# CSV into an empty daemon: scenes arrive with their entities (cells carry ids and names)
start_second c
res=$("$BIN/stashhogctl" --connect "$URL_c" --json import scenes "$SCRATCH/scenes.csv")
assert_eq "$(jqr .scenes <<<"$res")" "$n_scenes" "csv into empty: scenes imported"
assert_eq "$(jq '.warnings | length' <<<"$res")" 0 "csv into empty: no warnings"
[[ $(jqr .entities_created <<<"$res") -gt 0 ]] || fail "csv into empty: entities were not created"
"$BIN/stashhogctl" --connect "$URL_c" --json scenes list --all >"$SCRATCH/c-list.json"
keys='[.scenes[] | {id, title, date, path, organized, updated_at}]'
assert_eq "$(jq -S -c "$keys" "$SCRATCH/c-list.json")" "$(jq -S -c "$keys" "$SCRATCH/a-list.json")" "csv into empty: scene rows"
# the old summary CSV names entities: unknown ones are reported
printf 'id,title,date,studio,performers,tags,path,organized,updated_at\r\n900010,old,,No Such Studio,,,/old.mp4,false,\r\n' \
    >"$SCRATCH/old.csv"
res=$("$BIN/stashhogctl" --connect "$URL_c" --json import scenes "$SCRATCH/old.csv")
assert_contains "$(jq -r '.warnings[0]' <<<"$res")" "is not in the cache" "old csv: unknown entities reported"

# malformed scene files import nothing
printf 'id,title,date,studio,performers,tags,path,organized,updated_at\r\n900001,ok,,,,,/p,false,\r\n900002,bad,2020-13,,,,/q,false,\r\n' \
    >"$SCRATCH/baddate.csv"
out=$(ctlb import scenes "$SCRATCH/baddate.csv" 2>&1) && fail "bad date imported"
assert_contains "$out" "line 3: date '2020-13'" "bad date message"
assert_fails ctlb scenes show 900001
echo '[{"id": 900003, "colour": "red"}]' >"$SCRATCH/badkey.json"
out=$(ctlb import scenes "$SCRATCH/badkey.json" 2>&1) && fail "unknown key imported"
assert_contains "$out" "[0]" "bad key names the row"
assert_contains "$out" "colour" "bad key names the key"
pass
