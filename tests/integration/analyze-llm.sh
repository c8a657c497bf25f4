#!/usr/bin/env bash
# `analyze --llm` end to end against the fake LLM: cost estimate before
# running, structured answers turned into plan changes, 429 answers retried,
# tokens and cost stored on the plan, a second run answered from the cache
# for free, and a budget cap that stops the LLM.
source "$(dirname "$0")/lib.sh"

start_fake_stash --scenes 150 --seed 4
start_fake_llm --fail-429 2 --retry-after 1
start_daemon
ctl settings set stash.url "$FAKE_STASH_URL" openai.base_url "$FAKE_LLM_URL/v1" openai.model gpt-4o-mini >/dev/null
ctl sync full --wait >/dev/null 2>&1 || fail "full sync failed"
FIELDS=studio,performers,date
fake_llm_stats() { curl -sS --fail "$FAKE_LLM_URL/__control/stats"; }

est=$(ctl --json analyze --llm --fields $FIELDS --estimate)
scenes=$(jqr .scenes <<<"$est")
[[ $scenes -gt 50 ]] || fail "estimate: $est"
[[ $(jqr .llm_requests <<<"$est") -gt 0 ]] || fail "estimate has no requests: $est"
jq -e '.cost_usd > 0 and .cached_scenes == 0 and .model == "gpt-4o-mini"' <<<"$est" >/dev/null || fail "estimate: $est"
assert_eq "$(fake_llm_stats | jqr .chat_requests)" 0 "an estimate sends nothing"

run() { # NAME [ARGS]: analyze and wait; prints the job result
    local ref
    ref=$(ctl --json analyze --llm --fields $FIELDS --name "$@")
    ctl jobs watch "$(jqr .id <<<"$ref")" >/dev/null || fail "analyze $1 failed: $(ctl jobs show "$(jqr .id <<<"$ref")")"
    ctl --json jobs show "$(jqr .id <<<"$ref")" | jqr .result_json
}

r1=$(run llm1)
log "first run: $r1"
plan1=$(jqr .plan_id <<<"$r1")
jq -e --argjson n "$scenes" '.llm.scenes == $n and .llm.cache_hits == 0 and .llm.requests > 0 and .budget_exhausted == false' \
    <<<"$r1" >/dev/null || fail "first run: $r1"
stats=$(fake_llm_stats)
assert_eq "$(jqr .chat_requests <<<"$stats")" "$(($(jq .llm.requests <<<"$r1") + 2))" "two 429 answers were retried"
sum=$(ctl --json plans show --limit 0 "$plan1" | jqr .summary)
jq -e '.prompt_tokens > 0 and .completion_tokens > 0 and .cost_usd > 0' <<<"$sum" >/dev/null || fail "plan accounting: $sum"
llm_changes=$(ctl --json plans show "$plan1" | jq '[.changes[] | select(.analyzer | test("llm"))] | length')
[[ $llm_changes -gt 0 ]] || fail "no change came from the LLM"
fields=$(ctl --json plans show "$plan1" | jq -r '[.changes[].field] | unique | join(",")')
[[ $fields =~ ^(date|performers|studio)(,(date|performers|studio))*$ ]] || fail "fields not restricted: $fields"

# Same scenes, same options: every answer from the cache, nothing sent, no cost.
r2=$(run llm2)
jq -e --argjson n "$scenes" '.llm.cache_hits == $n and .llm.requests == 0 and .llm.cost_usd == 0' <<<"$r2" >/dev/null ||
    fail "second run not from the cache: $r2"
assert_eq "$(fake_llm_stats | jqr .chat_requests)" "$(jqr .chat_requests <<<"$stats")" "cache hits send nothing"
assert_eq "$(ctl --json plans show --limit 0 "$(jqr .plan_id <<<"$r2")" | jqr .summary.cost_usd)" 0 "cached plan is free"

# A budget below one request: the LLM stops at once and the job says so.
FIELDS=title,tags
r3=$(run llm3 --budget 0.0000001)
jq -e '.budget_exhausted == true and .llm.requests == 0' <<<"$r3" >/dev/null || fail "budget did not stop: $r3"
assert_eq "$(fake_llm_stats | jqr .chat_requests)" "$(jqr .chat_requests <<<"$stats")" "over budget sends nothing"
pass
