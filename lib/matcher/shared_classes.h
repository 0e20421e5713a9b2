// Token classes shared by every grammar compiled for one vocabulary.
//
// The classes of a one-frame cache key (matcher/mask_cache.h) depend only
// on the part of the automaton the frame can reach: its state, the states
// its byte edges and returns lead to, and the rules it calls, transitively.
// frame_signature() writes that part out with states and rules numbered in
// the order a breadth-first walk from the frame meets them, so two frames
// from different grammars get equal signatures exactly when their reachable
// automata are the same up to numbering, and then their classes are the
// same. Most schemas share their string, number and any-JSON rules, so their
// expensive full-vocabulary walks happen once per process.
//
// The cache is bounded by CompileOptions::max_shared_mask_cache_bytes (the
// bound of whichever grammar inserts); past it, the oldest entries are
// dropped until the new one fits (entries in use stay alive through their
// shared_ptr). Safe for concurrent use.
//
// Tested in tests/matcher/shared_classes_test.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "automaton/automaton.h"
#include "matcher/mask_cache.h"

namespace sluice::matcher {

// Signatures are skipped (nothing shared) for frames that reach more states
// than this: such a frame is usually a schema's own object structure, which
// no other schema repeats, and writing it out would cost more than it saves.
inline constexpr size_t kMaxSignatureStates = 256;

// The frame is (state, consumed, need, rem) as in a SegmentKey, counters
// already capped; tracks_consumed is Stepper::tracks_consumed(). States
// marked in `too_large` (found to reach too much before) end the walk at
// once: whatever reaches them reaches too much as well.
std::optional<std::vector<uint32_t>> frame_signature(const automaton::Automaton& automaton, bool tracks_consumed,
                                                     const uint32_t* frame, size_t max_states = kMaxSignatureStates,
                                                     const std::vector<bool>* too_large = nullptr);

class SharedClassCache {
 public:
  static SharedClassCache& instance();

  std::shared_ptr<const TokenClasses> find(uint64_t vocabulary_serial, const std::vector<uint32_t>& signature) const;
  void insert(uint64_t vocabulary_serial, std::vector<uint32_t> signature,
              std::shared_ptr<const TokenClasses> classes, size_t max_bytes);
  size_t bytes() const;
  size_t entries() const;
  void clear();

 private:
  SharedClassCache();
  ~SharedClassCache();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::matcher
