// The validator's fast paths against slow, obviously correct references, on
// random inputs from fixed seeds:
// - MemberPlans (one pass for properties/required/additionalProperties)
//   against the keywords run one by one;
// - duplicate keys found alongside evaluation on the simdjson path against
//   the nlohmann reference parser (same first duplicate, same pointer);
// - KeyIndex against std::map; is_uuid against a per-character rule.
// Needs nothing from ../shared.
#include <catch2/catch.hpp>

#include "common/splitmix.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "sluice/validator.h"
#include "validator/document.h"
#include "validator/evaluate.h"
#include "validator/formats.h"

using namespace sluice::validator;

namespace {

using Rng = sluice::SplitMix64;

const char* kKeys[] = {"a", "b", "c", "id", "name", "x-1", "", "tags", "é", "zz"};

std::string random_value(Rng& rng, int depth, bool duplicates);

std::string random_object(Rng& rng, int depth, bool duplicates) {
  std::string out = "{";
  std::vector<std::string> used;
  size_t n = rng.below(7);
  for (size_t i = 0; i < n; ++i) {
    std::string key = kKeys[rng.below(sizeof kKeys / sizeof kKeys[0])];
    bool repeat = std::find(used.begin(), used.end(), key) != used.end();
    // Without duplicates wanted, a repeated key is skipped; with them, only
    // some documents get one, so both outcomes stay common.
    if (repeat && !(duplicates && rng.below(4) == 0)) continue;
    used.push_back(key);
    if (out.size() > 1) out += ",";
    out += "\"" + key + "\":" + random_value(rng, depth + 1, duplicates);
  }
  return out + "}";
}

std::string random_value(Rng& rng, int depth, bool duplicates) {
  size_t pick = rng.below(depth >= 3 ? 5 : 7);
  switch (pick) {
    case 0: return "null";
    case 1: return rng.below(2) ? "true" : "false";
    case 2: return std::to_string(static_cast<int64_t>(rng.below(200)) - 50);
    case 3: return rng.below(2) ? "1.5" : "-0.25";
    case 4: return "\"" + std::string(kKeys[rng.below(sizeof kKeys / sizeof kKeys[0])]) + "\"";
    case 5: {
      std::string out = "[";
      size_t n = rng.below(4);
      for (size_t i = 0; i < n; ++i) out += (i ? "," : "") + random_value(rng, depth + 1, duplicates);
      return out + "]";
    }
    default: return random_object(rng, depth, duplicates);
  }
}

// Schemas whose object keywords fuse into MemberPlans in different ways, or
// on purpose do not (patternProperties, annotations, more than 64 required
// names or keys to track), also below applicators that discard failures.
std::vector<std::string> plan_schemas() {
  std::string many_required = R"({"required":[)";
  for (int i = 0; i < 70; ++i) many_required += (i ? ",\"r" : "\"r") + std::to_string(i) + "\"";
  many_required += R"(,"a"]})";
  std::string many_properties = R"({"properties":{)";
  for (int i = 0; i < 70; ++i) many_properties += "\"p" + std::to_string(i) + "\":{\"type\":\"null\"},";
  many_properties += R"("a":{"type":"integer"}},"additionalProperties":{"type":"object"}})";
  return {
      R"({"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"}},"additionalProperties":false})",
      R"({"properties":{"a":{"type":"integer"}},"required":["a"],"additionalProperties":{"type":["integer","null"]}})",
      R"({"properties":{"a":{"$ref":"#"},"c":{"type":["object","null"]}},"additionalProperties":{"type":"number"}})",
      R"({"required":["a","b","zz"]})",
      R"({"properties":{"id":{"minimum":0}},"required":["name"],"additionalProperties":{"type":"object","required":["a"]}})",
      R"({"properties":{"a":true},"patternProperties":{"^x":{"type":"string"}},"additionalProperties":false})",
      R"({"anyOf":[{"required":["a"],"additionalProperties":false},{"properties":{"b":{"type":"object","properties":{"a":{"type":"null"}}}}}]})",
      R"({"not":{"properties":{"a":{"type":"integer"}},"required":["a"]}})",
      R"({"properties":{"a":{"type":"integer"}},"unevaluatedProperties":{"type":"string"}})",
      R"({"items":{"properties":{"b":{"items":{"$ref":"#"}}},"additionalProperties":{"type":["array","object","boolean"]}}})",
      R"({"allOf":[{"properties":{"tags":{"type":"array"}}},{"required":["id"]}],"properties":{"é":{"const":"a"}}})",
      many_required,
      many_properties,
  };
}

}  // namespace

