#!/bin/sh
# Test plugin: answers without reading its (large) input, then lingers a
# moment so the daemon's writes hit a closed socket.
echo '{"scenes":[]}'
exec 0<&-
sleep 0.2
