// The sampler's own arithmetic: exp, weights, and the exact draw target.
#include <catch2/catch.hpp>

#include <cmath>

#include "sampler/arith.h"
#include "sampler/philox.h"

using namespace sluice::sampler;

TEST_CASE("exp_neg agrees with std::exp to a few ulps") {
  double worst = 0;
  for (uint64_t i = 0; i < 200000; ++i) {
    const double y = uniform01(3, i) * 707.0;
    const double expected = std::exp(-y);
    worst = std::max(worst, std::abs(exp_neg(y) - expected) / expected);
  }
  for (double y = 0; y < 20; y += 1.0 / 1024) {
    worst = std::max(worst, std::abs(exp_neg(y) - std::exp(-y)) / std::exp(-y));
  }
  CHECK(worst < 4e-16);
}

TEST_CASE("exp_neg's edges: exactly 1 at 0, 0 from 708 and at infinity") {
  CHECK(exp_neg(0.0) == 1.0);
  CHECK(exp_neg(-0.0) == 1.0);
  CHECK(exp_neg(708.0) > 0.0);
  CHECK(exp_neg(708.0000001) == 0.0);
  CHECK(exp_neg(1e300) == 0.0);
  CHECK(exp_neg(INFINITY) == 0.0);
}

TEST_CASE("weight_of: the maximum gets 2^52, and weights round to nearest") {
  CHECK(weight_of(3.5, 3.5, 1.0) == kWeightOne);
  CHECK(weight_of(-1e30, 0.0, 1.0) == 0);
  // exp(-ln 2) = 1/2 up to an ulp or two of the polynomial: 2^51 +- 1.
  const uint64_t half = weight_of(0.0, std::log(2.0), 1.0);
  CHECK(half >= (kWeightOne >> 1) - 1);
  CHECK(half <= (kWeightOne >> 1) + 1);
  // Temperature scales the gap: (m - l) * (1 / T).
  CHECK(weight_of(0.0, 2.0 * std::log(2.0), 2.0) == weight_of(0.0, 4.0 * std::log(2.0), 1.0));
}

TEST_CASE("draw_target is floor(u * total) exactly") {
  // Below 2^75 the product fits 128 bits and can be computed directly.
  for (uint64_t i = 0; i < 20000; ++i) {
    const uint64_t bits53 = random53(11, i);
    const Mass total = (static_cast<Mass>(random_bits(13, i)) << (i % 11)) + 1;
    CHECK(draw_target(bits53, total) == ((static_cast<Mass>(bits53) * total) >> 53));
  }
  // Large totals: u = 1/2 halves them, u = 0 gives 0, and the target stays
  // below the total.
  const Mass big = (static_cast<Mass>(0x12345) << 64) | 0xfedcba9876543210ull;
  CHECK(draw_target(uint64_t{1} << 52, big) == big / 2);
  CHECK(draw_target(0, big) == 0);
  CHECK(draw_target((uint64_t{1} << 53) - 1, big) < big);
}

TEST_CASE("mass_reaches compares the prefix with p of the total") {
  CHECK(mass_reaches(2, 4, 0.5));
  CHECK_FALSE(mass_reaches(2, 4, 0.5000001));
  CHECK(mass_reaches(4, 4, 1.0));
}
