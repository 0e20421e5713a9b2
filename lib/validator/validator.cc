// Implements sluice/validator.h except check_prefix (prefix.cc): document
// parsing (simdjson, with nlohmann/json as the reference and as the fallback
// for numbers beyond 64 bits), duplicate-key detection (on the simdjson path
// mostly folded into the yes/no pass), the two evaluator passes (fast yes/no
// with MemberPlans, then error collection in keyword order for invalid
// documents), and numbers compared exactly. Tested in
// tests/validator/ (fast_path_test.cc compares the fast paths with their
// references).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <unordered_set>

#include "common/json_pointer.h"
#include "sluice/validator.h"
#include "validator/document.h"
#include "validator/evaluate.h"

namespace sluice {

using validator::CompiledSchema;
using validator::Json;

std::optional<SchemaDraft> parse_schema_draft(std::string_view text) {
  std::string t(text);
  while (!t.empty() && (t.back() == '#' || t.back() == '/')) t.pop_back();
  if (t == "4" || t == "draft4" || t == "http://json-schema.org/draft-04/schema" ||
      t == "https://json-schema.org/draft-04/schema")
    return SchemaDraft::kDraft4;
  if (t == "6" || t == "draft6" || t == "http://json-schema.org/draft-06/schema" ||
      t == "https://json-schema.org/draft-06/schema")
    return SchemaDraft::kDraft6;
  if (t == "7" || t == "draft7" || t == "http://json-schema.org/draft-07/schema" ||
      t == "https://json-schema.org/draft-07/schema")
    return SchemaDraft::kDraft7;
  if (t == "2019-09" || t == "draft2019-09" || t == "https://json-schema.org/draft/2019-09/schema")
    return SchemaDraft::kDraft2019_09;
  if (t == "2020-12" || t == "draft2020-12" || t == "https://json-schema.org/draft/2020-12/schema")
    return SchemaDraft::kDraft2020_12;
  return std::nullopt;
}

const char* schema_draft_name(SchemaDraft draft) {
  switch (draft) {
    case SchemaDraft::kDraft4: return "draft4";
    case SchemaDraft::kDraft6: return "draft6";
    case SchemaDraft::kDraft7: return "draft7";
    case SchemaDraft::kDraft2019_09: return "draft2019-09";
    case SchemaDraft::kDraft2020_12: return "draft2020-12";
  }
  return "unknown";
}

const char* prefix_verdict_name(PrefixVerdict verdict) {
  switch (verdict) {
    case PrefixVerdict::kValid: return "valid";
    case PrefixVerdict::kIncomplete: return "incomplete";
    case PrefixVerdict::kInvalid: return "invalid";
  }
  return "unknown";
}

std::string ValidationResult::to_json() const {
  nlohmann::ordered_json out;
  out["valid"] = valid;
  out["errors"] = nlohmann::ordered_json::array();
  for (const ValidationError& e : errors) {
    nlohmann::ordered_json entry;
    entry["instanceLocation"] = e.instance_location;
    entry["keywordLocation"] = e.keyword_location;
    entry["absoluteKeywordLocation"] = e.absolute_keyword_location;
    entry["error"] = e.message;
    out["errors"].push_back(std::move(entry));
  }
  return out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

namespace validator {

bool Number::is_integral() const {
  if (kind != kDouble) return true;
  return std::isfinite(d) && std::floor(d) == d;
}

std::string Number::to_string() const {
  if (kind == kInt) return std::to_string(i);
  if (kind == kUint) return std::to_string(u);
  return Json(d).dump();
}

int compare_numbers(const Number& a, const Number& b) {
  auto sign = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (a.kind == Number::kDouble || b.kind == Number::kDouble) {
    // long double holds every int64 and uint64 exactly on x86-64, so mixed
    // comparisons do not round the integer.
    auto wide = [](const Number& n) -> long double {
      return n.kind == Number::kInt ? static_cast<long double>(n.i)
             : n.kind == Number::kUint ? static_cast<long double>(n.u)
                                       : static_cast<long double>(n.d);
    };
    return sign(wide(a), wide(b));
  }
  if (a.kind == Number::kInt && b.kind == Number::kInt) return sign(a.i, b.i);
  if (a.kind == Number::kUint && b.kind == Number::kUint) return sign(a.u, b.u);
  if (a.kind == Number::kInt) return a.i < 0 ? -1 : sign(static_cast<uint64_t>(a.i), b.u);
  return b.i < 0 ? 1 : sign(a.u, static_cast<uint64_t>(b.i));
}

bool is_multiple_of(const Number& value, const Number& divisor) {
  auto magnitude = [](const Number& n, uint64_t* out) {
    if (n.kind == Number::kInt) {
      *out = n.i < 0 ? uint64_t(0) - static_cast<uint64_t>(n.i) : static_cast<uint64_t>(n.i);
      return true;
    }
    if (n.kind == Number::kUint) {
      *out = n.u;
      return true;
    }
    return false;
  };
  uint64_t v, m;
  if (magnitude(value, &v) && magnitude(divisor, &m)) return m != 0 && v % m == 0;
  long double x = static_cast<long double>(value.as_double());
  long double y = static_cast<long double>(divisor.as_double());
  if (value.is_integral() && divisor.is_integral()) return std::fmod(x, y) == 0;
  // Decimal divisors such as 0.01 have no exact binary value. When the
  // divisor is 1/n, test value * n for an integer instead; otherwise take
  // the exact remainder and allow rounding distance on either side.
  long double inverse = 1.0L / y;
  long double n = std::round(inverse);
  if (y < 1 && n >= 1 && std::fabs(inverse - n) <= 1e-9L * n) {
    if (value.is_integral()) return true;
    long double p = x * n;
    return std::fabs(p - std::round(p)) <= 1e-9L * std::max<long double>(1, std::fabs(p));
  }
  long double r = std::fmod(std::fabs(x), y);
  return r <= 1e-9L * y || y - r <= 1e-9L * y;
}

std::string pointer_join(const std::vector<std::string>& tokens) {
  std::string out;
  for (const std::string& t : tokens) {
    out += '/';
    out += escape_json_pointer_token(t);
  }
  return out;
}

size_t utf8_length(std::string_view s) {
  // Code points = bytes - continuation bytes (10xxxxxx), counted eight
  // bytes at a time: bit 7 set and bit 6 clear.
  size_t continuation = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    continuation += static_cast<size_t>(__builtin_popcountll(w & ~(w << 1) & 0x8080808080808080ull));
  }
  for (; i < s.size(); ++i) continuation += (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
  return s.size() - continuation;
}

std::string describe_json(const Json& j) {
  std::string text = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 200) text = text.substr(0, 197) + "...";
  return text;
}

namespace {

Error document_error(std::string message, uint64_t offset = Location::kNoOffset, std::string pointer = {}) {
  Location loc;
  loc.offset = offset;
  loc.json_pointer = std::move(pointer);
  return make_error(ErrorCode::kParseError, "document: " + std::move(message), loc);
}

Error depth_budget_error(const CompiledSchema& s) {
  return make_error(ErrorCode::kBudgetExceeded, "validation exceeds max_eval_depth (" +
                                                    std::to_string(s.options.max_eval_depth) +
                                                    "): a $ref cycle that consumes no input, or a very deep document");
}

// Duplicate keys, in document order as the reference parser finds them:
// objects of up to 32 members compare each key's fingerprint (length and
// three bytes) with the earlier ones, larger ones use a set. Returns whether
// one was found, with the key and the object's location (`path`, innermost
// token first: it is only needed once one is found). Without a path it
// checks the object's own keys only.
bool find_duplicate(SimdAdapter::Value v, std::string* dup, std::vector<std::string>* path);

bool find_duplicate_in_members(SimdAdapter::Value v, std::string* dup, std::vector<std::string>* path) {
  bool found = false;
  const size_t n = v.scope_count();
  // Written before they are read; left uninitialised because this runs for
  // every object the evaluator did not check.
  uint64_t prints[32];
  const char* keys[32];
  uint64_t filter = 0;
  std::unique_ptr<std::unordered_set<std::string_view>> seen;
  if (n > 32) seen = std::make_unique<std::unordered_set<std::string_view>>();
  SimdAdapter::members(v, [&](size_t i, std::string_view key, SimdAdapter::Value value) {
    bool repeated = false;
    if (seen == nullptr) {
      const size_t len = key.size();
      const uint64_t print = len == 0 ? 0
                                      : uint64_t{len} << 32 | uint64_t{uint8_t(key[0])} << 16 |
                                            uint64_t{uint8_t(key[len / 2])} << 8 | uint8_t(key[len - 1]);
      // A 64-bit filter over the fingerprints skips the comparisons for
      // most keys.
      const uint64_t bit = uint64_t{1} << ((print * 0x9E3779B97F4A7C15ull) >> 58);
      if (filter & bit) {
        for (size_t j = 0; j < i && !repeated; ++j) {
          repeated = prints[j] == print && std::memcmp(keys[j], key.data(), len) == 0;
        }
      }
      filter |= bit;
      prints[i] = print;
      keys[i] = key.data();
    } else {
      repeated = !seen->insert(key).second;
    }
    if (repeated) {
      *dup = key;
      return !(found = true);
    }
    if (path == nullptr || !SimdAdapter::is_container(value) || !find_duplicate(value, dup, path)) return true;
    path->push_back(std::string(key));
    return !(found = true);
  });
  return found;
}

bool find_duplicate(SimdAdapter::Value v, std::string* dup, std::vector<std::string>* path) {
  if (SimdAdapter::kind(v) == Kind::kObject) return find_duplicate_in_members(v, dup, path);
  bool found = false;
  SimdAdapter::items(v, [&](size_t i, SimdAdapter::Value e) {
    if (!SimdAdapter::is_container(e) || !find_duplicate(e, dup, path)) return true;
    path->push_back(std::to_string(i));
    return !(found = true);
  });
  return found;
}

Status check_duplicates(SimdAdapter::Value root) {
  std::string dup;
  std::vector<std::string> path;
  if (!SimdAdapter::is_container(root) || !find_duplicate(root, &dup, &path)) return {};
  std::reverse(path.begin(), path.end());
  return document_error("duplicate key " + describe_json(Json(dup)), Location::kNoOffset, pointer_join(path));
}

// Whether an object the evaluator left unmarked (EvalContext::
// checked_objects) repeats a key. One walk over the tape, one word at a
// time: stepping over numbers' value words instead would make each step
// wait for the previous load. A value word that looks like an object's start
// is told apart by the closing word, which points back only at a real start.
bool unchecked_object_repeats_key(const simdjson::dom::document& doc, const std::vector<uint64_t>& checked) {
  const uint64_t* tape = doc.tape.get();
  const size_t end = static_cast<size_t>(tape[0] & simdjson::internal::JSON_VALUE_MASK);
  constexpr uint64_t kObject = static_cast<uint64_t>(SimdAdapter::Tape::START_OBJECT);
  constexpr uint64_t kObjectEnd = static_cast<uint64_t>(SimdAdapter::Tape::END_OBJECT);
  std::string dup;
  for (size_t i = 1; i < end; ++i) {
    const uint64_t word = tape[i];
    if ((word >> 56) != kObject || (checked[i / 64] >> (i % 64) & 1)) continue;
    const size_t after = static_cast<uint32_t>(word);
    if (after == 0 || after > end || (tape[after - 1] >> 56) != kObjectEnd ||
        static_cast<uint32_t>(tape[after - 1]) != i) {
      continue;
    }
    if (find_duplicate_in_members(SimdAdapter::Value(&doc, i), &dup, nullptr)) return true;
  }
  return false;
}

// The yes/no pass failed; the collecting pass says why. It runs the
// keywords in their order, so it also settles what the MemberPlans' order
// cannot (EvalContext::member_plans): whether max_eval_depth is met before a
// failure, which makes the answer a budget error.
template <typename A>
Result<ValidationResult> explain_failure(const CompiledSchema& schema, typename A::Value root,
                                         const ValidateOptions& options) {
  ValidationResult result;
  result.valid = false;
  EvalContext slow;
  slow.schema = &schema;
  slow.all_errors = options.all_errors;
  slow.errors = &result.errors;
  bool again = Evaluator<A, true>(slow).node(*schema.root, root, nullptr);
  if (slow.overflow) return depth_budget_error(schema);
  if (again || result.errors.empty()) {
    return make_error(ErrorCode::kInternal, "the validator's two passes disagree on this document");
  }
  return result;
}

template <typename A>
Result<ValidationResult> run_evaluation(const CompiledSchema& schema, typename A::Value root,
                                        const ValidateOptions& options) {
  EvalContext fast;
  fast.schema = &schema;
  if (Evaluator<A, false>(fast).node(*schema.root, root, nullptr) && !fast.overflow) return ValidationResult{};
  return explain_failure<A>(schema, root, options);
}

// The simdjson path checks duplicate keys alongside the yes/no pass; the
// full walk that names the first one in document order runs only when there
// may be one, or when the document is invalid anyway.
Result<ValidationResult> run_simd_evaluation(const CompiledSchema& schema, const simdjson::dom::parser& parser,
                                             const ValidateOptions& options) {
  const SimdAdapter::Value root = SimdAdapter::root(parser);
  if (!schema.options.reject_duplicate_keys) return run_evaluation<SimdAdapter>(schema, root, options);
  thread_local std::vector<uint64_t> checked;
  const size_t words = static_cast<size_t>(parser.doc.tape[0] & simdjson::internal::JSON_VALUE_MASK) + 1;
  checked.assign((words + 63) / 64, 0);
  EvalContext fast;
  fast.schema = &schema;
  fast.checked_objects = &checked;
  const bool ok = Evaluator<SimdAdapter, false>(fast).node(*schema.root, root, nullptr) && !fast.overflow;
  if (!ok || unchecked_object_repeats_key(parser.doc, checked)) {
    Status s = check_duplicates(root);
    if (!s.ok()) return s.error();
  }
  if (ok) return ValidationResult{};
  return explain_failure<SimdAdapter>(schema, root, options);
}

Result<ValidationResult> validate_with_nlohmann(const CompiledSchema& schema, std::string_view document,
                                                const ValidateOptions& options) {
  Result<Json> parsed = parse_document_reference(document, schema.options.max_document_depth,
                                                 schema.options.reject_duplicate_keys);
  if (!parsed.ok()) return parsed.error();
  try {
    return run_evaluation<JsonAdapter>(schema, &parsed.value(), options);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("validation failed: ") + e.what());
  }
}

struct ThreadParser {
  simdjson::dom::parser parser;
  std::vector<char> buffer;
};

}  // namespace
}  // namespace validator

