#!/usr/bin/env bash
# End-to-end checks of the `sluice` command: every subcommand's --help, the
# documented exit codes, and the README's examples. Usage: cli_test.sh SLUICE ROOT
set -uo pipefail
sluice="$1"
root="$2"
passed=0
failed=0

# expect CODE DESCRIPTION -- COMMAND...: runs the command, checks its exit code.
expect() {
  local want="$1" what="$2"
  shift 3
  local output
  output="$("$@" 2>&1)"
  local got=$?
  if [[ $got == "$want" ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $what: exit $got, expected $want"
    echo "$output" | head -20
  fi
  last_output="$output"
}

# expect_output DESCRIPTION NEEDLE: the last command's output contains NEEDLE.
expect_output() {
  if [[ "$last_output" == *"$2"* ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $1: output lacks '$2':"
    echo "$last_output" | head -20
  fi
}

expect 0 "top-level help" -- "$sluice" --help
expect 2 "no command" -- "$sluice"
expect 2 "unknown command" -- "$sluice" frobnicate
for command in check compile detokenize generate mask maskbench sample tokenize validate; do
  expect 0 "$command --help" -- "$sluice" "$command" --help
  expect 2 "$command with an unknown option" -- "$sluice" "$command" --no-such-option
done

json="$root/grammars/json.gbnf"
expect 0 "check accepts" -- "$sluice" check --grammar "$json" --text '{"a": [1, 2e5]}'
expect_output "check accepts" "accept"
expect 3 "check incomplete" -- "$sluice" check --grammar "$json" --text '{"a": [1,'
expect_output "check incomplete" "incomplete"
expect 1 "check rejects" -- "$sluice" check --grammar "$json" --text '{"a": 01}'
expect_output "check rejects" "reject at byte 7"
printf 'root ::= valu\n' > "${TMPDIR:-/tmp}/sluice_cli_bad.gbnf"
expect 2 "undefined rule" -- "$sluice" check --grammar "${TMPDIR:-/tmp}/sluice_cli_bad.gbnf" --text x
expect_output "undefined rule" "1:"
expect 0 "regex accepts" -- "$sluice" check --regex '[a-z]+@[a-z]+\.com' --text 'ada@example.com'
expect 1 "regex rejects" -- "$sluice" check --regex '[a-z]+@[a-z]+\.com' --text 'ada@@example.com'
expect 2 "regex lookahead is an error" -- "$sluice" check --regex 'a(?=b)' --text ab
expect_output "regex lookahead is an error" "lookahead"
expect 3 "choices prefix" -- "$sluice" check --choices yes,no --text n
expect 0 "schema accepts" -- "$sluice" check --schema "$root/schemas/ticket_triage.schema.json" \
  --text '{"category":"bug","priority":"high","confidence":0.92}'
expect 1 "schema rejects" -- "$sluice" check --schema "$root/schemas/ticket_triage.schema.json" \
  --text '{"category":"bug","priority":"high","confidence":1.5}'
expect 0 "small object, keys in another order" -- "$sluice" check --schema "$root/schemas/ticket_triage.schema.json" \
  --text '{"priority":"high","category":"bug","confidence":0.9}'
expect 1 "exact schema order" -- "$sluice" check --property-order exact \
  --schema "$root/schemas/ticket_triage.schema.json" --text '{"priority":"high","category":"bug","confidence":0.9}'

expect 2 "compile bad regex" -- "$sluice" compile --regex 'a{5,2}'
expect 0 "compile grammar" -- "$sluice" compile --grammar "$json" --print-ir

if [[ -f "${SLUICE_CACHE:-$HOME/.cache/sluice}/tokenizers/llama3/tokenizer.json" ]]; then
  expect 0 "tokenize" -- "$sluice" tokenize --tokenizer llama3 --text '{"name": "Ada"}' --json
  expect_output "tokenize" "["
  expect 0 "detokenize" -- "$sluice" detokenize --tokenizer llama3 5018 609 794 330 96447 9388
  expect 2 "missing tokenizer" -- "$sluice" tokenize --tokenizer /no/such/tokenizer.json --text x
  expect 0 "mask" -- "$sluice" mask --tokenizer llama3 --grammar "$json" --prefix '{"a' --show 3
  expect_output "mask" "allowed"
  expect 0 "generate choices" -- "$sluice" generate --tokenizer llama3 --choices positive,negative,neutral \
    --preset chat --seed 3
  expect 0 "generate from a schema, validated" -- "$sluice" generate --tokenizer llama3 \
    --schema "$root/schemas/sentiment.schema.json" --whitespace compact --preset creative --seed 11 --json
  expect_output "generate from a schema, validated" '"valid":true'
  expect 1 "generate hits max tokens" -- "$sluice" generate --tokenizer llama3 --regex '[a-z]{50}' \
    --logits random --temperature 1 --max-tokens 3 --json
  expect_output "generate hits max tokens" '"finish_reason":"length"'
  expect 0 "generate with reasoning" -- "$sluice" generate --tokenizer llama3.1 \
    --schema "$root/schemas/ticket_triage.schema.json" --reasoning-end '</think>' \
    --logits 'target:a short thought</think>{"category":"bug","priority":"low","confidence":0.5}'
  expect_output "generate with reasoning" '{"category":"bug","priority":"low","confidence":0.5}'
  expect 0 "compile schema json" -- "$sluice" compile --schema "$root/schemas/invoice.schema.json" \
    --tokenizer llama3.1 --json
else
  echo "SKIP: tokenizer cache missing; run tools/setup/setup.sh (tokenizer checks not run)"
fi

expect 0 "sample fixture" -- "$sluice" sample --logits "$root/tools/fixtures/capital_of_france.json" \
  --preset creative --seed 1 -n 100
expect_output "sample fixture" "Paris"
expect 0 "sample json" -- "$sluice" sample --logits "$root/tools/fixtures/capital_of_france.json" --json
expect_output "sample json" '"stages"'

expect 0 "validate from stdin" -- bash -c "echo '{\"label\": \"positive\", \"score\": 0.8}' | \
  '$sluice' validate --schema '$root/schemas/sentiment.schema.json' --json -"
expect_output "validate from stdin" '"valid":true'

valid_doc="${TMPDIR:-/tmp}/sluice_cli_doc.json"
echo '{"label":"positive","confidence":0.9}' > "$valid_doc"
expect 2 "validate with a missing schema" -- "$sluice" validate --schema /no/such/schema.json "$valid_doc"
echo '{"type":"object","required":["a"]}' > "${TMPDIR:-/tmp}/sluice_cli_schema.json"
expect 1 "validate invalid" -- "$sluice" validate --schema "${TMPDIR:-/tmp}/sluice_cli_schema.json" "$valid_doc"
echo '{"a":1}' > "$valid_doc"
expect 0 "validate valid" -- "$sluice" validate --schema "${TMPDIR:-/tmp}/sluice_cli_schema.json" "$valid_doc"

echo "cli: $passed passed, $failed failed"
[[ $failed == 0 ]]
