// CompiledGrammar's internals, shared by the matcher and the mask cache.
// Tested through tests/matcher/.
#pragma once

#include <memory>

#include "automaton/automaton.h"
#include "matcher/engine.h"
#include "matcher/mask_cache.h"
#include "sluice/compiler.h"
#include "sluice/vocab.h"

namespace sluice {

struct CompiledGrammar::Impl {
  Impl(automaton::Automaton a, Vocabulary v, CompileOptions o)
      : automaton(std::move(a)), vocabulary(std::move(v)), options(o), cache(o.max_mask_cache_bytes) {}

  automaton::Automaton automaton;
  Vocabulary vocabulary;
  CompileOptions options;
  Stats stats;
  // Counter values at or past this are indistinguishable within one token.
  uint32_t counter_cap = 1;
  mutable matcher::MaskCache cache;

  // The key for the stack whose top node is `top`.
  matcher::SegmentKey key_for(const matcher::Arena& arena, matcher::NodeId top) const;
  // The token classes for a key, from the cache or computed now. Errors are
  // budget errors of the computation.
  Result<std::shared_ptr<const matcher::TokenClasses>> classes(const matcher::SegmentKey& key) const;

 private:
  Result<std::shared_ptr<const matcher::TokenClasses>> compute(const matcher::SegmentKey& key) const;
  std::shared_ptr<const matcher::TokenClasses> finish(std::shared_ptr<matcher::TokenClasses> result,
                                                      std::vector<TokenId> accepted) const;
};

}  // namespace sluice
