#!/usr/bin/env bash
# Builds tools/fuzz/validator_fuzz.cc with clang's libFuzzer and
# AddressSanitizer and runs it for a bounded time (the CTest test
# validator_fuzz). usage: run_validator_fuzz.sh CLANGXX BUILD_DIR SECONDS
set -euo pipefail
clangxx="$1"
build="$2"
seconds="$3"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$build/corpus"
sources=("$root"/lib/validator/*.cc "$root/lib/common/error.cc" "$root/tools/fuzz/validator_fuzz.cc")
# Rebuild only when a source is newer than the binary.
if [[ ! -x "$build/validator_fuzz" ]] || [[ -n "$(find "${sources[@]}" "$root/lib/validator" "$root/lib/include" \
      -newer "$build/validator_fuzz" -print -quit)" ]]; then
  "$clangxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root/lib/include" -I"$root/lib" "${sources[@]}" -lre2 -lsimdjson -lpthread -o "$build/validator_fuzz"
fi
# Seeds: schema line, then a document.
printf '%s\n%s' '{"type":"object","properties":{"a":{"type":"integer","maximum":3}},"required":["a"]}' '{"a":2}' \
  > "$build/corpus/seed1"
printf '%s\n%s' '{"items":{"anyOf":[{"type":"string","pattern":"^[a-z]+$"},{"$ref":"#"}]},"uniqueItems":true}' \
  '["ab",["c"],[]]' > "$build/corpus/seed2"
printf '%s\n%s' '{"$defs":{"n":{"$dynamicAnchor":"n","type":"number"}},"prefixItems":[{"$dynamicRef":"#n"}],"unevaluatedItems":false}' \
  '[1]' > "$build/corpus/seed3"
printf '%s\n%s' '{"format":"date-time","maxLength":30}' '"2024-01-01T00:00:00Z"' > "$build/corpus/seed4"
# The first crash it found: a NUL byte ended the document for both parsers.
printf '%s\n22\0}\n["ab"' '{"foo":15}' > "$build/corpus/regression_nul_byte"
# The second: a count such as maxLength 3e45 converted to an integer.
printf '%s\n%s' '{"format":"date-time","maxLength":3e45,"minItems":1e300}' '"x"' > "$build/corpus/regression_huge_count"
# A fixed seed and run count keep the test deterministic; the time limit
# only guards a slow machine.
exec "$build/validator_fuzz" -seed=1 -runs=60000 -max_total_time="$seconds" -max_len=4096 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 "$build/corpus"
