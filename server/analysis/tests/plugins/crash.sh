#!/bin/sh
# Test plugin: reads a little, says something, dies of SIGSEGV.
head -c 100 >/dev/null
echo "crash.sh: about to crash" >&2
kill -SEGV $$
