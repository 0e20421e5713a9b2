// Runs every schemas/NAME.schema.json against schemas/NAME.examples.json
// ({valid: [...], invalid: [...]}): each valid example, serialized compactly,
// must be accepted by the compiled grammar, each invalid one not.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "frontend/json_schema/json_text.h"
#include "ir/reference_recognizer.h"
#include "sluice/json_schema.h"

namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

TEST_CASE("example schemas accept their valid and reject their invalid examples", "[json_schema][examples]") {
  std::filesystem::path dir = std::filesystem::path(SLUICE_SOURCE_DIR) / "schemas";
  size_t schemas = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string file = entry.path().filename().string();
    const std::string suffix = ".schema.json";
    if (file.size() <= suffix.size() || file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    std::string name = file.substr(0, file.size() - suffix.size());
    ++schemas;
    DYNAMIC_SECTION(name) {
      auto compiled = sluice::compile_json_schema(slurp(entry.path()));
      INFO((compiled.ok() ? std::string() : compiled.error().to_string()));
      REQUIRE(compiled.ok());
      auto recognizer = sluice::ir::ReferenceRecognizer::create(compiled->grammar);
      REQUIRE(recognizer.ok());
      auto examples = nlohmann::ordered_json::parse(slurp(dir / (name + ".examples.json")));
      REQUIRE(!examples["valid"].empty());
      REQUIRE(!examples["invalid"].empty());
      for (const auto& v : examples["valid"]) {
        std::string text = sluice::json_schema::to_compact(v);
        INFO("valid example " << text);
        auto c = recognizer->classify(text);
        REQUIRE(c.ok());
        CHECK(c->verdict == sluice::ir::Verdict::kAccept);
      }
      for (const auto& v : examples["invalid"]) {
        std::string text = sluice::json_schema::to_compact(v);
        INFO("invalid example " << text);
        auto c = recognizer->classify(text);
        REQUIRE(c.ok());
        CHECK(c->verdict != sluice::ir::Verdict::kAccept);
      }
    }
  }
  CHECK(schemas >= 8);
}
