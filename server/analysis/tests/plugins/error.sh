#!/bin/sh
# Test plugin: reports its own error in the response.
cat >/dev/null
echo '{"error":"index not ready"}'
