// Property order in PropertyOrder::kSchema (the rule is in
// sluice/json_schema.h): tables in pairs `name` / `name_failures`
// (property_order.json; instances are raw compact text, so duplicate keys
// can be written), and a property test over random objects and documents
// that compares the grammar's verdict with a plain membership check: a
// document the grammar accepts never repeats a key, never misses a required
// property and never carries a key the schema forbids, and a valid document
// is accepted in schema order always and in any order where the object is
// small enough.
#include <catch2/catch.hpp>

#include <optional>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ir/reference_recognizer.h"
#include "sluice/json_schema.h"
#include "common/splitmix.h"

namespace {

using Json = nlohmann::ordered_json;

Json load_tables() {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/tests/json_schema/property_order.json");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return Json::parse(buffer.str());
}

sluice::JsonSchemaOptions options_of(const Json& table, sluice::JsonWhitespace whitespace) {
  sluice::JsonSchemaOptions options;
  options.whitespace = whitespace;
  const Json overrides = table.value("options", Json::object());
  options.max_any_order_properties = overrides.value("max_any_order_properties", options.max_any_order_properties);
  options.max_displacement_states = overrides.value("max_displacement_states", options.max_displacement_states);
  options.max_displaced_properties = overrides.value("max_displaced_properties", options.max_displaced_properties);
  options.max_widened_order_states = overrides.value("max_widened_order_states", options.max_widened_order_states);
  return options;
}

// The reference recogniser over a schema's grammar, default options.
std::optional<sluice::ir::ReferenceRecognizer> recognizer_for(const Json& schema) {
  auto compiled = sluice::compile_json_schema(schema.dump());
  REQUIRE(compiled.ok());
  auto recognizer = sluice::ir::ReferenceRecognizer::create(compiled->grammar);
  REQUIRE(recognizer.ok());
  return std::move(*recognizer);
}

bool accepted(const sluice::ir::ReferenceRecognizer& recognizer, const std::string& text) {
  auto c = recognizer.classify(text);
  REQUIRE(c.ok());
  return c->verdict == sluice::ir::Verdict::kAccept;
}

void run_tables(sluice::JsonWhitespace whitespace) {
  Json tables = load_tables();
  REQUIRE(tables.size() >= 8);
  for (const Json& table : tables) {
    std::string name = table["name"].get<std::string>();
    INFO("table " << name);
    auto compiled = sluice::compile_json_schema(table["schema"].dump(), options_of(table, whitespace));
    REQUIRE(compiled.ok());
    auto recognizer = sluice::ir::ReferenceRecognizer::create(compiled->grammar);
    REQUIRE(recognizer.ok());
    DYNAMIC_SECTION(name) {
      for (const Json& text : table["valid"]) {
        INFO("instance " << text.get<std::string>());
        CHECK(accepted(*recognizer, text.get<std::string>()));
      }
    }
    DYNAMIC_SECTION(name << "_failures") {
      for (const Json& text : table["invalid"]) {
        INFO("instance " << text.get<std::string>());
        CHECK_FALSE(accepted(*recognizer, text.get<std::string>()));
      }
    }
  }
}

// A random object schema: `n` integer properties p0.., some required, and
// other keys either forbidden or integers too.
struct RandomObject {
  size_t n = 0;
  std::vector<bool> required;
  bool others_allowed = false;

  std::string schema() const {
    Json s = {{"type", "object"}, {"properties", Json::object()}, {"required", Json::array()}};
    for (size_t i = 0; i < n; ++i) {
      s["properties"]["p" + std::to_string(i)] = {{"type", "integer"}};
      if (required[i]) s["required"].push_back("p" + std::to_string(i));
    }
    s["additionalProperties"] = others_allowed ? Json{{"type", "integer"}} : Json(false);
    return s.dump();
  }
};

// A random document for `o`: usually a valid one in a random or in schema
// order, sometimes with a repeated key, a missing required property or a
// key the schema does not name.
std::vector<std::string> random_keys(const RandomObject& o, sluice::SplitMix64& rng, bool* in_schema_order) {
  std::vector<std::string> keys;
  for (size_t i = 0; i < o.n; ++i) {
    if (o.required[i] || rng.below(2) == 0) keys.push_back("p" + std::to_string(i));
  }
  *in_schema_order = rng.below(4) == 0;
  if (!*in_schema_order) {
    for (size_t i = keys.size(); i > 1; --i) std::swap(keys[i - 1], keys[rng.below(i)]);
  }
  switch (rng.below(6)) {
    case 0:
      if (!keys.empty()) keys.insert(keys.begin() + rng.below(keys.size() + 1), keys[rng.below(keys.size())]);
      break;
    case 1:
      if (!keys.empty()) keys.erase(keys.begin() + rng.below(keys.size()));
      break;
    case 2:
      keys.insert(keys.begin() + rng.below(keys.size() + 1), "q" + std::to_string(rng.below(3)));
      break;
    default:
      break;
  }
  return keys;
}

bool valid_keys(const RandomObject& o, const std::vector<std::string>& keys) {
  std::set<std::string> seen(keys.begin(), keys.end());
  if (seen.size() != keys.size()) return false;
  for (size_t i = 0; i < o.n; ++i) {
    if (o.required[i] && !seen.count("p" + std::to_string(i))) return false;
  }
  return o.others_allowed || std::all_of(keys.begin(), keys.end(), [](const std::string& k) { return k[0] == 'p'; });
}

std::string document(const std::vector<std::string>& keys) {
  std::string text = "{";
  for (size_t i = 0; i < keys.size(); ++i) text += (i ? ",\"" : "\"") + keys[i] + "\":" + std::to_string(i);
  return text + "}";
}

}  // namespace

