#!/usr/bin/env bash
# Schedules end to end: validation (cron parser messages), CRUD, enable /
# disable, run now, history, cron preview via list, and ONE real firing of
# an every-minute cron (waits for the next minute: <= 62 s).
source "$(dirname "$0")/lib.sh"

start_daemon --enable-debug-jobs true

# ---- validation
err=$(ctl schedules create --name bad --type debug_sleep --cron '0 24 * * *' 2>&1) && fail "bad cron accepted"
assert_contains "$err" "out of range 0-23"
err=$(ctl schedules create --name bad --type debug_sleep --cron '0 0 31 2 *' 2>&1) && fail "never-matching cron accepted"
assert_contains "$err" "never matches"
err=$(ctl schedules create --name bad --type no_such_job --every 1h 2>&1) && fail "unknown type accepted"
assert_contains "$err" "unknown job type"
err=$(ctl schedules create --name bad --type debug_sleep --every 10s 2>&1) && fail "10 s interval accepted"
err=$(ctl schedules create --name bad --type debug_sleep --every 1h --param seconds=abc 2>&1) && fail "bad params accepted"
assert_contains "$err" "seconds must be a number"

# ---- CRUD
id=$(ctl --json schedules create --name nightly --type debug_sleep --cron '0 3 * * *' --param seconds=0 | jqr .id)
assert_fails ctl schedules create --name nightly --type debug_sleep --every 1h
json=$(ctl --json schedules list)
assert_eq "$(jqr '.schedules[0].cron' <<<"$json")" "0 3 * * *"
assert_eq "$(jqr '.schedules[0].enabled' <<<"$json")" true
next=$(jqr '.schedules[0].next_run_ms' <<<"$json")
[[ $(date -d "@$((next / 1000))" +%H:%M) == 03:00 ]] || fail "next run is not 03:00 local: $next"
ctl schedules update "$id" --every 15m --param steps=2 >/dev/null
json=$(ctl --json schedules list)
assert_eq "$(jqr '.schedules[0].interval_s' <<<"$json")" 900
assert_eq "$(jqr '.schedules[0].params_json' <<<"$json")" '{"seconds":0,"steps":2}'
assert_eq "$(jq -r '.schedules[0].cron // "none"' <<<"$json")" none
ctl schedules disable "$id" >/dev/null
assert_eq "$(ctl --json schedules list | jqr '.schedules[0].enabled')" false
ctl schedules enable "$id" >/dev/null
assert_eq "$(ctl --json schedules list | jqr '.schedules[0].enabled')" true
text=$(ctl schedules list)
assert_contains "$text" "every 15m"

# ---- run now + history
ctl schedules run --wait "$id" >/dev/null || fail "schedules run --wait failed"
hist=$(ctl --json schedules history "$id")
assert_eq "$(jqr '.jobs | length' <<<"$hist")" 1
assert_eq "$(jqr '.jobs[0].status' <<<"$hist")" JOB_STATUS_COMPLETED
assert_eq "$(ctl --json schedules list | jqr '.schedules[0].last_status')" JOB_STATUS_COMPLETED
ctl schedules delete "$id" >/dev/null
assert_eq "$(ctl --json schedules list | jq '.schedules | length')" 0
assert_fails ctl schedules delete "$id"

# ---- one real firing: an every-minute cron fires once at the next minute
every=$(ctl --json schedules create --name every-minute --type debug_sleep --cron '* * * * *' \
    --param seconds=0 --param steps=1 | jqr .id)
fired() { [[ $(ctl --json schedules history "$every" | jq '.jobs | length') -ge 1 ]]; }
wait_for "the every-minute schedule to fire" 65 fired
sec=$(date +%S)
hist=$(ctl --json schedules history "$every")
started=$(jqr '.jobs[0].created_at_ms' <<<"$hist")
# It fired at the top of a minute (within a few seconds), exactly once.
(( started / 1000 % 60 < 5 )) || fail "fired at second $((started / 1000 % 60)) of the minute"
assert_eq "$(jqr '.jobs | length' <<<"$hist")" 1
grep -q "schedule $every (every-minute): fired slot" "$SCRATCH/daemon.log" || fail "no firing logged"
log "fired at second $((started / 1000 % 60)); now at :$sec"
pass
