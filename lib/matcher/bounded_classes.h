// A map from keys to token classes, bounded in bytes, for the two mask
// caches (matcher/mask_cache.h per grammar, matcher/shared_classes.h per
// process). Past the bound the oldest entries make room, a few at a time:
// dropping them all at once frees tens of thousands of entries inside one
// mask. The entries sit in shards by hash, because a table that grows
// rehashes everything it holds at once: detekt's schema spent 13-17 ms of
// one mask rehashing its cache, which a shard holding a sixty-fourth of it
// cuts to a fraction of a millisecond.
//
// Not thread-safe: each cache holds it under its own lock. Tested in
// tests/matcher/mask_cache_test.cc.
#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <memory>
#include <unordered_map>

#include "matcher/mask_cache.h"

namespace sluice::matcher {

template <class Key, class Hash>
class BoundedClasses {
 public:
  std::shared_ptr<const TokenClasses> find(const Key& key) const {
    const Shard& shard = shards_[Hash{}(key) % kShards];
    auto it = shard.find(key);
    return it == shard.end() ? nullptr : it->second.classes;
  }
  // Adds the entry (`bytes` its size) unless the key is there already,
  // first dropping the oldest entries while the total would pass
  // max_bytes. Returns the bytes dropped.
  size_t insert(Key key, std::shared_ptr<const TokenClasses> classes, size_t bytes, size_t max_bytes) {
    size_t dropped = 0;
    while (bytes_ + bytes > max_bytes && !order_.empty()) {
      Shard& shard = shards_[Hash{}(*order_.front()) % kShards];
      auto oldest = shard.find(*order_.front());
      order_.pop_front();
      bytes_ -= oldest->second.bytes;
      dropped += oldest->second.bytes;
      shard.erase(oldest);
    }
    Shard& shard = shards_[Hash{}(key) % kShards];
    auto [it, inserted] = shard.emplace(std::move(key), Entry{std::move(classes), bytes});
    if (inserted) {
      bytes_ += bytes;
      // Elements of a node-based map keep their address across rehashing.
      order_.push_back(&it->first);
    }
    return dropped;
  }
  size_t bytes() const { return bytes_; }
  size_t entries() const { return order_.size(); }
  void clear() {
    order_.clear();
    for (Shard& shard : shards_) shard.clear();
    bytes_ = 0;
  }

 private:
  static constexpr size_t kShards = 64;
  struct Entry {
    std::shared_ptr<const TokenClasses> classes;
    size_t bytes = 0;
  };
  using Shard = std::unordered_map<Key, Entry, Hash>;
  std::array<Shard, kShards> shards_;
  std::deque<const Key*> order_;  // oldest first
  size_t bytes_ = 0;
};

}  // namespace sluice::matcher
