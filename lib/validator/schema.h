// The compiled form of a JSON Schema: a graph of Nodes (one per subschema,
// shared, possibly cyclic through $ref), each a flat list of Keywords that
// the evaluator (evaluate.h) runs in order. Built by compiler.cc; immutable
// afterwards, so one CompiledSchema serves many threads.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "sluice/validator.h"

namespace sluice::validator {

using Json = nlohmann::json;

// A JSON number as the schema or a document wrote it. Integers keep their
// exact value; only non-integers and out-of-range integers are doubles.
struct Number {
  enum Kind : uint8_t { kInt, kUint, kDouble } kind = kInt;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  static Number of_int(int64_t v) { Number n; n.kind = kInt; n.i = v; return n; }
  static Number of_uint(uint64_t v) { Number n; n.kind = kUint; n.u = v; return n; }
  static Number of_double(double v) { Number n; n.kind = kDouble; n.d = v; return n; }
  double as_double() const { return kind == kInt ? double(i) : kind == kUint ? double(u) : d; }
  bool is_integral() const;
  std::string to_string() const;
};

// Exact three-way comparison (-1, 0, 1), also between an int64 and a double.
int compare_numbers(const Number& a, const Number& b);
bool is_multiple_of(const Number& value, const Number& divisor);

enum TypeBit : uint8_t {
  kTypeNull = 1, kTypeBoolean = 2, kTypeObject = 4, kTypeArray = 8,
  kTypeNumber = 16, kTypeInteger = 32, kTypeString = 64,
};

enum class Op : uint8_t {
  kFalse,             // the schema `false`
  kType,              // types
  kEnum,              // values (and index when string_enum)
  kConst,             // values[0]
  kMultipleOf,        // number
  kMaximum, kExclusiveMaximum, kMinimum, kExclusiveMinimum,  // number
  kMaxLength, kMinLength,   // count, in code points
  kPattern,           // regex
  kFormat,            // format
  kItemsTuple,        // subs[i] applies to item i (prefixItems, items: [...])
  kItemsFrom,         // sub applies to items from index count on
  kContains,          // sub; min_contains, max_contains (when has_max)
  kMaxItems, kMinItems, kUniqueItems,        // count
  kMaxProperties, kMinProperties,            // count
  kRequired,          // names, index
  kProperties,        // named, index
  kPatternProperties, // patterns
  kAdditionalProperties,  // sub; index (the properties) + pattern_refs say what is not additional
  kDependentRequired, // deps
  kDependentSchemas,  // named
  kPropertyNames,     // sub
  kAllOf, kAnyOf, kOneOf,  // subs
  kNot,               // sub
  kIfThenElse,        // sub (if), then_sub, else_sub (either may be null)
  kRef,               // sub
  kDynamicRef,        // sub (static target), name: the dynamic anchor to look up
  kRecursiveRef,      // sub (static target)
  kUnevaluatedItems, kUnevaluatedProperties,  // sub
};

// A fixed set of strings looked up with one hash and, usually, one
// comparison: object keys against properties, required and enum lists are
// the validator's hottest lookups.
class KeyIndex {
 public:
  // Position i answers for keys[i]; keys must be distinct.
  void build(const std::vector<std::string>& keys);
  int find(std::string_view key) const {
    if (slots_.empty()) return -1;
    for (uint32_t h = hash(key) & mask_;; h = (h + 1) & mask_) {
      int32_t slot = slots_[h];
      if (slot < 0) return -1;
      if (keys_[slot] == key) return slot;
    }
  }
  size_t size() const { return keys_.size(); }

 private:
  static uint32_t hash(std::string_view key) {
    uint32_t h = 2166136261u;
    for (char c : key) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return h;
  }
  std::vector<std::string> keys_;
  std::vector<int32_t> slots_;
  uint32_t mask_ = 0;
};

struct Node;
struct Resource;

using FormatFn = bool (*)(std::string_view);

struct Pattern {
  std::unique_ptr<RE2> regex;
  const Node* sub = nullptr;
  std::string source;
};

struct Keyword {
  Op op = Op::kFalse;
  std::string name;  // the keyword, e.g. "maximum" or "items"
  std::string abs;   // absolute keyword location (URI with JSON pointer)
  uint8_t types = 0;
  Number number;
  uint64_t count = 0;
  uint64_t min_contains = 1;
  uint64_t max_contains = 0;
  bool has_max = false;
  bool contains_annotates = false;  // 2020-12: contains feeds unevaluatedItems
  // Draft 4: "integer" means written without a fraction or exponent, so 1.0
  // is not an integer there (later drafts: any number with zero fraction).
  bool integer_needs_integer_text = false;
  const Node* sub = nullptr;
  const Node* then_sub = nullptr;
  const Node* else_sub = nullptr;
  std::vector<const Node*> subs;
  std::vector<std::pair<std::string, const Node*>> named;
  std::vector<std::string> names;  // distinct
  KeyIndex index;                  // over named (properties) or names
  bool string_enum = false;        // every enum value is a string: index holds them
  std::vector<std::pair<std::string, std::vector<std::string>>> deps;
  std::vector<Pattern> patterns;
  std::vector<const RE2*> pattern_refs;
  std::unique_ptr<RE2> regex;
  std::string source;  // pattern source or format name, for messages
  FormatFn format = nullptr;
  std::vector<Json> values;
};

// A schema resource (a document or a subschema with $id): the unit the
// dynamic scope of $dynamicRef/$recursiveRef is made of.
struct Resource {
  std::string uri;
  std::unordered_map<std::string, const Node*> dynamic_anchors;
  const Node* root = nullptr;
  bool recursive_anchor = false;
};

struct Node {
  std::vector<Keyword> keywords;
  std::string abs;  // absolute location of this schema
  const Resource* resource = nullptr;
  SchemaDraft draft = SchemaDraft::kDraft2020_12;
  // Has unevaluatedItems/Properties, so its in-place subschemas must report
  // what they evaluated.
  bool needs_annotations = false;
};

struct CompiledSchema {
  ValidatorOptions options;
  SchemaDraft draft = SchemaDraft::kDraft2020_12;
  std::vector<std::unique_ptr<Node>> nodes;
  std::vector<std::unique_ptr<Resource>> resources;
  const Node* root = nullptr;
  bool uses_dynamic_scope = false;
};

// Compiles; the error's json_pointer names the offending schema location.
Result<std::shared_ptr<const CompiledSchema>> compile_schema(std::string_view text, const ValidatorOptions& options);

// The drafts' metaschemas, built in so `$ref` to them works offline.
// Returns null for an unknown URI (without fragment).
const char* builtin_metaschema(const std::string& uri);

}  // namespace sluice::validator
