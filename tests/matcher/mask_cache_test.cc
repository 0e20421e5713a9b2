// MaskCache's bound: past it the oldest entries make room, a few at a
// time, and holders are told to drop theirs once an eighth of the bound
// has gone.
#include <catch2/catch.hpp>

#include <memory>

#include "matcher/mask_cache.h"

namespace sluice::testing {

namespace {

matcher::SegmentKey key_of(uint32_t n) {
  matcher::SegmentKey key;
  key.frames = 1;
  key.words[0] = n;
  return key;
}

std::shared_ptr<const matcher::TokenClasses> classes_of(size_t ids) {
  auto classes = std::make_shared<matcher::TokenClasses>();
  classes->accepted_ids.assign(ids, 7);
  return classes;
}

}  // namespace

TEST_CASE("regression: a mask cache at its bound dropped every entry inside one insert", "[matcher][cache]") {
  const size_t entry_bytes = classes_of(100)->memory_bytes() + sizeof(matcher::SegmentKey) + 32;
  const size_t bound = 64 * entry_bytes;
  matcher::MaskCache cache(bound);
  for (uint32_t n = 0; n < 64; ++n) cache.insert(key_of(n), classes_of(100));
  CHECK(cache.entries() == 64);
  CHECK(cache.bytes() == bound);
  CHECK(cache.generation() == 0);
  // One more: the oldest entry alone makes room.
  cache.insert(key_of(64), classes_of(100));
  CHECK(cache.entries() == 64);
  CHECK(cache.bytes() <= bound);
  CHECK(cache.find(key_of(0)) == nullptr);
  CHECK(cache.find(key_of(1)) != nullptr);
  CHECK(cache.find(key_of(64)) != nullptr);
  CHECK(cache.generation() == 0);
  // Seven more dropped make an eighth of the bound: holders are told.
  for (uint32_t n = 65; n < 72; ++n) cache.insert(key_of(n), classes_of(100));
  CHECK(cache.generation() == 1);
  CHECK(cache.entries() == 64);
  CHECK(cache.find(key_of(7)) == nullptr);
  CHECK(cache.find(key_of(8)) != nullptr);
  // An entry larger than the rest drops as many old ones as it needs.
  cache.insert(key_of(100), classes_of(1000));
  CHECK(cache.bytes() <= bound);
  CHECK(cache.find(key_of(100)) != nullptr);
  CHECK(cache.find(key_of(71)) != nullptr);
}

}  // namespace sluice::testing
