#!/usr/bin/env bash
# fake-llm as an executable: port file, auth, models, a deterministic answer,
# the 429 fault with Retry-After, control stats, clean exit on SIGTERM.
set -euo pipefail
BIN=$1
: "${STASHHOG_TEST_SCRATCH:?}"
mkdir -p "$STASHHOG_TEST_SCRATCH"
DIR=$(mktemp -d "$STASHHOG_TEST_SCRATCH/run.XXXXXX")
PID=""
cleanup() { [[ -n $PID ]] && kill -TERM "$PID" 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$BIN" --port 0 --port-file "$DIR/port" --api-key test-key --fail-429 1 --quiet &
PID=$!
for _ in $(seq 100); do [[ -s $DIR/port ]] && break; sleep 0.05; done
[[ -s $DIR/port ]] || fail "no port file"
URL="http://127.0.0.1:$(cat "$DIR/port")"

code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/models")
[[ $code == 401 ]] || fail "models without key: HTTP $code"
models=$(curl -sf -H 'Authorization: Bearer test-key' "$URL/v1/models")
[[ $(jq -r '.data[0].id' <<<"$models") == fake-model ]] || fail "models: $models"

user='Propose metadata.\nScenes (JSON):\n{\"scenes\":[{\"scene_id\":7,\"paths\":[\"/lib/Acme Films/2021.03.04 Jane Doe - Beach.mp4\"],\"candidates\":{\"studios\":[\"Acme Films\",\"Other\"],\"performers\":[\"Jane Doe\",\"John Roe\"],\"tags\":[\"Beach\",\"Snow\"]}}]}'
body='{"model":"fake-model","messages":[{"role":"system","content":"s"},{"role":"user","content":"'$user'"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","strict":true,"schema":{"type":"object","properties":{"scenes":{"type":"array","items":{"type":"object","properties":{"scene_id":{},"studio":{},"performers":{},"tags":{},"date":{},"title":{}}}}}}}}}'
hdrs=$(curl -s -D - -o /dev/null -H 'Authorization: Bearer test-key' -H 'Content-Type: application/json' \
    -d "$body" "$URL/v1/chat/completions")
grep -q '^HTTP/1.1 429' <<<"$hdrs" || fail "first chat not 429: $hdrs"
grep -qi '^Retry-After: 1' <<<"$hdrs" || fail "no Retry-After: $hdrs"
resp=$(curl -sf -H 'Authorization: Bearer test-key' -H 'Content-Type: application/json' \
    -d "$body" "$URL/chat/completions")
content=$(jq -r '.choices[0].message.content' <<<"$resp")
[[ $(jq -r '.scenes[0].scene_id' <<<"$content") == 7 ]] || fail "scene id: $content"
[[ $(jq -r '.scenes[0].studio.name' <<<"$content") == "Acme Films" ]] || fail "studio: $content"
[[ $(jq -r '[.scenes[0].performers[].name] | join(",")' <<<"$content") == "Jane Doe" ]] || fail "performers: $content"
[[ $(jq -r '[.scenes[0].tags[].name] | join(",")' <<<"$content") == "Beach" ]] || fail "tags: $content"
[[ $(jq -r '.scenes[0].date.value' <<<"$content") == 2021-03-04 ]] || fail "date: $content"
[[ $(jq -r '.scenes[0].title.value' <<<"$content") == "2021 03 04 Jane Doe Beach" ]] || fail "title: $content"
[[ $(jq -r '.scenes[0] | has("details")' <<<"$content") == false ]] || fail "details not requested: $content"
(( $(jq -r '.usage.prompt_tokens' <<<"$resp") > 0 )) || fail "usage: $resp"

stats=$(curl -sf "$URL/__control/stats")
[[ $(jq -r '.chat_requests' <<<"$stats") == 2 ]] || fail "stats: $stats"
[[ $(jq -r '.unauthorized' <<<"$stats") == 1 ]] || fail "stats: $stats"
[[ $(jq -r '.faults' <<<"$stats") == 1 ]] || fail "stats: $stats"
[[ $(curl -sf "$URL/__control/last-request" | jq -r '.model') == fake-model ]] || fail "last-request"

kill -TERM "$PID"
wait "$PID" || fail "fake-llm did not exit cleanly"
PID=""
echo "PASS"
