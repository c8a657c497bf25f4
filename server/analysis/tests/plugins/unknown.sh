#!/bin/sh
# Test plugin: proposes entities that are unknown or ignore_auto_tag
# (all dropped) next to one valid performer.
cat >/dev/null
cat <<'JSON'
{"scenes":[{"id":101,"proposals":[
 {"field":"studio","items":[{"id":424242,"confidence":0.9}]},
 {"field":"performers","items":[{"id":99999,"confidence":0.9},{"id":11,"confidence":0.9},{"id":10,"confidence":0.8,"reason":"ivy"},{"id":"7","confidence":0.9}]}
]}]}
JSON
