// The sampler's own arithmetic: exp, weights, buckets, order keys and the
// exact draw target.
#include <catch2/catch.hpp>

#include <cmath>

#include "sampler/arith.h"
#include "sampler/philox.h"

using namespace sluice::sampler;

TEST_CASE("exp_neg_scaled agrees with std::exp to 1.1e-7 relative") {
  // Over every y whose weight can be non-zero (exp(-y) * 2^52 >= 1/2).
  double worst = 0;
  for (uint64_t i = 0; i < 200000; ++i) {
    const float y = static_cast<float>(uniform01(3, i) * 36.7);
    const double expected = std::exp(-static_cast<double>(y)) * 0x1p52;
    worst = std::max(worst, std::abs(exp_neg_scaled(y) - expected) / expected);
  }
  for (float y = 0; y < 20; y += 1.0f / 1024) {
    const double expected = std::exp(-static_cast<double>(y)) * 0x1p52;
    worst = std::max(worst, std::abs(exp_neg_scaled(y) - expected) / expected);
  }
  INFO("worst relative error " << worst);
  CHECK(worst < 1.1e-7);
}

TEST_CASE("exp_neg_scaled's edges: exactly 2^52 at 0, weight 0 from 37 and at infinity") {
  CHECK(exp_neg_scaled(0.0f) == 0x1p52f);
  CHECK(exp_neg_scaled(-0.0f) == 0x1p52f);
  CHECK(weight_bits(weight_float(0.0f, 36.0f, 1.0f)) > 0);
  CHECK(weight_bits(weight_float(0.0f, 37.0f, 1.0f)) == 0);
  CHECK(weight_bits(weight_float(0.0f, 1e30f, 1.0f)) == 0);
  CHECK(exp_neg_scaled(INFINITY) < 1.0f);
  CHECK(weight_of(-INFINITY, 0.0f, 1.0f) == 0);
}

TEST_CASE("weight_of: the maximum gets 2^52, and weights are exact integers") {
  CHECK(weight_of(3.5f, 3.5f, 1.0f) == kWeightOne);
  // exp(-ln 2) = 1/2 up to the float rounding of ln 2 and the polynomial.
  const uint64_t half = weight_of(0.0f, std::log(2.0f), 1.0f);
  CHECK(static_cast<double>(half) == Approx(static_cast<double>(kWeightOne >> 1)).epsilon(2e-7));
  // Temperature scales the gap: (m - l) * (1 / T).
  CHECK(weight_of(0.0f, 3.0f, inverse_temperature(2.0)) == weight_of(0.0f, 1.5f, 1.0f));
  // The float form is the integer, whatever the magnitude.
  for (uint64_t i = 0; i < 20000; ++i) {
    const float logit = static_cast<float>(uniform01(5, i) * -40.0);
    const float w = weight_float(logit, 0.0f, 1.0f);
    CHECK(static_cast<double>(w) == static_cast<double>(weight_bits(w)));
    CHECK(w == std::nearbyint(w));
  }
}

TEST_CASE("bucket_of orders like the weights, 1/32 of an octave each") {
  CHECK(bucket_of(0.0f) == 0);
  CHECK(bucket_of(1.0f) == 32);
  CHECK(bucket_of(3.0f) == 2 * 32 + 16);
  CHECK(bucket_of(0x1p52f) == kBuckets - 32);
  float previous = 0.0f;
  for (uint64_t i = 0; i < 20000; ++i) {
    const float w = weight_float(static_cast<float>(uniform01(7, i) * -40.0), 0.0f, 1.0f);
    const float lo = std::min(w, previous);
    const float hi = std::max(w, previous);
    CHECK(bucket_of(lo) <= bucket_of(hi));
    CHECK(bucket_of(hi) < kBuckets);
    previous = w;
  }
}

TEST_CASE("logit_key orders like the logits, with -0 equal to +0") {
  CHECK(logit_key(-0.0f) == logit_key(0.0f));
  CHECK(logit_of_key(logit_key(-0.0f)) == 0.0f);
  CHECK(logit_key(-INFINITY) < logit_key(-1e30f));
  for (uint64_t i = 0; i < 20000; ++i) {
    const float a = static_cast<float>((uniform01(9, 2 * i) - 0.5) * 200.0);
    const float b = static_cast<float>((uniform01(9, 2 * i + 1) - 0.5) * 200.0);
    CHECK((a < b) == (logit_key(a) < logit_key(b)));
    CHECK(logit_of_key(logit_key(a)) == a);
  }
}

TEST_CASE("passes_min_p compares with min_p of the most likely weight") {
  CHECK(passes_min_p(kWeightOne, 1.0));
  CHECK(passes_min_p(kWeightOne / 2, 0.5));
  CHECK_FALSE(passes_min_p(kWeightOne / 2 - 1, 0.5));
  CHECK_FALSE(passes_min_p(0, 1e-30));
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
