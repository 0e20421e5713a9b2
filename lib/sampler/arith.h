// The sampler's arithmetic, shared by the fast pipeline (pipeline.cc) and the
// full-sort reference (reference.cc) so that both compute bit-identical
// weights, cut-offs and draws. Nothing here calls libm or the standard
// library's random facilities, so results do not depend on either.
//
// Tested in tests/sampler/arith_test.cc.
#pragma once

#include <bit>
#include <cstdint>

namespace sluice::sampler {

// Exact sums of up to 2^31 weights of at most 2^52 each.
using Mass = unsigned __int128;

// The weight of the most likely token: weights are exp(x) * 2^52, rounded.
inline constexpr uint64_t kWeightOne = uint64_t{1} << 52;

// exp(-y) for y >= 0 (+inf included), within a few ulps of the true value;
// 0 for y >= 708, where a weight rounds to 0 anyway. Cody-Waite reduction
// -y = k*ln2 + r with |r| <= ln2/2, a degree-12 Taylor polynomial for
// exp(r), and 2^k built from its bits. Written without branches (the
// clamp is integer masking) so that loops over it vectorise; lanes compute
// exactly what the scalar code does. The build passes -ffp-contract=off:
// fusing a*b+c into an FMA would change the rounding between machines.
inline double exp_neg(double y) {
  constexpr double kInvLn2 = 0x1.71547652b82fep0;
  constexpr double kLn2Hi = 0x1.62e42feep-1;  // trailing zeros: k * kLn2Hi is exact
  constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;
  constexpr double kShifter = 0x1.8p52;  // adding it rounds to an integer held in the low bits
  // For y >= 0 the bit patterns order like the values, so an integer
  // compare does the clamp.
  constexpr int64_t kLimit = std::bit_cast<int64_t>(708.0);
  const int64_t ybits = std::bit_cast<int64_t>(y);
  const uint64_t underflow = -static_cast<uint64_t>(ybits > kLimit);
  const double x = -std::bit_cast<double>((static_cast<uint64_t>(ybits) & ~underflow) |
                                          (static_cast<uint64_t>(kLimit) & underflow));
  double kd = x * kInvLn2 + kShifter;
  const uint64_t kbits = std::bit_cast<uint64_t>(kd);
  kd -= kShifter;
  const double r = (x - kd * kLn2Hi) - kd * kLn2Lo;
  double p = 1.0 / 479001600.0;  // 1/12!
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  // k is in [-1021, 0], so k + 1023 is a normal exponent; the shifter's low
  // 12 bits are zero, so they hold k + 1023 after the addition.
  const double scale = std::bit_cast<double>((kbits + 1023) << 52);
  return std::bit_cast<double>(std::bit_cast<uint64_t>(p * scale) & ~underflow);
}

// A token's weight from its logit l, the maximum logit m and 1/T:
// round(exp(-(m - l) * inv_t) * 2^52). Adding 2^52 to a value in [0, 2^52]
// rounds it to the nearest integer (ties to even) in the mantissa bits.
inline uint64_t weight_of(double logit, double max_logit, double inv_temperature) {
  const double scaled = exp_neg((max_logit - logit) * inv_temperature) * 0x1p52;
  return std::bit_cast<uint64_t>(scaled + 0x1p52) - std::bit_cast<uint64_t>(0x1p52);
}

// Top-p's test: does a prefix of weight `prefix` reach p of `total`?
inline bool mass_reaches(Mass prefix, Mass total, double p) {
  return static_cast<double>(prefix) >= p * static_cast<double>(total);
}

// floor(u * total) for u = bits53 * 2^-53, computed exactly: with
// total = hi * 2^64 + lo, it is bits53 * hi * 2^11 + floor(bits53 * lo / 2^53).
inline Mass draw_target(uint64_t bits53, Mass total) {
  const uint64_t hi = static_cast<uint64_t>(total >> 64);
  const uint64_t lo = static_cast<uint64_t>(total);
  return ((static_cast<Mass>(bits53) * hi) << 11) + ((static_cast<Mass>(bits53) * lo) >> 53);
}

}  // namespace sluice::sampler
