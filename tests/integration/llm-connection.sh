#!/usr/bin/env bash
# settings test-connection --llm against the fake LLM: reachability, auth,
# model availability; the API key is sealed and never echoed.
source "$(dirname "$0")/lib.sh"

start_fake_llm --api-key sk-test-secret-4242
start_daemon
ctl settings set openai.base_url "$FAKE_LLM_URL/v1" openai.model fake-model >/dev/null

out=$(ctl --json settings test-connection --llm) || true
assert_eq "$(jqr .reachable <<<"$out")" true "reachable"
assert_eq "$(jqr .authenticated <<<"$out")" false "no key: not authenticated"

ctl settings set openai.api_key sk-test-secret-4242 >/dev/null
out=$(ctl --json settings test-connection --llm) || true
assert_eq "$(jqr .authenticated <<<"$out")" true "authenticated with the key"
assert_eq "$(jqr .model <<<"$out")" fake-model "model"
assert_contains "$(jqr .message <<<"$out")" "model fake-model is available"

ctl settings set openai.model no-such-model >/dev/null
out=$(ctl --json settings test-connection --llm) || true
assert_contains "$(jqr .message <<<"$out")" "does not offer model no-such-model"

shown=$(ctl --json settings get openai.api_key)
assert_not_contains "$shown" "sk-test-secret-4242" "key masked in replies"
assert_not_contains "$(cat "$SCRATCH/daemon.log")" "sk-test-secret-4242" "key not logged"
if grep -qa "sk-test-secret-4242" "$DATA"/stashhog.db*; then fail "key stored in plaintext"; fi
pass
