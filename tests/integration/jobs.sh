#!/usr/bin/env bash
# Jobs end to end with the real daemon and debug_sleep jobs: `jobs watch`
# plain output, cancel within 1 s, retry as a linked job, transient retry,
# --wait exit codes, clean stop, and kill -9 recovery (never stuck running).
source "$(dirname "$0")/lib.sh"

start_daemon --enable-debug-jobs true --job-workers 2

# A disabled schedule per job shape; `schedules run` queues its job now.
mk() { ctl --json schedules create --name "$1" --type debug_sleep --every 1d --disabled "${@:2}" | jqr .id; }
run_job() { ctl --json schedules run "$1" | jqr .id; }
status() { ctl --json jobs show "$1" | jqr .status; }
is_status() { [[ $(status "$1") == "$2" ]]; }

quick=$(mk quick --param seconds=1 --param steps=10)
long=$(mk long --param seconds=120 --param steps=4)
flaky=$(mk flaky --param seconds=0 --param steps=1 --param fail_times=1)
broken=$(mk broken --param seconds=0 --param steps=1 --param fail_hard=true)

# ---- watch: plain lines when stdout is not a terminal, exit 0 on completion
id=$(run_job "$quick")
out=$(ctl jobs watch "$id") || fail "jobs watch exited $?"
assert_contains "$out" "job $id debug_sleep running"
assert_contains "$out" "job $id debug_sleep completed 10/10"
[[ $(grep -c "^job $id " <<<"$out") -ge 3 ]] || fail "expected several progress lines: $out"
assert_not_contains "$out" $'\r' "no carriage returns off a terminal"
result=$(ctl --json jobs show "$id" | jqr .result_json)
assert_contains "$result" '"steps":10'

# ---- cancel a running job: cancelled within 1 s
id=$(run_job "$long")
wait_for "job $id running" 10 is_status "$id" JOB_STATUS_RUNNING
t0=$(date +%s%N)
ctl jobs cancel "$id" >/dev/null
wait_for "job $id cancelled" 5 is_status "$id" JOB_STATUS_CANCELLED
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
log "cancel latency: ${ms} ms"
(( ms < 1000 )) || fail "cancel took ${ms} ms"
rc=0; ctl jobs watch "$id" >/dev/null || rc=$?
assert_eq "$rc" 4 "watch exit status of a cancelled job"
assert_fails ctl jobs cancel "$id"

# ---- retry: a new job linked to the cancelled one
new=$(ctl --json jobs retry "$id" | jqr .id)
[[ $new -gt $id ]] || fail "retry made no new job"
assert_eq "$(ctl --json jobs show "$new" | jqr .retry_of)" "$id" "retry_of"
ctl jobs cancel --wait "$new" >/dev/null || fail "cancel --wait of the retry failed"
assert_eq "$(status "$new")" JOB_STATUS_CANCELLED

# ---- transient failure retried with backoff; permanent failure -> exit 1
ctl schedules run --wait "$flaky" >/dev/null || fail "flaky job did not complete after its retry"
fid=$(ctl --json jobs list --schedule "$flaky" | jqr '.jobs[0].id')
assert_eq "$(ctl --json jobs show "$fid" | jqr .attempts)" 2 "attempts of the flaky job"
rc=0; ctl schedules run --wait "$broken" >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 1 "--wait exit status of a failed job"
bid=$(ctl --json jobs list --schedule "$broken" | jqr '.jobs[0].id')
assert_contains "$(ctl jobs show "$bid")" "simulated permanent failure"
json=$(ctl --json schedules run --wait "$quick")
assert_eq "$(jqr .status <<<"$json")" JOB_STATUS_COMPLETED "--wait --json prints the final job"
list=$(ctl jobs list --status failed)
assert_contains "$list" "debug_sleep"

# ---- kill -9 with a job running: after restart it is re-queued (resumable), never stuck
id=$(run_job "$long")
wait_for "job $id running" 10 is_status "$id" JOB_STATUS_RUNNING
kill9_daemon
start_daemon --enable-debug-jobs true --job-workers 2
grep -q "job $id was running when the daemon stopped: queued" "$SCRATCH/daemon.log" ||
    fail "job $id was not recovered as re-queued"
st=$(status "$id")
[[ $st == JOB_STATUS_QUEUED || $st == JOB_STATUS_RUNNING ]] || fail "job $id is $st after restart"
wait_for "job $id running again" 10 is_status "$id" JOB_STATUS_RUNNING
ctl jobs cancel --wait "$id" >/dev/null
assert_eq "$(status "$id")" JOB_STATUS_CANCELLED

# ---- clean stop with a job running: re-queued, and the daemon exits 0
id=$(run_job "$long")
wait_for "job $id running" 10 is_status "$id" JOB_STATUS_RUNNING
stop_daemon
start_daemon --enable-debug-jobs true --job-workers 2
grep -q "job $id (debug_sleep) queued after" "$SCRATCH/daemon.log" || fail "job $id not re-queued on clean stop"
ctl jobs cancel --wait "$id" >/dev/null
n=$(ctl --json jobs list --status running | jq '.jobs | length')
assert_eq "$n" 0 "running jobs left"

# ---- without enable_debug_jobs the type does not exist
stop_daemon
start_daemon
assert_fails ctl schedules run "$quick"
pass
