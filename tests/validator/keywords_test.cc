// Keyword tables for the validator: each keyword with a document it accepts
// and one it rejects, per draft where drafts differ. Every row is checked on
// both parse paths (simdjson and the nlohmann reference), which must agree.
// Needs nothing from ../shared.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sluice/validator.h"

namespace {

struct Row {
  const char* schema;
  const char* document;
  bool valid;
};

void check_rows(const std::vector<Row>& rows, sluice::ValidatorOptions options = {}) {
  for (const Row& row : rows) {
    INFO("schema " << row.schema << "\ndocument " << row.document);
    auto v = sluice::Validator::compile(row.schema, options);
    REQUIRE(v.ok());
    auto fast = v->validate(row.document);
    REQUIRE(fast.ok());
    CHECK(fast->valid == row.valid);
    CHECK(fast->errors.empty() == row.valid);
    auto reference = v->validate_reference(row.document);
    REQUIRE(reference.ok());
    CHECK(reference->valid == row.valid);
  }
}

}  // namespace

TEST_CASE("type, enum and const", "[validator][keywords]") {
  check_rows({
      {R"({"type":"integer"})", "3", true},
      {R"({"type":"integer"})", "3.0", true},
      {R"({"type":"integer"})", "3.5", false},
      {R"({"type":"integer"})", R"("3")", false},
      {R"({"type":["string","null"]})", "null", true},
      {R"({"type":["string","null"]})", "false", false},
      {R"({"type":"object"})", "[]", false},
      {R"({"enum":["a",1,null,{"k":[1]}]})", R"({"k":[1.0]})", true},
      {R"({"enum":["a",1,null,{"k":[1]}]})", R"({"k":[2]})", false},
      {R"({"enum":["red","green"]})", R"("green")", true},
      {R"({"enum":["red","green"]})", R"("blue")", false},
      {R"({"const":{"a":[1,2]}})", R"({"a":[1,2]})", true},
      {R"({"const":{"a":[1,2]}})", R"({"a":[2,1]})", false},
      {R"({"const":false})", "0", false},
  });
}

