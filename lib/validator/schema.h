// The compiled form of a JSON Schema: a graph of Nodes (one per subschema,
// shared, possibly cyclic through $ref), each a flat list of Keywords that
// the evaluator (evaluate.h) runs in order. Built by compiler.cc; immutable
// afterwards, so one CompiledSchema serves many threads.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <cstring>
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
// the validator's hottest lookups. Keys are short, so hashing and comparing
// read them eight bytes at a time instead of byte by byte or through memcmp.
class KeyIndex {
 public:
  // Position i answers for keys[i]; keys must be distinct.
  void build(const std::vector<std::string>& keys);
  [[gnu::always_inline]] int find(std::string_view key) const {
    if (slots_.empty()) return -1;
    const uint64_t h = hash(key);
    for (size_t i = h >> shift_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.index < 0) return -1;
      if (slot.hash == h && slot.size == key.size() && same_bytes(bytes_.data() + slot.offset, key.data(), key.size()))
        return slot.index;
    }
  }
  size_t size() const { return count_; }

 private:
  struct Slot {
    uint64_t hash = 0;
    size_t offset = 0;  // into bytes_
    size_t size = 0;
    int32_t index = -1;  // -1: empty
  };
  static uint64_t load8(const char* p) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    return x;
  }
  static uint32_t load4(const char* p) {
    uint32_t x;
    std::memcpy(&x, p, 4);
    return x;
  }
  // Loads overlap at the ends so that no byte outside the key is read.
  static bool same_bytes(const char* a, const char* b, size_t n) {
    if (n >= 8) {
      for (size_t i = 0; i + 8 < n; i += 8) {
        if (load8(a + i) != load8(b + i)) return false;
      }
      return load8(a + n - 8) == load8(b + n - 8);
    }
    if (n >= 4) return load4(a) == load4(b) && load4(a + n - 4) == load4(b + n - 4);
    for (size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  static uint64_t mix(uint64_t x) {
    __uint128_t m = static_cast<__uint128_t>(x) * 0x9E3779B97F4A7C15ull;
    return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
  }
  // Multiplicative: slots are numbered by the product's top bits. Keys of up
  // to eight bytes fold into one word (loads overlapping in the middle), so
  // a lookup costs one multiplication.
  static uint64_t hash(std::string_view key) {
    const char* p = key.data();
    const size_t n = key.size();
    uint64_t x;
    if (n > 8) {
      x = n;
      for (size_t i = 0; i + 8 < n; i += 8) x = mix(x ^ load8(p + i));
      x ^= load8(p + n - 8);
    } else if (n >= 4) {
      x = (uint64_t{load4(p)} << 32 | load4(p + n - 4)) ^ n;
    } else if (n > 0) {
      x = uint64_t{static_cast<unsigned char>(p[0])} << 16 | uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
          uint64_t{static_cast<unsigned char>(p[n - 1])} | uint64_t{n} << 24;
    } else {
      x = 0;
    }
    return (x ^ 0xA0761D6478BD642Full) * 0x9E3779B97F4A7C15ull;
  }
  std::string bytes_;  // the keys, back to back
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  unsigned shift_ = 64;  // 64 - log2(slot count)
  size_t count_ = 0;
};

struct Node;
struct Resource;

using FormatFn = bool (*)(std::string_view);

struct Pattern {
  std::unique_ptr<RE2> regex;
  const Node* sub = nullptr;
  std::string source;
};

// How a keyword takes part in its node's MemberPlan.
enum class PlanRole : uint8_t {
  kNone,     // evaluated on its own
  kRuns,     // the plan runs in this keyword's place
  kCovered,  // the plan does this keyword's work
};

// The fields the yes/no pass reads come first, so that evaluating a
// keyword touches one or two cache lines of this large struct.
struct Keyword {
  Op op = Op::kFalse;
  PlanRole plan_role = PlanRole::kNone;
  uint8_t types = 0;
  bool has_max = false;
  bool contains_annotates = false;  // 2020-12: contains feeds unevaluatedItems
  // Draft 4: "integer" means written without a fraction or exponent, so 1.0
  // is not an integer there (later drafts: any number with zero fraction).
  bool integer_needs_integer_text = false;
  bool string_enum = false;  // every enum value is a string: index holds them
  uint64_t count = 0;
  const Node* sub = nullptr;
  FormatFn format = nullptr;
  Number number;
  std::unique_ptr<RE2> regex;
  KeyIndex index;  // over named (properties) or names
  uint64_t min_contains = 1;
  uint64_t max_contains = 0;
  const Node* then_sub = nullptr;
  const Node* else_sub = nullptr;
  std::vector<const Node*> subs;
  std::vector<std::pair<std::string, const Node*>> named;
  std::vector<std::string> names;  // distinct
  std::vector<std::pair<std::string, std::vector<std::string>>> deps;
  std::vector<Pattern> patterns;
  std::vector<const RE2*> pattern_refs;
  std::vector<Json> values;
  std::string name;    // the keyword, e.g. "maximum" or "items"
  std::string abs;     // absolute keyword location (URI with JSON pointer)
  std::string source;  // pattern source or format name, for messages
};

// A schema resource (a document or a subschema with $id): the unit the
// dynamic scope of $dynamicRef/$recursiveRef is made of.
struct Resource {
  std::string uri;
  std::unordered_map<std::string, const Node*> dynamic_anchors;
  const Node* root = nullptr;
  bool recursive_anchor = false;
};

// One pass over an object's members doing the work of `properties`,
// `required` (at most 64 names) and `additionalProperties` (without
// patternProperties) at once: alone, each walks the members and hashes every
// key again. Only the yes/no pass without annotations runs it; error
// collection and annotations run the keywords themselves.
struct MemberPlan {
  KeyIndex index;                     // property names, then required names that are not properties
  struct Entry {
    const Node* property = nullptr;  // the `properties` subschema, or null
    uint64_t required_bit = 0;       // its bit in required_mask, or 0
  };
  std::vector<Entry> entries;         // by index position
  uint64_t required_mask = 0;
  const Node* additional = nullptr;   // the additionalProperties subschema, when fused
};

struct Node {
  std::vector<Keyword> keywords;
  std::unique_ptr<MemberPlan> members;  // null when no keyword is fused
  std::string abs;  // absolute location of this schema
  const Resource* resource = nullptr;
  SchemaDraft draft = SchemaDraft::kDraft2020_12;
  // Has unevaluatedItems/Properties, so its in-place subschemas must report
  // what they evaluated.
  bool needs_annotations = false;
  // No keyword applies a subschema: evaluating it calls nothing deeper and
  // reads neither the dynamic scope nor annotations.
  bool leaf = false;
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
