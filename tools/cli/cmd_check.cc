// `sluice check`: byte-level acceptance of a text by a constraint, with no
// tokenizer. Prints `accept` (exit 0), `incomplete` (a valid prefix, exit 3)
// or `reject at byte N` (exit 1, N the first byte no output can continue
// with). A constraint that does not compile exits 2 with a located error.
//
// The bytes are judged by check_bytes below, today the reference recogniser
// (lib/ir/reference_recognizer.h); a faster byte-level engine replaces it
// there without touching the rest of the command.
// The verdicts are tested through the recogniser in tests/grammars/ and
// tests/ir/.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "args.h"
#include "command.h"
#include "constraint_source.h"
#include "ir/reference_recognizer.h"

namespace sluice::cli {
namespace {

Result<ir::Classification> check_bytes(const Grammar& grammar, std::string_view bytes) {
  auto recognizer = ir::ReferenceRecognizer::create(grammar);
  if (!recognizer.ok()) return recognizer.error();
  return recognizer->classify(bytes);
}

bool read_file(const std::string& path, std::string* out) {
  std::stringstream buffer;
  if (path == "-") {
    buffer << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    buffer << in.rdbuf();
  }
  *out = buffer.str();
  return true;
}

int run_check(const std::vector<std::string>& argv) {
  Args args("check",
            "(--grammar FILE | --regex PATTERN | --choices A,B,... | --schema FILE) "
            "(--text STRING | --file FILE)");
  declare_constraint_flags(args);
  args.option("text", "the bytes to check").option("file", "read the bytes to check from FILE (- for stdin)");
  if (!args.parse(argv)) return args.parse_failure_exit_code();
  if (!args.positionals().empty()) return args.usage_error("unexpected argument '" + args.positionals()[0] + "'");
  if (args.has("text") == args.has("file")) return args.usage_error("give exactly one of --text and --file");

  std::optional<Grammar> grammar = load_constraint(args);
  if (!grammar) return kExitUsage;

  std::string text;
  if (args.has("text")) {
    text = *args.get("text");
  } else if (!read_file(*args.get("file"), &text)) {
    std::fprintf(stderr, "%s: cannot read the file\n", args.get("file")->c_str());
    return kExitUsage;
  }

  auto verdict = check_bytes(*grammar, text);
  if (!verdict.ok()) {
    std::fprintf(stderr, "sluice check: %s\n", verdict.error().to_string().c_str());
    return kExitUsage;
  }
  switch (verdict->verdict) {
    case ir::Verdict::kAccept: std::printf("accept\n"); return kExitOk;
    case ir::Verdict::kIncomplete: std::printf("incomplete\n"); return kExitIncomplete;
    case ir::Verdict::kReject: std::printf("reject at byte %zu\n", verdict->reject_offset); return kExitNegative;
  }
  return kExitUsage;
}

}  // namespace

SLUICE_COMMAND("check", "byte-level acceptance of a text by a constraint (no tokenizer)", run_check);

}  // namespace sluice::cli
