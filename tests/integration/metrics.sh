#!/usr/bin/env bash
# Prometheus metrics and `stashhogctl stats` on a small synced library:
# every exposition line is valid, counters move after a sync and a job, and
# the stats figures match counts computed here from the fake Stash's state.
source "$STASHHOG_SOURCE_DIR/tests/integration/lib.sh"

start_fake_stash --scenes 120 --seed 11
start_daemon --enable-debug-jobs true --metrics-listen 127.0.0.1:0
port=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$SCRATCH/daemon.log" | tail -n 1)
[[ -n $port ]] || fail "metrics listener port not logged"
scrape() { curl -sS --fail "http://127.0.0.1:$port/metrics"; }

# check_format FILE: every line is HELP, TYPE or a sample; each family typed once.
check_format() {
    local bad
    bad=$(grep -Ev '^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$|^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram)$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? (-?[0-9.]+([eE][-+]?[0-9]+)?|\+Inf|-Inf|NaN)$' "$1" || true)
    [[ -z $bad ]] || fail "invalid exposition lines: $bad"
    local dups
    dups=$(grep '^# TYPE ' "$1" | awk '{print $3}' | sort | uniq -d)
    [[ -z $dups ]] || fail "families typed twice: $dups"
    # Samples of a family are contiguous: a family name never reappears after another one started.
    awk '/^#/ {next} {n=$0; sub(/[{ ].*/, "", n); sub(/_(bucket|sum|count)$/, "", n);
         if (n != last) { if (seen[n]++) { print "split family " n; exit 1 } last = n }}' "$1" ||
        fail "a family's samples are split"
}
# value FILE SERIES: the sample's value (exact series text), or "absent".
value() { awk -v s="$2" 'index($0, s " ") == 1 { print $NF; found=1 } END { if (!found) print "absent" }' "$1"; }

scrape >"$SCRATCH/m1.txt" || fail "scrape failed"
check_format "$SCRATCH/m1.txt"
assert_eq "$(value "$SCRATCH/m1.txt" stashhog_scenes)" "0" "scenes before sync"
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope")" "404" "other paths"

ctl settings set stash.url "$FAKE_STASH_URL" >/dev/null
ctl sync full --wait >/dev/null 2>&1 || fail "full sync failed"
id=$(ctl --json schedules create --name quick --type debug_sleep --every 1d --disabled \
    --param seconds=0 --param steps=1 | jqr .id)
ctl schedules run --wait "$id" >/dev/null || fail "debug job failed"
ctl status >/dev/null

scrape >"$SCRATCH/m2.txt" || fail "second scrape failed"
check_format "$SCRATCH/m2.txt"
assert_eq "$(value "$SCRATCH/m2.txt" stashhog_scenes)" "120" "scenes after sync"
assert_eq "$(value "$SCRATCH/m2.txt" 'stashhog_syncs_total{kind="full",status="completed"}')" "1" "sync count"
[[ $(value "$SCRATCH/m2.txt" 'stashhog_sync_last_duration_seconds{kind="full"}') != absent ]] || fail "no sync duration"
assert_eq "$(value "$SCRATCH/m2.txt" 'stashhog_jobs_finished_total{type="debug_sleep",status="completed"}')" "1" \
    "debug job outcome"
assert_eq "$(value "$SCRATCH/m2.txt" 'stashhog_job_duration_seconds_count{type="debug_sleep"}')" "1" "duration count"
[[ $(value "$SCRATCH/m2.txt" 'stashhog_jobs_finished_total{type="sync_full",status="completed"}') == 1 ]] ||
    grep -q 'stashhog_jobs_finished_total{type="sync' "$SCRATCH/m2.txt" || fail "sync job outcome missing"
reqs=$(value "$SCRATCH/m2.txt" 'stashhog_sync_stash_requests_total{kind="full"}')
[[ $reqs != absent && $reqs -gt 0 ]] || fail "sync requests to Stash not counted ($reqs)"
assert_eq "$(value "$SCRATCH/m1.txt" 'stashhog_sync_stash_requests_total{kind="full"}')" "0" "requests before sync"
rpc1=$(value "$SCRATCH/m1.txt" 'stashhog_rpc_requests_total{type="ping"}')
rpc2=$(value "$SCRATCH/m2.txt" 'stashhog_rpc_requests_total{type="status"}')
[[ $rpc2 != absent && $rpc2 -ge 1 ]] || fail "status RPCs not counted ($rpc2)"
[[ $rpc1 != absent && $rpc1 -ge 1 ]] || fail "pings not counted ($rpc1)"

# ---- stats against counts computed from the fake Stash's own state
fake_stash GET /__control/state >"$SCRATCH/state.json"
want() { jq "$1" "$SCRATCH/state.json"; }
ctl --json stats --days 7 >"$SCRATCH/stats.json" || fail "stats failed"
got() { jq "$1" "$SCRATCH/stats.json"; }
assert_eq "$(got .scenes_total)" "$(want '.scenes | length')" "scenes_total"
assert_eq "$(got .missing_studio)" "$(want '[.scenes[] | select(.studio == null)] | length')" "missing_studio"
assert_eq "$(got .missing_performers)" "$(want '[.scenes[] | select(.performers | length == 0)] | length')" \
    "missing_performers"
assert_eq "$(got .missing_tags)" "$(want '[.scenes[] | select(.tags | length == 0)] | length')" "missing_tags"
assert_eq "$(got .missing_date)" "$(want '[.scenes[] | select(.date == null or .date == "")] | length')" \
    "missing_date"
assert_eq "$(got .missing_title)" "$(want '[.scenes[] | select(.title == null or .title == "")] | length')" \
    "missing_title"
assert_eq "$(got .unorganized)" "$(want '[.scenes[] | select(.organized | not)] | length')" "unorganized"
assert_eq "$(got .performers)" "$(want '.performers | length')" "performers"
assert_eq "$(got .studios)" "$(want '.studios | length')" "studios"
assert_eq "$(got .tags)" "$(want '.tags | length')" "tags"
assert_eq "$(got '.changes_per_day | length')" "7" "days in the window"
assert_eq "$(got '[.changes_per_day[].count] | add')" "0" "no changes applied yet"
assert_eq "$(got '[.jobs[] | select(.type == "debug_sleep" and .status == "JOB_STATUS_COMPLETED") | .count] | add')" \
    "1" "debug jobs completed"
# The missing figures are real: the generated library has gaps.
(($(got .missing_studio) + $(got .missing_date) + $(got .missing_title) > 0)) || fail "library without gaps?"
text=$(ctl stats)
assert_contains "$text" "library: 120 scenes"
assert_contains "$text" "changes applied: 0"
assert_fails ctl stats --days 0

pass
