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

namespace sluice::matcher {

struct TokenClasses;  // matcher/mask_cache.h

template <class Key, class Hash>
class BoundedClasses {
 public:
  std::shared_ptr<const TokenClasses> find(const Key& key) const {
    const Lookup lookup{&key, Hash{}(key)};
    const Shard& shard = shards_[shard_of(lookup.hash)];
    auto it = shard.find(lookup);
    return it == shard.end() ? nullptr : it->second.classes;
  }
  // Adds the entry (`bytes` its size) unless the key is there already,
  // first dropping the oldest entries while the total would pass
  // max_bytes. Returns the bytes dropped.
  size_t insert(Key key, std::shared_ptr<const TokenClasses> classes, size_t bytes, size_t max_bytes) {
    size_t dropped = 0;
    while (bytes_ + bytes > max_bytes && !order_.empty()) {
      const Lookup oldest_key = order_.front();
      Shard& shard = shards_[shard_of(oldest_key.hash)];
      auto oldest = shard.find(oldest_key);
      order_.pop_front();
      bytes_ -= oldest->second.bytes;
      dropped += oldest->second.bytes;
      shard.erase(oldest);
    }
    const size_t hash = Hash{}(key);
    auto [it, inserted] = shards_[shard_of(hash)].emplace(std::move(key), Entry{std::move(classes), bytes});
    if (inserted) {
      bytes_ += bytes;
      // Elements of a node-based map keep their address across rehashing.
      order_.push_back({&it->first, hash});
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
  // A key with its hash, so that a lookup hashes it once (keys run to
  // hundreds of words) for both the shard and the bucket.
  struct Lookup {
    const Key* key;
    size_t hash;
  };
  struct ShardHash {
    using is_transparent = void;
    size_t operator()(const Key& key) const { return Hash{}(key); }
    size_t operator()(const Lookup& lookup) const { return lookup.hash; }
  };
  struct ShardEqual {
    using is_transparent = void;
    bool operator()(const Key& a, const Key& b) const { return a == b; }
    bool operator()(const Lookup& a, const Key& b) const { return *a.key == b; }
    bool operator()(const Key& a, const Lookup& b) const { return a == *b.key; }
  };
  using Shard = std::unordered_map<Key, Entry, ShardHash, ShardEqual>;
  static size_t shard_of(size_t hash) { return (hash >> 32) % kShards; }

  std::array<Shard, kShards> shards_;
  std::deque<Lookup> order_;  // oldest first
  size_t bytes_ = 0;
};

}  // namespace sluice::matcher
