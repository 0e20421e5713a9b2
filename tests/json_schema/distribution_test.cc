// Distributing allOf over anyOf/oneOf and if/then/else, and dropping the
// conjunctions another one covers: the compiled grammar against the
// validator on random schemas made of those combinators, and the
// regression for the product of anyOfs that made a schema's first key mask
// take 130-230 ms (MaskBench's minecraft-recipe).
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "frontend/json_schema/json_text.h"
#include "ir/reference_recognizer.h"
#include "sluice/json_schema.h"
#include "sluice/validator.h"

namespace {

using Json = nlohmann::ordered_json;

// Small pools, so that random schemas and instances often meet: keys a-d,
// values of every JSON type that the schemas below tell apart.
const std::vector<std::string> kKeys = {"a", "b", "c", "d"};
Json random_value(std::mt19937_64& rng) {
  switch (rng() % 7) {
    case 0: return 1;
    case 1: return 2;
    case 2: return "x";
    case 3: return "yy";
    case 4: return true;
    case 5: return nullptr;
    default: return Json::array({1});
  }
}

class SchemaMaker {
 public:
  SchemaMaker(std::mt19937_64& rng, bool draft7) : rng_(rng), draft7_(draft7) {}

  // A dependency on keys: dependentRequired, or dependentSchemas with
  // `required` or an anyOf of `required` (the draft-7 spelling is
  // `dependencies` for both).
  Json key_dependency() {
    const std::string trigger = kKeys[rng_() % kKeys.size()];
    auto some_keys = [&] {
      Json keys = Json::array();
      for (const std::string& key : kKeys) {
        if (key != trigger && rng_() % 3 == 0) keys.push_back(key);
      }
      if (keys.empty()) keys.push_back(trigger == "a" ? "b" : "a");
      return keys;
    };
    Json dependency;
    switch (rng_() % 3) {
      case 0: dependency = some_keys(); break;
      case 1: dependency = {{"required", some_keys()}}; break;
      default: dependency = {{"anyOf", Json::array({{{"required", some_keys()}}, {{"required", some_keys()}}})}};
    }
    if (draft7_) return {{"dependencies", {{trigger, dependency}}}};
    return {{dependency.is_array() ? "dependentRequired" : "dependentSchemas", {{trigger, dependency}}}};
  }

  // A schema whose complement the compiler expresses, for `not`, `if` and
  // oneOf branches: otherwise most random schemas would be declined.
  Json negatable_atom() {
    const std::string key = kKeys[rng_() % kKeys.size()];
    switch (rng_() % 3) {
      case 0: return {{"required", Json::array({key})}};
      case 1: return {{"type", rng_() % 2 ? Json("object") : Json::array({"object", "integer"})}};
      default: {
        static const char* kTypes[] = {"integer", "string", "boolean", "null"};
        return {{"properties", {{key, {{"type", kTypes[rng_() % 4]}}}}}};
      }
    }
  }

  Json atom() {
    const std::string key = kKeys[rng_() % kKeys.size()];
    // Wrappers of definitions (the default case) come up often, so that a
    // union regularly holds the same definition through several of them.
    switch (rng_() % (refs_ ? 11 : 8)) {
      case 0: return {{"properties", {{key, {{"const", random_value(rng_)}}}}}};
      case 1: {
        static const char* kTypes[] = {"integer", "string", "boolean", "null"};
        return {{"properties", {{key, {{"type", kTypes[rng_() % 4]}}}}}};
      }
      case 2: return {{"required", Json::array({key})}};
      case 3: return {{"type", rng_() % 2 ? Json("object") : Json::array({"object", "integer"})}};
      case 4: return {{"properties", {{key, {{"maxLength", 1}}}}}};
      case 5: return {{"minProperties", 1 + rng_() % 2}};
      case 6: return {{"properties", {{key, {{"enum", Json::array({1, "x"})}}}}}};
      case 7: return {{"additionalProperties", false}, {"properties", {{"a", true}, {"b", true}}}};
      default: {
        // A wrapper of a definition: under draft 7 its siblings are
        // ignored; under 2020-12 they apply, unless they are annotations.
        Json ref = {{"$ref", "#/$defs/d" + std::to_string(rng_() % 2)}};
        if (rng_() % 2) ref["title"] = "wrapper";
        if (rng_() % 3 == 0) ref["required"] = Json::array({key});
        return ref;
      }
    }
  }

  Json schema(int depth) {
    if (depth == 0) return atom();
    auto children = [&](size_t n) {
      Json list = Json::array();
      for (size_t i = 0; i < n; ++i) list.push_back(schema(depth - 1));
      return list;
    };
    switch (rng_() % 7) {
      case 0: return {{"allOf", children(2 + rng_() % 3)}};
      case 1: return {{"anyOf", children(2 + rng_() % 2)}};
      case 2: return {{"oneOf", Json::array({negatable_atom(), rng_() % 2 ? negatable_atom() : schema(depth - 1)})}};
      case 3: {
        Json s = {{"if", negatable_atom()}, {"then", schema(depth - 1)}};
        if (rng_() % 2) s["else"] = schema(depth - 1);
        return s;
      }
      case 4: {
        // Sometimes a schema of several keywords, negated part by part.
        Json negated = negatable_atom();
        if (rng_() % 2) negated.update(negatable_atom());
        return {{"not", negated}};
      }
      case 5: return key_dependency();
      default: return atom();
    }
  }

