// The C++ example of README.md ("Using the library"), kept compiling and
// passing here so that the documentation cannot rot. Keep the two in step.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "sluice/compiler.h"
#include "sluice/decode.h"
#include "sluice/json_schema.h"
#include "sluice/matcher.h"
#include "sluice/tokenizer.h"
#include "sluice/validator.h"

namespace {

// --- README example begins ---
int extract(std::string* out) {
  const char* schema = R"({"type": "object",
    "properties": {"label": {"enum": ["positive", "negative", "neutral"]},
                   "confidence": {"type": "number", "minimum": 0, "maximum": 1}},
    "required": ["label", "confidence"], "additionalProperties": false})";

  auto tokenizer = sluice::Tokenizer::load("llama3.1");
  if (!tokenizer.ok()) return 2;
  sluice::JsonSchemaOptions schema_options;
  schema_options.whitespace = sluice::JsonWhitespace::kCompact;
  auto lowered = sluice::compile_json_schema(schema, schema_options);
  if (!lowered.ok()) return 2;  // lowered.error().to_string() names keyword and pointer
  auto vocabulary = sluice::Vocabulary::from_tokenizer(*tokenizer);
  auto compiled = sluice::CompiledGrammar::compile(lowered->grammar, vocabulary);
  if (!compiled.ok()) return 2;

  // An inference engine fills the mask each step itself:
  sluice::Matcher matcher(*compiled);
  std::vector<int32_t> mask(matcher.mask_words());
  if (!matcher.fill_next_token_bitmask(mask).ok()) return 2;

  // ...or lets sluice run the loop over its logits (here: seeded random ones).
  sluice::DecodeOptions options;  // the extraction preset: T = 0
  auto decoder = sluice::Decoder::create(*compiled, options);
  if (!decoder.ok()) return 2;
  auto logits = sluice::make_random_logits(vocabulary.size(), /*seed=*/42);
  auto result = decoder->run(*logits);
  if (!result.ok() || !result->complete) return 1;

  auto validator = sluice::Validator::compile(schema);
  if (!validator.ok()) return 2;
  auto verdict = validator->validate(result->text);
  *out = result->text;
  return verdict.ok() && verdict->valid ? 0 : 1;
}
// --- README example ends ---

}  // namespace

TEST_CASE("the README's library example runs and yields a valid document") {
  std::string home = std::getenv("HOME") ? std::getenv("HOME") : "";
  const char* cache = std::getenv("SLUICE_CACHE");
  std::string path = (cache ? std::string(cache) : home + "/.cache/sluice") + "/tokenizers/llama3.1/tokenizer.json";
  if (FILE* file = std::fopen(path.c_str(), "rb")) {
    std::fclose(file);
  } else {
    WARN("SKIPPED: " << path << " is missing; run tools/setup/setup.sh");
    return;
  }
  std::string output;
  REQUIRE(extract(&output) == 0);
  // Small objects may list their keys in any order (sluice/json_schema.h).
  CHECK(output.find("\"label\":") != std::string::npos);
}
