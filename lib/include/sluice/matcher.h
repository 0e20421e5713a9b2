// sluice/matcher.h: the per-request state of constrained decoding.
//
// A Matcher walks one output through a CompiledGrammar (sluice/compiler.h).
// Its state is a set of parser stacks whose frames are hash-consed into a
// DAG owned by the matcher, so identical configurations merge and a
// snapshot is one small vector of stack ids: rollback restores one, and
// clone copies the DAG (which grows with the distinct stack shapes met, not
// with the length of the output). Work per step is bounded by the compile
// options and does not grow with the length of the output.
//
// Mask layout: fill_next_token_bitmask writes ceil(V/32) int32 words, V =
// Vocabulary::size(); bit (i % 32) of word (i / 32) is set exactly when
// token i is allowed (vLLM / SGLang / TensorRT-LLM / XGrammar layout).
// A token is allowed when its bytes extend the output to a prefix of some
// sentence of the grammar; an EOS token when the output is a sentence; other
// special tokens and empty tokens never.
//
// Errors are sticky values: once a budget is exceeded, status() holds the
// error, accept calls return false and masks are all zero.
//
// A Matcher is not itself thread-safe; use one per request (clone() is
// cheap). Any number of Matchers may share one CompiledGrammar.
//
// Tested in tests/matcher/ (differential tests against the reference
// recogniser, thread test, pathological grammars).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/compiler.h"
#include "sluice/error.h"
#include "sluice/tokenizer.h"

namespace sluice {

class Matcher {
 public:
  explicit Matcher(std::shared_ptr<const CompiledGrammar> grammar);
  Matcher(const Matcher&);
  Matcher& operator=(const Matcher&);
  Matcher(Matcher&&) noexcept;
  Matcher& operator=(Matcher&&) noexcept;
  ~Matcher();

  // Words fill_next_token_bitmask writes: ceil(V / 32).
  size_t mask_words() const;
  // Writes mask_words() words. After termination or an error every bit is
  // zero (and the error is returned).
  Status fill_next_token_bitmask(int32_t* words);
  Status fill_next_token_bitmask(std::span<int32_t> words);

  // The same mask computed the slow, obviously correct way: every token's
  // bytes stepped through the parser from the current state, with no cache
  // and no memo. For tests and benchmarks (it takes milliseconds).
  Status fill_next_token_bitmask_naive(int32_t* words);

  // Consumes one token; false (state unchanged) when it is not allowed.
  bool accept_token(TokenId id);
  // Whether accept_token(id) would succeed, without changing the state.
  bool is_token_allowed(TokenId id);
  // Consumes bytes directly (no tokenizer needed). All or nothing: false
  // leaves the state unchanged and, when accepted_bytes is given, stores
  // the length of the longest prefix that could be consumed.
  bool accept_string(std::string_view bytes, size_t* accepted_bytes = nullptr);
  // How many of the tokens, from the first, would be accepted in turn; the
  // state is unchanged (for speculative decoding).
  size_t validate_tokens(std::span<const TokenId> ids);

  // Undoes the last n successful accept calls (tokens or strings); at most
  // CompileOptions::rollback_depth of them. kInvalidArgument beyond that.
  Status rollback(size_t n);
  // Back to the start state (clears any sticky error).
  void reset();
  Matcher clone() const { return *this; }

  // The output so far is a complete sentence (EOS would be allowed).
  bool is_accepting() const;
  // An EOS token has been accepted.
  bool is_terminated() const;
  // No byte can follow and the output is incomplete; only reachable when a
  // budget error occurred.
  const Status& status() const;

  // Bytes every continuation must start with (jump-forward), at most
  // max_bytes of them. Empty when the output may end here.
  std::string forced_bytes(size_t max_bytes = 4096);
  // Tokens spelling a prefix of forced_bytes, each allowed in turn (the
  // longest allowed token at each point); they may stop short of the end of
  // forced_bytes when no token fits.
  std::vector<TokenId> forced_tokens(size_t max_bytes = 4096);

  const CompiledGrammar& grammar() const;

  struct State;

 private:
  std::shared_ptr<const CompiledGrammar> grammar_;
  std::unique_ptr<State> state_;
};

}  // namespace sluice
