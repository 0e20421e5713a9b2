// A seeded generator for the validator's property tests: splitmix64, so
// every platform draws the same inputs (std::mt19937's distributions are
// implementation-defined).
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice::validator_test {

struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
};

}  // namespace sluice::validator_test
