// A hand-written scanner for the pre-tokenizer pattern of the Llama-3
// family, which the backtracking engine (regex.h) runs at a few MB/s:
//
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//   ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// as Llama-3 and 3.1 write it, and with \p{N} for \p{N}{1,3} as Qwen2 and
// Qwen3 do. Only these exact pattern strings are recognized; any other
// pattern, however close, runs on the engine. The scanner reads UTF-8
// directly, with the engine's character classes (JS \s, general categories,
// one pseudo code point per invalid byte), and gives exactly the engine's
// matches: tests/tokenizer/fast_split_test.cc compares the two on random
// text.
//
// Every code point starts a match of these patterns (each is a letter, a
// number, a space or none of those, and some alternative takes each), so
// the matches tile the text: a split has no gaps between them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice::tok {

struct FastSplit {
  // Longest run of numbers one match takes (3 for \p{N}{1,3}, 1 for
  // \p{N}); 0 when the pattern is not recognized.
  uint32_t max_digits = 0;

  // The scanner for `pattern`, or one with max_digits 0.
  static FastSplit recognize(std::string_view pattern);
  bool enabled() const { return max_digits != 0; }
  // End (byte offset) of the match that starts at byte `pos` < text.size().
  size_t match_end(std::string_view text, size_t pos) const;
};

}  // namespace sluice::tok
