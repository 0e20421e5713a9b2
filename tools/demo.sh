#!/usr/bin/env bash
# Sets up the machine, builds sluice and runs the main job: the end-to-end
# demo. This is the README's first command.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SLUICE_BUILD_DIR:-$root/build}"
"$root/tools/setup/setup.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j2 --target sluice_cli
sluice="$build/bin/sluice"
echo "== tokenize a JSON snippet with Llama-3"
"$sluice" tokenize --tokenizer llama3 --text '{"name": "Ada", "born": 1815}'