  // allOf over several conditionals and disjunctions: the shape whose
  // distribution multiplies.
  Json document() {
    Json parts = Json::array();
    for (size_t i = 0, n = 2 + rng_() % 4; i < n; ++i) parts.push_back(schema(1 + rng_() % 2));
    // Definitions refer to none, so that no $ref cycle takes no input.
    refs_ = false;
    Json defs = {{"d0", atom()}, {"d1", schema(1)}, {"d2", atom()}};
    refs_ = true;
    Json doc = {{"allOf", parts}, {"$defs", defs}};
    if (draft7_) doc["$schema"] = "http://json-schema.org/draft-07/schema#";
    return doc;
  }

 private:
  std::mt19937_64& rng_;
  bool draft7_;
  bool refs_ = true;
};

Json random_instance(std::mt19937_64& rng) {
  if (rng() % 8 == 0) return random_value(rng);
  Json object = Json::object();
  for (const std::string& key : kKeys) {
    if (rng() % 2) object[key] = random_value(rng);
  }
  return object;
}

}  // namespace

TEST_CASE("random allOf/anyOf/oneOf/if/not/dependency schemas: the grammar accepts exactly what the validator does",
          "[json_schema][distribution]") {
  std::mt19937_64 rng(20261127);
  size_t compiled_schemas = 0, accepted = 0, rejected = 0;
  for (int round = 0; round < 400; ++round) {
    SchemaMaker maker(rng, round % 2 == 1);
    const Json doc = maker.document();
    const std::string text = doc.dump();
    INFO("schema " << text);
    auto lowered = sluice::compile_json_schema(text);
    if (!lowered.ok()) {
      // Only what the compiler declines (a complement it cannot express, an
      // overlapping oneOf) or a contradiction it proves may fail.
      INFO(lowered.error().to_string());
      CHECK((lowered.error().code == sluice::ErrorCode::kUnsupported ||
             lowered.error().code == sluice::ErrorCode::kUnsatisfiable));
      continue;
    }
    ++compiled_schemas;
    auto recognizer = sluice::ir::ReferenceRecognizer::create(lowered->grammar);
    REQUIRE(recognizer.ok());
    auto validator = sluice::Validator::compile(text);
    REQUIRE(validator.ok());
    for (int i = 0; i < 40; ++i) {
      const std::string instance = sluice::json_schema::to_compact(random_instance(rng));
      INFO("instance " << instance);
      auto verdict = validator->validate(instance);
      REQUIRE(verdict.ok());
      auto c = recognizer->classify(instance);
      REQUIRE(c.ok());
      CHECK((c->verdict == sluice::ir::Verdict::kAccept) == verdict->valid);
      ++(verdict->valid ? accepted : rejected);
    }
  }
  // The property says little unless most schemas compile and both answers
  // are common.
  CHECK(compiled_schemas >= 200);
  CHECK(accepted >= 1000);
  CHECK(rejected >= 1000);
}

TEST_CASE("regression: allOf over if/then with an anyOf in each compiled the product of the anyOfs",
          "[json_schema][distribution]") {
  // The shape of MaskBench's minecraft-recipe: when "kind" is absent every
  // `if` holds, and each `then` offers the same three definitions, so the
  // product has 3^6 conjunctions, all covered by the one that takes
  // "common" everywhere.
  Json parts = Json::array();
  for (int i = 0; i < 6; ++i) {
    parts.push_back({{"if", {{"properties", {{"kind", {{"const", "k" + std::to_string(i)}}}}}}},
                     {"then", {{"anyOf", Json::array({{{"$ref", "#/definitions/common"}},
                                                      {{"$ref", "#/definitions/timed"}},
                                                      {{"$ref", "#/definitions/labelled"}}})}}}});
  }
  parts.push_back({{"$ref", "#/definitions/common"}});
  const Json doc = {
      {"$schema", "http://json-schema.org/draft-07/schema#"},
      {"allOf", parts},
      {"definitions",
       {{"common",
         {{"type", "object"},
          {"properties",
           {{"kind", {{"enum", Json::array({"k0", "k1", "k2", "k3", "k4", "k5", "other"})}}},
            {"name", {{"type", "string"}}}}}}},
        {"timed", {{"type", "object"}, {"properties", {{"seconds", {{"type", "integer"}}}}}}},
        {"labelled", {{"type", "object"}, {"properties", {{"label", {{"enum", Json::array({"a", "b"})}}}}}}}}}};
  sluice::JsonSchemaOptions options;
  auto lowered = sluice::compile_json_schema(doc.dump(), options);
  INFO((lowered.ok() ? std::string() : lowered.error().to_string()));
  REQUIRE(lowered.ok());
  // Without the pruning this grammar has 135,523 expressions; with it, 1,123.
  CHECK(lowered->grammar.expr_count() < 4000);
  auto recognizer = sluice::ir::ReferenceRecognizer::create(lowered->grammar);
  REQUIRE(recognizer.ok());
  auto accepts = [&](const char* text) {
    auto c = recognizer->classify(text);
    REQUIRE(c.ok());
    return c->verdict == sluice::ir::Verdict::kAccept;
  };
  CHECK(accepts(R"({"name":"n"})"));
  CHECK(accepts(R"({"kind":"k2","seconds":3})"));
  CHECK(accepts(R"({"kind":"k2","label":"a","seconds":"not checked: common holds"})"));
  CHECK(accepts(R"({"kind":"other","label":7})"));
  CHECK_FALSE(accepts(R"({"name":1})"));
  CHECK_FALSE(accepts(R"({"kind":3})"));
  CHECK_FALSE(accepts(R"([])"));
}
