// JSON text pieces shared by the schema compiler and the MaskBench harness:
// the canonical string encoding the compiler generates (see
// sluice/json_schema.h), and the serde_json-style compact serializer.
// Tested in tests/json_schema/json_text_test.cc.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "sluice/grammar.h"

namespace sluice::json_schema {

using Json = nlohmann::ordered_json;

// Rewrites an expression over decoded code points into one over their
// canonical JSON string encoding (without the quotes). Rules the expression
// refers to are rewritten once each, into new rules.
class StringEncoder {
 public:
  explicit StringEncoder(Grammar& grammar) : grammar_(grammar) {}
  ExprId encode(ExprId decoded);

 private:
  ExprId encode_class(const std::vector<CodepointRange>& ranges);
  Grammar& grammar_;
  std::unordered_map<ExprId, ExprId> memo_;
  std::unordered_map<RuleId, RuleId> rule_memo_;
};

// The canonical encoding of one decoded string, with the quotes.
std::string quote_json_string(std::string_view utf8);

// Compact serde_json-style text of a parsed value.
std::string to_compact(const Json& value);

// Shortest round-trip text of a double in serde_json's (ryu's) layout:
// 1.0, 0.001, 1e20, 1.5e-7.
std::string format_double(double value);

}  // namespace sluice::json_schema
