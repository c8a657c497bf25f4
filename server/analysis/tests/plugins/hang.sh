#!/bin/sh
# Test plugin: reads its input, then never answers.
cat >/dev/null
exec sleep 600
