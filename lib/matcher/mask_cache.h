// The shared token-class cache of a CompiledGrammar.
//
// A key is the top of one parser stack: up to kSegmentFrames frames, and
// whether the stack ends there (then the classes are exact) or goes on
// (then tokens that return below the segment are "uncertain" and the
// matcher resolves them against its real stacks). Counters of counter loops
// are capped at the longest token's length plus one: past that, no single
// token can tell two counters apart, so such frames share entries.
//
// An entry for one frame comes from a full walk of the token trie. An
// entry for a deeper segment starts from the entry of the segment one frame
// shorter (`base`, a chain down to the top frame alone) and only re-walks
// that entry's uncertain tokens, so it adds few bytes and little time: the
// expensive walk of, say, a JSON string body happens once, at the depth
// where the string's own frame is known, not once per context.
//
// The cache is bounded by CompileOptions::max_mask_cache_bytes; when an
// insertion would pass the bound, the oldest entries make room, a few at a
// time (matcher/bounded_classes.h; entries in use stay alive through their
// shared_ptr). Safe for concurrent use.
//
// Tested through tests/matcher/.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include "matcher/bounded_classes.h"
#include "sluice/tokenizer.h"

namespace sluice::matcher {

// Deep enough that the stacks of typical JSON documents fit whole (exact
// keys, nothing left to resolve per step); deeper frames only split keys.
inline constexpr size_t kSegmentFrames = 8;

struct SegmentKey {
  // Four words a frame: state, consumed, need, rem (capped).
  std::array<uint32_t, 4 * kSegmentFrames> words{};
  uint8_t frames = 0;
  bool exact = false;  // the stack ends below the last frame
  friend bool operator==(const SegmentKey&, const SegmentKey&) = default;
  size_t hash() const;
};

struct SegmentKeyHash {
  size_t operator()(const SegmentKey& key) const { return key.hash(); }
};

struct TokenClasses {
  // The entry this one was refined from (kept for its uncertain list).
  std::shared_ptr<const TokenClasses> base;
  // Every accepted token (the base's included): the bits of `dense` plus
  // the sorted `accepted_ids`. An entry refined from a base with a bitset
  // shares that bitset and lists only what it adds, so refining costs no
  // copy, and a mask ORs each bitset once however many stacks share it.
  std::shared_ptr<const std::vector<uint32_t>> dense;
  std::vector<TokenId> accepted_ids;
  std::vector<uint32_t> uncertain;       // trie nodes, ascending
  // For each uncertain node, the depth at which its paths returned below
  // the segment (TokenWalker::classify_all); empty when not recorded.
  std::vector<uint8_t> uncertain_pops;
  bool accepts(TokenId id) const {
    if (dense && ((*dense)[static_cast<uint32_t>(id) >> 5] >> (id & 31) & 1)) return true;
    return std::binary_search(accepted_ids.begin(), accepted_ids.end(), id);
  }
  size_t memory_bytes() const {
    const bool own_dense = dense && !(base && base->dense == dense);
    return sizeof(TokenClasses) + (own_dense ? dense->size() * 4 : 0) + accepted_ids.size() * 4 +
           uncertain.size() * 4 + uncertain_pops.size();
  }
};

class MaskCache {
 public:
  explicit MaskCache(size_t max_bytes) : max_bytes_(max_bytes) {}
  std::shared_ptr<const TokenClasses> find(const SegmentKey& key) const;
  void insert(const SegmentKey& key, std::shared_ptr<const TokenClasses> classes);
  size_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  // Bumped each time the entries dropped since the last bump reach an
  // eighth of the bound, so that holders of entries (matchers) drop theirs
  // too and what they keep alive stays within that much of the bound.
  uint64_t generation() const { return generation_.load(std::memory_order_relaxed); }
  size_t entries() const;

 private:
  size_t max_bytes_;
  mutable std::shared_mutex mutex_;
  BoundedClasses<SegmentKey, SegmentKeyHash> entries_;
  size_t dropped_bytes_ = 0;  // since generation_ was bumped
  std::atomic<size_t> bytes_{0};
  std::atomic<uint64_t> generation_{0};
};

}  // namespace sluice::matcher
