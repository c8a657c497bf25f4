#!/usr/bin/env bash
# Settings validation and masking, secrets sealed at rest, a rejected API
# key reported clearly by test-connection and by a sync.
source "$STASHHOG_SOURCE_DIR/tests/integration/lib.sh"

APIKEY="right-key-$RANDOM-5be1c0ffee42"
WRONG="wrong-key-$RANDOM-0badc0ffee99"
start_fake_stash --scenes 50 --seed 2 --api-key "$APIKEY"
start_daemon
DB=$DATA/stashhog.db

# Unknown keys and bad values are refused, naming the key.
out=$(ctl settings set stash.bogus 1 2>&1) && fail "unknown key accepted"
assert_contains "$out" "stash.bogus"
out=$(ctl settings set stash.page_size 5000 2>&1) && fail "page size 5000 accepted"
assert_contains "$out" "stash.page_size"
out=$(ctl settings set stash.url not-a-url 2>&1) && fail "bad url accepted"
assert_contains "$out" "stash.url"
out=$(ctl settings set stash.verify_tls perhaps 2>&1) && fail "bad bool accepted"
assert_contains "$out" "stash.verify_tls"
assert_fails ctl settings set stash.url
out=$(ctl settings get stash.bogus 2>&1) && fail "unknown key read"
assert_contains "$out" "stash.bogus"

# Defaults and values.
out=$(ctl settings get stash.page_size)
assert_contains "$out" "500"
assert_contains "$out" "(default)"
ctl settings set stash.url "$FAKE_STASH_URL/graphql" stash.timeout_s 20 >/dev/null
assert_eq "$(ctl --json settings get stash.url | jqr '.settings[0].value')" "$FAKE_STASH_URL" "url canonical"

# The secret is masked everywhere and never stored in plaintext.
ctl settings set stash.api_key "$WRONG" >/dev/null
out=$(ctl settings get)
assert_not_contains "$out" "$WRONG" "settings get"
assert_contains "$out" "••••••"
assert_not_contains "$(ctl --json settings get stash.api_key)" "$WRONG" "settings get --json"

# A rejected key: clear message from test-connection and from a sync.
out=$(ctl settings test-connection 2>&1) && fail "test-connection succeeded with a wrong key"
assert_contains "$out" "API key rejected"
assert_not_contains "$out" "$WRONG" "test-connection output"
ctl sync full --wait >/dev/null 2>&1 && fail "sync succeeded with a wrong key"
hist=$(ctl sync history)
assert_contains "$hist" "API key rejected"

# The right key, read from stdin.
ctl settings set stash.api_key - <<<"$APIKEY" >/dev/null
out=$(ctl settings test-connection) || fail "test-connection failed: $out"
assert_contains "$out" "authenticated:  yes"
assert_contains "$out" "50 scenes"
ctl sync full --wait >/dev/null 2>&1 || fail "sync failed with the right key"

stop_daemon
for key in "$APIKEY" "$WRONG"; do
    for f in "$DB" "$DB-wal" "$SCRATCH/daemon.log"; do
        [[ -f $f ]] || continue
        n=$(grep -c -a -F -- "$key" "$f" || true)
        assert_eq "$n" "0" "secret found in $(basename "$f")"
    done
done
[[ -f $DATA/secret.key ]] || fail "no secret.key"
assert_eq "$(stat -c %a "$DATA/secret.key")" "600" "secret.key mode"

# Docker secrets: a *_FILE variable wins over the stored value.
printf '%s\n' "$APIKEY" >"$SCRATCH/api-key-file"
STASHHOG_STASH_API_KEY_FILE=$SCRATCH/api-key-file start_daemon
ctl settings set stash.api_key "$WRONG" >/dev/null 2>&1 && fail "stored key accepted while a key file is set"
out=$(ctl settings test-connection) || fail "test-connection with the key file failed: $out"
assert_contains "$out" "authenticated:  yes"
pass
