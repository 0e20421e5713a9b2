#!/usr/bin/env bash
# Sets up the machine, builds sluice and runs the main job: the end-to-end
# demo. This is the README's first command.
#   1. a support-ticket triage schema from schemas/ is compiled for Llama-3.1;
#   2. generation under it, from target logits (a model that "wants" to write
#      a valid answer: the constraint leaves it untouched) and from seeded
#      random logits (a model that writes noise: the constraint still forces
#      a valid document);
#   3. each output is validated against the schema by the validator.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SLUICE_BUILD_DIR:-$root/build}"
"$root/tools/setup/setup.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j2 --target sluice_cli
sluice="$build/bin/sluice"
schema="$root/schemas/ticket_triage.schema.json"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "== the schema: $schema"
"$sluice" compile --schema "$schema" --tokenizer llama3.1

echo
echo "== generate from target logits (greedy, the default extraction preset)"
"$sluice" generate --tokenizer llama3.1 --schema "$schema" --whitespace compact \
  --logits 'target:{"category":"bug","priority":"high","confidence":0.92,"summary":"App crashes on login","needs_human":true}' \
  | tee "$out/target.json"

echo
echo "== generate from seeded random logits (chat preset, seed 7)"
"$sluice" generate --tokenizer llama3.1 --schema "$schema" --whitespace compact \
  --preset chat --seed 7 --logits random --max-tokens 400 | tee "$out/random.json"

echo
echo "== validate both outputs against the schema"
cat "$out/target.json" "$out/random.json" | "$sluice" validate --schema "$schema" --jsonl --json -
