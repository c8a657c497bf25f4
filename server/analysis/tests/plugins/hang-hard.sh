#!/bin/sh
# Test plugin: ignores SIGTERM and keeps a child busy: needs SIGKILL of its group.
trap '' TERM
cat >/dev/null
while :; do sleep 1; done
