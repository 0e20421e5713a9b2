// Philox4x32-10, the counter-based generator of Salmon et al., "Parallel
// Random Numbers: As Easy as 1, 2, 3" (SC11), as specified by the Random123
// library. A pure function of (counter, key): no state, so a draw depends
// only on the seed and the step, whatever the thread or batch.
//
// Tested against Random123's known-answer vectors in
// tests/sampler/philox_test.cc.
#pragma once

#include <array>
#include <cstdint>

namespace sluice::sampler {

using PhiloxCounter = std::array<uint32_t, 4>;
using PhiloxKey = std::array<uint32_t, 2>;

PhiloxCounter philox4x32_10(PhiloxCounter counter, PhiloxKey key);

// The 64 random bits of one draw: key = (seed low, seed high) words,
// counter = (step low, step high, 0, 0); output words 0 and 1 become the low
// and high halves.
uint64_t random_bits(uint64_t seed, uint64_t step);

// The top 53 of those bits, so that u = random53(...) * 2^-53 is uniform on
// [0, 1) with every value a double represents exactly.
inline uint64_t random53(uint64_t seed, uint64_t step) { return random_bits(seed, step) >> 11; }
inline double uniform01(uint64_t seed, uint64_t step) {
  return static_cast<double>(random53(seed, step)) * 0x1p-53;
}

}  // namespace sluice::sampler
