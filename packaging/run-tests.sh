#!/usr/bin/env bash
# Build StashHog twice (normal and ASan+UBSan) and run every test in both.
# Used verbatim by CI (.ci/run).  Prints ctest's summary for each build.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
BUILD=${BUILD_DIR:-build}
ASAN_BUILD=${ASAN_BUILD_DIR:-build-asan}

echo "== normal build"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j "$JOBS"
echo "== tests (normal build)"
ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS" --timeout 600

echo "== sanitizer build (ASan + UBSan)"
cmake -S . -B "$ASAN_BUILD" -DCMAKE_BUILD_TYPE=Debug -DSTASHHOG_SANITIZE=ON >/dev/null
cmake --build "$ASAN_BUILD" -j "$JOBS"
echo "== tests (sanitizer build)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$ASAN_BUILD" --output-on-failure -j "$JOBS" --timeout 900 -LE nosanitize
