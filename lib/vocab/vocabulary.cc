// Implements sluice/vocab.h. Tested in tests/vocab/.
#include <algorithm>
#include <atomic>
#include <memory>

#include "sluice/vocab.h"
#include "vocab/text_slice.h"
#include "vocab/token_trie.h"

namespace sluice {

namespace {
std::atomic<uint64_t> next_serial{1};
}  // namespace

struct Vocabulary::Impl {
  // Unique per built vocabulary, so that caches shared between grammars
  // (lib/matcher) never mix up two vocabularies that lived at one address.
  uint64_t serial = next_serial.fetch_add(1, std::memory_order_relaxed);
  // Every token's bytes back to back, and where each starts (size() + 1
  // offsets): one allocation instead of one string per token.
  std::string bytes;
  std::vector<uint32_t> offsets{0};
  std::vector<TokenKind> kinds;
  std::vector<TokenId> eos;
  std::vector<bool> eos_flag;
  size_t max_token_bytes = 0;
  vocab::TokenTrie trie;
  // Built with the trie, so that no mask pays for it.
  std::unique_ptr<vocab::TextSlice> slice;

  size_t size() const { return offsets.size() - 1; }
  std::string_view token(size_t id) const {
    return std::string_view(bytes).substr(offsets[id], offsets[id + 1] - offsets[id]);
  }

  void finish() {
    const size_t n = size();
    std::vector<std::string_view> views(n);
    std::vector<bool> include(n);
    for (size_t i = 0; i < n; ++i) {
      views[i] = token(i);
      include[i] = kinds[i] != TokenKind::kSpecial;
      if (include[i]) max_token_bytes = std::max(max_token_bytes, views[i].size());
    }
    eos_flag.assign(n, false);
    for (TokenId id : eos) eos_flag[id] = true;
    trie = vocab::TokenTrie(views, include);
    slice = std::make_unique<vocab::TextSlice>(trie);
  }
};

Vocabulary::Vocabulary() {
  auto impl = std::make_shared<Impl>();
  impl->finish();
  impl_ = std::move(impl);
}

Vocabulary Vocabulary::from_tokenizer(const Tokenizer& tokenizer) {
  auto impl = std::make_shared<Impl>();
  uint32_t n = tokenizer.vocab_size();
  std::vector<bool> eos(n, false);
  for (TokenId id : tokenizer.eos_tokens()) {
    if (id >= 0 && static_cast<uint32_t>(id) < n) {
      eos[id] = true;
      impl->eos.push_back(id);
    }
  }
  impl->kinds.resize(n);
  impl->offsets.resize(n + 1);
  for (uint32_t i = 0; i < n; ++i) {
    TokenId id = static_cast<TokenId>(i);
    // An EOS id must never be reachable as text: it counts as special.
    impl->kinds[i] = eos[i] ? TokenKind::kSpecial : tokenizer.token_kind(id);
    impl->offsets[i] = static_cast<uint32_t>(impl->bytes.size());
    if (impl->kinds[i] != TokenKind::kSpecial) impl->bytes.append(tokenizer.token_bytes(id));
  }
  impl->offsets[n] = static_cast<uint32_t>(impl->bytes.size());
  impl->finish();
  return Vocabulary(std::move(impl));
}

Result<Vocabulary> Vocabulary::from_tokens(std::vector<std::string> tokens, std::vector<TokenKind> kinds,
                                           std::vector<TokenId> eos) {
  if (!kinds.empty() && kinds.size() != tokens.size()) {
    return make_error(ErrorCode::kInvalidArgument, "vocabulary: " + std::to_string(kinds.size()) + " kinds for " +
                                                       std::to_string(tokens.size()) + " tokens");
  }
  if (tokens.size() > 0x7FFFFFFF) return make_error(ErrorCode::kInvalidArgument, "vocabulary: too many tokens");
  if (kinds.empty()) kinds.assign(tokens.size(), TokenKind::kNormal);
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].size() > 0xFFFF) {
      return make_error(ErrorCode::kInvalidArgument, "vocabulary: token " + std::to_string(i) + " is longer than 65535 bytes");
    }
    if (kinds[i] == TokenKind::kByte && tokens[i].size() != 1) {
      return make_error(ErrorCode::kInvalidArgument, "vocabulary: byte token " + std::to_string(i) + " is not one byte");
    }
  }
  for (TokenId id : eos) {
    if (id < 0 || static_cast<size_t>(id) >= tokens.size()) {
      return make_error(ErrorCode::kInvalidArgument, "vocabulary: EOS id " + std::to_string(id) + " is out of range");
    }
    if (kinds[id] != TokenKind::kSpecial) {
      return make_error(ErrorCode::kInvalidArgument, "vocabulary: EOS id " + std::to_string(id) + " is not a special token");
    }
  }
  size_t total = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (kinds[i] != TokenKind::kSpecial) total += tokens[i].size();
  }
  if (total > 0xFFFFFFFF) return make_error(ErrorCode::kInvalidArgument, "vocabulary: more than 4 GiB of token bytes");
  auto impl = std::make_shared<Impl>();
  impl->kinds = std::move(kinds);
  impl->bytes.reserve(total);
  impl->offsets.resize(tokens.size() + 1);
  for (size_t i = 0; i < tokens.size(); ++i) {
    impl->offsets[i] = static_cast<uint32_t>(impl->bytes.size());
    if (impl->kinds[i] != TokenKind::kSpecial) impl->bytes.append(tokens[i]);
  }
  impl->offsets[tokens.size()] = static_cast<uint32_t>(impl->bytes.size());
  std::sort(eos.begin(), eos.end());
  eos.erase(std::unique(eos.begin(), eos.end()), eos.end());
  impl->eos = std::move(eos);
  impl->finish();
  return Vocabulary(std::move(impl));
}

uint64_t Vocabulary::serial() const { return impl_->serial; }

uint32_t Vocabulary::size() const { return static_cast<uint32_t>(impl_->size()); }

std::string_view Vocabulary::token_bytes(TokenId id) const {
  if (id < 0 || static_cast<size_t>(id) >= impl_->size()) return {};
  return impl_->token(static_cast<size_t>(id));
}

TokenKind Vocabulary::token_kind(TokenId id) const {
  if (id < 0 || static_cast<size_t>(id) >= impl_->kinds.size()) return TokenKind::kSpecial;
  return impl_->kinds[id];
}

const std::vector<TokenId>& Vocabulary::eos_tokens() const { return impl_->eos; }

bool Vocabulary::is_eos(TokenId id) const {
  return id >= 0 && static_cast<size_t>(id) < impl_->eos_flag.size() && impl_->eos_flag[id];
}

size_t Vocabulary::max_token_bytes() const { return impl_->max_token_bytes; }

size_t Vocabulary::memory_bytes() const {
  return impl_->trie.memory_bytes() + impl_->slice->memory_bytes() + impl_->kinds.size() + impl_->bytes.size() +
         impl_->offsets.size() * sizeof(uint32_t);
}

const vocab::TokenTrie& Vocabulary::trie() const { return impl_->trie; }

const vocab::TextSlice& Vocabulary::text_slice() const { return *impl_->slice; }

}  // namespace sluice
