// Prefix mode: complete-and-valid, incomplete and invalid are told apart,
// and "invalid" is sound: no prefix of a valid document is ever called
// invalid (checked on every prefix of random valid documents, fixed seed).
#include <catch2/catch.hpp>

#include "common/splitmix.h"

#include <string>

#include "sluice/validator.h"

namespace {

const char* kSchema = R"({
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 2, "maxLength": 20},
    "n": {"type": "integer", "minimum": 0},
    "kind": {"enum": ["a", "b"]},
    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 5},
    "nested": {"type": "object", "properties": {"x": {"type": "number"}}, "additionalProperties": false},
    "choice": {"anyOf": [{"type": "integer"}, {"type": "array", "items": {"type": "boolean"}}]}
  },
  "required": ["name"],
  "additionalProperties": false
})";

using sluice::PrefixVerdict;

PrefixVerdict verdict(const sluice::Validator& v, std::string_view prefix) { return v.check_prefix(prefix).verdict; }

using Rng = sluice::SplitMix64;

std::string ws(Rng& rng) { return rng.below(4) == 0 ? std::string(" \n\t").substr(rng.below(3), 1) : ""; }

std::string random_string(Rng& rng, size_t min_len) {
  static const char* kPieces[] = {"a", "Z", "é", "😀", "\\n", "\\\"", "\\u00e9", " ", "\\\\", "x"};
  std::string s = "\"";
  size_t n = min_len + rng.below(6);
  for (size_t i = 0; i < n; ++i) s += kPieces[rng.below(10)];
  return s + "\"";
}

// A document valid under kSchema, with random members, order and spacing.
std::string valid_document(Rng& rng) {
  std::vector<std::string> members = {"\"name\"" + ws(rng) + ":" + ws(rng) + random_string(rng, 2)};
  if (rng.below(2)) members.push_back("\"n\":" + std::to_string(rng.below(1000)));
  if (rng.below(2)) members.push_back(std::string("\"kind\":") + (rng.below(2) ? "\"a\"" : "\"b\""));
  if (rng.below(2)) {
    std::string tags = "[";
    size_t n = rng.below(6);
    for (size_t i = 0; i < n; ++i) tags += (i ? "," + ws(rng) : "") + random_string(rng, 0);
    members.push_back("\"tags\":" + tags + "]");
  }
  if (rng.below(2)) members.push_back("\"nested\":{" + std::string(rng.below(2) ? "\"x\":-1.5e3" : "") + "}");
  if (rng.below(2)) members.push_back(std::string("\"choice\":") + (rng.below(2) ? "17" : "[true,false]"));
  for (size_t i = members.size(); i > 1; --i) std::swap(members[i - 1], members[rng.below(i)]);
  std::string doc = "{" + ws(rng);
  for (size_t i = 0; i < members.size(); ++i) doc += (i ? "," + ws(rng) : "") + members[i];
  return doc + ws(rng) + "}";
}

}  // namespace

