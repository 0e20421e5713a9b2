// Tokenizer's accessors and decode. Loading is in load.cc, encoding in
// encode.cc. Tested in tests/tokenizer/.
#include "tokenizer/tokenizer_impl.h"

namespace sluice {

uint32_t Tokenizer::vocab_size() const { return impl_->vocab_size; }

std::string_view Tokenizer::token_bytes(TokenId id) const {
  if (id < 0 || static_cast<uint32_t>(id) >= impl_->vocab_size) return {};
  const auto& off = impl_->bytes_off;
  return std::string_view(impl_->bytes).substr(off[id], off[id + 1] - off[id]);
}

TokenKind Tokenizer::token_kind(TokenId id) const {
  if (id < 0 || static_cast<uint32_t>(id) >= impl_->vocab_size) return TokenKind::kSpecial;
  return impl_->kinds[id];
}

std::string_view Tokenizer::token_name(TokenId id) const {
  if (id < 0 || static_cast<uint32_t>(id) >= impl_->vocab_size) return {};
  return impl_->name(id);
}

const std::vector<TokenId>& Tokenizer::eos_tokens() const { return impl_->eos; }

std::optional<TokenId> Tokenizer::find_token(std::string_view name) const {
  int32_t id = impl_->by_name.find(name, [this](int32_t i) { return impl_->name(i); });
  if (id < 0) return std::nullopt;
  return id;
}

std::string_view Tokenizer::decode_strip_prefix() const {
  return impl_->strip_leading == 0 ? std::string_view() : std::string_view(impl_->strip_char);
}

std::string Tokenizer::decode(std::span<const TokenId> ids) const {
  std::string out;
  for (TokenId id : ids) out.append(token_bytes(id));
  const std::string& strip = impl_->strip_char;
  size_t cut = 0;
  for (uint32_t i = 0; i < impl_->strip_leading && out.compare(cut, strip.size(), strip) == 0; ++i) {
    cut += strip.size();
  }
  out.erase(0, cut);
  return out;
}

}  // namespace sluice