TEST_CASE("draft 4 integers are written without a fraction", "[validator][keywords]") {
  check_rows({
      {R"({"$schema":"http://json-schema.org/draft-04/schema#","type":"integer"})", "3", true},
      {R"({"$schema":"http://json-schema.org/draft-04/schema#","type":"integer"})", "3.0", false},
      {R"({"$schema":"http://json-schema.org/draft-04/schema#","maximum":3,"exclusiveMaximum":true})", "3", false},
      {R"({"$schema":"http://json-schema.org/draft-04/schema#","maximum":3,"exclusiveMaximum":true})", "2.9", true},
  });
}

TEST_CASE("numeric bounds are exact beyond double precision", "[validator][keywords]") {
  check_rows({
      {R"({"maximum":9007199254740993})", "9007199254740992", true},
      {R"({"maximum":9007199254740992})", "9007199254740993", false},
      {R"({"exclusiveMinimum":18446744073709551614})", "18446744073709551615", true},
      {R"({"minimum":-9223372036854775808})", "-9223372036854775808", true},
      {R"({"multipleOf":0.01})", "19.99", true},
      {R"({"multipleOf":0.01})", "19.991", false},
      {R"({"multipleOf":7})", "49", true},
      {R"({"multipleOf":7})", "50", false},
      {R"({"multipleOf":1.5})", "4.5", true},
  });
}

TEST_CASE("strings: length in code points, pattern, format", "[validator][keywords]") {
  check_rows({
      {R"({"maxLength":2})", R"("éé")", true},
      {R"({"maxLength":2})", R"("ééé")", false},
      {R"({"minLength":2})", R"("😀")", false},
      {R"({"pattern":"^\\d{3}$"})", R"("123")", true},
      {R"({"pattern":"^\\d{3}$"})", R"("١٢٣")", false},
      {R"({"pattern":"^\\w+$"})", R"("é")", false},
      {R"({"pattern":"^\\s$"})", R"("\u00a0")", true},
      {R"({"pattern":"^.$"})", R"("\n")", false},
      {R"({"pattern":"^\\u00e9$"})", R"("é")", true},
      {R"({"pattern":"^\\p{Lu}"})", R"("Émile")", true},
      {R"({"pattern":"b"})", R"("abc")", true},
      {R"({"format":"date-time"})", R"("2024-02-29T23:59:60Z")", true},
      {R"({"format":"date-time"})", R"("2023-02-29T10:00:00Z")", false},
      {R"({"format":"email"})", R"("a.b@example.com")", true},
      {R"({"format":"email"})", R"("a..b@example.com")", false},
      {R"({"format":"ipv6"})", R"("::ffff:1.2.3.4")", true},
      {R"({"format":"ipv4"})", R"("01.2.3.4")", false},
      {R"({"format":"unknown-format"})", R"("anything")", true},
  });
}

TEST_CASE("format assertion can be turned off", "[validator][keywords]") {
  sluice::ValidatorOptions options;
  options.assert_formats = false;
  check_rows({{R"({"format":"email"})", R"("not an email")", true}}, options);
}

TEST_CASE("arrays: items, prefixItems, contains, uniqueItems", "[validator][keywords]") {
  check_rows({
      {R"({"items":{"type":"integer"}})", "[1,2,3]", true},
      {R"({"items":{"type":"integer"}})", "[1,\"2\"]", false},
      {R"({"prefixItems":[{"type":"string"}],"items":false})", R"(["a"])", true},
      {R"({"prefixItems":[{"type":"string"}],"items":false})", R"(["a",1])", false},
      {R"({"$schema":"http://json-schema.org/draft-07/schema#","items":[{"type":"string"}],"additionalItems":false})",
       R"(["a",1])", false},
      {R"({"contains":{"const":2}})", "[1,2]", true},
      {R"({"contains":{"const":2}})", "[1,3]", false},
      {R"({"contains":{"const":2},"minContains":2,"maxContains":3})", "[2,2]", true},
      {R"({"contains":{"const":2},"minContains":2,"maxContains":3})", "[2,2,2,2]", false},
      {R"({"contains":{"const":2},"minContains":0})", "[]", true},
      {R"({"uniqueItems":true})", R"([1,{"a":1},[1]])", true},
      {R"({"uniqueItems":true})", R"([{"a":1,"b":2},{"b":2,"a":1}])", false},
      {R"({"uniqueItems":true})", "[1,1.0]", false},
      {R"({"minItems":1,"maxItems":2})", "[]", false},
      {R"({"minItems":1,"maxItems":2})", "[1,2,3]", false},
      {R"({"prefixItems":[true],"unevaluatedItems":false})", "[1]", true},
      {R"({"prefixItems":[true],"unevaluatedItems":false})", "[1,2]", false},
  });
}

TEST_CASE("objects: properties, required, dependencies, propertyNames", "[validator][keywords]") {
  check_rows({
      {R"({"properties":{"a":{"type":"integer"}},"required":["a"]})", R"({"a":1})", true},
      {R"({"properties":{"a":{"type":"integer"}},"required":["a"]})", R"({"b":1})", false},
      {R"({"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false})", R"({"x-a":"s"})", true},
      {R"({"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false})", R"({"y":"s"})", false},
      {R"({"dependentRequired":{"a":["b"]}})", R"({"a":1,"b":2})", true},
      {R"({"dependentRequired":{"a":["b"]}})", R"({"a":1})", false},
      {R"({"dependentSchemas":{"a":{"required":["c"]}}})", R"({"a":1})", false},
      {R"({"$schema":"http://json-schema.org/draft-07/schema#","dependencies":{"a":["b"]}})", R"({"a":1})", false},
      {R"({"propertyNames":{"maxLength":3}})", R"({"abc":1})", true},
      {R"({"propertyNames":{"maxLength":3}})", R"({"abcd":1})", false},
      {R"({"minProperties":1,"maxProperties":1})", R"({})", false},
      {R"({"properties":{"a":true},"unevaluatedProperties":false})", R"({"a":1})", true},
      {R"({"allOf":[{"properties":{"a":true}}],"unevaluatedProperties":false})", R"({"a":1,"b":2})", false},
      {R"({"anyOf":[{"properties":{"a":true}},{"properties":{"b":true}}],"unevaluatedProperties":false})",
       R"({"a":1,"b":2})", true},
  });
}

TEST_CASE("combinators and conditionals", "[validator][keywords]") {
  check_rows({
      {R"({"allOf":[{"minimum":1},{"maximum":3}]})", "2", true},
      {R"({"allOf":[{"minimum":1},{"maximum":3}]})", "4", false},
      {R"({"anyOf":[{"type":"string"},{"minimum":3}]})", "5", true},
      {R"({"anyOf":[{"type":"string"},{"minimum":3}]})", "1", false},
      {R"({"oneOf":[{"minimum":1},{"minimum":2}]})", "1", true},
      {R"({"oneOf":[{"minimum":1},{"minimum":2}]})", "3", false},
      {R"({"not":{"type":"null"}})", "1", true},
      {R"({"not":{"type":"null"}})", "null", false},
      {R"({"if":{"minimum":10},"then":{"multipleOf":2},"else":{"multipleOf":3}})", "12", true},
      {R"({"if":{"minimum":10},"then":{"multipleOf":2},"else":{"multipleOf":3}})", "11", false},
      {R"({"if":{"minimum":10},"then":{"multipleOf":2},"else":{"multipleOf":3}})", "4", false},
      {"false", "1", false},
      {"true", "1", true},
  });
}

TEST_CASE("references: pointers with escapes, anchors, $id, $dynamicRef, $recursiveRef", "[validator][keywords]") {
  check_rows({
      {R"({"$defs":{"a/b":{"type":"integer"},"c~d":{"type":"string"},"e%f":{"type":"null"}},
           "properties":{"x":{"$ref":"#/$defs/a~1b"},"y":{"$ref":"#/$defs/c~0d"},"z":{"$ref":"#/$defs/e%25f"}}})",
       R"({"x":1,"y":"s","z":null})", true},
      {R"({"$defs":{"a/b":{"type":"integer"}},"properties":{"x":{"$ref":"#/$defs/a~1b"}}})", R"({"x":"1"})", false},
      {R"({"$defs":{"n":{"$anchor":"num","type":"number"}},"$ref":"#num"})", "1", true},
      {R"({"$defs":{"n":{"$anchor":"num","type":"number"}},"$ref":"#num"})", "\"1\"", false},
      {R"({"$id":"http://example.com/root.json","$defs":{"x":{"$id":"item.json","type":"string"}},
           "items":{"$ref":"item.json"}})",
       R"(["a"])", true},
      {R"({"$id":"http://example.com/root.json","$defs":{"x":{"$id":"item.json","type":"string"}},
           "items":{"$ref":"item.json"}})",
       "[1]", false},
      {R"({"$id":"https://example.com/tree","$dynamicAnchor":"node","type":"object",
           "properties":{"children":{"type":"array","items":{"$dynamicRef":"#node"}}}})",
       R"({"children":[{"children":[]}]})", true},
      {R"({"$schema":"https://json-schema.org/draft/2019-09/schema","$recursiveAnchor":true,
           "anyOf":[{"type":"integer"},{"type":"array","items":{"$recursiveRef":"#"}}]})",
       "[1,[2,[\"x\"]]]", false},
      {R"({"$schema":"https://json-schema.org/draft/2019-09/schema","$recursiveAnchor":true,
           "anyOf":[{"type":"integer"},{"type":"array","items":{"$recursiveRef":"#"}}]})",
       "[1,[2,[3]]]", true},
      {R"({"$schema":"http://json-schema.org/draft-07/schema#","definitions":{"s":{"type":"string"}},
           "$ref":"#/definitions/s","type":"integer"})",
       "\"a\"", true},
  });
}

TEST_CASE("the drafts' metaschemas are built in", "[validator][keywords]") {
  check_rows({
      {R"({"$ref":"https://json-schema.org/draft/2020-12/schema"})", R"({"type":"string"})", true},
      {R"({"$ref":"https://json-schema.org/draft/2020-12/schema"})", R"({"type":"strin"})", false},
      {R"({"$ref":"http://json-schema.org/draft-07/schema#"})", R"({"minLength":-1})", false},
  });
}
