#!/usr/bin/env bash
# Security: per-peer rate limiting of failed tcp auth (without locking out the
# owner from another address), TLS with a self-signed CA made at test time,
# client certificates, sealed events, generic request validation, and that the
# token never reaches the logs.
source "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || fail "openssl is needed (packaging/install-deps.sh installs it)"

# ---- certificates: a throwaway CA, a server cert for "localhost", two client certs
PKI=$SCRATCH/pki
mkdir -p "$PKI"
mkcert() { # mkcert NAME CN SIGNER(ca|rogue) [EXT]
    local name=$1 cn=$2 signer=$3 ext=${4:-}
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$PKI/$name.key" \
        -out "$PKI/$name.csr" -subj "/CN=$cn" 2>/dev/null
    local extargs=()
    if [[ -n $ext ]]; then printf '%s\n' "$ext" >"$PKI/$name.ext"; extargs=(-extfile "$PKI/$name.ext"); fi
    openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$signer.crt" -CAkey "$PKI/$signer.key" -CAcreateserial \
        -out "$PKI/$name.crt" -days 2 "${extargs[@]}" 2>/dev/null
    cat "$PKI/$name.crt" "$PKI/$name.key" >"$PKI/$name.pem"
    chmod 600 "$PKI/$name.pem" "$PKI/$name.key"
}
for ca in ca rogue; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$PKI/$ca.key" \
        -out "$PKI/$ca.crt" -subj "/CN=StashHog test $ca" -days 2 2>/dev/null
done
mkcert server localhost ca "subjectAltName=DNS:localhost"
mkcert client client ca
mkcert stranger stranger rogue

# ---- start: plain tcp on IPv4 and IPv6 loopback (two peer addresses), and TLS with client certs
start_daemon --listen tcp://127.0.0.1:0 --listen 'tcp://[::1]:0' --listen tls+tcp://127.0.0.1:0 \
    --tls-cert-key-file "$PKI/server.pem" --tls-ca-file "$PKI/ca.crt"
status=$(ctl --json status)
tcp4=$(jqr '.listen_urls[] | select(startswith("tcp://127."))' <<<"$status")
tcp6=$(jqr '.listen_urls[] | select(startswith("tcp://["))' <<<"$status")
tls=$(jqr '.listen_urls[] | select(startswith("tls+tcp://"))' <<<"$status")
[[ -n $tcp4 && -n $tcp6 && -n $tls ]] || fail "missing listen urls: $status"
token=$(STASHHOG_DATA_DIR=$DATA "$BIN/stashhogd" --show-token)
remote() { local url=$1; shift; "$BIN/stashhogctl" --connect "$url" "$@"; }

# ---- TLS: with our CA and a client cert, the token works
tlsctl() { "$BIN/stashhogctl" --connect "$tls" --tls-server-name localhost "$@"; }
out=$(tlsctl --tls-ca "$PKI/ca.crt" --tls-cert "$PKI/client.pem" --token "$token" --json status)
assert_eq "$(jqr .protocol_version <<<"$out")" 1 "status over TLS"
# env vars work as well as flags
out=$(STASHHOG_TLS_CA=$PKI/ca.crt STASHHOG_TLS_CERT=$PKI/client.pem STASHHOG_TOKEN=$token tlsctl ping)
assert_contains "$out" "pong"
# no client certificate: the handshake fails
assert_fails timeout 20 "$BIN/stashhogctl" --timeout 3 --connect "$tls" --tls-server-name localhost \
    --tls-ca "$PKI/ca.crt" --token "$token" ping
# a client certificate from another CA: refused
assert_fails timeout 20 "$BIN/stashhogctl" --timeout 3 --connect "$tls" --tls-server-name localhost \
    --tls-ca "$PKI/ca.crt" --tls-cert "$PKI/stranger.pem" --token "$token" ping
# the client verifies the server: a CA that did not sign it fails
assert_fails timeout 20 "$BIN/stashhogctl" --timeout 3 --connect "$tls" --tls-server-name localhost \
    --tls-ca "$PKI/rogue.crt" --tls-cert "$PKI/client.pem" --token "$token" ping