TEST_CASE("member plans answer as the keywords do (random documents, fixed seed)", "[validator][fast-path]") {
  Rng rng{6};
  for (const std::string& text : plan_schemas()) {
    INFO("schema " << text);
    auto schema = compile_schema(text, {});
    REQUIRE(schema.ok());
    size_t valid = 0;
    for (int i = 0; i < 400; ++i) {
      std::string doc = rng.below(2) ? random_object(rng, 0, false) : random_value(rng, 0, false);
      INFO("document " << doc);
      Json parsed = Json::parse(doc);
      EvalContext fused;
      fused.schema = schema->get();
      EvalContext plain;
      plain.schema = schema->get();
      plain.member_plans = false;
      bool a = Evaluator<JsonAdapter, false>(fused).node(*schema.value()->root, &parsed, nullptr);
      bool b = Evaluator<JsonAdapter, false>(plain).node(*schema.value()->root, &parsed, nullptr);
      REQUIRE(a == b);
      valid += a;
    }
    // The inputs must exercise both answers for the comparison to mean much.
    CHECK(valid > 0);
    CHECK(valid < 400);
  }
}

TEST_CASE("duplicate keys: the simdjson path names the reference parser's first one (random, fixed seed)",
          "[validator][fast-path]") {
  Rng rng{27};
  for (const std::string& text : plan_schemas()) {
    INFO("schema " << text);
    auto v = sluice::Validator::compile(text);
    REQUIRE(v.ok());
    size_t duplicates = 0;
    for (int i = 0; i < 400; ++i) {
      std::string doc = random_object(rng, 0, true);
      INFO("document " << doc);
      auto fast = v->validate(doc);
      auto reference = v->validate_reference(doc);
      REQUIRE(fast.ok() == reference.ok());
      if (!fast.ok()) {
        ++duplicates;
        CHECK(fast.error().code == sluice::ErrorCode::kParseError);
        CHECK(fast.error().message == reference.error().message);
        CHECK(fast.error().location.json_pointer == reference.error().location.json_pointer);
      } else {
        CHECK(fast->valid == reference->valid);
      }
    }
    CHECK(duplicates > 0);
    CHECK(duplicates < 400);
  }
}

TEST_CASE("regression: the simdjson path named a later duplicate key before an earlier nested one",
          "[validator][fast-path]") {
  auto v = sluice::Validator::compile(R"({"properties":{"a":{"type":"object"}}})");
  REQUIRE(v.ok());
  const std::string doc = R"({"a":{"b":1,"b":2},"a":3})";
  auto fast = v->validate(doc);
  auto reference = v->validate_reference(doc);
  REQUIRE_FALSE(fast.ok());
  REQUIRE_FALSE(reference.ok());
  CHECK(fast.error().location.json_pointer == "/a");
  CHECK(fast.error().message.find("duplicate key \"b\"") != std::string::npos);
  CHECK(reference.error().location.json_pointer == "/a");
}

TEST_CASE("duplicate keys are found in objects that no member plan checks", "[validator][fast-path]") {
  // Five unknown keys exceed what a plan compares pairwise; a false subschema
  // under `not` passes without checking; `{}` has no plan at all.
  const std::pair<const char*, const char*> kCases[] = {
      {R"({"properties":{"a":true}})", R"({"p":1,"q":2,"r":3,"s":4,"t":5,"q":6})"},
      {R"({"not":{"properties":{"a":false}}})", R"({"a":1,"a":2})"},
      {R"({})", R"([{"k":[{"k":1,"k":1}]}])"},
      {R"({"additionalProperties":{"type":"integer"}})", R"({"x":1,"x":"y"})"},
  };
  for (const auto& [schema, doc] : kCases) {
    INFO(schema << " " << doc);
    auto v = sluice::Validator::compile(schema);
    REQUIRE(v.ok());
    auto fast = v->validate(doc);
    auto reference = v->validate_reference(doc);
    REQUIRE_FALSE(fast.ok());
    REQUIRE_FALSE(reference.ok());
    CHECK(fast.error().location.json_pointer == reference.error().location.json_pointer);
    CHECK(fast.error().message == reference.error().message);
  }
}

