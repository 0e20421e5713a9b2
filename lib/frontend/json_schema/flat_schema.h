// A conjunction of schemas merged keyword by keyword ("flattened"): the
// compiler's working form. allOf and $ref are inlined, type sets
// intersected, bounds tightened, enum sets intersected; anyOf/oneOf stay as
// disjunctions that the compiler distributes. Subschemas that apply to
// children (items, properties, ...) are kept as sets of schema nodes, to be
// flattened when the child is compiled.
// Tested through tests/json_schema/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "frontend/json_schema/json_text.h"
#include "frontend/json_schema/numbers.h"

namespace sluice::json_schema {

// Sorted, deduplicated: the conjunction of these schema nodes.
using SchemaSet = std::vector<const Json*>;

enum TypeBit : uint8_t {
  kNull = 1,
  kBoolean = 2,
  kInteger = 4,   // numbers with no fractional part
  kFraction = 8,  // numbers with one
  kString = 16,
  kArray = 32,
  kObject = 64,
  kAllTypes = 127,
};

struct ObjectLayer {
  const Json* schema = nullptr;
  std::vector<std::pair<std::string, const Json*>> properties;
  std::vector<std::pair<std::string, const Json*>> patterns;
  const Json* additional = nullptr;  // null: absent
};

struct Disjunction {
  bool one_of = false;
  const Json* holder = nullptr;  // the anyOf/oneOf array
  std::vector<const Json*> branches;
};

struct Flat {
  bool never = false;
  uint8_t types = kAllTypes;
  std::optional<std::vector<Json>> enum_values;
  const Json* enum_holder = nullptr;

  std::optional<Decimal> minimum, maximum;
  bool exclusive_minimum = false, exclusive_maximum = false;
  std::optional<Decimal> multiple_of;

  uint64_t min_length = 0, max_length = UINT64_MAX;
  std::vector<std::pair<std::string, const Json*>> patterns;  // pattern, its "pattern" node
  // Patterns a string must not match (`not {pattern: P}`), with the `not`.
  std::vector<std::pair<std::string, const Json*>> excluded_patterns;
  std::vector<std::pair<std::string, const Json*>> formats;

  std::vector<SchemaSet> prefix_items;
  SchemaSet rest_items;
  uint64_t min_items = 0, max_items = UINT64_MAX;
  std::vector<std::pair<const Json*, const Json*>> contains;  // contains node, holder schema
  const Json* unique_items = nullptr;

  std::vector<ObjectLayer> layers;
  std::vector<std::string> required;
  std::vector<const Json*> property_names;
  uint64_t min_properties = 0, max_properties = UINT64_MAX;
  std::vector<std::pair<std::string, std::vector<std::string>>> dependent_required;
  std::vector<std::pair<std::string, const Json*>> dependent_schemas;

  // Dependencies that only require keys, once the object is known to take
  // any order: a trigger key and alternative sets of keys it needs.
  std::vector<std::pair<std::string, std::vector<std::vector<std::string>>>> key_dependencies;

  std::vector<Disjunction> disjunctions;
  std::vector<const Json*> nots;
  std::vector<const Json*> conditionals;  // schemas holding `if`

  // What the conjunction is made of: the schema nodes merged into it, and
  // those it must fail (`not`, a false `if`, another oneOf branch). A Flat
  // whose parts include all of another's allows nothing the other does not,
  // which is how the compiler drops subsumed branches of a distribution.
  std::vector<const Json*> holds;
  std::vector<const Json*> fails;
};

}  // namespace sluice::json_schema
