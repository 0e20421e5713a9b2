// CompiledGrammar's internals, shared by the matcher and the mask cache.
// Tested through tests/matcher/.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <unordered_set>

#include "automaton/automaton.h"
#include "matcher/engine.h"
#include "matcher/mask_cache.h"
#include "matcher/slice_absorption.h"
#include "matcher/token_walk.h"
#include "sluice/compiler.h"
#include "sluice/vocab.h"

namespace sluice {

struct CompiledGrammar::Impl {
  Impl(automaton::Automaton a, Vocabulary v, CompileOptions o)
      : automaton(std::move(a)),
        vocabulary(std::move(v)),
        options(o),
        cache(o.max_mask_cache_bytes),
        unshareable_states(automaton.states.size(), false) {}

  automaton::Automaton automaton;
  Vocabulary vocabulary;
  CompileOptions options;
  Stats stats;
  // Counter values at or past this are indistinguishable within one token.
  uint32_t counter_cap = 1;
  mutable matcher::MaskCache cache;

  // What cache computations step and memoise in, kept from one computation
  // to the next: the configurations met after a key's first byte recur
  // across keys (the same property names, the same value rules), and
  // stepping a configuration of many stacks is what a computation spends
  // its time on. One computation at a time; a fresh context replaces it
  // past kComputeArenaNodes stack nodes or after a budget error.
  struct ComputeContext {
    // Configurations memoised (about 1 KiB each).
    static constexpr size_t kMemoConfigs = 4096;
    explicit ComputeContext(const Impl& g)
        : stepper(g.automaton, arena, g.options.max_stacks_per_step, g.options.max_stack_nodes),
          walker(g.vocabulary, kMemoConfigs) {
      walker.use_slice_absorption(&g.slice_absorption);
    }
    // The configuration of the key's frames over kUnknown (kRoot if exact).
    matcher::Config start_of(const matcher::SegmentKey& key);
    // The node of the key's bottom frame alone (over kUnknown, or kRoot if
    // exact): what the frames above it return into.
    matcher::NodeId bottom_of(const matcher::SegmentKey& key);
    matcher::Arena arena;
    matcher::Stepper stepper;
    matcher::TokenWalker walker;
  };
  static constexpr size_t kComputeArenaNodes = size_t{1} << 16;
  mutable std::mutex compute_mutex;
  mutable std::unique_ptr<ComputeContext> compute_context;
  // With compute_mutex held: the context (a fresh one once it has grown
  // past kComputeArenaNodes), its status cleared.
  ComputeContext& locked_context() const;
  // With compute_mutex held, after a budget error: the error. The context
  // is dropped, as it may have grown too large to keep.
  Error drop_context() const;
  // Which states absorb the text slice; outlives compute contexts. Guarded
  // by compute_mutex.
  mutable matcher::SliceAbsorption slice_absorption{automaton};
  // States whose frames reach too much of the automaton to be shared
  // (matcher/shared_classes.h), so their signatures are not written again.
  // Guarded by compute_mutex.
  mutable std::vector<bool> unshareable_states;

  // The key for the stack whose top node is `top`.
  matcher::SegmentKey key_for(const matcher::Arena& arena, matcher::NodeId top) const;
  // The token classes for a key, from the cache or computed now. Errors are
  // budget errors of the computation.
  Result<std::shared_ptr<const matcher::TokenClasses>> classes(const matcher::SegmentKey& key) const;