Result<Validator> Validator::compile(std::string_view schema_json, const ValidatorOptions& options) {
  auto compiled = validator::compile_schema(schema_json, options);
  if (!compiled.ok()) return compiled.error();
  return Validator(std::move(compiled.value()));
}

SchemaDraft Validator::draft() const { return impl_->draft; }

// JSON text never contains a NUL byte (it is neither whitespace nor allowed
// raw in a string), but both parsers stop at one as if the input ended, so
// "22\0}" would pass as 22. It is rejected here, before either parser runs.
static Status reject_nul_byte(std::string_view document) {
  size_t nul = document.find('\0');
  if (nul == std::string_view::npos) return {};
  return make_error(ErrorCode::kParseError, "a NUL byte is not allowed in JSON text", Location::at_offset(nul));
}

Result<ValidationResult> Validator::validate_reference(std::string_view document,
                                                       const ValidateOptions& options) const {
  if (document.size() > impl_->options.max_document_bytes) {
    return make_error(ErrorCode::kBudgetExceeded, "document is larger than max_document_bytes");
  }
  if (Status nul = reject_nul_byte(document); !nul.ok()) return nul;
  return validator::validate_with_nlohmann(*impl_, document, options);
}

Result<ValidationResult> Validator::validate(std::string_view document, const ValidateOptions& options) const {
  using namespace validator;
  const ValidatorOptions& o = impl_->options;
  if (document.size() > o.max_document_bytes) {
    return make_error(ErrorCode::kBudgetExceeded, "document is larger than max_document_bytes");
  }
  if (Status nul = reject_nul_byte(document); !nul.ok()) return nul;
  // One parser per thread: simdjson parsers are not thread-safe, and reusing
  // one keeps its buffers warm across documents.
  thread_local ThreadParser tp;
  if (tp.parser.max_depth() != o.max_document_depth) {
    if (tp.parser.allocate(std::max<size_t>(document.size(), 4096), o.max_document_depth) != simdjson::SUCCESS) {
      return make_error(ErrorCode::kBudgetExceeded, "cannot allocate the document parser");
    }
  }
  if (tp.buffer.size() < document.size() + simdjson::SIMDJSON_PADDING) {
    tp.buffer.resize(document.size() + simdjson::SIMDJSON_PADDING);
  }
  std::memcpy(tp.buffer.data(), document.data(), document.size());
  std::memset(tp.buffer.data() + document.size(), 0, simdjson::SIMDJSON_PADDING);
  simdjson::error_code code =
      tp.parser.parse(reinterpret_cast<const uint8_t*>(tp.buffer.data()), document.size(), false).error();
  if (code == simdjson::NUMBER_ERROR) {
    // Numbers beyond 64-bit integers or double range: nlohmann/json keeps
    // them (as doubles), so the document is still validated.
    return validate_with_nlohmann(*impl_, document, options);
  }
  if (code != simdjson::SUCCESS) {
    // simdjson says what but not where; the reference parser finds the byte.
    Result<Json> again = parse_document_reference(document, o.max_document_depth, o.reject_duplicate_keys);
    if (!again.ok()) return again.error();
    return document_error(simdjson::error_message(code));
  }
  return run_simd_evaluation(*impl_, tp.parser, options);
}

}  // namespace sluice