# TLS still needs the token
rc=0; err=$(tlsctl --tls-ca "$PKI/ca.crt" --tls-cert "$PKI/client.pem" --token wrong ping 2>&1) || rc=$?
assert_eq "$rc" 1 "TLS with a wrong token"
assert_contains "$err" "authentication required"

# ---- rate limiting: wrong tokens from 127.0.0.1 (the TLS test above made one) block that
# address after 5 in a minute, even for the right token
for i in 1 2 3 4 5; do
    rc=0; remote "$tcp4" --token "wrong-$i" ping >/dev/null 2>&1 || rc=$?
    assert_eq "$rc" 1 "wrong token $i refused"
done
rc=0; err=$(remote "$tcp4" --token "$token" ping 2>&1) || rc=$?
assert_eq "$rc" 1 "blocked peer refused even with the right token"
assert_contains "$err" "too many failed authentication attempts from 127.0.0.1"
assert_contains "$err" "try again in"
# ...but the owner on another address is not locked out
out=$(remote "$tcp6" --token "$token" ping) || fail "owner over IPv6 locked out"
assert_contains "$out" "pong"
assert_contains "$(cat "$SCRATCH/daemon.log")" "refusing 127.0.0.1 for 30 s after 5 failed authentication attempts"
# a successful login resets the count: 4 failures + success + 4 failures does not block
for i in 1 2 3 4; do remote "$tcp6" --token wrong ping >/dev/null 2>&1 || true; done
remote "$tcp6" --token "$token" ping >/dev/null || fail "4 failures must not block"
for i in 1 2 3 4; do remote "$tcp6" --token wrong ping >/dev/null 2>&1 || true; done
remote "$tcp6" --token "$token" ping >/dev/null || fail "failures are forgotten after a success"
# local ipc is never rate limited
ctl ping >/dev/null || fail "ipc refused"

# ---- events: sealed on tcp and tls; readable with the token
ev4=$(jqr '.event_urls[] | select(startswith("tcp://127."))' <<<"$status")
[[ -n $ev4 ]] || fail "no tcp event url"
assert_contains "$(cat "$SCRATCH/daemon.log")" "publishing sealed events on $ev4"
assert_contains "$(cat "$SCRATCH/daemon.log")" "publishing clear events on ipc://"
assert_contains "$(cat "$SCRATCH/daemon.log")" "publishing sealed events on tls+tcp://"
# A sync emits job and sync events: watch them over tcp (sealed, opened with the token).
start_fake_stash --scenes 300 --seed 5
ctl settings set stash.url "$FAKE_STASH_URL" >/dev/null
events_out=$SCRATCH/events.jsonl
remote "$tcp6" --token "$token" --json events --for 8 >"$events_out" 2>"$SCRATCH/events.err" &
ev_pid=$!
sleep 1.5
ctl sync full --wait >/dev/null || fail "sync failed"
wait "$ev_pid" || fail "events over tcp failed: $(cat "$SCRATCH/events.err")"
[[ -s $events_out ]] || fail "no sealed events arrived over tcp with the token"
grep -q '"topic":"job\.' "$events_out" || fail "no job events in: $(head -3 "$events_out")"
log "read $(wc -l <"$events_out") sealed events over tcp with the token"

# ---- hostile input: the generic validator answers with a clear error
rc=0; err=$(ctl scenes show 0 2>&1) || rc=$?
[[ $rc -ne 0 ]] || fail "scene id 0 accepted"
assert_contains "$err" "id must be positive"

# ---- the token never appears in logs
assert_not_contains "$(cat "$SCRATCH/daemon.log")" "$token" "token in daemon log"

# ---- a tls+tcp listener without a certificate refuses to start
bad=$(mktemp -d /tmp/sh-it-bad-XXXXXX)
on_cleanup "rm -rf '$bad'"
rc=0
STASHHOG_DATA_DIR=$bad/data STASHHOG_RUNTIME_DIR=$bad STASHHOG_CONFIG=/dev/null \
    timeout 10 "$BIN/stashhogd" --listen tls+tcp://127.0.0.1:0 >"$bad/log" 2>&1 || rc=$?
assert_eq "$rc" 1 "tls listener without a certificate"
assert_contains "$(cat "$bad/log")" "needs a certificate"

stop_daemon
pass
