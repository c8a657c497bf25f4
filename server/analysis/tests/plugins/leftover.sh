#!/bin/sh
# Test plugin: leaves a background child behind ($PIDFILE gets its pid).
sleep 600 >/dev/null 2>&1 </dev/null &
echo $! > "$PIDFILE"
cat >/dev/null
echo '{"scenes":[]}'
