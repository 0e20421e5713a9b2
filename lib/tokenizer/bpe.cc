// Implements bpe.h. Tested in tests/tokenizer/bpe_test.cc.
#include "tokenizer/bpe.h"

#include <cstddef>
#include <queue>

namespace sluice::tok {

void NameTable::reserve(size_t n) {
  size_t cap = 64;
  while (cap < 2 * n) cap *= 2;
  if (cap > slots_.size() && count_ == 0) slots_.assign(cap, Slot{0, -1});
}

void MergeTable::reserve(size_t n) {
  size_t cap = 64;
  while (cap < 2 * n) cap *= 2;
  if (cap > slots_.size() && count_ == 0) slots_.assign(cap, Slot{kEmpty, {}});
}

size_t MergeTable::slot_of(uint64_t key) const {
  size_t mask = slots_.size() - 1;
  uint64_t h = key * 0x9E3779B97F4A7C15ull;
  size_t i = (h ^ (h >> 32)) & mask;
  while (slots_[i].key != kEmpty && slots_[i].key != key) i = (i + 1) & mask;
  return i;
}

void MergeTable::set(int32_t left, int32_t right, Merge merge) {
  if ((count_ + 1) * 2 > slots_.size()) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{kEmpty, {}});
    count_ = 0;
    for (const Slot& s : old) {
      if (s.key != kEmpty) {
        slots_[slot_of(s.key)] = s;
        ++count_;
      }
    }
  }
  uint64_t key = uint64_t(uint32_t(left)) << 32 | uint32_t(right);
  Slot& slot = slots_[slot_of(key)];
  if (slot.key == kEmpty) ++count_;
  slot = {key, merge};
}

const Merge* MergeTable::find(int32_t left, int32_t right) const {
  if (slots_.empty() || left < 0 || right < 0) return nullptr;
  uint64_t key = uint64_t(uint32_t(left)) << 32 | uint32_t(right);
  const Slot& slot = slots_[slot_of(key)];
  return slot.key == kEmpty ? nullptr : &slot.merge;
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
  while (w.size() > 1) {
    const Merge* best = nullptr;
    size_t best_at = 0;
    for (size_t i = 0; i + 1 < w.size(); ++i) {
      const Merge* m = merges.find(w[i].id, w[i + 1].id);
      if (m != nullptr && (best == nullptr || m->rank < best->rank)) {
        best = m;
        best_at = i;
      }
    }
    if (best == nullptr) return;
    w[best_at] = {best->result, w[best_at].begin, w[best_at + 1].end};
    w.erase(w.begin() + static_cast<std::ptrdiff_t>(best_at) + 1);
  }
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
