// JSON Schema to grammar IR: the implementation of compile_json_schema (see
// sluice/json_schema.h).
//
// Pipeline: parse (nlohmann, ordered so that property order survives) ->
// SchemaIndex (pointers, $id/$anchor) -> for each value position, flatten
// the conjunction of schemas that applies there (flat_schema.h), distribute
// anyOf/oneOf, and emit the grammar per JSON type. Each distinct conjunction
// becomes one rule, which is also how recursive $refs terminate: a
// conjunction met again while it is being compiled is a reference to its
// rule (always behind a `[` or `{`, so never left-recursive).
//
// Tested in tests/json_schema/.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <functional>
#include <map>
#include <tuple>
#include <numeric>
#include <set>
#include <unordered_map>

#include <re2/re2.h>

#include "common/utf8_decode.h"
#include "frontend/utf8_text.h"
#include "ir/complement.h"
#include "ir/length_bound.h"
#include "frontend/json_schema/flat_schema.h"
#include "frontend/json_schema/format_grammars.h"
#include "frontend/json_schema/json_text.h"
#include "frontend/json_schema/numbers.h"
#include "frontend/json_schema/schema_index.h"
#include "sluice/frontend.h"
#include "sluice/json_schema.h"
#include "validator/ecma_regex.h"
#include "validator/formats.h"

