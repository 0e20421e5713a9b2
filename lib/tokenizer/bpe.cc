// Implements bpe.h. Tested in tests/tokenizer/bpe_test.cc.
#include "tokenizer/bpe.h"

#include <array>
#include <bit>
#include <cstddef>
#include <queue>

namespace sluice::tok {

void NameTable::reserve(size_t n) {
  size_t cap = 64;
  while (cap < 2 * n) cap *= 2;
  if (cap > slots_.size() && count_ == 0) slots_.assign(cap, Slot{0, -1});
}

void MergeTable::reserve(size_t n) {
  size_t capacity = 16;
  while (capacity * 3 < n * 4 + 4) capacity *= 2;
  if (capacity > slots_.size()) rehash(capacity);
}

void MergeTable::rehash(size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{kEmpty, {}});
  shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
  const size_t mask = capacity - 1;
  for (const Slot& slot : old) {
    if (slot.key == kEmpty) continue;
    size_t i = index(slot.key);
    while (slots_[i].key != kEmpty) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

void MergeTable::add(int32_t left, int32_t right, Merge merge) {
  if ((count_ + 1) * 4 > slots_.size() * 3) rehash(slots_.empty() ? 16 : slots_.size() * 2);
  const uint64_t k = key(left, right);
  const size_t mask = slots_.size() - 1;
  size_t i = index(k);
  while (slots_[i].key != kEmpty && slots_[i].key != k) i = (i + 1) & mask;
  if (slots_[i].key == kEmpty) ++count_;
  slots_[i] = {k, merge};
}

// Below this many symbols the quadratic scan beats the heap.
constexpr size_t kHeapThreshold = 48;

void bpe_merge(const MergeTable& merges, std::vector<Symbol>* word) {
  if (word->size() < kHeapThreshold) {
    bpe_merge_quadratic(merges, word);
  } else {
    bpe_merge_heap(merges, word);
  }
}

void bpe_merge_quadratic(const MergeTable& merges, std::vector<Symbol>* word) {
  std::vector<Symbol>& w = *word;
  if (w.size() < 2) return;
  // rank[i] and result[i] are those of merging w[i] with w[i + 1]: each
  // merge looks up only the two pairs it changes, and the scan for the
  // lowest rank reads plain integers.
  constexpr uint32_t kNone = ~uint32_t{0};
  constexpr size_t kInline = 64;
  std::array<uint32_t, kInline> rank_inline, result_inline;
  std::vector<uint32_t> rank_heap, result_heap;
  uint32_t* rank = rank_inline.data();
  uint32_t* result = result_inline.data();
  if (w.size() > kInline) {
    rank_heap.resize(w.size());
    result_heap.resize(w.size());
    rank = rank_heap.data();
    result = result_heap.data();
  }
  auto look_up = [&](size_t i) {
    const Merge* m = merges.find(w[i].id, w[i + 1].id);
    rank[i] = m != nullptr ? m->rank : kNone;
    result[i] = m != nullptr ? static_cast<uint32_t>(m->result) : 0;
  };
  size_t n = w.size();
  for (size_t i = 0; i + 1 < n; ++i) look_up(i);
  while (n > 1) {
    size_t best = 0;
    for (size_t i = 1; i + 1 < n; ++i) {
      if (rank[i] < rank[best]) best = i;
    }
    if (rank[best] == kNone) break;
    w[best] = {static_cast<int32_t>(result[best]), w[best].begin, w[best + 1].end};
    for (size_t i = best + 1; i + 1 < n; ++i) w[i] = w[i + 1];
    for (size_t i = best + 1; i + 2 < n; ++i) {
      rank[i] = rank[i + 1];
      result[i] = result[i + 1];
    }
    --n;
    if (best + 1 < n) look_up(best);
    if (best > 0) look_up(best - 1);
  }
  w.resize(n);
}

void bpe_merge_heap(const MergeTable& merges, std::vector<Symbol>* word) {
  std::vector<Symbol>& w = *word;
  const size_t n = w.size();
  std::vector<int32_t> prev(n), next(n);
  for (size_t i = 0; i < n; ++i) {
    prev[i] = static_cast<int32_t>(i) - 1;
    next[i] = i + 1 < n ? static_cast<int32_t>(i + 1) : -1;
  }
  // A candidate remembers the pair it was made for; it is stale once
  // either side has changed since.
  struct Candidate {
    uint32_t rank;
    int32_t left;
    int32_t left_id, right_id;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : left > o.left; }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
  auto consider = [&](int32_t left) {
    if (left < 0 || next[left] < 0) return;
    int32_t right = next[left];
    if (const Merge* m = merges.find(w[left].id, w[right].id)) {
      queue.push({m->rank, left, w[left].id, w[right].id});
    }
  };
  for (size_t i = 0; i + 1 < n; ++i) consider(static_cast<int32_t>(i));
  std::vector<bool> dead(n, false);
  while (!queue.empty()) {
    Candidate c = queue.top();
    queue.pop();
    int32_t right = next[c.left];
    if (dead[c.left] || right < 0 || w[c.left].id != c.left_id || w[right].id != c.right_id) continue;
    const Merge* m = merges.find(c.left_id, c.right_id);
    w[c.left] = {m->result, w[c.left].begin, w[right].end};
    dead[right] = true;
    next[c.left] = next[right];
    if (next[right] >= 0) prev[next[right]] = c.left;
    consider(prev[c.left]);
    consider(c.left);
  }
  size_t out = 0;
  for (int32_t i = 0; i >= 0; i = next[i]) w[out++] = w[i];
  w.resize(out);
}

}  // namespace sluice::tok
