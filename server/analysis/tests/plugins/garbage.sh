#!/bin/sh
# Test plugin: prints something that is not JSON.
cat >/dev/null
echo 'Traceback (most recent call last): oops {'