namespace sluice {

namespace json_schema {
namespace {

// Three-valued answer of the value checker used for enum filtering.
enum class Tri : uint8_t { kNo, kYes, kUnknown };

bool json_equal(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) {
    std::optional<Decimal> da = Decimal::parse(a.dump()), db = Decimal::parse(b.dump());
    return da && db && compare(*da, *db) == 0;
  }
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !json_equal(it.value(), *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!json_equal(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

uint8_t type_bits(const std::string& name) {
  if (name == "null") return kNull;
  if (name == "boolean") return kBoolean;
  if (name == "integer") return kInteger;
  if (name == "number") return kInteger | kFraction;
  if (name == "string") return kString;
  if (name == "array") return kArray;
  if (name == "object") return kObject;
  return 0;
}

uint8_t value_type(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return kNull;
    case Json::value_t::boolean: return kBoolean;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return kInteger;
    case Json::value_t::number_float: {
      double d = v.get<double>();
      return d == static_cast<double>(static_cast<long long>(d)) || std::abs(d) > 9e15 ? kInteger : kFraction;
    }
    case Json::value_t::string: return kString;
    case Json::value_t::array: return kArray;
    case Json::value_t::object: return kObject;
    default: return 0;
  }
}

// Formats the JSON Schema specification defines that sluice has no grammar
// for: validators assert them, so ignoring them would drop a constraint.
// Formats outside the specification (int32, color, ...) are annotations.
bool is_unenforced_standard_format(const std::string& name) {
  static const std::set<std::string> names = {"iri", "iri-reference", "idn-email", "idn-hostname", "uri-template",
                                              "regex", "relative-json-pointer"};
  return names.count(name) > 0;
}

uint64_t utf8_length(const std::string& s) {
  uint64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool is_trivially_true(const Json* s) {
  return (s->is_boolean() && s->get<bool>()) || (s->is_object() && s->empty());
}

bool is_false(const Json* s) { return s->is_boolean() && !s->get<bool>(); }

// Members an object may write at any point (see compile_object): each one
// doubles the states of the object's key machine.
constexpr size_t kMaxFloatingMembers = 3;

struct Member {
  std::string name;
  bool required;
  ExprId value;  // the whole `"name": value` member
};

class Compiler {
 public:
  Compiler(const Json& root, JsonSchemaDraft draft, const JsonSchemaOptions& options)
      : root_(root), draft_(draft), options_(options), index_(root, draft),
        deadline_(std::chrono::steady_clock::now() + std::chrono::milliseconds(options.max_compile_ms)) {
    // Pre-order, with an explicit stack so that deep documents cannot
    // overflow the C stack.
    std::vector<const Json*> todo{&root_};
    while (!todo.empty()) {
      const Json* node = todo.back();
      todo.pop_back();
      ordinal(node);
      if (node->is_object() || node->is_array()) {
        for (auto it = node->rbegin(); it != node->rend(); ++it) todo.push_back(&*it);
      }
    }
  }

  Result<CompiledJsonSchema> run() {
    Result<ExprId> body = compile_set({&root_}, 0, 0);
    if (!body.ok()) return body.error();
    if (grammar_.expr(*body).kind == ExprKind::kNothing) {
      return make_error(ErrorCode::kUnsatisfiable,
                        "the schema admits no JSON value" + (unsat_reason_.empty() ? "" : ": " + unsat_reason_),
                        Location::at_pointer(unsat_pointer_));
    }
    RuleId root = grammar_.declare_rule("root");
    grammar_.set_body(root, *body);
    grammar_.set_root(root);
    if (Status st = grammar_.validate(); !st.ok()) return st.error();
    return CompiledJsonSchema{std::move(grammar_), std::move(warnings_)};
  }

 private:
  // ---------------------------------------------------------------- errors
  Error error_at(ErrorCode code, const Json* node, std::string message) const {
    return make_error(code, std::move(message), Location::at_pointer(ptr(node)));
  }
  // Synthesized schemas (a `not` pushed inside an anyOf, say) report the
  // place in the user's schema they stand for.
  std::string ptr(const Json* node) const {
    auto it = origins_.find(node);
    return index_.pointer(it == origins_.end() ? node : it->second);
  }
  // Stores a synthesized {"not": part} whose errors point at `origin`.
  const Json* negation(const Json& part, const Json* origin) {
    extra_values_.push_back(Json::object({{"not", part}}));
    origins_[&extra_values_.back()] = origin;
    origins_[&extra_values_.back()["not"]] = origin;
    return &extra_values_.back();
  }

  // An unenforceable keyword: an error, or with `lenient` a warning (the
  // caller then proceeds without the keyword).
  Status unsupported(const std::string& keyword, const Json* node, const std::string& why) {
    std::string message = "unsupported: " + keyword + (why.empty() ? "" : " (" + why + ")");
    if (options_.lenient) {
      warnings_.push_back({keyword, ptr(node), message});
      return {};
    }
    Error e = error_at(ErrorCode::kUnsupported, node, message);
    e.excerpt = keyword;
    return e;
  }

  Status check_budget() const {
    if (std::chrono::steady_clock::now() > deadline_) {
      return make_error(ErrorCode::kBudgetExceeded,
                        "compile time exceeded max_compile_ms (" + std::to_string(options_.max_compile_ms) + ")");
    }
    if (grammar_.expr_count() > options_.max_grammar_exprs) {
      return make_error(ErrorCode::kBudgetExceeded,
                        "grammar exceeds max_grammar_exprs (" + std::to_string(options_.max_grammar_exprs) + ")");
    }
    return {};
  }

  void note_unsat(const Json* node, const std::string& why) {
    if (unsat_reason_.empty()) {
      unsat_reason_ = why;
      unsat_pointer_ = ptr(node);
    }
  }

  // ------------------------------------------------------------- flatten
  Status bad_type(const Json* node, const std::string& keyword, const std::string& expected) {
    return error_at(ErrorCode::kParseError, node, "keyword '" + keyword + "' must be " + expected);
  }

  Result<Decimal> number_of(const Json* schema, const std::string& keyword) {
    const Json& v = (*schema)[keyword];
    if (!v.is_number()) return bad_type(&v, keyword, "a number").error();
    std::optional<Decimal> d = Decimal::parse(v.dump());
    if (!d) return error_at(ErrorCode::kParseError, &v, "keyword '" + keyword + "' is not a usable number");
    return *d;
  }

  Result<uint64_t> count_of(const Json* schema, const std::string& keyword) {
    const Json& v = (*schema)[keyword];
    if (!v.is_number() || v.get<double>() < 0 || v.get<double>() != std::floor(v.get<double>())) {
      return bad_type(&v, keyword, "a non-negative integer").error();
    }
    double d = v.get<double>();
    return d > 1e18 ? UINT64_MAX : static_cast<uint64_t>(d);
  }

  static void tighten_min(Flat& f, const Decimal& v, bool excl) {
    if (!f.minimum || compare(v, *f.minimum) > 0 || (compare(v, *f.minimum) == 0 && excl)) {
      f.minimum = v;
      f.exclusive_minimum = excl;
    }
  }
  static void tighten_max(Flat& f, const Decimal& v, bool excl) {
    if (!f.maximum || compare(v, *f.maximum) < 0 || (compare(v, *f.maximum) == 0 && excl)) {
      f.maximum = v;
      f.exclusive_maximum = excl;
    }
  }

  Status combine_multiple(Flat& f, const Decimal& m, const Json* node) {
    if (m.negative || m.is_zero()) return bad_type(node, "multipleOf", "a positive number");
    if (!f.multiple_of || compare(*f.multiple_of, m) == 0) {
      f.multiple_of = m;
      return {};
    }
    // lcm of a*10^-i and b*10^-j: both scaled to 10^-max(i,j).
    const Decimal& a = *f.multiple_of;
    size_t k = std::max(a.frac_digits.size(), m.frac_digits.size());
    auto scaled = [&](const Decimal& d) -> std::optional<uint64_t> {
      std::string digits = d.int_digits + d.frac_digits + std::string(k - d.frac_digits.size(), '0');
      digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
      if (digits.size() > 17) return std::nullopt;
      return std::stoull(digits);
    };
    std::optional<uint64_t> x = scaled(a), y = scaled(m);
    if (!x || !y) return unsupported("multipleOf", node, "two multipleOf values too large to combine");
    uint64_t g = std::gcd(*x, *y);
    if (*x / g > (uint64_t{1} << 62) / *y) return unsupported("multipleOf", node, "combined multipleOf too large");
    std::string text = std::to_string(*x / g * *y);
    if (k > 0) {
      if (text.size() <= k) text.insert(0, k - text.size() + 1, '0');
      text.insert(text.size() - k, ".");
    }
    f.multiple_of = Decimal::parse(text);
    return {};
  }

  Status flatten(const Json* node, Flat& f, uint32_t depth, std::vector<const Json*>& seen) {
    if (depth > options_.max_depth) {
      return error_at(ErrorCode::kBudgetExceeded, node, "schema nesting exceeds max_depth");
    }
    if (std::find(seen.begin(), seen.end(), node) != seen.end()) return {};
    seen.push_back(node);
    if (node->is_boolean()) {
      if (!node->get<bool>()) {
        f.never = true;
        note_unsat(node, "false schema");
      }
      return {};
    }
    if (!node->is_object()) return error_at(ErrorCode::kParseError, node, "a schema must be an object or a boolean");
    const Json& s = *node;
    bool old_ref = draft_ <= JsonSchemaDraft::kDraft7;
    if (!only_refers(s, old_ref)) f.holds.push_back(node);
    if (auto it = s.find("$ref"); it != s.end()) {
      if (!it->is_string()) return bad_type(&*it, "$ref", "a string");
      Result<const Json*> target = index_.resolve(node, it->get<std::string>());
      if (!target.ok()) return target.error();
      if (Status st = flatten(*target, f, depth + 1, seen); !st.ok()) return st;
      if (old_ref) return {};
    }
    for (const char* dynamic : {"$dynamicRef", "$recursiveRef"}) {
      if (s.contains(dynamic)) {
        if (Status st = unsupported(dynamic, &s[dynamic], "dynamic scope"); !st.ok()) return st;
      }
    }
    for (auto it = s.begin(); it != s.end(); ++it) {
      if (Status st = flatten_keyword(node, it.key(), &it.value(), f, depth, seen); !st.ok()) return st;
      if (f.never) return {};
    }
    return {};
  }

  // A schema that is its `$ref` target and nothing else: where siblings of
  // `$ref` are ignored, or where every sibling is an annotation. Such nodes
  // are left out of Flat::holds, so that two wrappers of one target count as
  // the same part. Unknown keywords count as constraints here, which can only
  // keep a branch that might have been dropped.
  static bool only_refers(const Json& schema, bool old_ref) {
    if (!schema.contains("$ref")) return false;
    if (old_ref) return true;
    for (auto it = schema.begin(); it != schema.end(); ++it) {
      if (it.key() != "$ref" && !is_annotation(it.key())) return false;
    }
    return true;
  }

  // A schema as a conjunction of schemas that each constrain independently
  // of the others: one per keyword, except keywords that read each other
  // (properties with patternProperties and additionalProperties, items with
  // prefixItems and additionalItems, contains with its bounds, if/then/else,
  // the numeric bounds, type with enum and nullable), and one per property
  // where `properties` stands alone. Empty where no such split is exact:
  // `$ref` (its siblings depend on the draft) and the unevaluated keywords.
  static std::vector<Json> independent_parts(const Json& schema) {
    if (!schema.is_object() || schema.contains("$ref") || schema.contains("unevaluatedProperties") ||
        schema.contains("unevaluatedItems") || schema.contains("$dynamicRef") || schema.contains("$recursiveRef")) {
      return {};
    }
    static const std::vector<std::vector<std::string>> kTogether = {
        {"properties", "patternProperties", "additionalProperties"},
        {"items", "prefixItems", "additionalItems"},
        {"contains", "minContains", "maxContains"},
        {"if", "then", "else"},
        {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
        {"type", "enum", "const", "nullable"}};
    std::vector<Json> parts;
    std::set<std::string> placed;
    for (auto it = schema.begin(); it != schema.end(); ++it) {
      const std::string& key = it.key();
      if (is_annotation(key) || placed.contains(key)) continue;
      auto group = std::find_if(kTogether.begin(), kTogether.end(), [&](const std::vector<std::string>& g) {
        return std::find(g.begin(), g.end(), key) != g.end();
      });
      Json part = Json::object();
      if (group == kTogether.end()) {
        part[key] = it.value();
      } else {
        for (const std::string& k : *group) {
          if (schema.contains(k)) part[k] = schema[k];
        }
      }
      for (auto p = part.begin(); p != part.end(); ++p) placed.insert(p.key());
      if (part.size() == 1 && part.contains("properties") && part["properties"].is_object() &&
          part["properties"].size() > 1) {
        for (auto p = part["properties"].begin(); p != part["properties"].end(); ++p) {
          parts.push_back(Json::object({{"properties", Json::object({{p.key(), p.value()}})}}));
        }
        continue;
      }
      parts.push_back(std::move(part));
    }
    return parts;
  }

  // Keywords that never constrain a value.
  static bool is_annotation(std::string_view keyword) {
    static const std::set<std::string, std::less<>> kAnnotations = {
        "$id",         "id",    "$schema",     "$comment", "$anchor", "$defs",    "definitions",
        "title",       "description", "examples", "default", "deprecated", "readOnly", "writeOnly"};
    return kAnnotations.contains(keyword);
  }

  // The one keyword of a schema that constrains, when it has exactly one
  // besides annotations.
  static std::optional<std::pair<std::string, const Json*>> single_keyword(const Json& schema) {
    std::optional<std::pair<std::string, const Json*>> found;
    for (auto it = schema.begin(); it != schema.end(); ++it) {
      if (is_annotation(it.key())) continue;
      if (found) return std::nullopt;
      found = {it.key(), &it.value()};
    }
    return found;
  }

  Status flatten_keyword(const Json* schema, const std::string& k, const Json* v, Flat& f, uint32_t depth,
                         std::vector<const Json*>& seen) {
    const Json& s = *schema;
    if (k == "$ref" || k == "nullable" || k == "$dynamicRef" || k == "$recursiveRef") return {};
    if (k == "type") {
      uint8_t bits = 0;
      if (v->is_string()) {
        bits = type_bits(v->get<std::string>());
        if (!bits) return bad_type(v, k, "a JSON Schema type name");
      } else if (v->is_array()) {
        for (const Json& t : *v) {
          if (!t.is_string() || !type_bits(t.get<std::string>())) return bad_type(v, k, "an array of type names");
          bits |= type_bits(t.get<std::string>());
        }
      } else {
        return bad_type(v, k, "a string or an array of strings");
      }
      if (s.value("nullable", false) == true) bits |= kNull;
      f.types &= bits;
      if (!f.types) {
        f.never = true;
        note_unsat(v, "no type is allowed by every 'type'");
      }
      return {};
    }
    if (k == "enum" || k == "const") {
      std::vector<Json> values;
      if (k == "const") {
        values.push_back(*v);
      } else {
        if (!v->is_array()) return bad_type(v, k, "an array");
        values.assign(v->begin(), v->end());
        if (s.value("nullable", false) == true) values.push_back(nullptr);
      }
      if (f.enum_values) {
        std::vector<Json> kept;
        for (const Json& a : *f.enum_values) {
          for (const Json& b : values) {
            if (json_equal(a, b)) {
              kept.push_back(a);
              break;
            }
          }
        }
        values = std::move(kept);
      }
      f.enum_values = std::move(values);
      f.enum_holder = v;
      if (f.enum_values->empty()) {
        f.never = true;
        note_unsat(v, "no value is in every enum/const");
      }
      return {};
    }
    if (k == "allOf" || k == "anyOf" || k == "oneOf") {
      if (!v->is_array() || v->empty()) return bad_type(v, k, "a non-empty array of schemas");
      if (k == "allOf") {
        for (const Json& sub : *v) {
          if (Status st = flatten(&sub, f, depth + 1, seen); !st.ok()) return st;
        }
        return {};
      }
      Disjunction d;
      d.one_of = k == "oneOf";
      d.holder = v;
      for (const Json& sub : *v) d.branches.push_back(&sub);
      f.disjunctions.push_back(std::move(d));
      return {};
    }
    if (k == "not") {
      f.nots.push_back(v);
      return {};
    }
    if (k == "if") {
      f.conditionals.push_back(schema);
      return {};
    }
    if (k == "then" || k == "else") return {};
    // numbers
    if (k == "minimum" || k == "maximum") {
      Result<Decimal> d = number_of(schema, k);
      if (!d.ok()) return d.error();
      bool excl = draft_ == JsonSchemaDraft::kDraft4 && s.value(k == "minimum" ? "exclusiveMinimum" : "exclusiveMaximum", false) == true;
      if (k == "minimum") {
        tighten_min(f, *d, excl);
      } else {
        tighten_max(f, *d, excl);
      }
      return {};
    }
    if (k == "exclusiveMinimum" || k == "exclusiveMaximum") {
      if (v->is_boolean()) {
        bool other = s.contains(k == "exclusiveMinimum" ? "minimum" : "maximum");
        if (v->get<bool>() && !other) return bad_type(v, k, "accompanied by its bound");
        return {};
      }
      Result<Decimal> d = number_of(schema, k);
      if (!d.ok()) return d.error();
      if (k == "exclusiveMinimum") {
        tighten_min(f, *d, true);
      } else {
        tighten_max(f, *d, true);
      }
      return {};
    }
    if (k == "multipleOf") {
      Result<Decimal> d = number_of(schema, k);
      if (!d.ok()) return d.error();
      return combine_multiple(f, *d, v);
    }
    // strings
    if (k == "minLength" || k == "maxLength") {
      Result<uint64_t> n = count_of(schema, k);
      if (!n.ok()) return n.error();
      if (k == "minLength") {
        f.min_length = std::max(f.min_length, *n);
      } else {
        f.max_length = std::min(f.max_length, *n);
      }
      return {};
    }
    if (k == "pattern") {
      if (!v->is_string()) return bad_type(v, k, "a string");
      f.patterns.push_back({v->get<std::string>(), v});
      return {};
    }
    if (k == "format") {
      if (!v->is_string()) return bad_type(v, k, "a string");
      const std::string& name = v->get_ref<const std::string&>();
      Grammar probe;
      if (format_grammar(probe, name)) {
        f.formats.push_back({name, v});
      } else if (is_unenforced_standard_format(name)) {
        return unsupported("format", v, "format '" + name + "' has no grammar");
      }
      return {};
    }
    // arrays
    if (k == "prefixItems" || (k == "items" && v->is_array())) {
      if (!v->is_array()) return bad_type(v, k, "an array of schemas");
      const Json* rest = nullptr;
      if (k == "items") {
        if (auto it = s.find("additionalItems"); it != s.end()) rest = &*it;
      } else if (auto it = s.find("items"); it != s.end() && !it->is_array()) {
        rest = &*it;
      }
      add_items(f, *v, rest);
      return {};
    }
    if (k == "items") {
      if (!v->is_object() && !v->is_boolean()) return bad_type(v, k, "a schema");
      if (s.contains("prefixItems")) return {};
      add_items(f, Json::array(), v);
      return {};
    }
    if (k == "additionalItems") return {};
    if (k == "minItems" || k == "maxItems") {
      Result<uint64_t> n = count_of(schema, k);
      if (!n.ok()) return n.error();
      if (k == "minItems") {
        f.min_items = std::max(f.min_items, *n);
      } else {
        f.max_items = std::min(f.max_items, *n);
      }
      return {};
    }
    if (k == "contains") {
      f.contains.push_back({v, schema});
      return {};
    }
    if (k == "minContains" || k == "maxContains") {
      if (!s.contains("contains")) return {};
      Result<uint64_t> n = count_of(schema, k);
      if (!n.ok()) return n.error();
      return {};
    }
    if (k == "uniqueItems") {
      if (!v->is_boolean()) return bad_type(v, k, "a boolean");
      if (v->get<bool>()) f.unique_items = v;
      return {};
    }
    // objects
    if (k == "properties" || k == "patternProperties" || k == "additionalProperties") {
      if (k != "additionalProperties" && !v->is_object()) return bad_type(v, k, "an object of schemas");
      if (k == "additionalProperties" && !v->is_object() && !v->is_boolean()) return bad_type(v, k, "a schema");
      ObjectLayer* layer = nullptr;
      for (ObjectLayer& l : f.layers) {
        if (l.schema == schema) layer = &l;
      }
      if (!layer) {
        f.layers.push_back({schema, {}, {}, nullptr});
        layer = &f.layers.back();
      }
      if (k == "properties") {
        for (auto it = v->begin(); it != v->end(); ++it) layer->properties.push_back({it.key(), &it.value()});
      } else if (k == "patternProperties") {
        for (auto it = v->begin(); it != v->end(); ++it) layer->patterns.push_back({it.key(), &it.value()});
      } else {
        layer->additional = v;
      }
      return {};
    }
    if (k == "required") {
      if (!v->is_array()) {
        // Draft 3 style `required: true` on a property: not a draft we accept.
        if (v->is_boolean()) return {};
        return bad_type(v, k, "an array of strings");
      }
      for (const Json& name : *v) {
        if (!name.is_string()) return bad_type(v, k, "an array of strings");
        if (std::find(f.required.begin(), f.required.end(), name.get<std::string>()) == f.required.end()) {
          f.required.push_back(name.get<std::string>());
        }
      }
      return {};
    }
    if (k == "propertyNames") {
      f.property_names.push_back(v);
      return {};
    }
    if (k == "minProperties" || k == "maxProperties") {
      Result<uint64_t> n = count_of(schema, k);
      if (!n.ok()) return n.error();
      if (k == "minProperties") {
        f.min_properties = std::max(f.min_properties, *n);
      } else {
        f.max_properties = std::min(f.max_properties, *n);
      }
      return {};
    }
    if (k == "dependentRequired" || k == "dependentSchemas" || k == "dependencies") {
      if (!v->is_object()) return bad_type(v, k, "an object");
      for (auto it = v->begin(); it != v->end(); ++it) {
        const Json& dep = it.value();
        if (dep.is_array() && k != "dependentSchemas") {
          std::vector<std::string> names;
          for (const Json& n : dep) {
            if (!n.is_string()) return bad_type(&dep, k, "arrays of strings");
            names.push_back(n.get<std::string>());
          }
          f.dependent_required.push_back({it.key(), std::move(names)});
        } else if ((dep.is_object() || dep.is_boolean()) && k != "dependentRequired") {
          if (!is_trivially_true(&dep)) f.dependent_schemas.push_back({it.key(), &dep});
        } else {
          return bad_type(&dep, k, "valid dependencies");
        }
      }
      return {};
    }
    if (k == "unevaluatedProperties" || k == "unevaluatedItems") {
      if (is_trivially_true(v)) return {};
      bool props = k == "unevaluatedProperties";
      // Without applicators that could evaluate more, "unevaluated" is
      // exactly "not covered by this schema's own keywords".
      bool simple = !s.contains("anyOf") && !s.contains("oneOf") && !s.contains("allOf") && !s.contains("$ref") &&
                    !s.contains("if") && !s.contains("dependentSchemas") && !s.contains("not");
      if (!simple) return unsupported(k, v, "with applicators next to it");
      if (props) {
        if (s.contains("additionalProperties")) return {};
        ObjectLayer layer{schema, {}, {}, v};
        if (auto p = s.find("properties"); p != s.end() && p->is_object()) {
          for (auto it = p->begin(); it != p->end(); ++it) layer.properties.push_back({it.key(), &it.value()});
        }
        if (auto p = s.find("patternProperties"); p != s.end() && p->is_object()) {
          for (auto it = p->begin(); it != p->end(); ++it) layer.patterns.push_back({it.key(), &it.value()});
        }
        f.layers.push_back(std::move(layer));
      } else {
        if (s.contains("additionalItems") || (s.contains("items") && !s["items"].is_array())) return {};
        const Json* prefix = s.contains("prefixItems") ? &s["prefixItems"] : (s.contains("items") ? &s["items"] : nullptr);
        if (s.contains("contains")) return unsupported(k, v, "with contains");
        add_items(f, prefix && prefix->is_array() ? *prefix : Json::array(), v);
      }
      return {};
    }
    (void)depth;
    (void)seen;
    return {};
  }

  void add_items(Flat& f, const Json& prefix, const Json* rest) {
    // Positions beyond this schema's prefix take its `rest` schema.
    size_t n = prefix.size();
    while (f.prefix_items.size() < n) f.prefix_items.push_back(f.rest_items);
    for (size_t i = 0; i < n; ++i) f.prefix_items[i].push_back(&prefix[i]);
    if (rest) {
      for (size_t i = n; i < f.prefix_items.size(); ++i) f.prefix_items[i].push_back(rest);
      f.rest_items.push_back(rest);
    }
  }

  // --------------------------------------------------------- compile sets
  // Sets are sorted by the order their schemas were first met: the schema
  // document in document order (numbered by the constructor), then
  // synthesized schemas as they are met. Sorting by address would let the
  // allocator decide the compile order, and with it which objects the order
  // budget widens (max_widened_order_states).
  uint64_t ordinal(const Json* node) { return ordinals_.emplace(node, ordinals_.size()).first->second; }
  SchemaSet normalise(SchemaSet s) {
    for (const Json* node : s) ordinal(node);
    std::sort(s.begin(), s.end(), [&](const Json* a, const Json* b) { return ordinals_.at(a) < ordinals_.at(b); });
    s.erase(std::unique(s.begin(), s.end()), s.end());
    return s;
  }

  Result<ExprId> compile_set(SchemaSet set, uint32_t depth, uint32_t level) {
    if (Status st = check_budget(); !st.ok()) return st.error();
    set = normalise(std::move(set));
    std::pair<SchemaSet, uint32_t> key{set, options_.whitespace == JsonWhitespace::kPretty ? level : 0};
    if (auto it = memo_.find(key); it != memo_.end()) {
      if (it->second.done && grammar_.expr(it->second.body).kind == ExprKind::kNothing) return grammar_.nothing();
      return grammar_.ref(it->second.rule);
    }
    if (depth > options_.max_depth) {
      return make_error(ErrorCode::kBudgetExceeded, "schema nesting exceeds max_depth",
                        Location::at_pointer(set.empty() ? "" : ptr(set[0])));
    }
    RuleId rule = grammar_.declare_rule("s" + std::to_string(grammar_.rules().size()));
    memo_[key] = Memo{rule, 0, false};
    Flat f;
    std::vector<const Json*> seen;
    for (const Json* node : set) {
      if (Status st = flatten(node, f, depth, seen); !st.ok()) return st.error();
      if (f.never) break;
    }
    Result<ExprId> body = compile_flat(std::move(f), depth, level, 0);
    if (!body.ok()) return body.error();
    grammar_.set_body(rule, *body);
    memo_[key] = Memo{rule, *body, true};
    if (grammar_.expr(*body).kind == ExprKind::kNothing) return *body;
    return grammar_.ref(rule);
  }

  // Flattens extra schemas into a copy of `f`.
  Result<Flat> with(Flat f, std::initializer_list<const Json*> extra, uint32_t depth) {
    std::vector<const Json*> seen;
    for (const Json* node : extra) {
      if (Status st = flatten(node, f, depth, seen); !st.ok()) return st.error();
    }
    return f;
  }

  // One conjunction left by distribute(), and the nesting depth it was
  // reached at.
  struct Leaf {
    Flat flat;
    uint32_t depth;
  };

  Result<ExprId> compile_flat(Flat f, uint32_t depth, uint32_t level, uint32_t branches) {
    std::vector<Leaf> leaves;
    if (Status st = distribute(std::move(f), depth, branches, leaves); !st.ok()) return st.error();
    std::vector<Flat*> flats;
    for (Leaf& leaf : leaves) flats.push_back(&leaf.flat);
    const std::vector<bool> keep = unsubsumed(flats);
    std::vector<ExprId> alternatives;
    for (size_t i = 0; i < leaves.size(); ++i) {
      if (!keep[i]) continue;
      Result<ExprId> e = compile_leaf(std::move(leaves[i].flat), leaves[i].depth, level);
      if (!e.ok()) return e.error();
      alternatives.push_back(*e);
    }
    return grammar_.choice(std::move(alternatives));
  }

  // Rewrites f as a union of conjunctions free of anyOf/oneOf, if/then/else
  // and `not`: the disjunctions are distributed, each conditional becomes
  // (if and then) or (not-if and else), and each complement is folded in.
  Status distribute(Flat f, uint32_t depth, uint32_t branches, std::vector<Leaf>& leaves) {
    if (f.never) return {};
    if (Status st = check_budget(); !st.ok()) return st;
    if (!f.disjunctions.empty()) {
      Disjunction d = std::move(f.disjunctions.front());
      f.disjunctions.erase(f.disjunctions.begin());
      if (branches + d.branches.size() > options_.max_branches) {
        return error_at(ErrorCode::kBudgetExceeded, d.holder, "anyOf/oneOf distribution exceeds max_branches");
      }
      std::vector<Flat> flats;
      for (const Json* b : d.branches) {
        Result<Flat> fb = with(f, {b}, depth + 1);
        if (!fb.ok()) return fb.status();
        flats.push_back(std::move(*fb));
      }
      // oneOf: where two branches may overlap, each must exclude the other
      // (branch i and not branch j), which works where the complement is
      // expressible (apply_nots); otherwise the oneOf is unsupported.
      std::vector<std::string> overlaps(flats.size());
      if (d.one_of) {
        for (size_t i = 0; i < flats.size(); ++i) {
          for (size_t j = i + 1; j < flats.size(); ++j) {
            if (flats[i].never || flats[j].never) continue;
            Result<bool> disjoint = provably_disjoint(flats[i], flats[j], depth);
            if (!disjoint.ok()) return disjoint.status();
            if (!*disjoint) {
              exclude(flats[i], d.branches[j]);
              exclude(flats[j], d.branches[i]);
              overlaps[i] = overlaps[j] = "branches " + std::to_string(i) + " and " + std::to_string(j);
            }
          }
        }
      }
      // A branch that adds nothing to what another adds (often one whose
      // schema f already holds) covers that other, whose distribution is
      // skipped: pruning here, not only among the leaves, keeps the product
      // of several such disjunctions from being built at all.
      std::vector<Flat*> siblings;
      for (Flat& fb : flats) siblings.push_back(&fb);
      const std::vector<bool> keep = unsubsumed(siblings);
      for (size_t i = 0; i < flats.size(); ++i) {
        if (!keep[i]) continue;
        Status st =
            distribute(std::move(flats[i]), depth + 1, branches + static_cast<uint32_t>(d.branches.size()), leaves);
        if (!st.ok()) {
          if (!overlaps[i].empty() && st.error().code == ErrorCode::kUnsupported && st.error().excerpt == "not") {
            Status one_of = unsupported("oneOf", d.holder,
                                        overlaps[i] + " are not provably disjoint and one has no expressible complement");
            if (!one_of.ok()) return one_of;
          }
          return st;
        }
      }
      return {};
    }
    if (!f.conditionals.empty()) {
      const Json* holder = f.conditionals.back();
      f.conditionals.pop_back();
      return distribute_conditional(std::move(f), holder, depth, branches, leaves);
    }
    if (!f.nots.empty()) {
      if (Status st = apply_nots(f, depth); !st.ok()) return st;
      if (f.never) return {};
      // A complement may have become a disjunction (or merged schemas with
      // conditionals of their own); those are handled first.
      if (!f.disjunctions.empty() || !f.conditionals.empty()) return distribute(std::move(f), depth + 1, branches, leaves);
    }
    leaves.push_back({std::move(f), depth});
    return {};
  }

  static void exclude(Flat& f, const Json* schema) {
    f.nots.push_back(schema);
    f.fails.push_back(schema);
  }

  // A union needs none of its conjunctions that hold (and fail) every
  // schema another one does: those allow only what the other allows. This
  // is what keeps allOf over several if/then with anyOf in each from
  // compiling the product of the anyOfs, most of which repeat one branch.
  // Conjunctions are compared by their parts, never by their languages, so
  // one that could add anything is kept. Returns which of `flats` to keep
  // (of equal ones, the first).
  static std::vector<bool> unsubsumed(const std::vector<Flat*>& flats) {
    for (Flat* f : flats) {
      for (std::vector<const Json*>* parts : {&f->holds, &f->fails}) {
        std::sort(parts->begin(), parts->end());
        parts->erase(std::unique(parts->begin(), parts->end()), parts->end());
      }
    }
    std::vector<size_t> by_size(flats.size());
    std::iota(by_size.begin(), by_size.end(), 0);
    auto parts = [&](size_t i) { return flats[i]->holds.size() + flats[i]->fails.size(); };
    std::stable_sort(by_size.begin(), by_size.end(), [&](size_t a, size_t b) { return parts(a) < parts(b); });
    std::vector<size_t> kept;
    std::vector<bool> keep(flats.size(), false);
    for (size_t i : by_size) {
      const Flat& f = *flats[i];
      bool subsumed = std::any_of(kept.begin(), kept.end(), [&](size_t k) {
        const Flat& g = *flats[k];
        return std::includes(f.holds.begin(), f.holds.end(), g.holds.begin(), g.holds.end()) &&
               std::includes(f.fails.begin(), f.fails.end(), g.fails.begin(), g.fails.end());
      });
      if (!subsumed) {
        kept.push_back(i);
        keep[i] = true;
      }
    }
    return keep;
  }

  Result<ExprId> compile_leaf(Flat f, uint32_t depth, uint32_t level) {
    if (options_.whitespace == JsonWhitespace::kPretty && level >= options_.max_pretty_depth) {
      f.types &= static_cast<uint8_t>(~(kArray | kObject));
      if (f.enum_values) {
        std::erase_if(*f.enum_values, [](const Json& v) { return v.is_array() || v.is_object(); });
      }
    }
    if (f.enum_values) return compile_enum(f, depth, level);
    std::vector<ExprId> alternatives;
    if (f.types & kNull) alternatives.push_back(grammar_.literal("null"));
    if (f.types & kBoolean) alternatives.push_back(grammar_.choice({grammar_.literal("true"), grammar_.literal("false")}));
    if (f.types & (kInteger | kFraction)) {
      Result<ExprId> e = compile_number(f);
      if (!e.ok()) return e.error();
      alternatives.push_back(*e);
    }
    if (f.types & kString) {
      Result<ExprId> e = compile_string(f);
      if (!e.ok()) return e.error();
      alternatives.push_back(*e);
    }
    if (f.types & kArray) {
      Result<ExprId> e = compile_array(f, depth, level);
      if (!e.ok()) return e.error();
      alternatives.push_back(*e);
    }
    if (f.types & kObject) {
      Result<ExprId> e = compile_object(f, depth, level);
      if (!e.ok()) return e.error();
      alternatives.push_back(*e);
    }
    return grammar_.choice(std::move(alternatives));
  }

  // if/then/else: (if and then) or (not-if and else), where "not if" is
  // expressible (see apply_nots()).
  Status distribute_conditional(Flat f, const Json* holder, uint32_t depth, uint32_t branches,
                                std::vector<Leaf>& leaves) {
    const Json* cond = &(*holder)["if"];
    const Json* then_s = holder->contains("then") ? &(*holder)["then"] : nullptr;
    const Json* else_s = holder->contains("else") ? &(*holder)["else"] : nullptr;
    if (!then_s && !else_s) return distribute(std::move(f), depth, branches, leaves);
    Result<Flat> yes = with(f, {cond}, depth + 1);
    if (!yes.ok()) return yes.status();
    if (then_s) {
      yes = with(std::move(*yes), {then_s}, depth + 1);
      if (!yes.ok()) return yes.status();
    }
    Flat no = f;
    exclude(no, cond);
    if (else_s) {
      Result<Flat> r = with(std::move(no), {else_s}, depth + 1);
      if (!r.ok()) return r.status();
      no = std::move(*r);
    }
    if (Status st = distribute(std::move(*yes), depth + 1, branches + 2, leaves); !st.ok()) return st;
    return distribute(std::move(no), depth + 1, branches + 2, leaves);
  }

  // ------------------------------------------------------------------ not
  // Folds each `not` into f where its complement is expressible: a type
  // set, a finite set of values (enum/const), a single required property,
  // or a conjunction of those; otherwise an error naming `not`.
  Status apply_nots(Flat& f, uint32_t depth) {
    if (depth > options_.max_depth) return error_at(ErrorCode::kBudgetExceeded, nullptr, "not nested too deeply");
    std::deque<const Json*> nots(f.nots.begin(), f.nots.end());
    f.nots.clear();
    std::vector<const Json*> merge;  // double negations, merged at the end
    while (!nots.empty()) {
      const Json* n = nots.front();
      nots.pop_front();
      if (n->is_boolean()) {
        if (n->get<bool>()) f.never = true;
        continue;
      }
      if (n->is_object() && n->empty()) {
        f.never = true;  // not {}: nothing satisfies it
        continue;
      }
      if (f.enum_values) {
        // A finite set of values: keep those the checker proves fail `n`.
        std::vector<Json> kept;
        bool decided = true;
        for (const Json& v : *f.enum_values) {
          Result<Tri> t = check_set(v, {n}, depth + 1);
          if (!t.ok()) return t.status();
          if (*t == Tri::kUnknown) decided = false;
          if (*t == Tri::kNo) kept.push_back(v);
        }
        if (decided) {
          f.enum_values = std::move(kept);
          if (f.enum_values->empty()) f.never = true;
          continue;
        }
      }
      if (n->is_object() && single_keyword(*n)) {
        const auto [key, inner_node] = *single_keyword(*n);
        const Json& inner = *inner_node;
        if (key == "not") {
          merge.push_back(&inner);
          continue;
        }
        if (key == "anyOf" && inner.is_array() && !inner.empty()) {
          // not (A or B) = (not A) and (not B)
          for (const Json& branch : inner) nots.push_back(&branch);
          continue;
        }
        const bool all_of = key == "allOf" && inner.is_array() && !inner.empty();
        const bool several_required = key == "required" && inner.is_array() && inner.size() > 1;
        if (all_of || several_required) {
          // not (A and B) = (not A) or (not B); "required: [a, b]" is the
          // conjunction of one requirement per name.
          Disjunction d;
          d.holder = n;
          for (const Json& part : inner) {
            d.branches.push_back(all_of ? negation(part, &part)
                                        : negation(Json::object({{"required", Json::array({part})}}), n));
          }
          f.disjunctions.push_back(std::move(d));
          continue;
        }
      }
      Result<Flat> inner_r = with(Flat{}, {n}, depth + 1);
      if (!inner_r.ok()) return inner_r.status();
      Flat& inner = *inner_r;
      if (inner.never) continue;
      bool only_types = inner.types != kAllTypes && !inner.enum_values && inner.layers.empty() && inner.required.empty() &&
                        simple_flat_rest(inner);
      if (only_types) {
        f.types &= static_cast<uint8_t>(~inner.types);
        if (!f.types) f.never = true;
        continue;
      }
      if (inner.enum_values && inner.types == kAllTypes && inner.layers.empty() && inner.required.empty() &&
          simple_flat_rest(inner)) {
        if (f.enum_values) {
          std::vector<Json> kept;
          for (const Json& v : *f.enum_values) {
            bool excluded = false;
            for (const Json& x : *inner.enum_values) excluded = excluded || json_equal(v, x);
            if (!excluded) kept.push_back(v);
          }
          f.enum_values = std::move(kept);
          if (f.enum_values->empty()) f.never = true;
          continue;
        }
        // Excluding null/true/false only narrows types.
        bool all_simple = true;
        uint8_t drop = 0;
        bool has_true = false, has_false = false;
        for (const Json& x : *inner.enum_values) {
          if (x.is_null()) {
            drop |= kNull;
          } else if (x.is_boolean()) {
            (x.get<bool>() ? has_true : has_false) = true;
          } else {
            all_simple = false;
          }
        }
        if (all_simple) {
          f.types &= static_cast<uint8_t>(~drop);
          if (has_true && has_false) f.types &= static_cast<uint8_t>(~kBoolean);
          if (has_true != has_false && (f.types & kBoolean)) {
            // Replace booleans by the remaining one through an enum branch.
            Json keep = has_true ? Json(false) : Json(true);
            f.types &= static_cast<uint8_t>(~kBoolean);
            Disjunction d;
            d.holder = n;
            extra_values_.push_back(Json::object({{"const", keep}}));
            d.branches = {&extra_values_.back()};
            if (f.types) {
              d.branches.push_back(&types_schema(f.types));
            }
            f.types = kAllTypes;
            f.disjunctions.push_back(std::move(d));
          }
          if (!f.types) f.never = true;
          continue;
        }
      }
      if (inner.required.size() == 1 && inner.types == kAllTypes && !inner.enum_values && inner.layers.empty() &&
          simple_flat_rest(inner)) {
        // not {required: [p]}: an object without p (required holds
        // vacuously for other types, so they fail the `not`).
        f.types &= kObject;
        if (!f.types) f.never = true;
        f.layers.push_back({n, {{inner.required[0], &false_schema_}}, {}, nullptr});
        continue;
      }
      if (inner.types == kAllTypes && !inner.enum_values && inner.required.empty() && inner.layers.size() == 1 &&
          inner.layers[0].properties.size() == 1 && inner.layers[0].patterns.empty() && !inner.layers[0].additional &&
          simple_flat_rest(inner)) {
        // not {properties: {p: S}}: an object with p, whose value fails S.
        const auto& [name, schema] = inner.layers[0].properties[0];
        f.types &= kObject;
        if (!f.types) f.never = true;
        if (std::find(f.required.begin(), f.required.end(), name) == f.required.end()) f.required.push_back(name);
        extra_values_.push_back(Json::object({{"not", *schema}}));
        f.layers.push_back({n, {{name, &extra_values_.back()}}, {}, nullptr});
        continue;
      }
      Flat without_pattern = inner;
      without_pattern.patterns.clear();
      if (inner.patterns.size() == 1 && inner.types == kAllTypes && !inner.enum_values && inner.layers.empty() &&
          inner.required.empty() && simple_flat_rest(without_pattern)) {
        // not {pattern: P}: anything but a string P matches, which the
        // string grammar spells as the complement of P.
        f.excluded_patterns.push_back({inner.patterns[0].first, n});
        continue;
      }
      if (std::vector<Json> parts = independent_parts(*n); parts.size() > 1) {
        // not (A and B) = (not A) or (not B), over parts that constrain
        // independently.
        Disjunction d;
        d.holder = n;
        for (Json& part : parts) d.branches.push_back(negation(part, n));
        f.disjunctions.push_back(std::move(d));
        continue;
      }
      if (Status st = unsupported("not", n, "complement not expressible as a grammar"); !st.ok()) return st;
    }
    if (!merge.empty()) {
      std::vector<const Json*> seen;
      for (const Json* m : merge) {
        if (Status st = flatten(m, f, depth + 1, seen); !st.ok()) return st;
      }
      if (!f.nots.empty()) return apply_nots(f, depth + 1);
    }
    return {};
  }

  // Stable storage for synthesized schemas: a deque keeps addresses.
  const Json& types_schema(uint8_t types) {
    Json names = Json::array();
    for (auto [bit, name] : std::initializer_list<std::pair<uint8_t, const char*>>{
             {kNull, "null"}, {kBoolean, "boolean"}, {kString, "string"}, {kArray, "array"}, {kObject, "object"}}) {
      if (types & bit) names.push_back(name);
    }
    if ((types & (kInteger | kFraction)) == (kInteger | kFraction)) {
      names.push_back("number");
    } else if (types & kInteger) {
      names.push_back("integer");
    }
    extra_values_.push_back(Json::object({{"type", names}}));
    return extra_values_.back();
  }

  static bool simple_flat_rest(const Flat& f) {
    return !f.minimum && !f.maximum && !f.multiple_of && f.min_length == 0 && f.max_length == UINT64_MAX &&
           f.patterns.empty() && f.excluded_patterns.empty() && f.formats.empty() && f.prefix_items.empty() &&
           f.rest_items.empty() &&
           f.min_items == 0 && f.max_items == UINT64_MAX && f.contains.empty() && !f.unique_items &&
           f.property_names.empty() && f.min_properties == 0 && f.max_properties == UINT64_MAX &&
           f.dependent_required.empty() && f.dependent_schemas.empty() && f.disjunctions.empty() && f.nots.empty() &&
           f.conditionals.empty();
  }

  // ------------------------------------------------------------- oneOf
  // Two branches are disjoint when their types are, their enum sets are, or
  // a property both require has disjoint types or values in each.
  Result<bool> provably_disjoint(const Flat& a, const Flat& b, uint32_t depth) {
    if (!(a.types & b.types)) return true;
    auto values_disjoint = [&](const Flat& x, const Flat& y) {
      if (x.enum_values && y.enum_values) {
        for (const Json& p : *x.enum_values) {
          for (const Json& q : *y.enum_values) {
            if (json_equal(p, q)) return false;
          }
        }
        return true;
      }
      for (auto [u, v] : {std::pair{&x, &y}, std::pair{&y, &x}}) {
        if (!u->enum_values) continue;
        bool all_outside = true;
        for (const Json& p : *u->enum_values) all_outside = all_outside && !(value_type(p) & v->types);
        if (all_outside) return true;
      }
      return false;
    };
    if (values_disjoint(a, b)) return true;
    // A `not` of required keys that the two branches require between them:
    // an object in both has them all, and every other value satisfies
    // `required` vacuously, so nothing passes the `not` (JSON-RPC's "not
    // both result and error" under a oneOf of a result and an error).
    std::vector<std::string> required_by_both = a.required;
    required_by_both.insert(required_by_both.end(), b.required.begin(), b.required.end());
    for (const Flat* x : {&a, &b}) {
      for (const Json* n : x->nots) {
        Result<std::optional<std::vector<std::vector<std::string>>>> alternatives = required_alternatives(n, depth);
        if (!alternatives.ok()) return alternatives.status();
        if (!*alternatives) continue;
        for (const std::vector<std::string>& names : **alternatives) {
          if (std::all_of(names.begin(), names.end(), [&](const std::string& name) {
                return std::find(required_by_both.begin(), required_by_both.end(), name) != required_by_both.end();
              })) {
            return true;
          }
        }
      }
    }
    if ((a.types & b.types) == kObject) {
      // A property one branch requires and the other forbids (closed by
      // additionalProperties: false, or a false schema).
      for (auto [u, v] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
        for (const std::string& name : u->required) {
          Result<SchemaSet> in_other = property_set(*v, name);
          if (!in_other.ok()) return in_other.error();
          if (std::any_of(in_other->begin(), in_other->end(), is_false)) return true;
        }
      }
      for (const std::string& name : a.required) {
        if (std::find(b.required.begin(), b.required.end(), name) == b.required.end()) continue;
        Result<Flat> pa = property_flat(a, name, depth);
        if (!pa.ok()) return pa.error();
        Result<Flat> pb = property_flat(b, name, depth);
        if (!pb.ok()) return pb.error();
        if (pa->disjunctions.empty() && pb->disjunctions.empty() &&
            (!(pa->types & pb->types) || values_disjoint(*pa, *pb))) {
          return true;
        }
      }
    }
    return false;
  }

  Result<Flat> property_flat(const Flat& f, const std::string& name, uint32_t depth) {
    Result<SchemaSet> set = property_set(f, name);
    if (!set.ok()) return set.error();
    Flat out;
    std::vector<const Json*> seen;
    for (const Json* s : *set) {
      if (Status st = flatten(s, out, depth + 1, seen); !st.ok()) return st.error();
    }
    return out;
  }

  // -------------------------------------------------------------- values
  Result<Tri> check_set(const Json& value, const SchemaSet& set, uint32_t depth) {
    if (depth > options_.max_depth) return Tri::kUnknown;
    Flat f;
    std::vector<const Json*> seen;
    for (const Json* s : set) {
      if (Status st = flatten(s, f, depth + 1, seen); !st.ok()) return st.error();
    }
    return check_flat(value, f, depth);
  }

  static Tri both(Tri a, Tri b) {
    if (a == Tri::kNo || b == Tri::kNo) return Tri::kNo;
    if (a == Tri::kUnknown || b == Tri::kUnknown) return Tri::kUnknown;
    return Tri::kYes;
  }

  Result<Tri> check_flat(const Json& v, const Flat& f, uint32_t depth) {
    if (f.never) return Tri::kNo;
    uint8_t t = value_type(v);
    if (!(f.types & t)) return Tri::kNo;
    if (f.enum_values) {
      bool found = false;
      for (const Json& e : *f.enum_values) found = found || json_equal(e, v);
      if (!found) return Tri::kNo;
    }
    Tri result = Tri::kYes;
    if (v.is_number()) {
      std::optional<Decimal> d = Decimal::parse(v.dump());
      if (!d) return Tri::kUnknown;
      if (f.minimum) {
        int c = compare(*d, *f.minimum);
        if (c < 0 || (c == 0 && f.exclusive_minimum)) return Tri::kNo;
      }
      if (f.maximum) {
        int c = compare(*d, *f.maximum);
        if (c > 0 || (c == 0 && f.exclusive_maximum)) return Tri::kNo;
      }
      if (f.multiple_of) {
        NumberConstraint nc;
        nc.minimum = nc.maximum = *d;
        nc.multiple_of = f.multiple_of;
        Grammar scratch;
        Result<ExprId> e = number_grammar(scratch, nc, {options_.max_states});
        if (!e.ok()) {
          if (e.error().code != ErrorCode::kUnsatisfiable) return Tri::kUnknown;
          return Tri::kNo;
        }
      }
    }
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      uint64_t len = utf8_length(s);
      if (len < f.min_length || len > f.max_length) return Tri::kNo;
      for (const auto& [pattern, node] : f.patterns) result = both(result, regex_search(pattern, s));
      for (const auto& [pattern, node] : f.excluded_patterns) {
        const Tri found = regex_search(pattern, s);
        result = both(result, found == Tri::kUnknown ? Tri::kUnknown : found == Tri::kYes ? Tri::kNo : Tri::kYes);
      }
      for (const auto& [format, node] : f.formats) {
        validator::FormatFn fn = validator::find_format(format);
        if (fn) result = both(result, fn(s) ? Tri::kYes : Tri::kNo);
      }
    }
    if (v.is_array()) {
      if (v.size() < f.min_items || v.size() > f.max_items) return Tri::kNo;
      for (size_t i = 0; i < v.size(); ++i) {
        const SchemaSet& s = i < f.prefix_items.size() ? f.prefix_items[i] : f.rest_items;
        if (s.empty()) continue;
        Result<Tri> r = check_set(v[i], s, depth + 1);
        if (!r.ok()) return r.error();
        result = both(result, *r);
      }
      if (!f.contains.empty() || f.unique_items) result = both(result, Tri::kUnknown);
    }
    if (v.is_object()) {
      if (v.size() < f.min_properties || v.size() > f.max_properties) return Tri::kNo;
      for (const std::string& r : f.required) {
        if (!v.contains(r)) return Tri::kNo;
      }
      for (auto it = v.begin(); it != v.end(); ++it) {
        Result<SchemaSet> s = property_set(f, it.key());
        if (!s.ok()) return Tri::kUnknown;
        if (s->empty()) continue;
        Result<Tri> r = check_set(it.value(), *s, depth + 1);
        if (!r.ok()) return r.error();
        result = both(result, *r);
      }
      if (!f.property_names.empty() || !f.dependent_required.empty() || !f.dependent_schemas.empty()) {
        result = both(result, Tri::kUnknown);
      }
    }
    if (!f.disjunctions.empty() || !f.nots.empty() || !f.conditionals.empty()) {
      for (const Disjunction& d : f.disjunctions) {
        int matches = 0;
        bool unknown = false;
        for (const Json* b : d.branches) {
          Result<Tri> r = check_set(v, {b}, depth + 1);
          if (!r.ok()) return r.error();
          matches += *r == Tri::kYes;
          unknown = unknown || *r == Tri::kUnknown;
        }
        if (unknown) {
          result = both(result, Tri::kUnknown);
        } else if (d.one_of ? matches != 1 : matches == 0) {
          return Tri::kNo;
        }
      }
      for (const Json* n : f.nots) {
        Result<Tri> r = check_set(v, {n}, depth + 1);
        if (!r.ok()) return r.error();
        result = both(result, *r == Tri::kYes ? Tri::kNo : *r == Tri::kNo ? Tri::kYes : Tri::kUnknown);
      }
      if (!f.conditionals.empty()) result = both(result, Tri::kUnknown);
    }
    return result;
  }

  Tri regex_search(const std::string& pattern, const std::string& text) {
    Result<std::string> re2 = validator::ecma_to_re2(pattern);
    if (!re2.ok()) return Tri::kUnknown;
    RE2::Options o;
    o.set_log_errors(false);
    RE2 re(*re2, o);
    if (!re.ok()) return Tri::kUnknown;
    return RE2::PartialMatch(text, re) ? Tri::kYes : Tri::kNo;
  }

  // One shared class (so the encoder rewrites it once).
  ExprId any_char() {
    if (!any_char_) any_char_ = grammar_.char_class({{0, kMaxCodepoint}});
    return *any_char_;
  }

  // ------------------------------------------------------- whitespace
  ExprId ws() {
    if (options_.whitespace != JsonWhitespace::kFlexible || options_.max_whitespace == 0) return grammar_.empty();
    if (!ws_) ws_ = grammar_.repeat(grammar_.char_class({{' ', ' '}, {'\t', '\t'}, {'\n', '\n'}, {'\r', '\r'}}), 0,
                                    options_.max_whitespace);
    return *ws_;
  }
  std::string indent(uint32_t level) const { return "\n" + std::string(static_cast<size_t>(level) * options_.indent, ' '); }
  ExprId open(char bracket, uint32_t level) {
    std::string b(1, bracket);
    if (options_.whitespace == JsonWhitespace::kPretty) return grammar_.literal(b + indent(level + 1));
    return grammar_.sequence({grammar_.literal(b), ws()});
  }
  ExprId close(char bracket, uint32_t level) {
    std::string b(1, bracket);
    if (options_.whitespace == JsonWhitespace::kPretty) return grammar_.literal(indent(level) + b);
    return grammar_.sequence({ws(), grammar_.literal(b)});
  }
  ExprId empty_container(char open_c, char close_c) {
    std::string o(1, open_c), c(1, close_c);
    if (options_.whitespace == JsonWhitespace::kFlexible) return grammar_.sequence({grammar_.literal(o), ws(), grammar_.literal(c)});
    return grammar_.literal(o + c);
  }
  ExprId item_sep(uint32_t level) {
    switch (options_.whitespace) {
      case JsonWhitespace::kPretty: return grammar_.literal("," + indent(level + 1));
      case JsonWhitespace::kCompact: return grammar_.literal(options_.item_separator);
      default: return grammar_.sequence({ws(), grammar_.literal(","), ws()});
    }
  }
  ExprId key_sep() {
    switch (options_.whitespace) {
      case JsonWhitespace::kPretty: return grammar_.literal(": ");
      case JsonWhitespace::kCompact: return grammar_.literal(options_.key_separator);
      default: return grammar_.sequence({ws(), grammar_.literal(":"), ws()});
    }
  }

  // ----------------------------------------------------------------- enum
  Result<ExprId> compile_enum(const Flat& f, uint32_t depth, uint32_t level) {
    Flat rest = f;
    rest.enum_values.reset();
    std::vector<ExprId> alternatives;
    for (const Json& v : *f.enum_values) {
      Result<Tri> ok = check_flat(v, rest, depth);
      if (!ok.ok()) return ok.error();
      if (*ok == Tri::kNo) continue;
      if (*ok == Tri::kUnknown) {
        Status st = unsupported("enum", f.enum_holder, "cannot decide whether a value meets the sibling keywords");
        if (!st.ok()) return st.error();
      }
      // Draft 4 counts 5.0 as a number but not as an integer: under a
      // `type` without fractions, an integral value has one spelling.
      const bool integer_spelling = draft_ == JsonSchemaDraft::kDraft4 && (rest.types & kFraction) == 0;
      Result<ExprId> e = value_literal(v, level, integer_spelling);
      if (!e.ok()) return e.error();
      alternatives.push_back(*e);
    }
    if (alternatives.empty()) note_unsat(f.enum_holder, "no enum/const value satisfies the other keywords");
    return grammar_.choice(std::move(alternatives));
  }

  // Every spelling of a value: numbers by value (1 and 1.0), object keys in
  // any order up to max_enum_permutations.
  Result<ExprId> value_literal(const Json& v, uint32_t level, bool integer_spelling = false) {
    if (v.is_number()) {
      std::optional<Decimal> d = Decimal::parse(v.dump());
      if (!d) return make_error(ErrorCode::kUnsupported, "enum number out of range: " + v.dump());
      NumberConstraint nc;
      nc.minimum = nc.maximum = *d;
      nc.integer = integer_spelling;
      nc.integer_fraction = !integer_spelling;
      return number_grammar(grammar_, nc, {options_.max_states});
    }
    if (v.is_string()) return grammar_.literal(quote_json_string(v.get_ref<const std::string&>()));
    if (v.is_array()) {
      if (v.empty()) return empty_container('[', ']');
      std::vector<ExprId> parts = {open('[', level)};
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) parts.push_back(item_sep(level));
        Result<ExprId> e = value_literal(v[i], level + 1);
        if (!e.ok()) return e.error();
        parts.push_back(*e);
      }
      parts.push_back(close(']', level));
      return grammar_.sequence(std::move(parts));
    }
    if (v.is_object()) {
      if (v.empty()) return empty_container('{', '}');
      std::vector<ExprId> members;
      for (auto it = v.begin(); it != v.end(); ++it) {
        Result<ExprId> e = value_literal(it.value(), level + 1);
        if (!e.ok()) return e.error();
        members.push_back(grammar_.sequence({grammar_.literal(quote_json_string(it.key())), key_sep(), *e}));
      }
      std::vector<size_t> order(members.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::vector<ExprId> spellings;
      do {
        std::vector<ExprId> parts = {open('{', level)};
        for (size_t i = 0; i < order.size(); ++i) {
          if (i) parts.push_back(item_sep(level));
          parts.push_back(members[order[i]]);
        }
        parts.push_back(close('}', level));
        spellings.push_back(grammar_.sequence(std::move(parts)));
      } while (spellings.size() < options_.max_enum_permutations && std::next_permutation(order.begin(), order.end()));
      return grammar_.choice(std::move(spellings));
    }
    return grammar_.literal(to_compact(v));
  }

  // --------------------------------------------------------------- number
  Result<ExprId> compile_number(const Flat& f) {
    if ((f.types & kFraction) && !(f.types & kInteger)) {
      // A number that must not be an integer (`not: {type: integer}`, or a
      // oneOf of number and integer): a fraction with a nonzero digit.
      if (!f.minimum && !f.maximum && !f.multiple_of) {
        ExprId digit = grammar_.char_class({{'0', '9'}});
        ExprId whole = grammar_.choice({grammar_.literal("0"), grammar_.sequence({grammar_.char_class({{'1', '9'}}),
                                                                                   grammar_.star(digit)})});
        return grammar_.sequence({grammar_.optional(grammar_.literal("-")), whole, grammar_.literal("."),
                                  grammar_.star(digit), grammar_.char_class({{'1', '9'}}), grammar_.star(digit)});
      }
      Status st = unsupported("not", nullptr, "a number that must not be an integer, with bounds or multipleOf");
      if (!st.ok()) return st.error();
    }
    NumberConstraint nc;
    nc.minimum = f.minimum;
    nc.maximum = f.maximum;
    nc.exclusive_minimum = f.exclusive_minimum;
    nc.exclusive_maximum = f.exclusive_maximum;
    nc.multiple_of = f.multiple_of;
    nc.integer = !(f.types & kFraction);
    nc.integer_fraction = draft_ != JsonSchemaDraft::kDraft4;
    nc.max_digits = options_.max_number_digits;
    Result<ExprId> e = number_grammar(grammar_, nc, {options_.max_states});
    if (!e.ok()) {
      const Json* at = f.enum_holder;
      if (e.error().code == ErrorCode::kUnsatisfiable) {
        note_unsat(at, e.error().message);
        return grammar_.nothing();
      }
      if (e.error().code == ErrorCode::kUnsupported) {
        return make_error(ErrorCode::kUnsupported, "unsupported: multipleOf (" + e.error().message + ")");
      }
      return e.error();
    }
    return *e;
  }

  // --------------------------------------------------------------- string
  Result<ExprId> decoded_string(const Flat& f) {
    uint64_t max_len = f.max_length;
    if (options_.max_string_length > 0) max_len = std::min<uint64_t>(max_len, options_.max_string_length);
    if (f.min_length > max_len) return grammar_.nothing();
    std::vector<ExprId> shapes;
    std::vector<const Json*> shape_nodes;
    for (const auto& [format, node] : f.formats) {
      std::optional<ExprId> e = format_grammar(grammar_, format);
      if (e) {
        shapes.push_back(*e);
        shape_nodes.push_back(node);
      }
    }
    for (const auto& [pattern, node] : f.patterns) {
      RegexOptions ro;
      ro.mode = RegexMatchMode::kSearch;
      Result<ExprId> e = lower_regex(grammar_, pattern, ro);
      if (!e.ok()) {
        Status st = unsupported("pattern", node, e.error().message);
        if (!st.ok()) return st.error();
        continue;
      }
      shapes.push_back(*e);
      shape_nodes.push_back(node);
    }
    bool bounded = f.min_length > 0 || max_len != UINT64_MAX;
    if (!f.excluded_patterns.empty()) {
      // Strings none of the patterns match, within the length bounds: the
      // complement of the patterns, the shorter strings and the longer ones.
      std::vector<ExprId> outside;
      for (const auto& [pattern, node] : f.excluded_patterns) {
        RegexOptions ro;
        ro.mode = RegexMatchMode::kSearch;
        Result<ExprId> e = lower_regex(grammar_, pattern, ro);
        if (!e.ok()) {
          Status st = unsupported("not", node, "a string not matching the pattern: " + e.error().message);
          if (!st.ok()) return st.error();
          continue;
        }
        outside.push_back(*e);
      }
      if (f.min_length > 0) {
        outside.push_back(grammar_.repeat(any_char(), 0, static_cast<uint32_t>(std::min<uint64_t>(f.min_length - 1, kUnbounded - 1))));
      }
      if (max_len != UINT64_MAX) {
        outside.push_back(grammar_.repeat(any_char(), static_cast<uint32_t>(std::min<uint64_t>(max_len + 1, kUnbounded - 1)), kUnbounded));
      }
      Result<ExprId> e = ir::complement(grammar_, grammar_.choice(std::move(outside)), options_.max_complement_states);
      if (!e.ok()) {
        Status st = unsupported("not", f.excluded_patterns[0].second, "a string not matching the pattern: " + e.error().message);
        if (!st.ok()) return st.error();
      } else {
        shapes.push_back(*e);
        shape_nodes.push_back(f.excluded_patterns[0].second);
        // The complement keeps to the length bounds already, unless another
        // shape needs them too.
        if (shapes.size() == 1) return *e;
      }
    }
    ExprId any = any_char();
    if (shapes.empty()) {
      uint32_t hi = max_len >= kUnbounded ? kUnbounded : static_cast<uint32_t>(max_len);
      uint32_t lo = static_cast<uint32_t>(std::min<uint64_t>(f.min_length, kUnbounded - 1));
      return grammar_.repeat(any, lo, hi);
    }
    if (shapes.size() == 1 && !bounded) return shapes[0];
    if (shapes.size() == 1) {
      const uint64_t hi = max_len == UINT64_MAX ? ir::kNoLengthLimit : max_len;
      if (std::optional<ExprId> both = ir::intersect_length(grammar_, shapes[0], f.min_length, hi)) return *both;
    }
    const Json* at = shape_nodes.size() > 1 ? shape_nodes[1] : shape_nodes[0];
    const std::string at_pointer = index_.pointer(at);
    std::string keyword = at_pointer.ends_with("/format") ? "format" : at_pointer.ends_with("/not") ? "not" : "pattern";
    Status st = unsupported(keyword, at, bounded ? "combined with minLength/maxLength" : "combined with another pattern/format");
    if (!st.ok()) return st.error();
    return shapes[0];
  }

  Result<ExprId> compile_string(const Flat& f) {
    Result<ExprId> decoded = decoded_string(f);
    if (!decoded.ok()) return decoded.error();
    if (grammar_.expr(*decoded).kind == ExprKind::kNothing) return *decoded;
    return grammar_.sequence({grammar_.literal("\""), encoder_.encode(*decoded), grammar_.literal("\"")});
  }

  // ---------------------------------------------------------------- array
  Result<ExprId> compile_array(const Flat& f, uint32_t depth, uint32_t level) {
    if (f.unique_items) {
      bool trivially_unique = f.max_items <= 1;
      if (!trivially_unique) {
        Status st = unsupported("uniqueItems", f.unique_items, "item uniqueness is not expressible as a grammar");
        if (!st.ok()) return st.error();
      }
    }
    uint64_t min_items = f.min_items, max_items = f.max_items;
    if (min_items > max_items) {
      note_unsat(nullptr, "minItems > maxItems");
      return grammar_.nothing();
    }
    std::vector<ExprId> prefix;
    for (const SchemaSet& s : f.prefix_items) {
      if (prefix.size() >= max_items) break;
      Result<ExprId> e = compile_set(s, depth + 1, level + 1);
      if (!e.ok()) return e.error();
      prefix.push_back(*e);
    }
    Result<ExprId> rest_r = f.rest_items.empty() ? compile_set({&true_schema_}, depth + 1, level + 1)
                                                 : compile_set(f.rest_items, depth + 1, level + 1);
    if (!rest_r.ok()) return rest_r.error();
    ExprId rest = *rest_r;
    ExprId sep = item_sep(level);
    std::optional<ExprId> contains_item;
    if (!f.contains.empty()) {
      auto [cnode, holder] = f.contains.front();
      bool simple = f.contains.size() == 1 && f.prefix_items.empty() && !holder->contains("maxContains") &&
                    holder->value("minContains", 1) == 1 && min_items <= 1 && max_items == UINT64_MAX;
      if (holder->value("minContains", 1) == 0 && !holder->contains("maxContains")) {
        // minContains 0 makes contains vacuous.
      } else if (!simple) {
        Status st = unsupported("contains", cnode, "with prefixItems, bounds or several contains");
        if (!st.ok()) return st.error();
      } else {
        SchemaSet both_set = f.rest_items;
        both_set.push_back(cnode);
        Result<ExprId> c = compile_set(both_set, depth + 1, level + 1);
        if (!c.ok()) return c.error();
        contains_item = *c;
      }
    }
    if (contains_item) {
      // [ rest* witness rest* ] with the witness anywhere.
      ExprId before = grammar_.star(grammar_.sequence({rest, sep}));
      ExprId after = grammar_.star(grammar_.sequence({sep, rest}));
      return grammar_.sequence({open('[', level), before, *contains_item, after, close(']', level)});
    }
    // items from position i on, i items already written.
    uint64_t p = prefix.size();
    auto rest_count = [&](uint64_t written) -> std::pair<uint32_t, uint32_t> {
      uint64_t lo = min_items > written ? min_items - written : 0;
      uint64_t hi = max_items == UINT64_MAX ? kUnbounded : max_items - written;
      return {static_cast<uint32_t>(std::min<uint64_t>(lo, kUnbounded - 1)),
              static_cast<uint32_t>(std::min<uint64_t>(hi, kUnbounded))};
    };
    // The tail after p prefix items (p >= 1): (sep rest){lo,hi}.
    auto [lo, hi] = rest_count(p);
    bool rest_possible = grammar_.expr(rest).kind != ExprKind::kNothing;
    ExprId tail = rest_possible ? grammar_.repeat(grammar_.sequence({sep, rest}), lo, hi)
                                : (lo == 0 ? grammar_.empty() : grammar_.nothing());
    ExprId nonempty;
    if (p == 0) {
      if (!rest_possible || hi == 0) {
        nonempty = grammar_.nothing();
      } else {
        uint32_t lo1 = lo == 0 ? 0 : lo - 1;
        uint32_t hi1 = hi == kUnbounded ? kUnbounded : hi - 1;
        nonempty = grammar_.sequence({rest, grammar_.repeat(grammar_.sequence({sep, rest}), lo1, hi1)});
      }
    } else {
      // Build from the last prefix position backwards.
      ExprId after = tail;
      for (uint64_t i = p; i-- > 0;) {
        ExprId item = i == 0 ? prefix[0] : grammar_.sequence({sep, prefix[i]});
        ExprId here = grammar_.sequence({item, after});
        after = (i + 1 > min_items && i > 0) ? grammar_.optional(here) : here;
        if (i + 1 > min_items && i > 0) continue;
      }
      nonempty = after;
    }
    std::vector<ExprId> alternatives;
    if (min_items == 0) alternatives.push_back(empty_container('[', ']'));
    if (grammar_.expr(nonempty).kind != ExprKind::kNothing) {
      alternatives.push_back(grammar_.sequence({open('[', level), nonempty, close(']', level)}));
    }
    return grammar_.choice(std::move(alternatives));
  }

  // --------------------------------------------------------------- object
  // The schemas a property named `name` must satisfy: per layer, its
  // `properties` entry, the matching `patternProperties`, else its
  // `additionalProperties`.
  Result<SchemaSet> property_set(const Flat& f, const std::string& name) {
    SchemaSet out;
    for (const ObjectLayer& layer : f.layers) {
      bool matched = false;
      for (const auto& [n, s] : layer.properties) {
        if (n == name) {
          out.push_back(s);
          matched = true;
        }
      }
      for (const auto& [pattern, s] : layer.patterns) {
        Tri t = regex_search(pattern, name);
        if (t == Tri::kUnknown) {
          Status st = unsupported("patternProperties", s, "pattern cannot be evaluated");
          if (!st.ok()) return st.error();
          continue;
        }
        if (t == Tri::kYes) {
          out.push_back(s);
          matched = true;
        }
      }
      if (!matched) {
        if (layer.additional) {
          out.push_back(layer.additional);
        } else if (options_.strict && !layer.properties.empty()) {
          out.push_back(&false_schema_);
        }
      }
    }
    return out;
  }

  // Moves the dependencies that only require keys into f.key_dependencies,
  // where the object will take any order (so a permutation tracks its keys
  // and checks them at the end): dependentRequired, and dependentSchemas
  // that are `required`, or an anyOf of `required`, alone. Branching on each
  // trigger instead makes 2^k copies of the object for k dependencies, all
  // alive at every key. Within the budgets below the permutation's search
  // for a completion stays small (ir::permutation_completable).
  Status keep_dependencies_on_keys(Flat& f, std::vector<std::string>& names, uint32_t depth) {
    static constexpr size_t kMaxKeyDependencies = 16;
    static constexpr size_t kMaxNeedCombinations = 256;
    if (f.dependent_required.empty() && f.dependent_schemas.empty()) return {};
    if (f.min_properties > 1 || (f.max_properties != UINT64_MAX && f.max_properties > kMaxPermutationCount)) return {};
    std::vector<std::pair<std::string, std::vector<std::vector<std::string>>>> kept = f.key_dependencies;
    std::vector<std::string> all_names = names;
    size_t combinations = 1;
    for (const auto& [trigger, alternatives] : kept) combinations *= alternatives.size();
    auto take = [&](const std::string& trigger, std::vector<std::vector<std::string>> alternatives) {
      if (kept.size() >= kMaxKeyDependencies || combinations * alternatives.size() > kMaxNeedCombinations) return false;
      combinations *= alternatives.size();
      for (const auto& alternative : alternatives) {
        for (const std::string& n : alternative) {
          if (std::find(all_names.begin(), all_names.end(), n) == all_names.end()) all_names.push_back(n);
        }
      }
      kept.push_back({trigger, std::move(alternatives)});
      return true;
    };
    std::vector<std::pair<std::string, std::vector<std::string>>> other_required;
    for (auto& [trigger, needs] : f.dependent_required) {
      if (!take(trigger, {needs})) other_required.push_back({trigger, needs});
    }
    std::vector<std::pair<std::string, const Json*>> other_schemas;
    for (const auto& [trigger, schema] : f.dependent_schemas) {
      Result<std::optional<std::vector<std::vector<std::string>>>> alternatives = required_alternatives(schema, depth);
      if (!alternatives.ok()) return alternatives.status();
      if (!*alternatives || !take(trigger, std::move(**alternatives))) other_schemas.push_back({trigger, schema});
    }
    // Only where every name fits one permutation frame, with a member for
    // other keys; otherwise the object keeps schema order and branches.
    const size_t frame = options_.property_order == PropertyOrder::kAny
                             ? kMaxPermutationMembers
                             : std::min<size_t>(options_.max_any_order_properties, kMaxPermutationMembers);
    const uint32_t max_count =
        f.max_properties == UINT64_MAX ? kUnbounded : static_cast<uint32_t>(f.max_properties);
    if (all_names.size() + 1 > frame || !permutation_fits(all_names.size() + 1, 1, max_count) ||
        kept.size() == f.key_dependencies.size()) {
      return {};
    }
    names = std::move(all_names);
    f.key_dependencies = std::move(kept);
    f.dependent_required = std::move(other_required);
    f.dependent_schemas = std::move(other_schemas);
    return {};
  }

  // The alternative sets of keys a schema requires when it is `required`
  // alone, or an anyOf whose branches are (each may add to the outer
  // `required`); nullopt for any other schema.
  Result<std::optional<std::vector<std::vector<std::string>>>> required_alternatives(const Json* schema,
                                                                                      uint32_t depth) {
    using Alternatives = std::optional<std::vector<std::vector<std::string>>>;
    auto only_required = [](Flat flat) {
      flat.required.clear();
      flat.holds.clear();
      flat.fails.clear();
      flat.disjunctions.clear();
      return !flat.never && flat.types == kAllTypes && !flat.enum_values && flat.layers.empty() &&
             simple_flat_rest(flat);
    };
    Result<Flat> outer = with(Flat{}, {schema}, depth + 1);
    if (!outer.ok()) return outer.status();
    if (!only_required(*outer) || outer->disjunctions.size() > 1) return Alternatives();
    if (outer->disjunctions.empty()) return Alternatives(std::vector<std::vector<std::string>>{outer->required});
    const Disjunction& d = outer->disjunctions.front();
    if (d.one_of) return Alternatives();
    std::vector<std::vector<std::string>> alternatives;
    for (const Json* branch : d.branches) {
      Result<Flat> inner = with(Flat{}, {branch}, depth + 1);
      if (!inner.ok()) return inner.status();
      if (!only_required(*inner) || !inner->disjunctions.empty()) return Alternatives();
      std::vector<std::string> need = outer->required;
      need.insert(need.end(), inner->required.begin(), inner->required.end());
      alternatives.push_back(std::move(need));
    }
    return Alternatives(std::move(alternatives));
  }

  Result<ExprId> compile_object(Flat f, uint32_t depth, uint32_t level) {
    // Names in first-seen order across layers, then required-only names.
    std::vector<std::string> names;
    auto add_name = [&](const std::string& n) {
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    };
    for (const ObjectLayer& layer : f.layers) {
      for (const auto& [n, s] : layer.properties) add_name(n);
    }
    for (const std::string& n : f.required) add_name(n);
    for (const auto& [n, deps] : f.dependent_required) {
      add_name(n);
      for (const std::string& d : deps) add_name(d);
    }
    for (const auto& [n, s] : f.dependent_schemas) add_name(n);
    if (Status st = keep_dependencies_on_keys(f, names, depth); !st.ok()) return st.error();

    // Other dependencies: branch on whether the trigger is present.
    if (!f.dependent_required.empty() || !f.dependent_schemas.empty()) {
      std::string trigger;
      std::vector<std::string> needs;
      const Json* extra_schema = nullptr;
      if (!f.dependent_required.empty()) {
        trigger = f.dependent_required.front().first;
        needs = f.dependent_required.front().second;
        f.dependent_required.erase(f.dependent_required.begin());
      } else {
        trigger = f.dependent_schemas.front().first;
        extra_schema = f.dependent_schemas.front().second;
        f.dependent_schemas.erase(f.dependent_schemas.begin());
      }
      bool required = std::find(f.required.begin(), f.required.end(), trigger) != f.required.end();
      std::vector<ExprId> alternatives;
      if (!required) {
        Flat absent = f;
        absent.layers.push_back({nullptr, {{trigger, &false_schema_}}, {}, nullptr});
        Result<ExprId> a = compile_object(std::move(absent), depth, level);
        if (!a.ok()) return a.error();
        alternatives.push_back(*a);
      }
      Flat present = f;
      present.required.push_back(trigger);
      for (const std::string& n : needs) present.required.push_back(n);
      if (extra_schema) {
        Result<Flat> merged = with(std::move(present), {extra_schema}, depth + 1);
        if (!merged.ok()) return merged.error();
        present = std::move(*merged);
        if (!present.disjunctions.empty() || !present.conditionals.empty() || !present.nots.empty()) {
          present.types = kObject;
          Result<ExprId> e = compile_flat(std::move(present), depth, level, 0);
          if (!e.ok()) return e.error();
          alternatives.push_back(*e);
          return grammar_.choice(std::move(alternatives));
        }
        if (!(present.types & kObject)) present.never = true;
      }
      if (!present.never) {
        Result<ExprId> p = compile_object(std::move(present), depth, level);
        if (!p.ok()) return p.error();
        alternatives.push_back(*p);
      }
      return grammar_.choice(std::move(alternatives));
    }

    if (f.min_properties > f.max_properties) return grammar_.nothing();
    // Property names allowed by propertyNames: named ones are checked one by
    // one; other keys need the propertyNames grammar (below).
    std::vector<Member> members;
    for (const std::string& n : names) {
      bool required = std::find(f.required.begin(), f.required.end(), n) != f.required.end();
      bool allowed = true;
      for (const Json* pn : f.property_names) {
        Result<Tri> t = check_set(Json(n), {pn}, depth + 1);
        if (!t.ok()) return t.error();
        if (*t == Tri::kUnknown) {
          Status st = unsupported("propertyNames", pn, "cannot decide a property name");
          if (!st.ok()) return st.error();
        }
        allowed = allowed && *t != Tri::kNo;
      }
      Result<SchemaSet> set = property_set(f, n);
      if (!set.ok()) return set.error();
      ExprId value = grammar_.nothing();
      if (allowed) {
        Result<ExprId> v = compile_set(set->empty() ? SchemaSet{&true_schema_} : *set, depth + 1, level + 1);
        if (!v.ok()) return v.error();
        value = *v;
      }
      bool possible = grammar_.expr(value).kind != ExprKind::kNothing;
      if (!possible && required) {
        note_unsat(nullptr, "required property '" + n + "' cannot have any value");
        return grammar_.nothing();
      }
      if (!possible) continue;
      ExprId member = grammar_.sequence({grammar_.literal(quote_json_string(n)), key_sep(), value});
      members.push_back({n, required, member});
    }
    Result<std::optional<ExprId>> extra_r = extra_member(f, names, depth, level);
    if (!extra_r.ok()) return extra_r.error();
    std::optional<ExprId> extra = *extra_r;

    uint64_t min_p = f.min_properties, max_p = f.max_properties;
    // JSON Schema never constrains key order, so in PropertyOrder::kSchema
    // too an object takes any order where the matcher can track its keys
    // (see sluice/json_schema.h); larger objects keep schema order, widened
    // within the order budgets.
    const size_t tracked = members.size() + (extra ? 1 : 0);
    if (options_.property_order == PropertyOrder::kAny || tracked <= options_.max_any_order_properties) {
      if (std::optional<ExprId> object = any_order_object(members, extra, min_p, max_p, level, f.key_dependencies)) {
        return *object;
      }
      if (options_.property_order == PropertyOrder::kAny) {
        return make_error(ErrorCode::kBudgetExceeded,
                          "an object with " + std::to_string(tracked) +
                              " kinds of key in any order: a frame tracks at most " +
                              std::to_string(kMaxPermutationMembers) + ", fewer with minProperties/maxProperties");
      }
    }
    // Two orders are read as the schema's: that of `properties`, and that
    // of `required` followed by the other properties, since schemas written
    // by tools often sort `properties` while `required` keeps the order
    // people write. Either is accepted (both are valid JSON Schema); the
    // second machine is built only when the orders differ, and then each
    // gets half of the displacement budget.
    std::vector<Member> by_required;
    for (const std::string& name : f.required) {
      for (const Member& m : members) {
        if (m.name == name && std::none_of(by_required.begin(), by_required.end(),
                                           [&](const Member& x) { return x.name == name; })) {
          by_required.push_back(m);
        }
      }
    }
    for (const Member& m : members) {
      if (!m.required) by_required.push_back(m);
    }
    const bool same_order = std::equal(members.begin(), members.end(), by_required.begin(), by_required.end(),
                                       [](const Member& x, const Member& y) { return x.name == y.name; });
    const bool two_orders = !same_order && by_required.size() == members.size();
    const uint64_t budget =
        std::min<uint64_t>(options_.max_displacement_states, order_states_left()) / (two_orders ? 2 : 1);
    Result<ExprId> start_r = key_machine(f, members, extra, level, budget);
    if (!start_r.ok()) return start_r.error();
    ExprId start = *start_r;
    if (two_orders) {
      Result<ExprId> second = key_machine(f, by_required, extra, level, budget);
      if (!second.ok()) return second.error();
      start = grammar_.choice({start, *second});
    }
    std::vector<ExprId> alternatives;
    bool any_required = std::any_of(members.begin(), members.end(), [](const Member& m) { return m.required; });
    if (min_p == 0 && !any_required) alternatives.push_back(empty_container('{', '}'));
    if (max_p > 0) alternatives.push_back(grammar_.sequence({open('{', level), start, close('}', level)}));
    return grammar_.choice(std::move(alternatives));
  }

  // A member written from many states becomes a rule called from each,
  // with a fresh reference node per call site: inline_rules inlines a rule
  // named by one node only, and the automaton expands an inlined member
  // (value included) once per state that writes it.
  std::vector<RuleId> member_rules(const std::vector<Member>& members) {
    std::vector<RuleId> out;
    for (const Member& m : members) {
      out.push_back(grammar_.declare_rule("m" + std::to_string(grammar_.rules().size())));
      grammar_.set_body(out.back(), m.value);
    }
    return out;
  }

  // The item separator as a rule, called through a fresh node from each
  // state of a machine with many states (see member_rules): its whitespace
  // is then built once, not once per state.
  ExprId separator_call(uint32_t level) {
    const uint32_t key = options_.whitespace == JsonWhitespace::kPretty ? level : 0;
    auto it = separator_rules_.find(key);
    if (it == separator_rules_.end()) {
      it = separator_rules_.emplace(key, grammar_.declare_rule("sep" + std::to_string(grammar_.rules().size()))).first;
      grammar_.set_body(it->second, item_sep(level));
    }
    return grammar_.ref(it->second);
  }

  // A fresh node naming the same rule as `e` (see member_rules), or `e`
  // itself when it is no reference.
  ExprId fresh_ref(ExprId e) {
    const Expr& x = grammar_.expr(e);
    return x.kind == ExprKind::kRuleRef ? grammar_.ref(x.rule) : e;
  }

  // The rules that write an object's members in the order given, with
  // floating members anywhere and up to `displaced` members out of place
  // (see below); returns the start rule.
  //
  // A member out of place is either written early (before the order
  // reaches it; the order then passes over it) or, if required, passed over
  // by the order while still unwritten (reserved) and written later. The
  // out-of-place members are kept in the state, at most `displaced` at a
  // time, so no key is written twice and every required member is written.
  // `displaced` is the largest value up to max_displaced_properties whose
  // machine fits `budget` states; 0 is exactly schema order.
  //
  // Only a member written in order may follow the order's passing over
  // members; every other write (an early or floating member, another key)
  // happens right after a write (or at the start), in a "fresh" state. This
  // loses no order (any key follows some write) and keeps the parse nearly
  // deterministic: after each key, the live states are the in-order reading
  // and the early one, instead of one per place the order might have
  // stopped at, which would multiply across nested objects. (An object of
  // hundreds of optional members that allows other keys held a stack per
  // member after each other key.)
  Result<ExprId> key_machine(const Flat& f, const std::vector<Member>& members, std::optional<ExprId> extra,
                             uint32_t level, uint64_t budget) {
    const uint64_t min_p = f.min_properties, max_p = f.max_properties;
    // Members named only by merged schemas (allOf, a branch of anyOf or
    // oneOf, dependencies) or only by `required` have no place in the
    // schema's own order; up to kMaxFloatingMembers of them may appear
    // anywhere, each at most once. The others follow schema order.
    std::vector<Member> ordered, floating;
    {
      const ObjectLayer* own = nullptr;
      for (const ObjectLayer& layer : f.layers) {
        if (!layer.properties.empty()) {
          own = &layer;
          break;
        }
      }
      for (const Member& m : members) {
        const bool in_own = own && std::any_of(own->properties.begin(), own->properties.end(),
                                               [&](const auto& p) { return p.first == m.name; });
        (in_own ? ordered : floating).push_back(m);
      }
      if (!own || floating.size() > kMaxFloatingMembers) {
        ordered = members;
        floating.clear();
      }
    }
    // States (i, c, used, out, fresh): ordered members from index i on, c
    // written so far (clipped), `used` the floating members written, `out`
    // the ordered members out of place (sorted): those at or after i were
    // written early, those before i are reserved and not yet written.
    const size_t n = ordered.size();
    const uint64_t cap = max_p == UINT64_MAX ? std::max<uint64_t>(min_p, 1) : max_p;
    const uint32_t all_used = (uint32_t{1} << floating.size()) - 1;
    const uint64_t base = (cap + 1) * (n + 1) * (all_used + 1);
    if (base > options_.max_states) {
      return make_error(ErrorCode::kBudgetExceeded, "object property-count machine exceeds max_states");
    }
    uint32_t required_floating = 0;
    for (size_t j = 0; j < floating.size(); ++j) {
      if (floating[j].required) required_floating |= uint32_t{1} << j;
    }
    using Out = std::vector<uint32_t>;
    struct Key {
      size_t i;
      uint64_t c;
      uint32_t used;
      Out out;
      bool fresh;
      bool operator<(const Key& o) const {
        return std::tie(i, c, used, out, fresh) < std::tie(o.i, o.c, o.used, o.out, o.fresh);
      }
    };
    // What a state may do: `member` is kPass for a pass (the order moves on
    // without writing), else what is written: an ordered member's index,
    // -2 - j for floating member j, or kExtra for an additionalProperties
    // member.
    constexpr int64_t kPass = -1, kExtra = -1000;
    struct Move {
      int64_t member;
      Key next;
    };
    auto plus = [](Out out, uint32_t x) {
      out.insert(std::lower_bound(out.begin(), out.end(), x), x);
      return out;
    };
    auto minus = [](Out out, uint32_t x) {
      out.erase(std::find(out.begin(), out.end(), x));
      return out;
    };
    auto moves = [&](const Key& s, uint32_t k, std::vector<Move>& result) {
      result.clear();
      const auto [i, c, used, out, fresh] = s;
      const uint64_t next_c = std::min(c + 1, cap);
      const bool can_add = max_p == UINT64_MAX || c < max_p;
      const bool room = out.size() < k;
      if (i < n) {
        if (std::binary_search(out.begin(), out.end(), i)) {
          result.push_back({kPass, {i + 1, c, used, minus(out, i), false}});
        } else {
          if (can_add) result.push_back({static_cast<int64_t>(i), {i + 1, next_c, used, out, true}});
          if (!ordered[i].required) {
            result.push_back({kPass, {i + 1, c, used, out, false}});
          } else if (room && c > 0) {
            // Nothing is reserved before the first write: writing the first
            // member early reaches the same orders with fewer states.
            result.push_back({kPass, {i + 1, c, used, plus(out, i), false}});
          }
        }
      }
      if (!can_add || !fresh) return;
      for (uint32_t x : out) {
        if (x < i) result.push_back({static_cast<int64_t>(x), {i, next_c, used, minus(out, x), true}});
      }
      for (size_t y = i + 1; y < n && room; ++y) {
        if (std::binary_search(out.begin(), out.end(), y)) continue;
        result.push_back({static_cast<int64_t>(y), {i, next_c, used, plus(out, y), true}});
      }
      for (size_t j = 0; j < floating.size(); ++j) {
        const uint32_t bit = uint32_t{1} << j;
        if (!(used & bit)) result.push_back({-2 - static_cast<int64_t>(j), {i, next_c, used | bit, out, true}});
      }
      if (extra) result.push_back({kExtra, {i, next_c, used, out, true}});
    };
    const Key start_key{0, 0, 0, {}, true};
    // The states reachable with k out of place, or 0 once over `limit`.
    std::vector<Move> scratch;
    auto count_states = [&](uint32_t k, uint64_t limit) -> uint64_t {
      std::set<Key> seen{start_key};
      std::vector<Key> todo{start_key};
      while (!todo.empty()) {
        Key s = std::move(todo.back());
        todo.pop_back();
        moves(s, k, scratch);
        for (Move& m : scratch) {
          if (seen.insert(m.next).second) {
            if (seen.size() > limit) return 0;
            todo.push_back(std::move(m.next));
          }
        }
      }
      return seen.size();
    };
    // Early writes alone make n(n-1)/2 fresh states, so larger objects are
    // not counted at all.
    uint32_t displaced = 0;
    if (n * (n - 1) / 2 <= budget) {
      for (uint32_t k = std::min<uint64_t>(options_.max_displaced_properties, n); k > 0; --k) {
        if (uint64_t states = count_states(k, budget); states > 0) {
          displaced = k;
          order_states_spent_ += states;
          break;
        }
      }
    }
    // Exactly schema order writes each member from few states; displaced
    // members are written from many.
    std::vector<RuleId> ordered_rules;
    if (displaced > 0) ordered_rules = member_rules(ordered);
    // Each state is two rules: the state itself, after a member (or at the
    // start), and its writes, after the separator. A pass (the order moving
    // over a member without writing it) leads from writes to writes, and
    // the state ends where some chain of passes reaches an end. So after a
    // value the parser holds one separator, not one per later member: with
    // hundreds of optional members, a separator per member meant hundreds
    // of stacks to step and to look up at every byte after each value.
    ExprId sep = item_sep(level);
    std::map<Key, RuleId> rules, write_rules;
    std::vector<std::pair<Key, bool>> todo;  // (state, its writes rule)
    auto rule_for = [&](const Key& key, bool writes) {
      auto& table = writes ? write_rules : rules;
      auto [it, inserted] = table.emplace(key, 0);
      if (inserted) {
        it->second = grammar_.declare_rule((writes ? "w" : "o") + std::to_string(grammar_.rules().size()));
        todo.push_back({key, writes});
      }
      return grammar_.ref(it->second);
    };
    auto state = [&](const Key& key) { return rule_for(key, false); };
    auto terminal = [&](const Key& k) {
      const bool reserved = std::any_of(k.out.begin(), k.out.end(), [&](uint32_t x) { return x < k.i; });
      return k.i == n && k.c >= std::max<uint64_t>(min_p, 1) && (k.used & required_floating) == required_floating &&
             !reserved;
    };
    // Whether a state can end, and whether it can write, through its passes
    // (which only move forward, so the recursion ends).
    std::map<Key, std::pair<bool, bool>> reach;
    std::function<std::pair<bool, bool>(const Key&)> ends_and_writes = [&](const Key& k) {
      auto found = reach.find(k);
      if (found != reach.end()) return found->second;
      std::vector<Move> local;
      moves(k, displaced, local);
      std::pair<bool, bool> result{terminal(k), false};
      for (const Move& m : local) {
        if (m.member != kPass) {
          result.second = true;
          continue;
        }
        const auto [ends, writes] = ends_and_writes(m.next);
        result.first = result.first || ends;
        result.second = result.second || writes;
      }
      reach.emplace(k, result);
      return result;
    };
    const ExprId start = state(start_key);
    std::vector<Move> next;
    while (!todo.empty()) {
      if (Status st = check_budget(); !st.ok()) return st.error();
      auto [s, is_writes] = std::move(todo.back());
      todo.pop_back();
      std::vector<ExprId> alternatives;
      if (!is_writes) {
        const auto [ends, writes] = ends_and_writes(s);
        if (ends) alternatives.push_back(grammar_.empty());
        if (writes) {
          ExprId after = rule_for(s, true);
          alternatives.push_back(s.c == 0 ? after
                                          : grammar_.sequence({displaced > 0 ? separator_call(level) : sep, after}));
        }
        grammar_.set_body(rules[s], grammar_.choice(std::move(alternatives)));
        continue;
      }
      moves(s, displaced, next);
      for (const Move& m : next) {
        if (m.member == kPass) {
          if (ends_and_writes(m.next).second) alternatives.push_back(rule_for(m.next, true));
          continue;
        }
        ExprId written = m.member == kExtra  ? (displaced > 0 ? fresh_ref(*extra) : *extra)
                         : m.member <= -2    ? floating[static_cast<size_t>(-2 - m.member)].value
                         : displaced > 0     ? grammar_.ref(ordered_rules[static_cast<size_t>(m.member)])
                                             : ordered[static_cast<size_t>(m.member)].value;
        alternatives.push_back(grammar_.sequence({written, state(m.next)}));
      }
      grammar_.set_body(write_rules[s], grammar_.choice(std::move(alternatives)));
    }
    return start;
  }

  // Any order: states are (members used, count), so the grammar grows as
  // 2^members; bounded by max_states.
  // The object as one permutation: members in any order, each at most once,
  // required ones present, other keys (extra) any number of times; the
  // matcher tracks the keys written, so the grammar stays linear in the
  // members. Nothing when the members and the property-count bounds do not
  // fit a frame (permutation_fits in sluice/grammar.h).
  std::optional<ExprId> any_order_object(
      const std::vector<Member>& members, std::optional<ExprId> extra, uint64_t min_p, uint64_t max_p, uint32_t level,
      const std::vector<std::pair<std::string, std::vector<std::vector<std::string>>>>& key_dependencies) {
    const size_t n = members.size() + (extra ? 1 : 0);
    if (n > kMaxPermutationMembers) return std::nullopt;
    std::vector<ExprId> written;
    uint64_t required = 0;
    for (size_t i = 0; i < members.size(); ++i) {
      if (members[i].required) required |= uint64_t{1} << i;
      written.push_back(members[i].value);
    }
    uint64_t repeatable = 0;
    if (extra) {
      repeatable = uint64_t{1} << members.size();
      written.push_back(*extra);
    } else {
      // Without other keys the count never passes the members.
      if (min_p > members.size()) return grammar_.nothing();
      if (max_p >= members.size()) max_p = UINT64_MAX;
    }
    const auto count_bound = [](uint64_t bound) {
      return static_cast<uint32_t>(std::min<uint64_t>(bound, uint64_t{kMaxPermutationCount} + 1));
    };
    if (!permutation_fits(n, count_bound(std::max<uint64_t>(min_p, 1)),
                          max_p == UINT64_MAX ? kUnbounded : count_bound(max_p))) {
      return std::nullopt;
    }
    auto member_bit = [&](const std::string& name) -> std::optional<uint64_t> {
      for (size_t i = 0; i < members.size(); ++i) {
        if (members[i].name == name) return uint64_t{1} << i;
      }
      return std::nullopt;  // a key with no possible value
    };
    std::vector<PermutationDependency> dependencies;
    for (const auto& [trigger, alternatives] : key_dependencies) {
      std::optional<uint64_t> trigger_bit = member_bit(trigger);
      if (!trigger_bit) continue;
      PermutationDependency d{*trigger_bit, {}};
      for (const std::vector<std::string>& alternative : alternatives) {
        uint64_t need = 0;
        bool possible = true;
        for (const std::string& n : alternative) {
          std::optional<uint64_t> bit = member_bit(n);
          possible = possible && bit.has_value();
          need |= bit.value_or(0);
        }
        if (possible) d.needs.push_back(need);
      }
      dependencies.push_back(std::move(d));
    }
    std::vector<ExprId> alternatives;
    if (min_p == 0 && required == 0) alternatives.push_back(empty_container('{', '}'));
    if (max_p > 0) {
      // The empty object is the alternative above, so the braces hold at
      // least one member.
      const ExprId body = grammar_.permutation(separator_call(level), std::move(written), required, repeatable,
                                               static_cast<uint32_t>(std::max<uint64_t>(min_p, 1)),
                                               max_p == UINT64_MAX ? kUnbounded : static_cast<uint32_t>(max_p),
                                               std::move(dependencies));
      alternatives.push_back(grammar_.sequence({open('{', level), body, close('}', level)}));
    }
    return grammar_.choice(std::move(alternatives));
  }

  static constexpr size_t kInlineKeyTailNodes = 256;
  // A key that leaves a trie node on a character outside `used` (sorted),
  // through the shared tail rules (see string_except).
  ExprId other_key_through_tails(const std::vector<CodepointRange>& used) {
    const bool ascii_only = used.empty() || used.back().lo < 0x80;
    std::vector<CodepointRange> excluded = used;
    if (ascii_only) excluded.push_back({0x80, kMaxCodepoint});
    const ExprId other = grammar_.sequence({grammar_.char_class(excluded, true), *key_tail_});
    return ascii_only ? grammar_.choice({other, *non_ascii_key_tail_}) : other;
  }
  // Decoded strings other than the given names (a trie walked in the
  // grammar), so that a key named in the schema can't take the
  // additionalProperties route.
  ExprId string_except(const std::vector<std::string>& names) {
    struct Node {
      bool terminal = false;
      std::map<uint32_t, size_t> children;
    };
    std::vector<Node> trie(1);
    for (const std::string& name : names) {
      size_t at = 0;
      for (size_t i = 0; i < name.size();) {
        const uint32_t cp = next_codepoint(name, i);
        auto it = trie[at].children.find(cp);
        if (it == trie[at].children.end()) {
          trie.push_back({});
          it = trie[at].children.emplace(cp, trie.size() - 1).first;
        }
        at = it->second;
      }
      trie[at].terminal = true;
    }
    // Once a key leaves the trie, the rest is any string. Up to
    // kInlineKeyTailNodes nodes each node spells it inline: the key stays
    // one frame, and a mask walk soon finds that its nodes take all plain
    // text (matcher/slice_absorption.h); on MaskBench's Github_medium
    // schemas that costs 2% fewer instructions than shared rules. In a
    // large trie (eslintrc's rules: 259 names, 3,900 nodes) the copies are
    // most of the automaton, and proving that explored every copy (7 ms in
    // one mask); there every node enters one shared rule instead, non-ASCII
    // characters another, neither calling a rule (the walk looks into
    // rules only that far).
    const bool shared_tails = trie.size() > kInlineKeyTailNodes;
    if (shared_tails && !key_tail_) {
      const RuleId tail = grammar_.declare_rule("keytail" + std::to_string(grammar_.rules().size()));
      grammar_.set_body(tail, grammar_.star(any_char()));
      key_tail_ = grammar_.ref(tail);
      const RuleId non_ascii = grammar_.declare_rule("keytail" + std::to_string(grammar_.rules().size()));
      grammar_.set_body(non_ascii,
                        grammar_.sequence({grammar_.char_class({{0x80, kMaxCodepoint}}), grammar_.star(any_char())}));
      non_ascii_key_tail_ = grammar_.ref(non_ascii);
    }
    if (!any_star_) any_star_ = grammar_.star(any_char());
    // Bottom-up: children have larger indices than their parents.
    std::vector<ExprId> built(trie.size());
    for (size_t t = trie.size(); t-- > 0;) {
      std::vector<ExprId> alternatives;
      if (!trie[t].terminal) alternatives.push_back(grammar_.empty());
      std::vector<CodepointRange> used;
      for (const auto& [cp, child] : trie[t].children) {
        std::string utf8;
        utf8::append(utf8, cp);
        alternatives.push_back(grammar_.sequence({grammar_.literal(utf8), built[child]}));
        used.push_back({cp, cp});
      }
      // Shared per excluded set: most trie nodes exclude one letter, and the
      // encoder then rewrites each distinct class once.
      std::vector<uint32_t> key;
      for (const CodepointRange& r : used) key.push_back(r.lo);
      auto& other_chars = shared_tails ? other_chars_shared_ : other_chars_;
      auto cached = other_chars.find(key);
      if (cached == other_chars.end()) {
        cached = other_chars.emplace(key, shared_tails ? other_key_through_tails(used)
                                                       : grammar_.sequence({grammar_.char_class(used, true), *any_star_}))
                     .first;
      }
      alternatives.push_back(cached->second);
      built[t] = grammar_.choice(std::move(alternatives));
    }
    return built[0];
  }

  // One member whose key is not a named property, or nullopt when no such
  // key is allowed.
  Result<std::optional<ExprId>> extra_member(const Flat& f, const std::vector<std::string>& names, uint32_t depth,
                                             uint32_t level) {
    SchemaSet values;
    std::optional<ExprId> key;  // decoded
    const ObjectLayer* pattern_layer = nullptr;
    // A layer whose patternProperties leave other keys open: those keys
    // take its additionalProperties (or anything), keys matching a pattern
    // take the pattern's schema.
    const ObjectLayer* open_pattern_layer = nullptr;
    for (const ObjectLayer& layer : f.layers) {
      const Json* additional = layer.additional;
      if (!additional && options_.strict && !layer.properties.empty()) additional = &false_schema_;
      bool closed = additional && is_false(additional);
      if (layer.patterns.empty()) {
        if (closed) return std::optional<ExprId>();
        if (additional && !is_trivially_true(additional)) values.push_back(additional);
        continue;
      }
      bool patterns_trivial = std::all_of(layer.patterns.begin(), layer.patterns.end(),
                                          [](const auto& p) { return is_trivially_true(p.second); });
      if (!closed) {
        if (patterns_trivial) {
          if (additional && !is_trivially_true(additional)) {
            Status st = unsupported("patternProperties", layer.patterns[0].second,
                                    "with additionalProperties other than false");
            if (!st.ok()) return st.error();
          }
          continue;
        }
        if (open_pattern_layer || pattern_layer) {
          Status st = unsupported("patternProperties", layer.patterns[0].second, "in several merged schemas");
          if (!st.ok()) return st.error();
          continue;
        }
        open_pattern_layer = &layer;
        continue;
      }
      if (pattern_layer || open_pattern_layer) {
        Status st = unsupported("patternProperties", layer.patterns[0].second, "in several merged schemas");
        if (!st.ok()) return st.error();
        continue;
      }
      pattern_layer = &layer;
    }
    if (const ObjectLayer* layer = pattern_layer ? pattern_layer : open_pattern_layer) {
      const auto& patterns = layer->patterns;
      for (size_t i = 1; i < patterns.size(); ++i) {
        if (!json_equal(*patterns[i].second, *patterns[0].second)) {
          Status st = unsupported("patternProperties", patterns[i].second,
                                  "several patterns with different schemas (keys may match more than one)");
          if (!st.ok()) return st.error();
        }
      }
      std::vector<ExprId> keys;
      for (const auto& [pattern, schema] : patterns) {
        for (const std::string& n : names) {
          if (regex_search(pattern, n) != Tri::kNo) {
            Status st = unsupported("patternProperties", schema, "pattern also matches the named property '" + n + "'");
            if (!st.ok()) return st.error();
          }
        }
        RegexOptions ro;
        ro.mode = RegexMatchMode::kSearch;
        Result<ExprId> e = lower_regex(grammar_, pattern, ro);
        if (!e.ok()) {
          Status st = unsupported("patternProperties", schema, e.error().message);
          if (!st.ok()) return st.error();
          return std::optional<ExprId>();
        }
        keys.push_back(*e);
      }
      key = grammar_.choice(keys);
      if (open_pattern_layer) {
        if (!f.property_names.empty()) {
          Status st = unsupported("propertyNames", f.property_names[0], "together with patternProperties");
          if (!st.ok()) return st.error();
        }
        // Keys no pattern matches and no property names.
        for (const std::string& n : names) keys.push_back(grammar_.literal(n));
        Result<ExprId> others = ir::complement(grammar_, grammar_.choice(std::move(keys)), options_.max_complement_states);
        SchemaSet other_values = values;
        const Json* additional = open_pattern_layer->additional;
        if (additional && !is_trivially_true(additional)) other_values.push_back(additional);
        if (!others.ok()) {
          Status st = unsupported("patternProperties", patterns[0].second,
                                  "keys outside the patterns: " + others.error().message);
          if (!st.ok()) return st.error();
          // Lenient: without the patterns, every other key is an
          // additional property.
          return member_of(string_except(names), other_values, depth, level);
        }
        values.push_back(patterns[0].second);
        Result<std::optional<ExprId>> matching = member_of(*key, values, depth, level);
        if (!matching.ok()) return matching.error();
        Result<std::optional<ExprId>> other = member_of(*others, other_values, depth, level);
        if (!other.ok()) return other.error();
        if (!*matching) return *other;
        if (!*other) return *matching;
        return std::optional<ExprId>(grammar_.choice({**matching, **other}));
      }
      values.push_back(patterns[0].second);
    }
    if (!f.property_names.empty()) {
      if (pattern_layer) {
        Status st = unsupported("propertyNames", f.property_names[0], "together with patternProperties");
        if (!st.ok()) return st.error();
      } else {
        Flat pn;
        std::vector<const Json*> seen;
        for (const Json* s : f.property_names) {
          if (Status st = flatten(s, pn, depth + 1, seen); !st.ok()) return st.error();
        }
        if (pn.never || !(pn.types & kString)) return std::optional<ExprId>();
        if (pn.enum_values) {
          std::vector<ExprId> keys;
          for (const Json& v : *pn.enum_values) {
            if (!v.is_string()) continue;
            const std::string& s = v.get_ref<const std::string&>();
            if (std::find(names.begin(), names.end(), s) != names.end()) continue;
            Result<Tri> t = check_flat(v, pn, depth + 1);
            if (!t.ok()) return t.error();
            if (*t == Tri::kNo) continue;
            keys.push_back(grammar_.literal(s));
          }
          key = grammar_.choice(std::move(keys));
        } else if (!pn.disjunctions.empty() || !pn.nots.empty() || !pn.conditionals.empty()) {
          Status st = unsupported("propertyNames", f.property_names[0], "with applicators");
          if (!st.ok()) return st.error();
        } else if (!names.empty()) {
          Status st = unsupported("propertyNames", f.property_names[0], "with named properties and other keys allowed");
          if (!st.ok()) return st.error();
        } else {
          Result<ExprId> d = decoded_string(pn);
          if (!d.ok()) return d.error();
          key = *d;
        }
      }
    }
    if (!key) key = string_except(names);
    return member_of(*key, values, depth, level);
  }

  // A member whose key is `key` (decoded) and whose value satisfies
  // `values`, or nullopt when there is none.
  Result<std::optional<ExprId>> member_of(ExprId key, const SchemaSet& values, uint32_t depth, uint32_t level) {
    if (grammar_.expr(key).kind == ExprKind::kNothing) return std::optional<ExprId>();
    Result<ExprId> value = compile_set(values.empty() ? SchemaSet{&true_schema_} : values, depth + 1, level + 1);
    if (!value.ok()) return value.error();
    if (grammar_.expr(*value).kind == ExprKind::kNothing) return std::optional<ExprId>();
    // The key and the member are rules of their own: the member is
    // referenced from every object state, and the matcher's first walk of
    // the member then ends at the key's closing quote instead of following
    // every token on into the value.
    RuleId key_rule = grammar_.declare_rule("extrakey" + std::to_string(grammar_.rules().size()));
    grammar_.set_body(key_rule,
                      grammar_.sequence({grammar_.literal("\""), encoder_.encode(key), grammar_.literal("\"")}));
    RuleId rule = grammar_.declare_rule("extra" + std::to_string(grammar_.rules().size()));
    grammar_.set_body(rule, grammar_.sequence({grammar_.ref(key_rule), key_sep(), *value}));
    return std::optional<ExprId>(grammar_.ref(rule));
  }

  std::map<uint32_t, RuleId> separator_rules_;
  // Key-machine states spent on orders beyond schema order (as the checks
  // count them), against max_widened_order_states.
  uint64_t order_states_spent_ = 0;
  uint64_t order_states_left() const {
    const uint64_t total = options_.max_widened_order_states;
    return total - std::min<uint64_t>(order_states_spent_, total);
  }

  struct Memo {
    RuleId rule;
    ExprId body;
    bool done;
  };

  const Json& root_;
  JsonSchemaDraft draft_;
  const JsonSchemaOptions& options_;
  SchemaIndex index_;
  std::chrono::steady_clock::time_point deadline_;
  Grammar grammar_;
  StringEncoder encoder_{grammar_};
  std::vector<JsonSchemaWarning> warnings_;
  std::map<std::pair<SchemaSet, uint32_t>, Memo> memo_;
  std::optional<ExprId> ws_;
  std::optional<ExprId> any_char_, any_star_, key_tail_, non_ascii_key_tail_;
  // string_except's "any other key" expressions, by the characters a trie
  // node excludes: spelled inline, or through the shared tail rules.
  std::map<std::vector<uint32_t>, ExprId> other_chars_, other_chars_shared_;
  std::string unsat_reason_, unsat_pointer_;
  std::deque<Json> extra_values_;
  std::map<const Json*, const Json*> origins_;
  const Json true_schema_ = Json(true);
  const Json false_schema_ = Json(false);
  std::unordered_map<const Json*, uint64_t> ordinals_;
};

std::optional<JsonSchemaDraft> draft_from_uri(const std::string& uri) {
  if (uri.find("2020-12") != std::string::npos) return JsonSchemaDraft::kDraft2020_12;
  if (uri.find("2019-09") != std::string::npos) return JsonSchemaDraft::kDraft2019_09;
  if (uri.find("draft-07") != std::string::npos) return JsonSchemaDraft::kDraft7;
  if (uri.find("draft-06") != std::string::npos) return JsonSchemaDraft::kDraft6;
  if (uri.find("draft-04") != std::string::npos || uri.find("draft-03") != std::string::npos) {
    return JsonSchemaDraft::kDraft4;
  }
  return std::nullopt;
}

}  // namespace
}  // namespace json_schema

Result<CompiledJsonSchema> compile_json_schema(std::string_view schema_json, const JsonSchemaOptions& options) {
  using json_schema::Json;
  Json root = Json::parse(schema_json, nullptr, false);
  if (root.is_discarded()) return make_error(ErrorCode::kParseError, "schema is not valid JSON");
  if (!root.is_object() && !root.is_boolean()) {
    return make_error(ErrorCode::kParseError, "a schema must be an object or a boolean", Location::at_pointer(""));
  }
  if (options.whitespace == JsonWhitespace::kCompact &&
      (options.item_separator.find(',') == std::string::npos || options.key_separator.find(':') == std::string::npos ||
       options.item_separator.find_first_not_of(" \t\n\r,") != std::string::npos ||
       options.key_separator.find_first_not_of(" \t\n\r:") != std::string::npos)) {
    return make_error(ErrorCode::kInvalidArgument, "separators must be ',' and ':' with optional whitespace");
  }
  JsonSchemaDraft draft = JsonSchemaDraft::kDraft2020_12;
  if (options.draft) {
    draft = *options.draft;
  } else if (root.is_object() && root.contains("$schema") && root["$schema"].is_string()) {
    if (auto d = json_schema::draft_from_uri(root["$schema"].get<std::string>())) draft = *d;
  }
  try {
    json_schema::Compiler compiler(root, draft, options);
    return compiler.run();
  } catch (const std::exception& e) {
    // nlohmann throws on type mismatches the checks above missed; report
    // them as a bad schema rather than crash.
    return make_error(ErrorCode::kParseError, std::string("malformed schema: ") + e.what());
  }
}

Result<std::string> json_to_compact(std::string_view json_text) {
  using json_schema::Json;
  Json value = Json::parse(json_text, nullptr, false);
  if (value.is_discarded()) return make_error(ErrorCode::kParseError, "document is not valid JSON");
  return json_schema::to_compact(value);
}

}  // namespace sluice
