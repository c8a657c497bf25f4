# lib.sh - shared helpers for integration tests (sourced, not run).
#
# Each test gets a private scratch dir under /tmp (short, so ipc socket paths
# fit in sun_path), starts the real stashhogd on it, drives it with
# stashhogctl, and cleans up on exit whatever happens.  Nothing uses fixed
# ports: daemons listen on port 0 and the fake servers write their port to a
# file.  Secrets are never printed.
set -euo pipefail

BIN=${STASHHOG_BIN_DIR:?run through ctest (STASHHOG_BIN_DIR unset)}
SRC=${STASHHOG_SOURCE_DIR:?run through ctest}
SCRATCH=$(mktemp -d /tmp/sh-it-XXXXXX)
DATA=$SCRATCH/data
RUN=$SCRATCH/run
mkdir -p "$DATA" "$RUN"
RPC_URL="ipc://$RUN/stashhogd.sock"
DAEMON_PID=""
FAKE_STASH_PID=""
FAKE_LLM_PID=""
_CLEANUP_HOOKS=()

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

fail() {
    log "FAIL: $*"
    if [[ -f $SCRATCH/daemon.log ]]; then
        log "---- last daemon log lines"
        tail -n 40 "$SCRATCH/daemon.log" >&2 || true
    fi
    exit 1
}

cleanup() {
    local rc=$?
    for hook in "${_CLEANUP_HOOKS[@]:-}"; do [[ -n $hook ]] && eval "$hook" || true; done
    [[ -n $DAEMON_PID ]] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
    [[ -n $FAKE_STASH_PID ]] && kill -TERM "$FAKE_STASH_PID" 2>/dev/null && wait "$FAKE_STASH_PID" 2>/dev/null || true
    [[ -n $FAKE_LLM_PID ]] && kill -TERM "$FAKE_LLM_PID" 2>/dev/null && wait "$FAKE_LLM_PID" 2>/dev/null || true
    if [[ $rc -eq 0 && -z ${KEEP_SCRATCH:-} ]]; then rm -rf "$SCRATCH"; else log "scratch kept: $SCRATCH"; fi
    exit $rc
}
trap cleanup EXIT
on_cleanup() { _CLEANUP_HOOKS+=("$1"); }

# ctl ARGS... : stashhogctl against the test daemon (ipc).
ctl() { "$BIN/stashhogctl" --connect "$RPC_URL" "$@"; }

# wait_for DESCRIPTION SECONDS COMMAND... : poll until COMMAND succeeds.
wait_for() {
    local what=$1 secs=$2; shift 2
    local deadline=$((SECONDS + secs))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || fail "timed out after ${secs}s waiting for $what"
        sleep 0.05
    done
}

# start_daemon [EXTRA ARGS...]: start stashhogd on the scratch dir and wait until it answers.
start_daemon() {
    STASHHOG_DATA_DIR=$DATA STASHHOG_RUNTIME_DIR=$RUN STASHHOG_CONFIG=/dev/null \
        "$BIN/stashhogd" --log-level "${DAEMON_LOG_LEVEL:-info}" "$@" >>"$SCRATCH/daemon.log" 2>&1 &
    DAEMON_PID=$!
    wait_for "stashhogd to answer" 20 ctl ping
}

# stop_daemon: SIGTERM and wait; fails if the daemon does not exit cleanly.
stop_daemon() {
    [[ -n $DAEMON_PID ]] || return 0
    kill -TERM "$DAEMON_PID"
    local rc=0
    wait "$DAEMON_PID" || rc=$?
    DAEMON_PID=""
    [[ $rc -eq 0 ]] || fail "stashhogd exited with status $rc on SIGTERM"
}

# kill9_daemon: simulate a crash.
kill9_daemon() {
    [[ -n $DAEMON_PID ]] || return 0
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
    DAEMON_PID=""
}

# start_fake_stash [ARGS...]: start the fake Stash on a free port; sets FAKE_STASH_URL.
start_fake_stash() {
    rm -f "$SCRATCH/fake-stash.port"
    "$BIN/fake-stash" --port 0 --port-file "$SCRATCH/fake-stash.port" --quiet "$@" \
        >>"$SCRATCH/fake-stash.log" 2>&1 &
    FAKE_STASH_PID=$!
    wait_for "fake-stash to listen" 30 test -s "$SCRATCH/fake-stash.port"
    FAKE_STASH_URL="http://127.0.0.1:$(cat "$SCRATCH/fake-stash.port")"
    export FAKE_STASH_URL
}

# fake_stash METHOD PATH [JSON]: call the fake Stash's control API; prints the body.
fake_stash() {
    local method=$1 path=$2 body=${3:-}
    if [[ -n $body ]]; then
        curl -sS --fail-with-body -X "$method" -H 'Content-Type: application/json' --data "$body" "$FAKE_STASH_URL$path"
    else
        curl -sS --fail-with-body -X "$method" "$FAKE_STASH_URL$path"
    fi
}

# start_fake_llm [ARGS...]: start the fake LLM server; sets FAKE_LLM_URL.
start_fake_llm() {
    rm -f "$SCRATCH/fake-llm.port"
    "$BIN/fake-llm" --port 0 --port-file "$SCRATCH/fake-llm.port" --quiet "$@" >>"$SCRATCH/fake-llm.log" 2>&1 &
    FAKE_LLM_PID=$!
    wait_for "fake-llm to listen" 30 test -s "$SCRATCH/fake-llm.port"
    FAKE_LLM_URL="http://127.0.0.1:$(cat "$SCRATCH/fake-llm.port")"
    export FAKE_LLM_URL
}

assert_eq() { [[ "$1" == "$2" ]] || fail "${3:-assertion}: expected '$2', got '$1'"; }
assert_contains() { [[ "$1" == *"$2"* ]] || fail "${3:-assertion}: '$2' not found in: $1"; }
assert_not_contains() { [[ "$1" != *"$2"* ]] || fail "${3:-assertion}: '$2' unexpectedly found"; }
# assert_fails COMMAND...: the command must exit non-zero.
assert_fails() { if "$@" >/dev/null 2>&1; then fail "expected failure: $*"; fi; }

# jqr FILTER: jq -r on stdin; fails on bad JSON or a null result (false is a value).
jqr() {
    local out
    out=$(jq -r "$1") || return 1
    if [[ $out == null ]]; then
        log "jq: '$1' is null"
        return 1
    fi
    printf '%s\n' "$out"
}

pass() { log "PASS: ${1:-$(basename "$0")}"; exit 0; }
