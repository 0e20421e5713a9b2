// The text slice of a vocabulary: every token whose bytes could sit inside
// a JSON string as raw text (the "slicer" idea from llguidance).
//
// A token is in the slice when its bytes are a prefix of UTF-8 text made of
// code points U+0020..U+10FFFF other than `"`, `\`, surrogates and the line
// separators U+2028 and U+2029: whole code points, except that the last one
// may be cut short. In Llama-3 that is most of the vocabulary. The slice is
// prefix-closed, so it is a top part of the token trie.
//
// The line separators are left out because `.` in a pattern (ECMA-262)
// does not match them: with them in, no `.*` could take the slice, and
// every pattern with one walked the whole vocabulary per mask (10-25 ms).
// A handful of tokens hold them, and they go to `rest` like quotes do.
//
// A mask walk from a parser configuration that provably accepts every slice
// string (matcher/token_walk.h checks this by exploring the configuration
// against kStates below) takes the slice's tokens as one precomputed set and
// walks only `rest`: the trie nodes outside the slice and the slice nodes on
// the way to them. In Llama-3 that is a few percent of the trie.
//
// Tested in tests/vocab/text_slice_test.cc.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "sluice/tokenizer.h"

namespace sluice::vocab {

class TokenTrie;

namespace slice_detail {

inline constexpr uint8_t kStates = 10;
inline constexpr uint8_t kReject = 0xFF;

// States: 0 a code point boundary; 1, 2, 3 that many continuation bytes
// (80-BF) to go; 4 after E0 (A0-BF next: no overlong form); 5 after ED
// (80-9F: no surrogate); 6 after F0 (90-BF: no overlong form); 7 after F4
// (80-8F: nothing past U+10FFFF); 8 after E2, 9 after E2 80 (A8 and A9
// next would be U+2028 and U+2029).
constexpr uint8_t next_by_rule(uint8_t state, uint8_t byte) {
  const bool continuation = byte >= 0x80 && byte <= 0xBF;
  switch (state) {
    case 0:
      if (byte < 0x20 || byte == '"' || byte == '\\') return kReject;
      if (byte < 0x80) return 0;
      if (byte >= 0xC2 && byte <= 0xDF) return 1;
      if (byte == 0xE0) return 4;
      if (byte == 0xED) return 5;
      if (byte == 0xE2) return 8;
      if (byte >= 0xE1 && byte <= 0xEF) return 2;
      if (byte == 0xF0) return 6;
      if (byte >= 0xF1 && byte <= 0xF3) return 3;
      if (byte == 0xF4) return 7;
      return kReject;
    case 1: return continuation ? 0 : kReject;
    case 2: return continuation ? 1 : kReject;
    case 3: return continuation ? 2 : kReject;
    case 4: return byte >= 0xA0 && byte <= 0xBF ? 1 : kReject;
    case 5: return byte >= 0x80 && byte <= 0x9F ? 1 : kReject;
    case 6: return byte >= 0x90 && byte <= 0xBF ? 2 : kReject;
    case 7: return byte >= 0x80 && byte <= 0x8F ? 2 : kReject;
    case 8: return byte == 0x80 ? 9 : continuation ? 1 : kReject;
    case 9: return byte == 0xA8 || byte == 0xA9 ? kReject : continuation ? 0 : kReject;
    default: return kReject;
  }
}

constexpr std::array<std::array<uint8_t, 256>, kStates> build_next() {
  std::array<std::array<uint8_t, 256>, kStates> table{};
  for (unsigned state = 0; state < kStates; ++state) {
    for (unsigned byte = 0; byte < 256; ++byte) {
      table[state][byte] = next_by_rule(static_cast<uint8_t>(state), static_cast<uint8_t>(byte));
    }
  }
  return table;
}

// A table: the matcher's slice checks look up every byte of every state.
inline constexpr std::array<std::array<uint8_t, 256>, kStates> kNext = build_next();

// Bits of TextSlice::bytes_below. Punctuation, digits and the space each
// have their own, as patterns exclude them one at a time ("[^/]+"); so do
// a-f and A-F (hexadecimal classes). The other letters go in runs, and
// bytes outside ASCII share one bit.
constexpr std::array<uint8_t, 256> build_byte_bits() {
  std::array<uint8_t, 256> bits{};
  uint8_t next = 0;
  for (unsigned b = 0x20; b < 0x7F; ++b) {
    const bool upper = b >= 'A' && b <= 'Z', lower = b >= 'a' && b <= 'z';
    if (!upper && !lower) {
      bits[b] = next++;
      continue;
    }
    const unsigned letter = b - (upper ? 'A' : 'a');
    // a-f, g-m, n-s, t-z.
    const unsigned run = letter < 6 ? 0 : letter < 13 ? 1 : letter < 19 ? 2 : 3;
    bits[b] = static_cast<uint8_t>(next + run);
    if (b == 'Z' || b == 'z') next = static_cast<uint8_t>(next + 4);
  }
  // Controls never occur in the slice; they share the last bit with
  // everything outside ASCII.
  for (unsigned b = 0; b < 256; ++b) {
    if (b < 0x20 || b >= 0x7F) bits[b] = next;
  }
  return bits;
}

inline constexpr std::array<uint8_t, 256> kByteBit = build_byte_bits();
static_assert(kByteBit[0x80] < 64, "bytes_below needs more than 64 bits");

}  // namespace slice_detail

class TextSlice {
 public:
  // States of the UTF-8 automaton that defines the slice; 0 is a code
  // point boundary, where every slice string starts.
  static constexpr uint8_t kStates = slice_detail::kStates;
  static constexpr uint8_t kReject = slice_detail::kReject;
  // The state after `byte` from `state`, or kReject.
  static uint8_t next(uint8_t state, uint8_t byte) { return slice_detail::kNext[state][byte]; }

