#!/bin/sh
# Test plugin: checks the request's shape, then answers with a mix of
# valid and invalid proposals for scenes 101 and 102 (see plugin-test.c).
req=$(cat)
case "$req" in
*'"protocol":1'*'"id":101'*) ;;
*) echo "answer.sh: unexpected request" >&2; exit 4 ;;
esac
echo "answer.sh: got $(printf '%s' "$req" | wc -c) bytes" >&2
cat <<'JSON'
{"protocol":1,"scenes":[
 {"id":101,"proposals":[
  {"field":"studio","items":[{"id":6,"confidence":0.9,"reason":"vixen in path"}]},
  {"field":"performers","items":[{"id":3,"confidence":0.8},{"name":"Brand New Person","confidence":0.7,"reason":"new"},{"name":"zoe lane","confidence":0.65}]},
  {"field":"title","value":"  Plugin Title  ","confidence":1.7,"reason":"from the plugin"},
  {"field":"date","value":"2023-02-30","confidence":0.5},
  {"field":"code","value":"ABC-123","confidence":0.6}
 ]},
 {"id":102,"proposals":[
  {"field":"tags","items":[{"name":"4K","confidence":0.5}]},
  {"field":"date","value":"2021-05-04","confidence":0.6},
  {"field":"title","value":"low","confidence":0.01}
 ]},
 {"id":999,"proposals":[{"field":"title","value":"not in batch","confidence":1}]}
]}
JSON
