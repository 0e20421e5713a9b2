// sluice/validator.h: a JSON Schema validator for model output.
//
// Contract:
// - Validator::compile() turns a schema (JSON text) into an immutable
//   validator once; validate() may then be called from any number of threads
//   at the same time. Documents are parsed with simdjson.
// - Drafts 2020-12 (default), 2019-09, 7, 6 and 4, chosen by `$schema` or
//   forced by ValidatorOptions::draft.
// - Every assertion keyword is enforced. A schema that sluice cannot enforce
//   exactly (a `pattern` RE2 cannot run, an unresolvable `$ref`) is a compile
//   error naming the JSON pointer, never a silently dropped constraint.
// - `format` is an assertion by default (the spec makes it an annotation;
//   set assert_formats = false for that): date-time, date, time, duration,
//   email, hostname, ipv4, ipv6, uuid, uri, uri-reference. Other formats are
//   annotations only.
// - Errors follow the JSON Schema "basic" output format.
// - A document that is not JSON (malformed, trailing garbage, invalid UTF-8,
//   nesting past max_document_depth, duplicate keys) is an Error value with
//   kParseError and its byte offset or JSON pointer; it is never a crash.
// - check_prefix() judges a partial document: complete and valid,
//   incomplete (it can still become valid as far as sluice can tell), or
//   invalid (no continuation can be valid). See PrefixVerdict.
//
// Tested in tests/validator/ (keyword tables, the official
// JSON-Schema-Test-Suite with a ratchet of known failures, bad input, prefix
// mode) and fuzzed by tools/fuzz/validator_fuzz.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/error.h"

namespace sluice {

enum class SchemaDraft : uint8_t { kDraft4, kDraft6, kDraft7, kDraft2019_09, kDraft2020_12 };

// Accepts "4", "draft4", "6", "7", "2019-09", "draft2019-09", "2020-12",
// "draft2020-12" and the drafts' `$schema` URIs.
std::optional<SchemaDraft> parse_schema_draft(std::string_view text);
const char* schema_draft_name(SchemaDraft draft);

struct ValidatorOptions {
  // Forces a draft; when unset the root's `$schema` decides, and 2020-12 is
  // the default for a schema without one.
  std::optional<SchemaDraft> draft;
  // Asserts the formats listed above (sluice's default; the spec's is off).
  bool assert_formats = true;
  // Remote `$ref`: a URI that starts with `first` is read from the file at
  // `second` + the rest of the URI. Nothing is fetched from the network; the
  // drafts' own metaschemas are built in.
  std::vector<std::pair<std::string, std::string>> remote_dirs;
  // A document whose objects repeat a key is reported as a parse error.
  bool reject_duplicate_keys = true;
  // Budgets. Exceeding one is an Error value with kBudgetExceeded.
  uint32_t max_document_depth = 512;    // nesting of arrays/objects in a document
  uint32_t max_schema_depth = 1000;     // nesting of subschemas while compiling
  // Schema applications on one path: stops $ref cycles that consume no
  // input. Each costs about 0.6 KB of C stack in a release build, so the
  // default stays well inside a 1 MB thread stack; a recursive schema needs
  // about two per level of document nesting.
  uint32_t max_eval_depth = 1200;
  uint32_t max_schema_nodes = 1000000;  // compiled subschemas in total
  int64_t max_regex_memory = 8 << 20;   // RE2 memory per pattern, in bytes
  uint64_t max_document_bytes = uint64_t{1} << 32;
};

// One error in the JSON Schema "basic" output format.
struct ValidationError {
  std::string instance_location;           // JSON pointer into the document
  std::string keyword_location;            // path through the schema, following $refs
  std::string absolute_keyword_location;   // absolute URI of the failing keyword
  std::string message;
};

struct ValidationResult {
  bool valid = true;
  std::vector<ValidationError> errors;
  // {"valid": bool, "errors": [{"instanceLocation": ..., ...}]}
  std::string to_json() const;
};

struct ValidateOptions {
  bool all_errors = false;  // false: stop at the first error
};

// What check_prefix() concluded about a partial document.
enum class PrefixVerdict : uint8_t {
  kValid,       // the text is a complete document and it is valid
  kIncomplete,  // not complete, and no violation is certain yet
  kInvalid,     // no continuation of this text can be valid
};

struct PrefixResult {
  PrefixVerdict verdict = PrefixVerdict::kIncomplete;
  // Why it is invalid: a syntax error (instanceLocation empty, message with
  // the byte offset) or the schema errors the prefix already shows.
  std::vector<ValidationError> errors;
};

const char* prefix_verdict_name(PrefixVerdict verdict);

namespace validator {
struct CompiledSchema;
}

class Validator {
 public:
  static Result<Validator> compile(std::string_view schema_json, const ValidatorOptions& options = {});

  // Validates one document. Malformed documents and exceeded budgets are
  // errors; schema violations are a result with valid == false.
  Result<ValidationResult> validate(std::string_view document, const ValidateOptions& options = {}) const;

  // Same validation, with the document parsed by nlohmann/json instead of
  // simdjson: the slow reference the tests and the benchmark compare against.
  Result<ValidationResult> validate_reference(std::string_view document,
                                              const ValidateOptions& options = {}) const;

  // Judges a prefix of a document (output cut off by max_tokens, or a stream
  // in flight). Sound: kInvalid only when no continuation can be valid.
  // Today it checks JSON syntax incrementally and the constraints that a
  // prefix already settles (see lib/validator/prefix.cc); a grammar matcher
  // can later answer for schemas it compiles, behind the same call.
  PrefixResult check_prefix(std::string_view prefix) const;

  SchemaDraft draft() const;

 private:
  explicit Validator(std::shared_ptr<const validator::CompiledSchema> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const validator::CompiledSchema> impl_;
};

}  // namespace sluice
