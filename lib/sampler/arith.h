// The sampler's arithmetic, shared by the fast pipeline (pipeline.cc) and the
// full-sort reference (reference.cc) so that both compute bit-identical
// logits, weights, cut-offs and draws by construction. Nothing here calls
// libm or the standard library's random facilities, so results do not
// depend on either; only IEEE-754 basic operations (+, -, *, /, conversions)
// in the default round-to-nearest-even mode are used, and the build passes
// -ffp-contract=off so that no a*b+c is fused into an FMA on one machine and
// not on another. Vector lanes compute exactly what the scalar code does.
//
// Precision. The vocabulary's hot loop runs in float, 16 lanes to an AVX-512
// register (the double-precision exp it replaced cost three times as much).
// d = (max - l) * (1/T) is rounded to float, which moves a weight by at most
// d * 2^-24 relative, and the exp adds 1.1e-7: a weight that is not 0
// (d < 37) is within 2.3e-6 of exp(-(max - l) / T), about the resolution of
// the float logits themselves (a logit near 16 carries an ulp of 1.9e-6).
// Sums of weights are exact integers, so no decision depends on summation
// order.
//
// Tested in tests/sampler/arith_test.cc.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>

namespace sluice::sampler {

// Exact sums of up to 2^31 weights of at most 2^52 each.
using Mass = unsigned __int128;

// The weight of the most likely token: weights are exp(-d) * 2^52, rounded.
inline constexpr uint64_t kWeightOne = uint64_t{1} << 52;

// A logit after logit bias or penalties: computed in double, stored as float,
// the type logits arrive in.
inline float to_logit(double value) { return static_cast<float>(value); }

// exp(-y) * 2^52 for y >= 0 (+inf included), as a float: Cody-Waite
// reduction -y = k*ln2 + r with |r| <= ln2/2, a degree-7 Taylor polynomial
// for exp(r) (truncation error below 5.3e-9 relative), and 2^(k+52) built
// from its bits. Measured within 1.1e-7 of exp(-y) * 2^52, relative (tested).
// y is clamped to 64, where the result (7e-13) rounds to weight 0 anyway,
// which keeps 2^(k+52) a normal float and the code free of branches.
inline float exp_neg_scaled(float y) {
  constexpr float kInvLn2 = 0x1.715476p0f;
  constexpr float kLn2Hi = 0x1.62e4p-1f;  // 8 trailing zero bits: k * kLn2Hi is exact for |k| <= 255
  constexpr float kLn2Lo = 0x1.7f7d1cp-20f;
  constexpr float kShifter = 0x1.8p23f;  // adding it rounds to an integer held in the low bits
  // For y >= 0 the bit patterns order like the values, so an integer min
  // does the clamp (and maps +inf to 64).
  constexpr int32_t kLimit = std::bit_cast<int32_t>(64.0f);
  const float x = -std::bit_cast<float>(std::min(std::bit_cast<int32_t>(y), kLimit));
  float kd = x * kInvLn2 + kShifter;
  const uint32_t kbits = std::bit_cast<uint32_t>(kd);
  kd -= kShifter;
  const float r = (x - kd * kLn2Hi) - kd * kLn2Lo;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  // k is in [-93, 0]; the shifter's low 9 bits are zero, so they hold
  // k + 179 = (k + 52) + 127 after the addition, a normal exponent.
  const float scale = std::bit_cast<float>((kbits + 179u) << 23);
  return p * scale;
}

// The weight w = round(exp(-d) * 2^52), d = (max - l) * (1/T), held as a
// float: every integer below 2^24 is a float, and a float from 2^23 up is an
// integer, so adding and removing 2^23 rounds the small ones (ties to even)
// and the result is the weight exactly.
inline float weight_float(float logit, float max_logit, float inv_temperature) {
  const float e = exp_neg_scaled((max_logit - logit) * inv_temperature);
  return e < 0x1p23f ? (e + 0x1p23f) - 0x1p23f : e;
}

// The weight as an integer; exact, since a weight is at most 2^52. Adding
// 2^52 to it as a double puts the integer in the mantissa bits.
inline uint64_t weight_bits(float weight) {
  return std::bit_cast<uint64_t>(static_cast<double>(weight) + 0x1p52) - std::bit_cast<uint64_t>(0x1p52);
}

inline uint64_t weight_of(float logit, float max_logit, float inv_temperature) {
  return weight_bits(weight_float(logit, max_logit, inv_temperature));
}

// 1/T as the weights use it.
inline float inverse_temperature(double temperature) { return static_cast<float>(1.0 / temperature); }

// Histogram bucket of a weight (as weight_float returns it): 0 for weight 0,
// else 2^kBucketBits * its bit length plus the kBucketBits bits below the
// leading one, so buckets are 1/32 of an octave (a fine histogram keeps the
// bucket where a cut falls small) and ordered like the weights. Read off the
// float's exponent and top mantissa bits; the weight is an exact integer, so
// equal weights share a bucket.
inline constexpr int kBucketBits = 5;
inline constexpr uint32_t kBuckets = 54u << kBucketBits;
inline uint32_t bucket_of(float weight) {
  constexpr int32_t kOneKey = 127 << kBucketBits;  // the key of weight 1 ...
  const int32_t key = static_cast<int32_t>(std::bit_cast<uint32_t>(weight) >> (23 - kBucketBits)) -
                      (kOneKey - (1 << kBucketBits));  // ... is bucket 2^kBucketBits (bit length 1)
  return static_cast<uint32_t>(std::max(key, 0));
}

// Top-p's test: does a prefix of weight `prefix` reach p of `total`?
inline bool mass_reaches(Mass prefix, Mass total, double p) {
  return static_cast<double>(prefix) >= p * static_cast<double>(total);
}

// min-p's test, as an integer threshold: a weight w is kept when
// double(w) >= min_p * 2^52 (the most likely token's weight). Weights below
// 2^53 are exact doubles.
inline bool passes_min_p(uint64_t weight, double min_p) {
  return static_cast<double>(weight) >= min_p * static_cast<double>(kWeightOne);
}

// floor(u * total) for u = bits53 * 2^-53, computed exactly: with
// total = hi * 2^64 + lo, it is bits53 * hi * 2^11 + floor(bits53 * lo / 2^53).
inline Mass draw_target(uint64_t bits53, Mass total) {
  const uint64_t hi = static_cast<uint64_t>(total >> 64);
  const uint64_t lo = static_cast<uint64_t>(total);
  return ((static_cast<Mass>(bits53) * hi) << 11) + ((static_cast<Mass>(bits53) * lo) >> 53);
}

// An order key for a float logit: integers that compare like the values,
// with -0 and +0 equal (as the comparisons of the argmax see them), so that
// maxima vectorise as integer maxima. Not defined for NaN.
inline int32_t logit_key(float logit) {
  const int32_t bits = std::bit_cast<int32_t>(logit);
  return bits >= 0 ? bits : -(bits & 0x7fffffff);
}
inline float logit_of_key(int32_t key) {
  return std::bit_cast<float>(key >= 0 ? key : static_cast<int32_t>(static_cast<uint32_t>(-key) | 0x80000000u));
}

}  // namespace sluice::sampler
