// The hand-written Llama-3-family scanner (lib/tokenizer/fast_split.h)
// against the regex engine running the same pattern: both must cut random
// text, ASCII and not, valid UTF-8 and not, into the same pieces.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "tokenizer/fast_split.h"
#include "tokenizer/regex.h"

using sluice::tok::FastSplit;
using sluice::tok::Regex;

namespace {

constexpr const char* kLlama3 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kQwen =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// Byte offsets of the engine's matches, as Split (Isolated) cuts: each
// gap and each match is a piece.
std::vector<size_t> engine_cuts(const Regex& re, std::string_view s) {
  std::vector<uint32_t> cps, offs;
  sluice::tok::decode_all(s, &cps, &offs);
  std::vector<size_t> cuts;
  size_t pos = 0, prev = 0;
  Regex::Match m;
  while (pos <= cps.size() && re.search(cps.data(), cps.size(), pos, &m)) {
    if (prev < m.begin) cuts.push_back(offs[m.begin]);
    if (m.end > m.begin) cuts.push_back(offs[m.end]);
    prev = m.end;
    pos = m.end > m.begin ? m.end : m.begin + 1;
  }
  if (prev < cps.size()) cuts.push_back(s.size());
  return cuts;
}

std::vector<size_t> fast_cuts(const FastSplit& f, std::string_view s) {
  std::vector<size_t> cuts;
  for (size_t at = 0; at < s.size();) {
    at = f.match_end(s, at);
    cuts.push_back(at);
  }
  return cuts;
}

std::string escaped(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("fast split: recognizes exactly the Llama-3 and Qwen patterns") {
  CHECK(FastSplit::recognize(kLlama3).max_digits == 3);
  CHECK(FastSplit::recognize(kQwen).max_digits == 1);
  CHECK_FALSE(FastSplit::recognize(std::string(kLlama3) + "|x").enabled());
  CHECK_FALSE(FastSplit::recognize(R"(\p{N}{1,3})").enabled());
  CHECK_FALSE(FastSplit::recognize("").enabled());
}

TEST_CASE("fast split agrees with the regex engine on random text") {
  // Pieces chosen to hit every alternative and class boundary: letters of
  // both cases and the contraction letters, digits and other numbers (Nd,
  // Nl, No), every ASCII space, non-ASCII spaces, line breaks, marks,
  // symbols, CJK, ill-formed bytes.
  static const char* kPieces[] = {
      "a", "Z", "s", "S", "t", "T", "r", "e", "E", "v", "m", "l", "L", "d", "D", "x", "'", "'", "\"", "1", "9",
      "0", " ", " ", " ", "\t", "\n", "\r", "\v", "\f", "\r\n", ",", ":", "{", "}", "[", "-", "_", ".", "/",
      "\xC3\xA9",          // é (Ll)
      "\xC3\x89",          // É (Lu)
      "\xC5\xBF",          // ſ long s (Ll), not folded to s
      "\xE6\x9D\xB1",      // 東 (Lo)
      "\xD9\xA3",          // Arabic-Indic three (Nd)
      "\xE2\x85\xAB",      // Roman twelve (Nl)
      "\xC2\xBD",          // one half (No)
      "\xC2\xA0",          // no-break space (\s)
      "\xE3\x80\x80",      // ideographic space (\s)
      "\xE2\x80\xA8",      // line separator (\s, not [\r\n])
      "\xEF\xBB\xBF",      // BOM (\s in JS)
      "\xCC\x81",          // combining acute (Mn)
      "\xF0\x9F\x98\x80",  // emoji (So)
      "\xE2\x82\xAC",      // euro sign (Sc)
      "\xFF",              // ill-formed bytes
      "\x80",
      "\xE6\x9D",
  };
  constexpr size_t kCount = sizeof kPieces / sizeof kPieces[0];
  for (const char* pattern : {kLlama3, kQwen}) {
    auto re = Regex::compile(pattern);
    REQUIRE(re.ok());
    FastSplit fast = FastSplit::recognize(pattern);
    REQUIRE(fast.enabled());
    std::mt19937_64 rng(2026);
    for (int i = 0; i < 20000; ++i) {
      std::string s;
      // Short strings over few pieces make runs and contractions likely.
      size_t alphabet = 2 + rng() % kCount;
      size_t offset = rng() % kCount;
      for (size_t n = rng() % 16; n > 0; --n) s += kPieces[(offset + rng() % alphabet) % kCount];
      INFO("pattern " << pattern << " text \"" << escaped(s) << "\"");
      REQUIRE(fast_cuts(fast, s) == engine_cuts(*re, s));
    }
  }
}

TEST_CASE("fast split: hand-picked cases") {
  FastSplit fast = FastSplit::recognize(kLlama3);
  auto pieces = [&](std::string_view s) {
    std::vector<std::string> out;
    for (size_t at = 0; at < s.size();) {
      size_t end = fast.match_end(s, at);
      out.emplace_back(s.substr(at, end - at));
      at = end;
    }
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(pieces("I'M here") == V{"I", "'M", " here"});
  CHECK(pieces("we'LL 1234567") == V{"we", "'LL", " ", "123", "456", "7"});
  CHECK(pieces("{\"a\": 1}\n") == V{"{\"", "a", "\":", " ", "1", "}\n"});
  CHECK(pieces("x  \n\n  y") == V{"x", "  \n\n", " ", " y"});
  CHECK(pieces("a   ") == V{"a", "   "});
  CHECK(pieces("a   b") == V{"a", "  ", " b"});
}
