// The loaded form of a tokenizer.json, shared by the loader (load.cc), the
// encoder (encode.cc) and the accessors and decoder (tokenizer.cc).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "sluice/tokenizer.h"
#include "tokenizer/bpe.h"
#include "tokenizer/fast_split.h"
#include "tokenizer/regex.h"

namespace sluice {

struct Tokenizer::Impl {
  // ---- vocabulary: ids 0 .. vocab_size-1 ----
  uint32_t vocab_size = 0;
  std::string names;               // every token's name, back to back
  std::vector<uint32_t> name_off;  // vocab_size + 1 offsets into names
  std::string bytes;               // every token's bytes, back to back
  std::vector<uint32_t> bytes_off;
  std::vector<TokenKind> kinds;
  std::vector<TokenId> eos;
  tok::NameTable by_name;  // name -> id, vocabulary and added tokens

  std::string_view name(TokenId id) const {
    return std::string_view(names).substr(name_off[id], name_off[id + 1] - name_off[id]);
  }

  // ---- normalizer ----
  struct NormStep {
    enum Kind { kPrepend, kReplace, kNfc } kind;
    std::string from, to;  // kPrepend: to; kReplace: from -> to
  };
  std::vector<NormStep> normalizers;

  // ---- pre-tokenizer: applied in order, each to every piece of the last ----
  struct PreStep {
    enum Kind {
      kSplit,      // regex: Isolated (pieces and gaps) or, inverted, matches only
      kByteLevel,  // optional prefix space, optional GPT-2 regex split
      kMetaspace,  // spaces -> replacement, optional prefix
    } kind;
    int regex = -1;       // index into regexes
    tok::FastSplit fast;  // kSplit: the regex's hand-written scanner, if any
    bool matches_only = false;
    bool add_prefix_space = false;
    std::string replacement;  // kMetaspace
    enum Scheme { kAlways, kFirst, kNever } prepend_scheme = kAlways;
  };
  std::vector<PreStep> pretokenizers;
  std::vector<tok::Regex> regexes;

  // ---- added tokens matched before normalization (non-special only) ----
  struct Added {
    std::string content;
    TokenId id;
    bool lstrip, rstrip;
  };
  std::vector<Added> added;

  // ---- model: BPE ----
  // True when the pre-tokenizer has a ByteLevel step: words are byte
  // strings and BPE starts from one symbol per byte (byte_symbol).
  bool byte_level = false;
  std::array<TokenId, 256> byte_symbol{};
  // Without ByteLevel: the token of each ASCII character (-1 when the
  // vocabulary lacks it), where BPE starts from one symbol per character.
  std::array<TokenId, 128> ascii_symbol{};
  tok::MergeTable merges;
  bool ignore_merges = false;
  bool fuse_unk = false;
  std::optional<TokenId> unk;
  // <0xNN> tokens, -1 where absent; empty without byte_fallback.
  std::vector<TokenId> byte_fallback;
  // True when no token has U+2581 after another character: then no merge
  // can cross the start of a U+2581 run, and a SentencePiece text (one BPE
  // word without a pre-tokenizer) can be merged run by run, with the same
  // result and a cache that hits.
  bool split_before_space_marker = false;

  // ---- decoder ----
  // How many leading copies of strip_char decode removes from the text.
  uint32_t strip_leading = 0;
  std::string strip_char;

  // The GPT-2 byte alphabet: byte -> code point.
  static std::array<uint32_t, 256> byte_alphabet();
};

}  // namespace sluice
