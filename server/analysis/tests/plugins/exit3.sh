#!/bin/sh
# Test plugin: fails with a message on stderr and exit status 3.
cat >/dev/null
echo "exit3.sh: model file missing" >&2
exit 3
