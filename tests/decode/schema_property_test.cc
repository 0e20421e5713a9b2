// Property: under every example schema in schemas/, each output the decode
// loop finishes is accepted by the matcher and valid for the validator; the
// two never disagree.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sluice/decode.h"
#include "sluice/json_schema.h"
#include "sluice/matcher.h"
#include "sluice/validator.h"

namespace {

// Every printable ASCII byte and a few multi-byte pieces, so that strings,
// numbers, dates and enums can all be spelled; token 0 is EOS.
sluice::Vocabulary ascii_vocabulary() {
  std::vector<std::string> tokens = {""};
  std::vector<sluice::TokenKind> kinds = {sluice::TokenKind::kSpecial};
  for (int b = 0x20; b < 0x7F; ++b) {
    tokens.push_back(std::string(1, static_cast<char>(b)));
    kinds.push_back(sluice::TokenKind::kNormal);
  }
  for (const char* piece : {"\":", "\",\"", "{\"", "\"}", "true", "false", "null", "00", "é", "\\n", "20", "-0"}) {
    tokens.push_back(piece);
    kinds.push_back(sluice::TokenKind::kNormal);
  }
  auto vocabulary = sluice::Vocabulary::from_tokens(tokens, kinds, {0});
  REQUIRE(vocabulary.ok());
  return *vocabulary;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// This property found two grammar/validator disagreements, now fixed with
// regression rows in tests/json_schema/keywords.json: draft-4 integer enums
// spelled 5.00000 (draft4_integer_enum_spelled_with_fraction_regression) and
// email local parts past RFC 5321's 64 octets
// (email_local_part_over_64_octets_regression).
void check_outputs_validate(const std::vector<std::filesystem::path>& schemas) {
  sluice::Vocabulary vocabulary = ascii_vocabulary();
  size_t complete = 0;
  for (const auto& path : schemas) {
    std::string schema = read_file(path);
    sluice::JsonSchemaOptions options;
    options.whitespace = sluice::JsonWhitespace::kCompact;
    // Short strings keep random runs inside max_tokens; a schema whose
    // patterns cannot be intersected with the cap is compiled without it.
    options.max_string_length = 12;
    auto lowered = sluice::compile_json_schema(schema, options);
    if (!lowered.ok() && lowered.error().code == sluice::ErrorCode::kUnsupported) {
      options.max_string_length = 0;
      lowered = sluice::compile_json_schema(schema, options);
    }
    INFO(path.filename().string());
    INFO((lowered.ok() ? std::string() : lowered.error().to_string()));
    REQUIRE(lowered.ok());
    auto compiled = sluice::CompiledGrammar::compile(lowered->grammar, vocabulary);
    REQUIRE(compiled.ok());
    auto validator = sluice::Validator::compile(schema);
    REQUIRE(validator.ok());
    for (uint64_t seed = 0; seed < 40; ++seed) {
      sluice::DecodeOptions decode;
      decode.params.temperature = 1.0;
      decode.params.seed = seed;
      decode.max_tokens = 600;
      auto decoder = sluice::Decoder::create(*compiled, decode);
      REQUIRE(decoder.ok());
      auto source = sluice::make_random_logits(vocabulary.size(), seed, sluice::RandomLogitsShape::kUniform);
      auto result = decoder->run(*source);
      INFO("seed " << seed);
      REQUIRE(result.ok());
      if (!result->complete) continue;
      ++complete;
      sluice::Matcher matcher(*compiled);
      CHECK(matcher.accept_string(result->text));
      CHECK(matcher.is_accepting());
      auto verdict = validator->validate(result->text);
      INFO(result->text);
      REQUIRE(verdict.ok());
      INFO((verdict->errors.empty() ? std::string()
                                    : verdict->errors[0].keyword_location + ": " + verdict->errors[0].message));
      CHECK(verdict->valid);
    }
  }
  // Most runs must finish, or the property says little.
  CHECK(complete >= schemas.size() * 20);
}

std::vector<std::filesystem::path> example_schemas() {
  std::vector<std::filesystem::path> schemas;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(SLUICE_SOURCE_DIR) / "schemas")) {
    if (entry.path().string().ends_with(".schema.json")) schemas.push_back(entry.path());
  }
  std::sort(schemas.begin(), schemas.end());
  return schemas;
}

}  // namespace

TEST_CASE("outputs generated under the example schemas always validate") {
  std::vector<std::filesystem::path> schemas = example_schemas();
  REQUIRE(schemas.size() >= 8);
  check_outputs_validate(schemas);
}