TEST_CASE("property order tables, flexible whitespace", "[json_schema][order]") {
  run_tables(sluice::JsonWhitespace::kFlexible);
}

TEST_CASE("property order tables, compact whitespace", "[json_schema][order]") {
  run_tables(sluice::JsonWhitespace::kCompact);
}

TEST_CASE("widened orders never accept a repeated, missing or forbidden key", "[json_schema][order]") {
  sluice::SplitMix64 rng{20261127};
  struct Mode {
    const char* name;
    sluice::JsonSchemaOptions options;
  };
  std::vector<Mode> modes(4);
  modes[0].name = "default";
  modes[1].name = "schema order";
  modes[1].options.max_any_order_properties = 0;
  modes[2].name = "one displaced";
  modes[2].options.max_any_order_properties = 0;
  modes[2].options.max_displacement_states = 4096;
  modes[2].options.max_displaced_properties = 1;
  modes[3].name = "two displaced";
  modes[3].options.max_any_order_properties = 0;
  modes[3].options.max_displacement_states = 4096;
  for (int round = 0; round < 60; ++round) {
    RandomObject o;
    o.n = 1 + rng.below(12);
    for (size_t i = 0; i < o.n; ++i) o.required.push_back(rng.below(3) == 0);
    o.others_allowed = rng.below(3) == 0;
    const size_t kinds_of_key = o.n + (o.others_allowed ? 1 : 0);
    for (const Mode& mode : modes) {
      const bool any_order = kinds_of_key <= mode.options.max_any_order_properties;
      auto compiled = sluice::compile_json_schema(o.schema(), mode.options);
      REQUIRE(compiled.ok());
      auto recognizer = sluice::ir::ReferenceRecognizer::create(compiled->grammar);
      REQUIRE(recognizer.ok());
      for (int d = 0; d < 25; ++d) {
        bool in_schema_order = false;
        std::vector<std::string> keys = random_keys(o, rng, &in_schema_order);
        const std::string text = document(keys);
        const bool valid = valid_keys(o, keys);
        const bool accept = accepted(*recognizer, text);
        INFO(mode.name << " schema " << o.schema() << " document " << text);
        if (accept) CHECK(valid);
        if (valid && (any_order || in_schema_order)) CHECK(accept);
      }
    }
  }
}

TEST_CASE("an object with more keys than a frame tracks keeps schema order", "[json_schema][order]") {
  Json properties = Json::object();
  for (uint32_t i = 0; i <= sluice::kMaxPermutationMembers; ++i) properties["k" + std::to_string(i)] = {{"type", "integer"}};
  const Json schema = {{"type", "object"}, {"properties", properties}, {"additionalProperties", false}};
  auto recognizer = recognizer_for(schema);
  CHECK(accepted(*recognizer, "{\"k0\":1,\"k1\":2,\"k7\":3}"));
  CHECK_FALSE(accepted(*recognizer, "{\"k1\":1,\"k0\":2}"));
  // Other keys anywhere between the members written in order (they are
  // written right after a member, never after the order passes members).
  Json with_others = schema;
  with_others["additionalProperties"] = {{"type", "string"}};
  auto others_recognizer = recognizer_for(with_others);
  CHECK(accepted(*others_recognizer, "{\"zz\":\"a\",\"k0\":1,\"yy\":\"b\",\"xx\":\"c\",\"k7\":3,\"ww\":\"d\"}"));
  CHECK(accepted(*others_recognizer, "{\"k48\":1,\"zz\":\"a\"}"));
  CHECK_FALSE(accepted(*others_recognizer, "{\"k7\":1,\"zz\":\"a\",\"k0\":3}"));
  CHECK_FALSE(accepted(*others_recognizer, "{\"k0\":1,\"zz\":2}"));
  CHECK_FALSE(accepted(*others_recognizer, "{\"k0\":1,\"zz\":\"a\",\"k0\":1}"));
  sluice::JsonSchemaOptions any;
  any.property_order = sluice::PropertyOrder::kAny;
  auto refused = sluice::compile_json_schema(schema.dump(), any);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == sluice::ErrorCode::kBudgetExceeded);
}

TEST_CASE("objects of up to 63 kinds of key take any order, fewer where property counts are bounded",
          "[json_schema][order]") {
  // 62 properties and the member for other keys: 63 bits, and one bit of
  // count (it saturates at 1 with no bounds).
  Json properties = Json::object();
  for (uint32_t i = 0; i < 62; ++i) properties["k" + std::to_string(i)] = {{"type", "integer"}};
  const Json schema = {{"type", "object"}, {"properties", properties}, {"required", Json::array({"k61"})}};
  auto recognizer = recognizer_for(schema);
  CHECK(accepted(*recognizer, "{\"k61\":1,\"k60\":2,\"other\":true,\"k0\":3}"));
  CHECK(accepted(*recognizer, "{\"k59\":1,\"k61\":2}"));
  CHECK_FALSE(accepted(*recognizer, "{\"k60\":1,\"k0\":2}"));           // k61 missing
  CHECK_FALSE(accepted(*recognizer, "{\"k61\":1,\"k60\":2,\"k61\":3}"));  // k61 twice
  CHECK_FALSE(accepted(*recognizer, "{\"k61\":1,\"k60\":\"x\"}"));
  // maxProperties 3 needs 2 bits of count: 63 members no longer fit, and
  // the object keeps schema order.
  Json bounded = schema;
  bounded["maxProperties"] = 3;
  auto ordered_recognizer = recognizer_for(bounded);
  CHECK(accepted(*ordered_recognizer, "{\"k59\":1,\"k61\":2}"));
  CHECK_FALSE(accepted(*ordered_recognizer, "{\"k59\":1,\"k58\":2,\"k61\":3}"));
}
