// `sluice validate`: validates documents (one, or JSONL) against a JSON
// Schema with sluice's validator (sluice/validator.h).
// Exit: 0 all valid, 1 any invalid (a malformed document counts as invalid),
// 2 usage or schema error, 3 (--prefix only) some incomplete, none invalid.
// Tested in tests/validator/cli_test.cc.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "args.h"
#include "command.h"
#include "sluice/validator.h"

namespace sluice::cli {
namespace {

bool read_all(const std::string& path, std::string* out) {
  if (path == "-") {
    std::stringstream buffer;
    buffer << std::cin.rdbuf();
    *out = buffer.str();
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return true;
}

std::string errors_json(const std::vector<ValidationError>& errors) {
  ValidationResult r;
  r.valid = false;
  r.errors = errors;
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(r.to_json());
  return j["errors"].dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void print_human(const std::string& label, const char* verdict, const std::vector<ValidationError>& errors) {
  std::printf("%s%s\n", label.c_str(), verdict);
  for (const ValidationError& e : errors) {
    std::printf("  at '%s' (%s): %s\n", e.instance_location.c_str(),
                e.keyword_location.empty() ? "document" : e.keyword_location.c_str(), e.message.c_str());
  }
}

int run_validate(const std::vector<std::string>& argv) {
  Args args("validate", "--schema FILE [FILE|-] [options]");
  args.option("schema", "the JSON Schema file (required)")
      .flag("jsonl", "the input holds one document per line")
      .flag("json", "print one {\"valid\": bool, \"errors\": [...]} object per document")
      .flag("all-errors", "report every error, not only the first")
      .option("remote", "URI=DIR: resolve remote $ref under URI from files in DIR (repeatable)")
      .option("draft", "force a draft: 4, 6, 7, 2019-09, 2020-12 (default: $schema, else 2020-12)")
      .flag("prefix", "judge each document as a prefix: valid, incomplete (exit 3) or invalid")
      .flag("no-format-assertion", "treat `format` as an annotation (sluice asserts it by default)");
  if (!args.parse(argv)) return args.parse_failure_exit_code();
  std::optional<std::string> schema_path = args.get("schema");
  if (!schema_path) return args.usage_error("--schema FILE is required");
  if (args.positionals().size() > 1) return args.usage_error("expected at most one input file");
  const std::string input = args.positionals().empty() ? "-" : args.positionals()[0];

  ValidatorOptions options;
  options.assert_formats = !args.has("no-format-assertion");
  if (std::optional<std::string> d = args.get("draft")) {
    options.draft = parse_schema_draft(*d);
    if (!options.draft) return args.usage_error("unknown draft '" + *d + "'");
  }
  for (const std::string& mapping : args.all("remote")) {
    size_t eq = mapping.find('=');
    if (eq == std::string::npos || eq == 0) return args.usage_error("--remote expects URI=DIR, got '" + mapping + "'");
    options.remote_dirs.emplace_back(mapping.substr(0, eq), mapping.substr(eq + 1));
  }

  std::string schema_text;
  if (!read_all(*schema_path, &schema_text)) {
    std::fprintf(stderr, "sluice validate: cannot read schema '%s'\n", schema_path->c_str());
    return kExitUsage;
  }
  Result<Validator> validator = Validator::compile(schema_text, options);
  if (!validator.ok()) {
    std::fprintf(stderr, "sluice validate: schema error: %s\n", validator.error().to_string().c_str());
    return kExitUsage;
  }
  std::string text;
  if (!read_all(input, &text)) {
    std::fprintf(stderr, "sluice validate: cannot read '%s'\n", input.c_str());
    return kExitUsage;
  }

  std::vector<std::pair<size_t, std::string_view>> documents;  // (line, text)
  if (args.has("jsonl")) {
    size_t line = 1;
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string_view doc(text.data() + start, end - start);
      if (!doc.empty() && doc.back() == '\r') doc.remove_suffix(1);
      if (doc.find_first_not_of(" \t") != std::string_view::npos) documents.emplace_back(line, doc);
      start = end + 1;
      ++line;
    }
  } else {
    std::string_view doc(text);
    // A file's final newline is not part of a prefix being judged.
    if (args.has("prefix") && !doc.empty() && doc.back() == '\n') doc.remove_suffix(1);
    if (args.has("prefix") && !doc.empty() && doc.back() == '\r') doc.remove_suffix(1);
    documents.emplace_back(1, doc);
  }

  const bool json = args.has("json");
  const bool jsonl = args.has("jsonl");
  ValidateOptions vopts;
  vopts.all_errors = args.has("all-errors");
  bool any_invalid = false;
  bool any_incomplete = false;
  for (const auto& [line, doc] : documents) {
    const std::string label = jsonl ? "line " + std::to_string(line) + ": " : "";
    if (args.has("prefix")) {
      PrefixResult p = validator->check_prefix(doc);
      any_invalid |= p.verdict == PrefixVerdict::kInvalid;
      any_incomplete |= p.verdict == PrefixVerdict::kIncomplete;
      if (json) {
        std::printf("{\"valid\":%s,\"state\":\"%s\",\"errors\":%s}\n",
                    p.verdict == PrefixVerdict::kValid ? "true" : "false", prefix_verdict_name(p.verdict),
                    errors_json(p.errors).c_str());
      } else {
        print_human(label, prefix_verdict_name(p.verdict), p.errors);
      }
      continue;
    }
    Result<ValidationResult> r = validator->validate(doc, vopts);
    ValidationResult result;
    if (r.ok()) {
      result = std::move(r.value());
    } else {
      // A document that is not JSON (or breaks a budget) is invalid output.
      result.valid = false;
      ValidationError e;
      e.instance_location = r.error().location.json_pointer;
      e.message = r.error().to_string();
      result.errors.push_back(std::move(e));
    }
    any_invalid |= !result.valid;
    if (json) {
      std::printf("%s\n", result.to_json().c_str());
    } else {
      print_human(label, result.valid ? "valid" : "invalid", result.errors);
    }
  }
  if (any_invalid) return kExitNegative;
  if (any_incomplete) return kExitIncomplete;
  return kExitOk;
}

}  // namespace

SLUICE_COMMAND("validate", "validate JSON or JSONL documents against a JSON Schema", run_validate);

}  // namespace sluice::cli