TEST_CASE("KeyIndex finds exactly its keys (random key sets, fixed seed)", "[validator][fast-path]") {
  Rng rng{42};
  const char kAlphabet[] = "ab\0\xc3\xa9zZ";
  for (int round = 0; round < 300; ++round) {
    std::map<std::string, int> reference;
    std::vector<std::string> keys;
    size_t n = rng.below(40);
    while (keys.size() < n) {
      // Short keys over a small alphabet collide in length, ends and
      // prefixes, which is what the hash and the comparison must tell apart.
      std::string key(rng.below(20), 'a');
      for (char& c : key) c = kAlphabet[rng.below(sizeof kAlphabet - 1)];
      if (reference.emplace(key, static_cast<int>(keys.size())).second) keys.push_back(key);
    }
    KeyIndex index;
    index.build(keys);
    CHECK(index.size() == keys.size());
    for (int probe = 0; probe < 200; ++probe) {
      std::string key(rng.below(20), 'a');
      for (char& c : key) c = kAlphabet[rng.below(sizeof kAlphabet - 1)];
      if (!keys.empty() && rng.below(2)) key = keys[rng.below(keys.size())];
      auto it = reference.find(key);
      CHECK(index.find(key) == (it == reference.end() ? -1 : it->second));
    }
  }
}

TEST_CASE("is_uuid agrees with a per-character rule (random strings, fixed seed)", "[validator][fast-path]") {
  Rng rng{7};
  const std::string kAlphabet = "0123456789abcdefABCDEFgG-";
  auto reference = [](const std::string& s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
      bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      bool hex = std::isxdigit(static_cast<unsigned char>(s[i])) != 0;
      if (dash ? s[i] != '-' : !hex) return false;
    }
    return true;
  };
  size_t accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s = "00000000-0000-0000-0000-000000000000";
    if (rng.below(8) == 0) s.resize(35 + rng.below(3));
    for (size_t flips = rng.below(3); flips > 0; --flips) {
      if (!s.empty()) s[rng.below(s.size())] = kAlphabet[rng.below(kAlphabet.size())];
    }
    INFO(s);
    CHECK(is_uuid(s) == reference(s));
    accepted += reference(s);
  }
  CHECK(accepted > 1000);
  CHECK(accepted < 19000);
}

TEST_CASE("a document that both fails and exhausts max_eval_depth gets the keyword order's answer",
          "[validator][fast-path]") {
  // In keyword order `properties` runs first and "a" loops through $ref
  // until max_eval_depth; the member plan meets the additional "b" first,
  // which fails at once.
  auto v = sluice::Validator::compile(
      R"({"properties":{"a":{"$ref":"#/$defs/loop"}},"additionalProperties":false,"$defs":{"loop":{"$ref":"#/$defs/loop"}}})");
  REQUIRE(v.ok());
  for (bool all_errors : {false, true}) {
    auto fast = v->validate(R"({"b":1,"a":1})", sluice::ValidateOptions{all_errors});
    auto reference = v->validate_reference(R"({"b":1,"a":1})", sluice::ValidateOptions{all_errors});
    REQUIRE_FALSE(fast.ok());
    REQUIRE_FALSE(reference.ok());
    CHECK(fast.error().code == sluice::ErrorCode::kBudgetExceeded);
    CHECK(reference.error().code == sluice::ErrorCode::kBudgetExceeded);
  }
  auto invalid = v->validate(R"({"b":1})");
  REQUIRE(invalid.ok());
  CHECK_FALSE(invalid->valid);
}