 private:
  Result<std::shared_ptr<const matcher::TokenClasses>> compute(const matcher::SegmentKey& key) const;
  // Whether the key's top frame is the body of the loop in its second.
  bool top_is_loop_body(const matcher::SegmentKey& key) const;
  // Runs a loop must have left for compute() to walk its body whole.
  static constexpr uint32_t kMinWholeWalkRuns = 16;
  // The key's classes by one walk of the whole trie from `start` (with
  // compute_mutex held).
  Result<std::shared_ptr<const matcher::TokenClasses>> walk_whole(ComputeContext& context,
                                                                  const matcher::Config& start) const;
  // The first frame of the key (top down) that is a counter loop with a
  // non-empty body, no runs still required and fewer than counter_cap runs
  // left, or kSegmentFrames.
  size_t short_counter_frame(const matcher::SegmentKey& key) const;
  // Classes for such a key, refined from the same key with the counter
  // capped; null when that would walk more than kMaxCounterRewalk tokens,
  // or when the counter is met for the first time.
  static constexpr size_t kMaxCounterRewalk = 1024;
  // Keys (counter zeroed) whose short counters were met once; bounded.
  static constexpr size_t kMaxShortCountersSeen = size_t{1} << 16;
  mutable std::mutex short_counter_mutex;
  mutable std::unordered_set<matcher::SegmentKey, matcher::SegmentKeyHash> short_counter_seen;
  Result<std::shared_ptr<const matcher::TokenClasses>> compute_short_counter(const matcher::SegmentKey& key,
                                                                               size_t frame) const;
  // Below this many bytes absorbed, walking a bounded string whole takes
  // more than refining the uncertain tokens of its body.
  static constexpr size_t kMinAbsorbedBytes = 8;
  // Strings of bounded length. For a key whose top frame is the body of a
  // counter loop, a body that takes any one code point of the text slice
  // per run, and whose next frame takes no byte a slice string can go on
  // with (the closing quote), the slice tokens it accepts are exactly those
  // of at most as many code points as the runs left, the current one
  // included: that many (kAllChars for an uncapped loop), else 0. Such a
  // key walks only the rest trie. Without it, the key one frame shorter
  // would leave every slice token longer than the runs left uncertain,
  // most of the vocabulary for a short string, to be walked token by token.
  // With compute_mutex held.
  static constexpr size_t kAllChars = ~size_t{0};
  size_t slice_chars_bound(const matcher::SegmentKey& key) const;
  // Whether every run of the body rule from `state` takes exactly one code
  // point of any slice string (memoised in one_char_runs_).
  bool takes_one_char_per_run(uint32_t state) const;
  mutable std::vector<uint8_t> one_char_runs_;
  // The slice tokens of at most c code points as mask words, by c
  // (computed on first use).
  const std::vector<uint32_t>& slice_words_up_to(size_t chars) const;
  mutable std::vector<std::vector<uint32_t>> slice_words_by_chars_;
  // For a one-frame key: a state that classifies the tokens of most first
  // bytes as `state` does (`differs` gets the others), or kNoSibling.
  static constexpr uint32_t kNoSibling = ~uint32_t{0};
  static constexpr size_t kMinSiblingBytes = 64;
  // Deep enough for a four-byte UTF-8 sequence.
  static constexpr int kTwinDepth = 5;
  uint32_t sibling_state(uint32_t state, std::array<bool, 256>& differs) const;
  // Adds the sibling's classes outside the walked first bytes to a walk's
  // accepted and uncertain lists; returns the words to finish with (the
  // sibling's bitset in `words`, or slice_words when it has none).
  const std::vector<uint32_t>* merge_sibling(const matcher::TokenClasses& sibling, const std::array<bool, 256>& differs,
                                             const std::vector<uint32_t>* slice_words,
                                             std::vector<TokenId>& accepted, matcher::TokenClasses& result,
                                             std::vector<uint32_t>& words) const;
  // The base's uncertain nodes classified for the key one frame deeper
  // (accepted_nodes gets the accepted ones, result the uncertain ones with
  // their return depths): those that returned below the base at one depth
  // are walked on from the key's bottom frame (TokenWalker::classify_popped),
  // the others whole.
  bool refine(ComputeContext& context, const matcher::SegmentKey& key, const matcher::TokenClasses& base,
              std::vector<uint32_t>& accepted_nodes, matcher::TokenClasses& result) const;
  std::shared_ptr<const matcher::TokenClasses> finish(std::shared_ptr<matcher::TokenClasses> result,
                                                      std::vector<TokenId> accepted,
                                                      const std::vector<uint32_t>* words = nullptr) const;
};

}  // namespace sluice
