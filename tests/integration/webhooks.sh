#!/usr/bin/env bash
# Webhooks end to end: signed deliveries checked by a receiver and by an
# HMAC computed here, retries after 500s, give-up, `webhooks test`, the
# delivery log, secrets masked, pending deliveries surviving a restart,
# and the closing figure: event -> receiver latency (p50 of 50).
source "$STASHHOG_SOURCE_DIR/tests/integration/lib.sh"

RX_PIDS=()
on_cleanup 'for p in "${RX_PIDS[@]:-}"; do [[ -n $p ]] && kill -TERM "$p" 2>/dev/null; done'

# start_receiver NAME [ARGS...]: sets RX_URL_<NAME>; log in $SCRATCH/rx-NAME.log
start_receiver() {
    local name=$1; shift
    "$BIN/webhook-receiver" --port 0 --port-file "$SCRATCH/rx-$name.port" --log "$SCRATCH/rx-$name.log" \
        --quiet "$@" 2>>"$SCRATCH/rx.err" &
    RX_PIDS+=($!)
    wait_for "receiver $name" 20 test -s "$SCRATCH/rx-$name.port"
    touch "$SCRATCH/rx-$name.log"
    printf -v "RX_URL_$name" 'http://127.0.0.1:%s/hook' "$(cat "$SCRATCH/rx-$name.port")"
}
lines() { wc -l <"$SCRATCH/rx-$1.log"; }
has_lines() { (($(lines "$1") >= $2)); }

SECRET="itest-$RANDOM-hmac-9f1c2e"
start_receiver A --secret "$SECRET" --fail 2
start_daemon --enable-debug-jobs true --webhook-retry-ms 100 --webhook-max-attempts 3

# ---- add, list (secret masked), validation
id=$(ctl --json webhooks add --url "$RX_URL_A" --events job.finished,job.failed --secret "$SECRET" | jqr .id)
list=$(ctl --json webhooks list)
assert_eq "$(jqr '.webhooks | length' <<<"$list")" "1" "one webhook"
assert_eq "$(jqr '.webhooks[0].events | join(",")' <<<"$list")" "job.finished,job.failed" "events"
assert_not_contains "$list" "$SECRET" "secret in list"
assert_not_contains "$(ctl webhooks list)" "$SECRET" "secret in text list"
assert_fails ctl webhooks add --url "ftp://x/y"
assert_fails ctl webhooks add --url "$RX_URL_A" --events job.exploded
# Without --secret one is generated and shown once.
out=$(ctl webhooks add --url "$RX_URL_A" --events plan.applied --disabled)
assert_contains "$out" "secret: "
gen_id=$(awk '/^webhook/ {print $2}' <<<"$out")
gen=$(awk '/^secret:/ {print $2}' <<<"$out")
assert_eq "${#gen}" "64" "generated secret length"
assert_not_contains "$(ctl --json webhooks list)" "$gen" "generated secret in list"
ctl webhooks remove "$gen_id" >/dev/null
assert_fails ctl webhooks remove "$gen_id"

# ---- a job event: 500, 500, then 200 with a valid signature
mk() { ctl --json schedules create --name "$1" --type debug_sleep --every 1d --disabled "${@:2}" | jqr .id; }
quick=$(mk quick --param seconds=0 --param steps=1)
broken=$(mk broken --param seconds=0 --param steps=1 --param fail_hard=true)
ctl schedules run --wait "$quick" >/dev/null || fail "debug job failed"
wait_for "three attempts" 20 has_lines A 3
sed -n 1p "$SCRATCH/rx-A.log" | jqr .status | grep -qx 500 || fail "first attempt not refused"
sed -n 2p "$SCRATCH/rx-A.log" | jqr .status | grep -qx 500 || fail "second attempt not refused"
third=$(sed -n 3p "$SCRATCH/rx-A.log")
assert_eq "$(jqr .status <<<"$third")" "200" "third attempt"
assert_eq "$(jqr .event <<<"$third")" "job.finished" "event header"
assert_eq "$(jqr .valid <<<"$third")" "true" "receiver's signature check"
# The HMAC computed here, independently of both daemon and receiver.
jq -j .body <<<"$third" >"$SCRATCH/body.bin"
mac=$(openssl dgst -sha256 -hmac "$SECRET" -r "$SCRATCH/body.bin" | cut -d' ' -f1)
assert_eq "$(jqr .signature <<<"$third")" "sha256=$mac" "signature"
assert_eq "$(jq -r .body <<<"$third" | jqr .event)" "job.finished" "body event"
assert_eq "$(jq -r .body <<<"$third" | jqr .data.type)" "debug_sleep" "body job type"
assert_eq "$(jq -r .body <<<"$third" | jqr .delivery)" "$(jqr .delivery <<<"$third")" "delivery id in body and header"
# All three attempts carried the same delivery id and body.
assert_eq "$(jq -r .delivery "$SCRATCH/rx-A.log" | sort -u | wc -l)" "1" "one delivery id"