TEST_CASE("prefix verdicts", "[validator][prefix]") {
  auto v = sluice::Validator::compile(kSchema);
  REQUIRE(v.ok());
  CHECK(verdict(*v, "") == PrefixVerdict::kIncomplete);
  CHECK(verdict(*v, "{") == PrefixVerdict::kIncomplete);
  CHECK(verdict(*v, R"({"name":"Al")") == PrefixVerdict::kIncomplete);
  CHECK(verdict(*v, R"({"name":"Al"})") == PrefixVerdict::kValid);
  CHECK(verdict(*v, R"({"name":"Al"}  )") == PrefixVerdict::kValid);
  CHECK(verdict(*v, R"({"name":"Al"} x)") == PrefixVerdict::kInvalid);
  CHECK(verdict(*v, R"({"n":1})") == PrefixVerdict::kInvalid);           // complete, misses "name"
  CHECK(verdict(*v, R"({"name":"A",)") == PrefixVerdict::kInvalid);      // a finished member fails
  CHECK(verdict(*v, R"({"extra":)") == PrefixVerdict::kInvalid);         // additionalProperties: false
  CHECK(verdict(*v, R"({"name":"0123456789012345678901)") == PrefixVerdict::kInvalid);  // maxLength passed
  CHECK(verdict(*v, R"({"n":-)") == PrefixVerdict::kIncomplete);         // -1 fails, but only once finished
  CHECK(verdict(*v, R"({"n":-1,)") == PrefixVerdict::kInvalid);
  CHECK(verdict(*v, R"({"n":"1)") == PrefixVerdict::kInvalid);           // an open string where an integer must be
  CHECK(verdict(*v, R"({"tags":[1)") == PrefixVerdict::kInvalid);
  CHECK(verdict(*v, R"({"tags":["a","b","c","d","e","f)") == PrefixVerdict::kInvalid);  // maxItems passed
  CHECK(verdict(*v, R"({"nested":{"y)") == PrefixVerdict::kIncomplete);  // the key may still become "y..."
  CHECK(verdict(*v, R"({"nested":{"y")") == PrefixVerdict::kInvalid);    // a finished key no schema allows
  CHECK(verdict(*v, R"({"choice":[1)") == PrefixVerdict::kInvalid);      // every anyOf branch is settled false
  CHECK(verdict(*v, R"({"choice":[tr)") == PrefixVerdict::kIncomplete);
  CHECK(verdict(*v, R"([)") == PrefixVerdict::kInvalid);
  CHECK(verdict(*v, "{\"name\":\"\xff") == PrefixVerdict::kInvalid);    // invalid UTF-8
  CHECK(verdict(*v, "{\"name\":\"a\nb") == PrefixVerdict::kInvalid);   // raw control character
  CHECK(verdict(*v, R"({"name":"Al",)") == PrefixVerdict::kIncomplete);
  CHECK(verdict(*v, R"({"name":"Al",})") == PrefixVerdict::kInvalid);    // a trailing comma
  CHECK(verdict(*v, R"({"name":"Al",,)") == PrefixVerdict::kInvalid);
}

TEST_CASE("a top-level number may still grow", "[validator][prefix]") {
  auto v = sluice::Validator::compile(R"({"type":"integer","minimum":100})");
  REQUIRE(v.ok());
  CHECK(verdict(*v, "12") == PrefixVerdict::kIncomplete);
  CHECK(verdict(*v, "120") == PrefixVerdict::kValid);
  CHECK(verdict(*v, "-") == PrefixVerdict::kIncomplete);
  CHECK(verdict(*v, "12 ") == PrefixVerdict::kInvalid);
  CHECK(verdict(*v, "\"") == PrefixVerdict::kInvalid);
}

TEST_CASE("deep prefixes get a verdict without deep recursion", "[validator][prefix]") {
  auto v = sluice::Validator::compile(R"({"items":{"$ref":"#"}})");
  REQUIRE(v.ok());
  CHECK(verdict(*v, std::string(500, '[')) == PrefixVerdict::kIncomplete);
  CHECK(verdict(*v, std::string(100000, '[')) == PrefixVerdict::kInvalid);
}

TEST_CASE("no prefix of a valid document is called invalid (random, fixed seed)", "[validator][prefix]") {
  auto v = sluice::Validator::compile(kSchema);
  REQUIRE(v.ok());
  Rng rng{42};
  for (int doc_index = 0; doc_index < 300; ++doc_index) {
    const std::string doc = valid_document(rng);
    INFO("document " << doc);
    auto full = v->validate(doc);
    REQUIRE(full.ok());
    REQUIRE(full->valid);
    CHECK(verdict(*v, doc) == PrefixVerdict::kValid);
    for (size_t cut = 0; cut < doc.size(); ++cut) {
      INFO("prefix " << doc.substr(0, cut));
      REQUIRE(verdict(*v, std::string_view(doc).substr(0, cut)) != PrefixVerdict::kInvalid);
    }
  }
}
