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
// entry for a deeper segment starts from the one-frame entry of its top
// (`base`) and only re-walks that entry's uncertain tokens, so it adds few
// bytes and little time.
//
// The cache is bounded by CompileOptions::max_mask_cache_bytes; when an
// insertion would pass the bound, every entry is dropped first (entries in
// use stay alive through their shared_ptr). Safe for concurrent use.
//
// Tested through tests/matcher/.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "sluice/tokenizer.h"

namespace sluice::matcher {

inline constexpr size_t kSegmentFrames = 4;

struct SegmentKey {
  // Four words a frame: state, consumed, need, rem (capped).
  std::array<uint32_t, 4 * kSegmentFrames> words{};
  uint8_t frames = 0;
  bool exact = false;  // the stack ends below the last frame
  friend bool operator==(const SegmentKey&, const SegmentKey&) = default;
  size_t hash() const;
};

struct TokenClasses {
  // Accepted tokens: base's accepted tokens plus these.
  std::shared_ptr<const TokenClasses> base;
  std::vector<uint32_t> accepted_words;  // bitset, when dense
  std::vector<TokenId> accepted_ids;     // when sparse
  std::vector<uint32_t> uncertain;       // trie nodes, ascending
  size_t memory_bytes() const {
    return sizeof(TokenClasses) + accepted_words.size() * 4 + accepted_ids.size() * 4 + uncertain.size() * 4;
  }
};

class MaskCache {
 public:
  explicit MaskCache(size_t max_bytes) : max_bytes_(max_bytes) {}
  std::shared_ptr<const TokenClasses> find(const SegmentKey& key) const;
  void insert(const SegmentKey& key, std::shared_ptr<const TokenClasses> classes);
  size_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  size_t entries() const;

 private:
  struct Hash {
    size_t operator()(const SegmentKey& key) const { return key.hash(); }
  };
  size_t max_bytes_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<SegmentKey, std::shared_ptr<const TokenClasses>, Hash> map_;
  std::atomic<size_t> bytes_{0};
};

}  // namespace sluice::matcher
