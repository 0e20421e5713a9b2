// Byte-pair merging over symbol ids, and the hash tables the tokenizer
// looks names and merges up in.
//
// BPE repeatedly merges the adjacent pair with the lowest merge rank, the
// leftmost one on a tie, until no pair has a rank. That is what the
// reference's priority queue does (rank plus a positional bias below 1).
// Two implementations: a quadratic scan for short words and a heap for long
// ones; tests/tokenizer/bpe_test.cc checks they agree on random inputs.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::tok {

// Open-addressing map from a name to the id whose name it is. The names
// live elsewhere; `name_of(id)` reads them back.
class NameTable {
 public:
  void reserve(size_t n);
  // Inserts id under `name`; returns the id already there when the name is
  // taken (and inserts nothing), else -1.
  template <typename NameOf>
  int32_t insert(std::string_view name, int32_t id, const NameOf& name_of) {
    return insert(name, hash(name), id, name_of);
  }
  // The same, with hash(name) already computed.
  template <typename NameOf>
  int32_t insert(std::string_view name, uint64_t hash, int32_t id, const NameOf& name_of);
  template <typename NameOf>
  int32_t find(std::string_view name, const NameOf& name_of) const {
    return find(name, hash(name), name_of);
  }
  // The same, with hash(name) already computed.
  template <typename NameOf>
  int32_t find(std::string_view name, uint64_t hash, const NameOf& name_of) const;
  static uint64_t hash(std::string_view s);

  // For lookups done in stages, so that the cache misses of many lookups
  // overlap: prefetch(h) starts loading h's first slot; candidate(h) is the
  // id in the first slot on h's probe path whose tag agrees (-1 when there
  // is none). A candidate is only likely: the caller compares its name and,
  // when that differs, falls back to find.
  void prefetch(uint64_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[h & (slots_.size() - 1)]);
  }
  int32_t candidate(uint64_t h) const {
    if (slots_.empty()) return -1;
    uint32_t tag = static_cast<uint32_t>(h >> 32);
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      if (slots_[i].id < 0 || slots_[i].tag == tag) return slots_[i].id;
    }
  }

 private:
  // A slot keeps the id and 32 bits of its name's hash, so that a probe
  // reads the name itself only when the hashes agree.
  struct Slot {
    uint32_t tag;
    int32_t id;  // -1 when empty
  };
  std::vector<Slot> slots_;
  size_t count_ = 0;
};

struct Merge {
  uint32_t rank;
  int32_t result;
};

// The merges: an open-addressing hash table keyed by the (left, right) id
// pair. The table of a 300k-merge file is far larger than L2, so a loader
// adding merges at random should prefetch each slot a while before adding.
class MergeTable {
 public:
  // Sizes the table for n merges, so that adding that many never rehashes.
  void reserve(size_t n);
  // Adds a merge (ids >= 0); a later add of the same pair replaces the
  // earlier one (the reference keeps the last rank a repeated merge is
  // listed with).
  void add(int32_t left, int32_t right, Merge merge);
  void prefetch(int32_t left, int32_t right) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[index(key(left, right))]);
  }
  const Merge* find(int32_t left, int32_t right) const {
    if (left < 0 || right < 0 || slots_.empty()) return nullptr;
    const uint64_t k = key(left, right);
    const size_t mask = slots_.size() - 1;
    for (size_t i = index(k);; i = (i + 1) & mask) {
      if (slots_[i].key == k) return &slots_[i].merge;
      if (slots_[i].key == kEmpty) return nullptr;
    }
  }
  size_t size() const { return count_; }

 private:
  // No pair of ids (both non-negative) has this key.
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  struct Slot {
    uint64_t key;
    Merge merge;
  };
  static uint64_t key(int32_t left, int32_t right) {
    return uint64_t{static_cast<uint32_t>(left)} << 32 | static_cast<uint32_t>(right);
  }
  size_t index(uint64_t k) const { return static_cast<size_t>((k * 0x9E3779B97F4A7C15ull) >> shift_); }
  void rehash(size_t capacity);
  std::vector<Slot> slots_;  // a power of two of them, at most 3/4 full
  unsigned shift_ = 64;      // 64 - log2(slots_.size())
  size_t count_ = 0;
};

// A symbol of a word being merged: a token id (or -1 for text the
// vocabulary lacks, which never merges) and the bytes of the word it covers.
struct Symbol {
  int32_t id;
  uint32_t begin, end;
};

// Merges `word` in place.
void bpe_merge(const MergeTable& merges, std::vector<Symbol>* word);
void bpe_merge_quadratic(const MergeTable& merges, std::vector<Symbol>* word);
void bpe_merge_heap(const MergeTable& merges, std::vector<Symbol>* word);

// ---- template definitions ----

inline uint64_t NameTable::hash(std::string_view s) {
  // Eight bytes at a time with a multiplicative mix: names are short and
  // this runs for every merge of a 300k-merge file at load.
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h = s.size() * kMul;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, s.data() + i, 8);
    h = (h ^ chunk) * kMul;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail) * kMul;
  return h ^ (h >> 32);
}

template <typename NameOf>
int32_t NameTable::insert(std::string_view name, uint64_t h, int32_t id, const NameOf& name_of) {
  if ((count_ + 1) * 2 > slots_.size()) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{0, -1});
    count_ = 0;
    for (const Slot& slot : old) {
      if (slot.id >= 0) insert(name_of(slot.id), slot.id, name_of);
    }
  }
  uint32_t tag = static_cast<uint32_t>(h >> 32);
  size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    if (slots_[i].id < 0) {
      slots_[i] = {tag, id};
      ++count_;
      return -1;
    }
    if (slots_[i].tag == tag && name_of(slots_[i].id) == name) return slots_[i].id;
  }
}

template <typename NameOf>
int32_t NameTable::find(std::string_view name, uint64_t h, const NameOf& name_of) const {
  if (slots_.empty()) return -1;
  uint32_t tag = static_cast<uint32_t>(h >> 32);
  size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    if (slots_[i].id < 0) return -1;
    if (slots_[i].tag == tag && name_of(slots_[i].id) == name) return slots_[i].id;
  }
}

}  // namespace sluice::tok
