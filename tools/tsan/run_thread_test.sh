#!/usr/bin/env bash
# Builds test_matcher under ThreadSanitizer in a build folder of its own and
# runs its thread tests: many matchers on one CompiledGrammar, sharing its
# mask cache, its computation context and the process-wide class cache (the
# CTest test matcher_tsan). usage: run_thread_test.sh BUILD_DIR
set -euo pipefail
build="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_SANITIZE=thread \
  -DSLUICE_BUILD_TOOLS=OFF >/dev/null
cmake --build "$build" -j2 --target test_matcher
# halt_on_error: a race fails the test instead of only printing a report.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" exec "$build/bin/test_matcher" "[threads]"
