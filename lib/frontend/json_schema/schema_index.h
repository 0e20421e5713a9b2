// The schema document as the compiler sees it: every value's JSON pointer,
// the base URI of every schema, and the targets of `$id`, `$anchor` and
// draft-4..7 plain-name fragment ids, so that any `$ref` (JSON pointer with
// ~0 ~1 and %-escapes, anchor, or $id-relative URI) resolves to a node.
// Remote references are unresolvable (nothing is fetched).
// Tested through tests/json_schema/refs_test.cc.
#pragma once

#include <string>
#include <unordered_map>

#include "frontend/json_schema/json_text.h"
#include "sluice/error.h"
#include "sluice/json_schema.h"

namespace sluice::json_schema {

class SchemaIndex {
 public:
  SchemaIndex(const Json& root, JsonSchemaDraft draft);

  // The JSON pointer of a node of the document ("" for the root).
  const std::string& pointer(const Json* node) const;
  // Resolves a `$ref` value found in the schema `from`.
  Result<const Json*> resolve(const Json* from, const std::string& ref) const;

 private:
  void index_values(const Json& node, const std::string& pointer);
  void index_schema(const Json& node, const std::string& base);
  const Json& root_;
  JsonSchemaDraft draft_;
  std::unordered_map<const Json*, std::string> pointers_;
  std::unordered_map<const Json*, std::string> bases_;
  std::unordered_map<std::string, const Json*> by_uri_;
};

}  // namespace sluice::json_schema
