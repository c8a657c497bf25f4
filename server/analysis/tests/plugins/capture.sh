#!/bin/sh
# Test plugin: saves the request (to $CAPTURE, set by the test's .conf) and
# the environment it got, then answers with nothing.
cat > "$CAPTURE"
env > "$CAPTURE.env"
pwd > "$CAPTURE.cwd"
echo '{"protocol":1,"scenes":[]}'
