// Per-keyword instance tables (keywords.json): for each entry `name`, the
// section `name` checks that every valid instance is accepted and
// `name_failures` that every invalid one is not (rejected or incomplete),
// with instances serialized compactly and judged by the reference
// recogniser over the compiled grammar. The same tables run again in the
// other whitespace and property-order modes.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "frontend/json_schema/json_text.h"
#include "ir/reference_recognizer.h"
#include "sluice/json_schema.h"

namespace {

using Json = nlohmann::ordered_json;

Json load_tables() {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/tests/json_schema/keywords.json");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return Json::parse(buffer.str());
}

std::string pretty(const Json& v) { return v.dump(2); }

void run_tables(const sluice::JsonSchemaOptions& options, bool pretty_text) {
  Json tables = load_tables();
  REQUIRE(tables.size() > 40);
  for (const Json& table : tables) {
    std::string name = table["name"].get<std::string>();
    sluice::Result<sluice::CompiledJsonSchema> compiled = sluice::compile_json_schema(table["schema"].dump(), options);
    INFO("table " << name);
    REQUIRE(compiled.ok());
    auto recognizer = sluice::ir::ReferenceRecognizer::create(compiled->grammar);
    REQUIRE(recognizer.ok());
    auto text_of = [&](const Json& v) { return pretty_text ? pretty(v) : sluice::json_schema::to_compact(v); };
    DYNAMIC_SECTION(name) {
      for (const Json& v : table["valid"]) {
        std::string text = text_of(v);
        INFO("instance " << text);
        auto c = recognizer->classify(text);
        REQUIRE(c.ok());
        CHECK(c->verdict == sluice::ir::Verdict::kAccept);
      }
    }
    DYNAMIC_SECTION(name << "_failures") {
      for (const Json& v : table["invalid"]) {
        std::string text = text_of(v);
        INFO("instance " << text);
        auto c = recognizer->classify(text);
        REQUIRE(c.ok());
        CHECK(c->verdict != sluice::ir::Verdict::kAccept);
      }
    }
  }
}

}  // namespace

TEST_CASE("keyword tables, compact instances, flexible whitespace", "[json_schema][keywords]") {
  run_tables({}, false);
}

TEST_CASE("keyword tables, compact whitespace mode", "[json_schema][keywords]") {
  sluice::JsonSchemaOptions options;
  options.whitespace = sluice::JsonWhitespace::kCompact;
  run_tables(options, false);
}

TEST_CASE("keyword tables, pretty mode with indent 2 matches nlohmann's dump(2)", "[json_schema][keywords]") {
  sluice::JsonSchemaOptions options;
  options.whitespace = sluice::JsonWhitespace::kPretty;
  options.indent = 2;
  run_tables(options, true);
}

TEST_CASE("keyword tables, any property order", "[json_schema][keywords]") {
  sluice::JsonSchemaOptions options;
  options.property_order = sluice::PropertyOrder::kAny;
  run_tables(options, false);
}
