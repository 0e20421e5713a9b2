// The validator's parts on their own: URI resolution (RFC 3986 5.4
// examples), the ECMA-262 to RE2 translation, and the format checkers.
#include <catch2/catch.hpp>

#include <re2/re2.h>

#include "validator/ecma_regex.h"
#include "validator/formats.h"
#include "validator/uri.h"

using namespace sluice::validator;

TEST_CASE("URI references resolve as RFC 3986 section 5.4 says", "[validator][uri]") {
  const std::string base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> kCases[] = {
      {"g:h", "g:h"},           {"g", "http://a/b/c/g"},      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"}, {"/g", "http://a/g"},          {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"}, {"g?y", "http://a/b/c/g?y"}, {"#s", "http://a/b/c/d;p?q#s"},
      {"", "http://a/b/c/d;p?q"}, {"../g", "http://a/b/g"},     {"../../../g", "http://a/g"},
      {"g/../h", "http://a/b/c/h"}, {".", "http://a/b/c/"},     {"..", "http://a/b/"},
  };
  for (const auto& [ref, expected] : kCases) {
    INFO(ref);
    CHECK(resolve_uri(base, ref) == expected);
  }
  CHECK(resolve_uri("urn:uuid:deadbeef-1234", "#/$defs/a") == "urn:uuid:deadbeef-1234#/$defs/a");
  std::string out;
  CHECK(percent_decode("a%25b%7e", &out));
  CHECK(out == "a%b~");
  CHECK_FALSE(percent_decode("a%2", &out));
  CHECK_FALSE(percent_decode("%zz", &out));
}

TEST_CASE("ECMA-262 patterns translate to RE2 with ECMA's meaning", "[validator][regex]") {
  auto matches = [](const char* pattern, const std::string& text) {
    auto translated = ecma_to_re2(pattern);
    REQUIRE(translated.ok());
    RE2 re(*translated);
    REQUIRE(re.ok());
    return RE2::PartialMatch(text, re);
  };
  CHECK(matches("^\\d+$", "0123"));
  CHECK_FALSE(matches("^\\d$", "\xd9\xa3"));         // ARABIC-INDIC DIGIT THREE is not \d
  CHECK(matches("^\\s$", "\xe2\x80\xa8"));           // U+2028 is ECMA whitespace
  CHECK(matches("^\\s$", "\x0b"));                   // so is \v
  CHECK_FALSE(matches("^\\S$", " "));
  CHECK(matches("^[\\S]$", "x"));
  CHECK_FALSE(matches("^[\\S]$", "\xc2\xa0"));       // U+00A0 is whitespace
  CHECK_FALSE(matches("^.$", "\r"));
  CHECK(matches("^.$", "\xf0\x9f\x98\x80"));         // one code point, not two units
  CHECK(matches("^\\uD83D\\uDE00$", "\xf0\x9f\x98\x80"));
  CHECK(matches("^\\cJ$", "\n"));
  CHECK(matches("^[\\b]$", "\b"));
  CHECK(matches("^\\/$", "/"));
  CHECK(matches("^(?<year>\\d{4})$", "2024"));
  CHECK(matches("^[^]$", "\n"));
  CHECK_FALSE(matches("[]", "a"));
  CHECK(matches("^\\p{Letter}+$", "\xcf\x80"));      // pi
  for (const char* unsupported : {"(?=a)", "(?!a)", "(?<=a)", "(?<!a)", "(a)\\1", "\\k<n>"}) {
    auto r = ecma_to_re2(unsupported);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == sluice::ErrorCode::kUnsupported);
  }
  CHECK_FALSE(ecma_to_re2("[abc").ok());
  CHECK_FALSE(ecma_to_re2("abc\\").ok());
}

TEST_CASE("format checkers", "[validator][formats]") {
  CHECK(is_date("2024-02-29"));
  CHECK_FALSE(is_date("2023-02-29"));
  CHECK_FALSE(is_date("2024-1-01"));
  CHECK(is_time("23:59:60Z"));
  CHECK(is_time("15:59:60-08:00"));
  CHECK_FALSE(is_time("22:59:60Z"));
  CHECK_FALSE(is_time("12:00:00"));  // full-time needs an offset
  CHECK(is_date_time("1985-04-12T23:20:50.52Z"));
  CHECK_FALSE(is_date_time("1985-04-12 23:20:50Z"));
  CHECK(is_duration("P4DT12H30M5S"));
  CHECK(is_duration("P2W"));
  CHECK_FALSE(is_duration("P1Y1D"));
  CHECK_FALSE(is_duration("PT"));
  CHECK_FALSE(is_duration("P1T1H"));
  CHECK(is_email("\"joe bloggs\"@example.com"));
  CHECK(is_email("joe@[IPv6:::1]"));
  CHECK_FALSE(is_email(".joe@example.com"));
  CHECK(is_hostname("www.example-1.com"));
  CHECK_FALSE(is_hostname("-example.com"));
  CHECK_FALSE(is_hostname(std::string(64, 'a') + ".com"));
  CHECK(is_ipv4("192.168.0.1"));
  CHECK_FALSE(is_ipv4("256.1.1.1"));
  CHECK(is_ipv6("1:2:3:4:5:6:7:8"));
  CHECK(is_ipv6("::"));
  CHECK(is_ipv6("1::6:7:8"));
  CHECK_FALSE(is_ipv6("1:2:3:4:5:6:7:8:9"));
  CHECK_FALSE(is_ipv6("1::2::3"));
  CHECK(is_uuid("2eb8aa08-aa98-11ea-b4aa-73b441d16380"));
  CHECK_FALSE(is_uuid("2eb8aa08aa9811eab4aa73b441d16380"));
  CHECK(is_uri("https://user@example.com:8080/a/b?q=1#frag"));
  CHECK(is_uri("urn:isbn:0451450523"));
  CHECK_FALSE(is_uri("/relative/path"));
  CHECK_FALSE(is_uri("http://exa mple.com"));
  CHECK(is_uri_reference("/relative/path?x#y"));
  CHECK_FALSE(is_uri_reference("\\\\WINDOWS\\fileshare"));
  CHECK(is_iri("http://ƒøø.ßår/?∂éœ=πîx#πîüx"));
  CHECK(is_json_pointer("/a~0b/c~1d"));
  CHECK_FALSE(is_json_pointer("/a~2"));
  CHECK(is_relative_json_pointer("1/a"));
  CHECK(is_relative_json_pointer("0#"));
  CHECK_FALSE(is_relative_json_pointer("01/a"));
  CHECK(is_regex("^(?!x)a$"));  // well-formed ECMA, though RE2 cannot run it
  CHECK_FALSE(is_regex("*"));
  CHECK(find_format("date-time") != nullptr);
  CHECK(find_format("idn-hostname") == nullptr);
}
