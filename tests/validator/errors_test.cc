// Errors in the JSON Schema "basic" output format: locations through $ref,
// escaping, first-error versus all-errors, and the JSON rendering.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "sluice/validator.h"

TEST_CASE("errors carry instance, keyword and absolute keyword locations", "[validator][errors]") {
  auto v = sluice::Validator::compile(R"({"$id":"https://example.com/s.json",
      "$defs":{"pos":{"type":"integer","minimum":1}},
      "properties":{"a":{"$ref":"#/$defs/pos"},"b/c":{"type":"string"}}})");
  REQUIRE(v.ok());
  const char* doc = R"({"a":0,"b/c":1})";
  auto first = v->validate(doc);
  REQUIRE(first.ok());
  CHECK_FALSE(first->valid);
  REQUIRE(first->errors.size() == 1);

  auto all = v->validate(doc, sluice::ValidateOptions{true});
  REQUIRE(all.ok());
  REQUIRE(all->errors.size() == 2);
  const sluice::ValidationError& a = all->errors[0];
  CHECK(a.instance_location == "/a");
  CHECK(a.keyword_location == "/properties/a/$ref/minimum");
  CHECK(a.absolute_keyword_location == "https://example.com/s.json#/$defs/pos/minimum");
  CHECK(a.message == "value is less than the minimum 1");
  const sluice::ValidationError& b = all->errors[1];
  CHECK(b.instance_location == "/b~1c");
  CHECK(b.keyword_location == "/properties/b~1c/type");

  nlohmann::json out = nlohmann::json::parse(all->to_json());
  CHECK(out["valid"] == false);
  REQUIRE(out["errors"].size() == 2);
  CHECK(out["errors"][0]["instanceLocation"] == "/a");
  CHECK(out["errors"][0]["keywordLocation"] == "/properties/a/$ref/minimum");
  CHECK(out["errors"][0]["absoluteKeywordLocation"] == "https://example.com/s.json#/$defs/pos/minimum");
  CHECK(out["errors"][0]["error"] == "value is less than the minimum 1");
}

TEST_CASE("applicator failures name the applicator; items name the index", "[validator][errors]") {
  auto v = sluice::Validator::compile(R"({"items":{"anyOf":[{"type":"string"},{"type":"null"}]},"required":["x"]})");
  REQUIRE(v.ok());
  auto r = v->validate(R"([null,"s",3])", sluice::ValidateOptions{true});
  REQUIRE(r.ok());
  REQUIRE_FALSE(r->valid);
  REQUIRE(r->errors.size() >= 1);
  CHECK(r->errors[0].instance_location == "/2");
  CHECK(r->errors[0].keyword_location == "/items/anyOf");
  auto obj = v->validate(R"({})");
  REQUIRE(obj.ok());
  REQUIRE(obj->errors.size() == 1);
  CHECK(obj->errors[0].keyword_location == "/required");
  CHECK(obj->errors[0].message == "required property \"x\" is missing");
}

TEST_CASE("a valid document renders as valid with no errors", "[validator][errors]") {
  auto v = sluice::Validator::compile(R"({"type":"string"})");
  REQUIRE(v.ok());
  auto r = v->validate(R"("ok")");
  REQUIRE(r.ok());
  CHECK(r->to_json() == R"({"valid":true,"errors":[]})");
}
