// splitmix64 (Steele, Lea and Flood, 2014): a small, documented generator,
// so that seeded test and benchmark data is the same on every platform
// (std::mt19937's distributions are implementation-defined). Not for
// anything that must be unpredictable.
//
// Used by the validator's property tests, the JSON Schema key-order test
// and bench_validator's synthetic documents.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice {

struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform enough below n for test data (modulo bias is negligible here).
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
  // In [0, 1), from the top 53 bits.
  double unit() { return static_cast<double>(next() >> 11) / static_cast<double>(uint64_t{1} << 53); }
};

}  // namespace sluice