  explicit TextSlice(const TokenTrie& trie);

  // Tokens in the slice, as mask words (bit i = token i) over vocab_size.
  const std::vector<uint32_t>& words() const { return words_; }
  // Number of tokens in the slice.
  size_t tokens() const { return tokens_.size(); }
  // The automaton's state after node n's bytes, or kReject when node n of
  // the full trie is outside the slice. The root is in state 0.
  uint8_t state(uint32_t node) const { return state_[node]; }
  // The slice tokens of the nodes i..j-1 of the full trie (for a subtree,
  // j is its subtree_end), in depth-first order.
  std::span<const TokenId> tokens_between(uint32_t i, uint32_t j) const {
    return std::span<const TokenId>(tokens_).subspan(tokens_before_[i], tokens_before_[j] - tokens_before_[i]);
  }
  // The slice tokens of at most `chars` code points (a cut-short last one
  // counts), in no particular order: those a string of bounded length
  // with room for `chars` more takes.
  std::span<const TokenId> tokens_up_to_chars(size_t chars) const {
    const size_t end = chars_end_[std::min(chars, chars_end_.size() - 1)];
    return std::span<const TokenId>(by_chars_).first(end);
  }
  // The rest trie, in depth-first order: rest_nodes()[p] is a node of the
  // full trie and rest_end()[p] the position after its subtree here.
  // Position 0 is the root. rest_position(n) is node n's position, or
  // kNotInRest.
  static constexpr uint32_t kNotInRest = 0xFFFFFFFF;
  const std::vector<uint32_t>& rest_nodes() const { return rest_nodes_; }
  const std::vector<uint32_t>& rest_end() const { return rest_end_; }
  uint32_t rest_position(uint32_t node) const { return rest_position_[node]; }
  // A summary of the bytes below a node: bit byte_bit(b) is set when some
  // slice token in node n's subtree has byte b after n's own bytes. Bytes
  // share bits (letters in runs, every non-ASCII byte one bit), so a clear
  // bit proves that no such token has any byte that maps to it: a walk
  // from a configuration that takes every slice string without some bytes
  // accepts the subtree's slice tokens whole when their bits are clear.
  uint64_t bytes_below(uint32_t node) const { return bytes_below_[node]; }
  static uint64_t byte_bit(uint8_t byte) { return uint64_t{1} << slice_detail::kByteBit[byte]; }
  // The bits of a set of bytes (bit b of word b / 64).
  static uint64_t byte_bits(const std::array<uint64_t, 4>& bytes) {
    uint64_t bits = 0;
    for (unsigned b = 0; b < 256; ++b) {
      if (bytes[b >> 6] >> (b & 63) & 1) bits |= byte_bit(static_cast<uint8_t>(b));
    }
    return bits;
  }
  size_t memory_bytes() const {
    return words_.size() * 4 + bytes_below_.size() * 8 + state_.size() + tokens_.size() * sizeof(TokenId) + tokens_before_.size() * 4 +
           by_chars_.size() * sizeof(TokenId) + chars_end_.size() * 4 + rest_nodes_.size() * 4 + rest_end_.size() * 4 +
           rest_position_.size() * 4;
  }

 private:
  std::vector<uint32_t> words_;
  std::vector<uint64_t> bytes_below_;
  std::vector<uint8_t> state_;
  std::vector<TokenId> tokens_;
  std::vector<uint32_t> tokens_before_;
  std::vector<TokenId> by_chars_;     // slice tokens, fewest code points first
  std::vector<uint32_t> chars_end_;  // by code points c: slice tokens of at most c
  std::vector<uint32_t> rest_nodes_;
  std::vector<uint32_t> rest_end_;
  std::vector<uint32_t> rest_position_;
};

}  // namespace sluice::vocab
