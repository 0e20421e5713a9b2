// Implements bpe.h. Tested in tests/tokenizer/bpe_test.cc.
#include "tokenizer/bpe.h"

#include <algorithm>
#include <cstddef>
#include <queue>

namespace sluice::tok {

void NameTable::reserve(size_t n) {
  size_t cap = 64;
  while (cap < 2 * n) cap *= 2;
  if (cap > slots_.size() && count_ == 0) slots_.assign(cap, Slot{0, -1});
}

void MergeTable::add(int32_t left, int32_t right, Merge merge) { pending_.push_back({left, right, merge}); }

void MergeTable::finish() {
  int32_t max_left = -1;
  for (const Pending& p : pending_) max_left = std::max(max_left, p.left);
  // Counting sort by left id (stable, so later adds stay later), then each
  // segment by right id, keeping the last add of a repeated pair.
  std::vector<uint32_t> start(static_cast<size_t>(max_left) + 2, 0);
  for (const Pending& p : pending_) ++start[p.left + 1];
  for (size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
  std::vector<Pending> sorted(pending_.size());
  {
    std::vector<uint32_t> fill(start.begin(), start.end() - 1);
    for (const Pending& p : pending_) sorted[fill[p.left]++] = p;
  }
  offsets_.assign(start.size(), 0);
  rights_.clear();
  merges_.clear();
  rights_.reserve(sorted.size());
  merges_.reserve(sorted.size());
  for (size_t left = 0; left + 1 < start.size(); ++left) {
    offsets_[left] = static_cast<uint32_t>(rights_.size());
    auto first = sorted.begin() + start[left], last = sorted.begin() + start[left + 1];
    std::stable_sort(first, last, [](const Pending& a, const Pending& b) { return a.right < b.right; });
    for (auto it = first; it != last; ++it) {
      if (it + 1 != last && (it + 1)->right == it->right) continue;
      rights_.push_back(it->right);
      merges_.push_back(it->merge);
    }
  }
  offsets_.back() = static_cast<uint32_t>(rights_.size());
  pending_.clear();
  pending_.shrink_to_fit();
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
