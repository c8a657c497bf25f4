#!/bin/sh
# Test plugin: floods stdout (far beyond the configured max_output_kb).
cat >/dev/null
printf '{"scenes":['
yes '{"id":101,"proposals":[]},' | head -c 50000000
printf ']}'
