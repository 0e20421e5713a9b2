// sluice/tokenizer.h: HuggingFace tokenizer.json, loaded and run exactly.
//
// Two families are supported, each in general rather than per model:
//   - byte-level BPE over the GPT-2 byte alphabet (Llama-3, Qwen3,
//     DeepSeek-V3, gpt-oss, ...), with the file's pre-tokenizer regexes;
//   - SentencePiece-style BPE with byte fallback, where U+2581 is the space
//     and <0xNN> tokens are raw bytes (Llama-2, Mistral, Gemma, ...).
// For every token id the tokenizer knows the exact bytes it adds to the
// output and its kind. Special tokens (added tokens marked special, such as
// <|eot_id|> or <s>) are never text: they have no bytes, and no grammar can
// produce them.
//
// Ids the file leaves unused count as special (no bytes, never text).
// Non-special added tokens (Qwen3's <tool_call>, ...) are ordinary text:
// their bytes are their content, and encode matches them in the input as
// the reference does. Components sluice cannot run exactly (a Unigram or
// WordPiece model, an unknown normalizer, a regex with lookbehind, ...)
// make loading fail with ErrorCode::kUnsupported naming the component and
// its JSON pointer; nothing is skipped.
//
// EOS: tokenizer.json does not say which token ends a sequence, so every
// special token with a conventional end-of-sequence name counts (</s>,
// <|end_of_text|>, <|eot_id|>, <|eom_id|>, <|endoftext|>, <|im_end|>,
// DeepSeek's end-of-sentence, <|end|>, <|return|>, <|call|>, <eos>,
// <end_of_turn>): Llama-3 gets both <|end_of_text|> and <|eot_id|>.
// TokenizerOptions::eos_override replaces the set.
//
// A Tokenizer is an immutable value with shared internals: copies are cheap
// and it may be used from any number of threads.
//
// Tested in tests/tokenizer/ against golden ids made by the reference
// JavaScript implementation (tools/goldens/).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/error.h"

namespace sluice {

using TokenId = int32_t;

enum class TokenKind : uint8_t {
  kNormal,   // ordinary text token
  kSpecial,  // control token: never text (BOS, EOS, chat markers, ...)
  kByte,     // byte-fallback token <0xNN>: exactly one raw byte
};

struct TokenizerOptions {
  // Replaces the EOS tokens read from the file when set.
  std::optional<std::vector<TokenId>> eos_override;
};

class Tokenizer {
 public:
  // Loads from a path to a tokenizer.json, a directory containing one, or a
  // cached name (llama3, llama3.1, qwen3, deepseek-v3, llama2) looked up in
  // $SLUICE_CACHE/tokenizers/<name>/ (default ~/.cache/sluice).
  static Result<Tokenizer> load(std::string_view path_or_name, const TokenizerOptions& options = {});
  // Parses tokenizer.json text already in memory. `source` names it in errors.
  static Result<Tokenizer> from_json(std::string_view json, std::string_view source = "<memory>",
                                     const TokenizerOptions& options = {});

  // Number of token ids: one more than the highest id in the file.
  uint32_t vocab_size() const;
  // The bytes this token adds to the output text; empty for special tokens
  // and for ids the file leaves unused.
  std::string_view token_bytes(TokenId id) const;
  TokenKind token_kind(TokenId id) const;
  // The token as written in the file (e.g. "<|eot_id|>", "Ġthe"), for display.
  std::string_view token_name(TokenId id) const;
  const std::vector<TokenId>& eos_tokens() const;
  // Looks a token up by its name in the file; nullopt when absent.
  std::optional<TokenId> find_token(std::string_view name) const;

  // Text to ids exactly as the reference implementation does, without
  // adding BOS/EOS. Special-token text in the input is encoded as text, so
  // encode never returns a special token. Any bytes are accepted: each byte
  // of invalid UTF-8 is kept and encoded as itself.
  std::vector<TokenId> encode(std::string_view text) const;
  // Ids to bytes: the concatenation of token_bytes (special tokens add
  // nothing), then what the file's decoder does to the whole text (a
  // SentencePiece decoder strips the one space its normalizer prepended), so
  // that decode(encode(s)) == s for any bytes s, up to what the normalizer
  // changes on purpose (Qwen3's NFC; Llama-2 reads an input U+2581 back as
  // a space). The result need not be valid UTF-8 when ids split a code
  // point. Ids outside the vocabulary add nothing.
  std::string decode(std::span<const TokenId> ids) const;
  // What decode strips from the front of the whole text (at most once per
  // copy the file asks for): " " for a SentencePiece decoder that removes
  // the space its normalizer prepended, empty for byte-level tokenizers. A
  // consumer that streams token_bytes must drop it from the output's start.
  std::string_view decode_strip_prefix() const;

  struct Impl;

 private:
  explicit Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sluice
