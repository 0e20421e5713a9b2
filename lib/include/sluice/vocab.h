// sluice/vocab.h: what the matcher needs to know about a tokenizer's tokens.
//
// A Vocabulary is the exact byte string each token id adds to the output, its
// kind, and the EOS ids. It is built from a loaded Tokenizer, or from
// explicit lists for engines that bring their own tokenizer (and for tests).
// Special tokens carry no bytes: no grammar can produce them; the matcher
// allows an EOS token exactly when the output is complete and never allows
// any other special token. Ids whose byte string is empty and that are not
// special (unused slots) are never allowed either.
//
// A Vocabulary is an immutable value with shared internals (copies are
// cheap, any number of threads may read it). It owns the token trie the
// matcher walks (lib/vocab/token_trie.h).
//
// Tested in tests/vocab/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/error.h"
#include "sluice/tokenizer.h"

namespace sluice {

namespace vocab {
class TokenTrie;
class TextSlice;
}

class Vocabulary {
 public:
  // The empty vocabulary: a grammar compiled for it still accepts bytes
  // (Matcher::accept_string), which is how `sluice check` runs.
  Vocabulary();

  static Vocabulary from_tokenizer(const Tokenizer& tokenizer);
  // tokens[i] are the bytes of id i; kinds may be empty (all kNormal) or
  // have one entry per token. EOS ids must be in range and kSpecial (an EOS
  // with bytes would be text, which the grammar decides about).
  static Result<Vocabulary> from_tokens(std::vector<std::string> tokens, std::vector<TokenKind> kinds = {},
                                        std::vector<TokenId> eos = {});

  // Number of ids; masks have ceil(size() / 32) words.
  uint32_t size() const;
  std::string_view token_bytes(TokenId id) const;
  TokenKind token_kind(TokenId id) const;
  const std::vector<TokenId>& eos_tokens() const;
  bool is_eos(TokenId id) const;
  // Longest byte string of any token (bounds how far one token can reach).
  size_t max_token_bytes() const;
  // Bytes held by the token strings and the trie.
  size_t memory_bytes() const;

  // Unique among the vocabularies this process has built; copies share it.
  uint64_t serial() const;

  // The trie over every token with a non-empty byte string.
  const vocab::TokenTrie& trie() const;
  // The tokens that can stand as raw text inside a JSON string
  // (lib/vocab/text_slice.h).
  const vocab::TextSlice& text_slice() const;

  struct Impl;

 private:
  explicit Vocabulary(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sluice
