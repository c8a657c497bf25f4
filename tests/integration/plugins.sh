#!/usr/bin/env bash
# Analyzer plugins (plugins_dir, protocol in examples/README.md):
#  - `analyze --analyzer example` runs only the example plugin: every
#    change is attributed to it and the job result reports its runs
#  - a crashing plugin next to it fails only its own part: the job
#    completes, the result says which plugin failed and why, the other
#    analyzers' changes are there, the daemon keeps serving
#  - an unknown analyzer name and a plugin with a broken .conf are refused
#    by analyze and by schedules create; a plugin removed after its
#    schedule was made fails that job with a clear message
#  - overhead: the same 1,000 scenes with the built-ins alone and with
#    the example plugin added (job durations are printed)
source "$STASHHOG_SOURCE_DIR/tests/integration/lib.sh"

PLUGINS=$SCRATCH/plugins
mkdir -p "$PLUGINS"
cat >"$PLUGINS/example.conf" <<EOF
# the example plugin shipped in examples/
command = $BIN/stashhog-plugin-example
fields = studio, performers, tags, title
batch_size = 100
timeout_s = 20
EOF
cat >"$PLUGINS/crashy.conf" <<EOF
command = "$SRC/server/analysis/tests/plugins/crash.sh"
fields = title
EOF
cat >"$PLUGINS/broken.conf" <<EOF
fields = title
EOF

start_fake_stash --scenes 1000 --seed 11
start_daemon --plugins-dir "$PLUGINS"
ctl settings set stash.url "$FAKE_STASH_URL" stash.page_size 500 >/dev/null
ctl sync full --wait >/dev/null 2>&1 || fail "full sync failed"

# run_analyze NAME ARGS... : prints "PLAN_ID JOB_ID" after the job ends (any status).
run_analyze() {
    local name=$1 ref; shift
    ref=$(ctl --json analyze --include-organized --name "$name" "$@") || fail "$name: analyze refused"
    ctl jobs watch "$(jqr .id <<<"$ref")" >/dev/null 2>&1 || true
    echo "$(jqr .plan_id <<<"$ref") $(jqr .id <<<"$ref")"
}
job_json() { ctl --json jobs show "$1"; }
job_ms() { job_json "$1" | jq '.finished_at_ms - .started_at_ms'; }

# ---- the example plugin alone
read -r plan job < <(run_analyze example-only --analyzer example)
j=$(job_json "$job")
assert_eq "$(jqr .status <<<"$j")" JOB_STATUS_COMPLETED "example-only job status"
result=$(jqr .result_json <<<"$j")
assert_eq "$(jqr .plugins.example.failed <<<"$result")" false "example plugin failed"
assert_eq "$(jqr .plugins.example.runs <<<"$result")" 10 "one run per 100 scenes"
assert_eq "$(jqr .plugins.example.answered <<<"$result")" 1000 "scenes answered"
detail=$(ctl --json plans show --limit 100000 "$plan")
n=$(jq '.changes | length' <<<"$detail")
[[ $n -gt 0 ]] || fail "the example plugin proposed nothing"
assert_eq "$(jq -r '[.changes[].analyzer] | unique | join(",")' <<<"$detail")" example "analyzers of the changes"
# its field set only: studio, performers, tags, title
assert_eq "$(jq -r '[.changes[].field | select(IN("studio","performers","tags","title") | not)] | length' <<<"$detail")" \
    0 "fields outside the plugin's declaration"
log "example plugin: $n changes"

# ---- a crashing plugin fails only its part
read -r plan job < <(run_analyze mixed --analyzer example --analyzer crashy --analyzer studio)
j=$(job_json "$job")
assert_eq "$(jqr .status <<<"$j")" JOB_STATUS_COMPLETED "mixed job status"
result=$(jqr .result_json <<<"$j")
assert_eq "$(jqr .plugins.crashy.failed <<<"$result")" true "crashy marked failed"
assert_contains "$(jqr .plugins.crashy.error <<<"$result")" "crashed (signal 11" "crashy error"
assert_eq "$(jqr .plugins.crashy.runs <<<"$result")" 1 "crashy is not run again after failing"
assert_eq "$(jqr .plugins.example.failed <<<"$result")" false "example unaffected"
analyzers=$(ctl --json plans show --limit 100000 "$plan" | jq -r '[.changes[].analyzer | split("+")[]] | unique | join(",")')
assert_contains "$analyzers" example "example's changes kept"
assert_contains "$analyzers" studio "built-in studio's changes kept"
assert_not_contains "$analyzers" crashy "no changes from the crashed plugin"
grep -q "plugin crashy failed" "$SCRATCH/daemon.log" || fail "the failure is not in the daemon log"
ctl ping >/dev/null || fail "daemon not answering after a plugin crash"

# ---- bad names are refused up front, by analyze and by schedules
out=$(ctl analyze --name unknown --analyzer nope 2>&1) && fail "unknown analyzer accepted"
assert_contains "$out" "unknown analyzer 'nope'" "unknown analyzer message"
out=$(ctl analyze --name broken --analyzer broken 2>&1) && fail "broken plugin accepted"
assert_contains "$out" "'command' and 'fields' are required" "broken plugin message"
out=$(ctl schedules create --name nightly --type analyze --cron '0 3 * * *' --param 'analyzers=["nope"]' 2>&1) &&
    fail "schedule with an unknown analyzer accepted"
assert_contains "$out" "unknown analyzer 'nope'" "schedule: unknown analyzer message"

# ---- a plugin that disappears after its schedule was made fails that job clearly
cp "$PLUGINS/example.conf" "$PLUGINS/vanishing.conf"
sid=$(ctl --json schedules create --name vanishing --type analyze --cron '0 3 * * *' \
      --param 'analyzers=["vanishing"]' | jqr .id) || fail "schedule with a valid plugin refused"
rm "$PLUGINS/vanishing.conf"
ctl schedules run --wait "$sid" >/dev/null 2>&1 && fail "a job with a vanished plugin succeeded"
j=$(ctl --json jobs list | jq -c '[.jobs[] | select(.type == "analyze")] | max_by(.id)')
assert_eq "$(jqr .status <<<"$j")" JOB_STATUS_FAILED "vanished plugin job status"
assert_contains "$(jqr .error <<<"$j")" "unknown analyzer 'vanishing'" "vanished plugin message"

# ---- overhead on the same 1,000 scenes
BUILTINS=(--analyzer studio --analyzer performers --analyzer date --analyzer title --analyzer code
          --analyzer details --analyzer tech-tags)
read -r _ job_b < <(run_analyze builtins "${BUILTINS[@]}")
read -r _ job_p < <(run_analyze builtins-plus-example "${BUILTINS[@]}" --analyzer example)
assert_eq "$(job_json "$job_p" | jqr .status)" JOB_STATUS_COMPLETED "builtins+example status"
log "overhead per 1,000 scenes: built-ins $(job_ms "$job_b") ms, built-ins + example plugin $(job_ms "$job_p") ms" \
    "(plugin time $(job_json "$job_p" | jqr .result_json | jqr .plugins.example.elapsed_ms) ms in 10 runs)"

stop_daemon
pass
