// Implements sluice/validator.h except check_prefix (prefix.cc): document
// parsing (simdjson, with nlohmann/json as the reference and as the fallback
// for numbers beyond 64 bits), duplicate-key detection, the two evaluator
// passes (fast yes/no, then error collection for invalid documents), and
// numbers compared exactly. Tested in tests/validator/.
#include <cmath>
#include <cstring>
#include <limits>
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

// Duplicate keys: small objects compare pairwise, larger ones use a set.
Status check_duplicates(simdjson::dom::element v, std::vector<std::string>* path) {
  if (v.type() == simdjson::dom::element_type::ARRAY) {
    size_t i = 0;
    for (simdjson::dom::element e : SimdAdapter::as<simdjson::dom::array>(v)) {
      if (e.type() == simdjson::dom::element_type::ARRAY || e.type() == simdjson::dom::element_type::OBJECT) {
        path->push_back(std::to_string(i));
        Status s = check_duplicates(e, path);
        if (!s.ok()) return s;
        path->pop_back();
      }
      ++i;
    }
    return {};
  }
  if (v.type() != simdjson::dom::element_type::OBJECT) return {};
  simdjson::dom::object obj = SimdAdapter::as<simdjson::dom::object>(v);
  size_t n = obj.size();
  std::string_view dup;
  bool found = false;
  if (n > 1 && n <= 32) {
    // Pairwise, but on cheap fingerprints (length and end bytes) first.
    std::string_view keys[32];
    uint32_t prints[32];
    size_t k = 0;
    for (simdjson::dom::key_value_pair kv : obj) {
      std::string_view key = kv.key;
      uint32_t print = key.empty() ? 0
                                   : (uint32_t(key.size()) << 16) ^ (uint32_t(uint8_t(key.front())) << 8) ^
                                         uint8_t(key.back());
      for (size_t j = 0; j < k && !found; ++j) {
        if (prints[j] == print && keys[j] == key) {
          found = true;
          dup = key;
        }
      }
      keys[k] = key;
      prints[k++] = print;
    }
  } else if (n > 32) {
    std::unordered_set<std::string_view> seen;
    for (simdjson::dom::key_value_pair kv : obj) {
      if (!seen.insert(kv.key).second && !found) {
        found = true;
        dup = kv.key;
      }
    }
  }
  if (found) {
    return document_error("duplicate key " + describe_json(Json(std::string(dup))), Location::kNoOffset,
                          pointer_join(*path));
  }
  for (simdjson::dom::key_value_pair kv : obj) {
    if (kv.value.type() == simdjson::dom::element_type::ARRAY ||
        kv.value.type() == simdjson::dom::element_type::OBJECT) {
      path->push_back(std::string(kv.key));
      Status s = check_duplicates(kv.value, path);
      if (!s.ok()) return s;
      path->pop_back();
    }
  }
  return {};
}

template <typename A>
Result<ValidationResult> run_evaluation(const CompiledSchema& schema, typename A::Value root,
                                        const ValidateOptions& options) {
  EvalContext fast;
  fast.schema = &schema;
  bool ok = Evaluator<A, false>(fast).node(*schema.root, root, nullptr);
  if (fast.overflow) return depth_budget_error(schema);
  ValidationResult result;
  if (ok) return result;
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
  simdjson::dom::element root;
  simdjson::error_code code = tp.parser.parse(reinterpret_cast<const uint8_t*>(tp.buffer.data()), document.size(), false)
                                  .get(root);
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
  if (o.reject_duplicate_keys) {
    std::vector<std::string> path;
    Status s = check_duplicates(root, &path);
    if (!s.ok()) return s.error();
  }
  return run_evaluation<SimdAdapter>(*impl_, root, options);
}

}  // namespace sluice
