// BPE merging: the heap implementation (long words) against the quadratic
// scan (short words, and the obviously-correct reference) on random merge
// tables and words, and the merge hash table against a std::map; fixed
// seeds.
#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "tokenizer/bpe.h"

using sluice::tok::Merge;
using sluice::tok::MergeTable;
using sluice::tok::Symbol;

TEST_CASE("bpe: heap and quadratic merging agree on random inputs") {
  std::mt19937_64 rng(99);
  for (int table = 0; table < 40; ++table) {
    // Symbols 0..3 are the alphabet; merges make new ids from 4 up, with
    // distinct ranks (some pairs left without a merge).
    MergeTable merges;
    int32_t next_id = 4;
    uint32_t rank = 0;
    for (int i = 0; i < 30; ++i) {
      int32_t a = static_cast<int32_t>(rng() % next_id), b = static_cast<int32_t>(rng() % next_id);
      merges.add(a, b, Merge{rank++, next_id++});
    }
    for (int w = 0; w < 50; ++w) {
      std::vector<Symbol> word;
      for (uint32_t i = 0, n = 1 + static_cast<uint32_t>(rng() % 120); i < n; ++i) {
        word.push_back({static_cast<int32_t>(rng() % 4), i, i + 1});
      }
      std::vector<Symbol> quad = word, heap = word;
      sluice::tok::bpe_merge_quadratic(merges, &quad);
      sluice::tok::bpe_merge_heap(merges, &heap);
      REQUIRE(quad.size() == heap.size());
      for (size_t i = 0; i < quad.size(); ++i) {
        CHECK(quad[i].id == heap[i].id);
        CHECK(quad[i].begin == heap[i].begin);
        CHECK(quad[i].end == heap[i].end);
      }
    }
  }
}

TEST_CASE("bpe: a tie goes to the leftmost pair") {
  MergeTable merges;
  merges.add(0, 0, Merge{0, 1});
  std::vector<Symbol> word = {{0, 0, 1}, {0, 1, 2}, {0, 2, 3}};
  sluice::tok::bpe_merge_heap(merges, &word);
  REQUIRE(word.size() == 2);
  CHECK(word[0].id == 1);
  CHECK(word[1].id == 0);
}

TEST_CASE("bpe: a later listing of the same merge replaces the earlier rank") {
  MergeTable merges;
  merges.add(0, 1, Merge{0, 5});
  merges.add(2, 0, Merge{3, 6});
  merges.add(0, 1, Merge{7, 5});
  REQUIRE(merges.find(0, 1) != nullptr);
  CHECK(merges.find(0, 1)->rank == 7);
  CHECK(merges.size() == 2);
  CHECK(merges.find(2, 0)->result == 6);
  CHECK(merges.find(1, 0) == nullptr);
  CHECK(merges.find(5, 5) == nullptr);
}

TEST_CASE("bpe: the merge table finds what a std::map of the last adds holds") {
  // Random pairs with repeats, with and without reserve (the table then
  // rehashes as it grows), against an obviously correct map.
  std::mt19937_64 rng(17);
  for (bool reserve : {false, true}) {
    MergeTable merges;
    if (reserve) merges.reserve(5000);
    std::map<std::pair<int32_t, int32_t>, Merge> reference;
    for (uint32_t rank = 0; rank < 5000; ++rank) {
      int32_t a = static_cast<int32_t>(rng() % 300), b = static_cast<int32_t>(rng() % 300);
      Merge m{rank, static_cast<int32_t>(rng() % 100000)};
      merges.add(a, b, m);
      reference[{a, b}] = m;
    }
    REQUIRE(merges.size() == reference.size());
    for (int32_t a = -1; a < 301; ++a) {
      for (int32_t b = -1; b < 301; ++b) {
        auto it = reference.find({a, b});
        const Merge* found = merges.find(a, b);
        if (it == reference.end()) {
          REQUIRE(found == nullptr);
        } else {
          REQUIRE(found != nullptr);
          REQUIRE(found->rank == it->second.rank);
          REQUIRE(found->result == it->second.result);
        }
      }
    }
  }
}