log=$(ctl --json webhooks log "$id")
assert_eq "$(jqr '.deliveries[0].status' <<<"$log")" "DELIVERY_DELIVERED" "log status"
assert_eq "$(jqr '.deliveries[0].attempts' <<<"$log")" "3" "log attempts"
assert_contains "$(ctl webhooks log)" "job.finished"

# ---- job.failed, and an event nobody subscribed to (the job does not reach plan.*)
ctl schedules run --wait "$broken" >/dev/null 2>&1 && fail "broken job succeeded"
wait_for "job.failed delivery" 20 has_lines A 4
assert_eq "$(sed -n 4p "$SCRATCH/rx-A.log" | jqr .event)" "job.failed" "failed event"

# ---- webhooks test: signed, answered, logged
out=$(ctl webhooks test "$id") || fail "webhooks test failed: $out"
assert_contains "$out" "webhook.test"
assert_contains "$out" "delivered"
assert_eq "$(tail -n 1 "$SCRATCH/rx-A.log" | jqr .event)" "webhook.test" "test event"
assert_eq "$(tail -n 1 "$SCRATCH/rx-A.log" | jqr .valid)" "true" "test signature"

# ---- give up after max attempts against a receiver that always fails
start_receiver B --secret "$SECRET" --fail 1000
bad=$(ctl --json webhooks add --url "$RX_URL_B" --events webhook.test --secret "$SECRET" | jqr .id)
rc=0; ctl webhooks test --timeout 10 "$bad" >/dev/null || rc=$?
assert_eq "$rc" "1" "webhooks test exit code on HTTP 500"
gave_up() { [[ $(ctl --json webhooks log "$bad" | jqr '.deliveries[0].status') == DELIVERY_FAILED ]]; }
wait_for "give-up" 20 gave_up
d=$(ctl --json webhooks log "$bad" | jqr '.deliveries[0]')
assert_eq "$(jqr .attempts <<<"$d")" "3" "attempts before giving up"
assert_eq "$(jqr .error <<<"$d")" "HTTP 500" "last error"
grep -q "failed after 3 attempts" "$SCRATCH/daemon.log" || fail "give-up not logged"
ctl webhooks remove "$bad" >/dev/null

# ---- a pending delivery survives a restart
start_receiver C --secret "$SECRET" --fail 1
stop_daemon
start_daemon --enable-debug-jobs true --webhook-retry-ms 2000 --webhook-max-attempts 3
late=$(ctl --json webhooks add --url "$RX_URL_C" --events webhook.test --secret "$SECRET" | jqr .id)
ctl webhooks test --no-wait "$late" >/dev/null
wait_for "first attempt to C" 20 has_lines C 1
stop_daemon # the retry is 2 s away: it is still pending
pending=$(sqlite3 "$DATA/stashhog.db" "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = $late AND status = 'pending'")
assert_eq "$pending" "1" "pending delivery stored"
start_daemon --enable-debug-jobs true
wait_for "delivery after restart" 20 has_lines C 2
assert_eq "$(sed -n 2p "$SCRATCH/rx-C.log" | jqr .status)" "200" "retried after restart"
assert_eq "$(sed -n 2p "$SCRATCH/rx-C.log" | jqr .valid)" "true" "signature after restart"

# ---- closing figure: event -> receiver latency, p50 over 50 job.finished deliveries
ctl webhooks remove "$late" >/dev/null
before=$(lines A)
for _ in $(seq 50); do ctl schedules run "$quick" >/dev/null; done
wait_for "50 deliveries" 60 has_lines A $((before + 50))
tail -n 50 "$SCRATCH/rx-A.log" | jq -r '(.recv_ms - (.body | fromjson | .time_ms))' | sort -n >"$SCRATCH/lat.txt"
p50=$(sed -n 25p "$SCRATCH/lat.txt")
p90=$(sed -n 45p "$SCRATCH/lat.txt")
log "webhook delivery latency over 50 job.finished events: p50 ${p50} ms, p90 ${p90} ms, max $(tail -n 1 "$SCRATCH/lat.txt") ms"
((p50 < 1000)) || fail "p50 latency ${p50} ms"
assert_eq "$(tail -n 50 "$SCRATCH/rx-A.log" | jq -r .valid | sort -u)" "true" "all 50 signatures"

grep -q "$SECRET" "$SCRATCH/daemon.log" && fail "secret in the daemon log"
pass
