// Philox4x32-10 against its published known answers, and the mapping from
// (seed, step) to a uniform double.
#include <catch2/catch.hpp>

#include "sampler/philox.h"

using sluice::sampler::philox4x32_10;
using sluice::sampler::PhiloxCounter;

// Known-answer vectors from Random123's examples/kat_vectors (D. E. Shaw
// Research; e.g. github.com/DEShawResearch/random123), the lines
//   philox4x32 10 <counter: 4 words> <key: 2 words>  <output: 4 words>
TEST_CASE("Philox4x32-10 reproduces Random123's known-answer vectors") {
  CHECK(philox4x32_10({0, 0, 0, 0}, {0, 0}) == PhiloxCounter{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
  CHECK(philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}) ==
        PhiloxCounter{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
  CHECK(philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}) ==
        PhiloxCounter{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
}

TEST_CASE("random_bits uses key = seed and counter = (step, 0) as documented") {
  // Seed 0, step 0 is the all-zero known answer: words 1 and 0 of it.
  CHECK(sluice::sampler::random_bits(0, 0) == 0xe169c58d6627e8d5ull);
  const uint64_t seed = 0x299f31d0a4093822ull;
  const uint64_t step = 0x85a308d3243f6a88ull;
  const PhiloxCounter direct = philox4x32_10({0x243f6a88, 0x85a308d3, 0, 0}, {0xa4093822, 0x299f31d0});
  CHECK(sluice::sampler::random_bits(seed, step) == ((uint64_t{direct[1]} << 32) | direct[0]));
}

TEST_CASE("uniform01 is the top 53 bits scaled into [0, 1)") {
  CHECK(sluice::sampler::uniform01(0, 0) == static_cast<double>(0xe169c58d6627e8d5ull >> 11) * 0x1p-53);
  for (uint64_t step = 0; step < 10000; ++step) {
    const double u = sluice::sampler::uniform01(7, step);
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
  }
}

TEST_CASE("uniform01 has the mean and spread of a uniform variable") {
  // Fixed seed, so this is deterministic; the bounds are 5 standard errors.
  constexpr int kDraws = 100000;
  double sum = 0;
  double sum_sq = 0;
  for (uint64_t step = 0; step < kDraws; ++step) {
    const double u = sluice::sampler::uniform01(12345, step);
    sum += u;
    sum_sq += u * u;
  }
  const double mean = sum / kDraws;
  CHECK(std::abs(mean - 0.5) < 5 * std::sqrt(1.0 / 12 / kDraws));
  CHECK(std::abs(sum_sq / kDraws - mean * mean - 1.0 / 12) < 0.002);
}
