// Implements pipeline.h. Tested in tests/sampler/pipeline_test.cc and
// tests/sampler/reference_diff_test.cc.
#include "sampler/pipeline.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "sampler/philox.h"

namespace sluice::sampler {

namespace {

void reserve(Candidates& c, size_t n) {
  if (c.ids.size() < n) {
    c.ids.resize(n);
    c.logits.resize(n);
    c.weights.resize(n);
  }
}

// 1 when a logit is an infinity or NaN: its exponent bits are all set.
inline uint32_t not_finite(float logit) {
  constexpr uint32_t kExponent = 0x7f800000u;
  return static_cast<uint32_t>((std::bit_cast<uint32_t>(logit) & kExponent) == kExponent);
}

// Copies the allowed tokens' ids and logits, in id order, into c; returns
// how many, and sets *any_not_finite when one of them is -inf, +inf or NaN.
// The loops over whole words have no branches, so they vectorise.
size_t gather_allowed(std::span<const float> logits, std::span<const int32_t> mask, Candidates& c,
                      bool* any_not_finite) {
  int32_t* ids = c.ids.data();
  double* out = c.logits.data();
  const size_t vocab = logits.size();
  uint32_t seen = 0;
  if (mask.empty()) {
    for (size_t id = 0; id < vocab; ++id) {
      ids[id] = static_cast<int32_t>(id);
      out[id] = logits[id];
      seen |= not_finite(logits[id]);
    }
    *any_not_finite = seen != 0;
    return vocab;
  }
  size_t n = 0;
  for (size_t w = 0; w < mask.size(); ++w) {
    uint32_t bits = static_cast<uint32_t>(mask[w]);
    const size_t base = w * 32;
    if (bits == ~uint32_t{0} && base + 32 <= vocab) {
      for (size_t j = 0; j < 32; ++j) {
        ids[n + j] = static_cast<int32_t>(base + j);
        out[n + j] = logits[base + j];
        seen |= not_finite(logits[base + j]);
      }
      n += 32;
      continue;
    }
    while (bits != 0) {
      const size_t id = base + static_cast<size_t>(std::countr_zero(bits));
      bits &= bits - 1;
      if (id >= vocab) break;
      ids[n] = static_cast<int32_t>(id);
      out[n] = logits[id];
      seen |= not_finite(logits[id]);
      ++n;
    }
  }
  *any_not_finite = seen != 0;
  return n;
}

// Keeps the candidates for which keep(i) holds, in order. Used from
// temperature on, when the logits are no longer needed. Branch-free: the
// test is unpredictable on a dense vocabulary.
template <typename Keep>
void filter(Candidates& c, Keep keep) {
  size_t out = 0;
  int32_t* ids = c.ids.data();
  uint64_t* weights = c.weights.data();
  for (size_t i = 0; i < c.size; ++i) {
    ids[out] = ids[i];
    weights[out] = weights[i];
    out += keep(i) ? 1 : 0;
  }
  c.size = out;
}

// Histogram bucket of a weight: 0 for weight 0, else 8 * its bit length
// plus the three bits below the leading one, so buckets are an eighth of an
// octave and ordered like the weights. Read off the exponent and mantissa of
// the weight as a double, which is exact below 2^53.
constexpr size_t kBuckets = 54 * 8;
inline uint32_t bucket_of(uint64_t w) {
  constexpr uint64_t kOneKey = std::bit_cast<uint64_t>(1.0) >> 49;  // the key of weight 1 ...
  constexpr uint64_t kBias = kOneKey - 8;                              // ... is bucket 8
  // Through int64: one instruction, where unsigned-to-double takes several.
  const uint64_t key = std::bit_cast<uint64_t>(static_cast<double>(static_cast<int64_t>(w))) >> 49;
  return static_cast<uint32_t>(key > kBias ? key - kBias : 0);
}

using Ranked = std::pair<uint64_t, int32_t>;  // (weight, id)

// Rank order for top-k and top-p: larger weight first, ties to the lower id.
// A strict total order, so the kept set never depends on the algorithm.
inline bool ranks_before(const Ranked& a, const Ranked& b) {
  return a.first > b.first || (a.first == b.first && a.second < b.second);
}

// What a prefix of the rank order has accumulated.
struct Prefix {
  uint64_t count = 0;
  Mass mass = 0;
};

// The last candidate, in rank order, of the shortest rank-order prefix for
// which reached(prefix, total) holds; nullopt when none short of the whole
// set does. `reached` must be monotone in the prefix, and read only the
// prefix's count (kCounts) or mass and total (kMasses), whichever is kept.
//
// A radix selection, linear in the candidates: a histogram over weight
// buckets finds the bucket where the prefix ends; the candidates in that
// bucket are then split on 8 further bits of their weight at a time until at
// most kSortBelow remain, which are sorted. Candidates of equal weight stay
// in id order throughout, which is their rank order. Weights are integers, so
// prefix masses are exact whatever order they are summed in.
template <bool kCounts, bool kMasses, typename Reached>
std::optional<Ranked> find_cutoff(Candidates& c, Reached reached) {
  std::array<uint32_t, kBuckets> count{};
  std::array<Mass, kBuckets> mass{};
  // Masses go through 64-bit partial sums, flushed before they could
  // overflow (2^11 weights of at most 2^52), which is cheaper than 128-bit
  // additions in the loop. Even and odd candidates use separate partials,
  // so that runs of one bucket do not wait on each other's stores.
  std::array<std::array<uint64_t, kBuckets>, 2> partial{};
  constexpr size_t kFlushEvery = 2048;
  const uint64_t* weights = c.weights.data();
  if (c.buckets.size() < c.size) c.buckets.resize(c.ids.size());
  uint16_t* buckets = c.buckets.data();
  for (size_t start = 0; start < c.size; start += kFlushEvery) {
    const size_t end = std::min(c.size, start + kFlushEvery);
    for (size_t i = start; i < end; ++i) {
      const uint32_t b = bucket_of(weights[i]);
      buckets[i] = static_cast<uint16_t>(b);
      if constexpr (kCounts) ++count[b];
      if constexpr (kMasses) partial[i & 1][b] += weights[i];
    }
    if constexpr (kMasses) {
      for (size_t b = 0; b < kBuckets; ++b) mass[b] += Mass{partial[0][b]} + partial[1][b];
      partial = {};
    }
  }
  Mass total = 0;
  for (const Mass m : mass) total += m;

  Prefix before;
  size_t crossing = kBuckets;
  for (size_t b = kBuckets; b-- > 0;) {
    if (reached(Prefix{before.count + count[b], before.mass + mass[b]}, total)) {
      crossing = b;
      break;
    }
    before.count += count[b];
    before.mass += mass[b];
  }
  if (crossing == kBuckets) return std::nullopt;

  std::vector<Ranked>& ranked = c.ranked;
  ranked.clear();
  for (size_t i = 0; i < c.size; ++i) {
    if (buckets[i] == crossing) ranked.emplace_back(weights[i], c.ids[i]);
  }
  // The bucket fixes the bit length and the top four bits; split on the rest.
  const int length = static_cast<int>(crossing / 8);
  int low_bits = std::max(length - 4, 0);
  constexpr size_t kSortBelow = 48;
  while (ranked.size() > kSortBelow && low_bits > 0) {
    const int width = std::min(low_bits, 8);
    const int shift = low_bits - width;
    const uint64_t digit_mask = (uint64_t{1} << width) - 1;
    std::array<uint32_t, 256> digit_count{};
    std::array<Mass, 256> digit_mass{};
    for (const Ranked& r : ranked) {
      const size_t d = static_cast<size_t>((r.first >> shift) & digit_mask);
      ++digit_count[d];
      digit_mass[d] += r.first;
    }
    size_t digit = 0;
    for (size_t d = digit_mask + 1; d-- > 0;) {
      if (reached(Prefix{before.count + digit_count[d], before.mass + digit_mass[d]}, total)) {
        digit = d;
        break;
      }
      before.count += digit_count[d];
      before.mass += digit_mass[d];
    }
    std::erase_if(ranked, [&](const Ranked& r) { return ((r.first >> shift) & digit_mask) != digit; });
    low_bits = shift;
  }
  if (low_bits > 0) std::sort(ranked.begin(), ranked.end(), ranks_before);
  for (const Ranked& r : ranked) {
    ++before.count;
    before.mass += r.first;
    if (reached(before, total)) return r;
  }
  return ranked.back();
}

void keep_through(Candidates& c, Ranked cutoff) {
  const uint64_t* weights = c.weights.data();
  const int32_t* ids = c.ids.data();
  filter(c, [&](size_t i) {
    return (weights[i] > cutoff.first) | ((weights[i] == cutoff.first) & (ids[i] <= cutoff.second));
  });
}

}  // namespace

Status gather(std::span<const float> logits, std::span<const int32_t> mask, Candidates& c) {
  const size_t vocab = logits.size();
  if (vocab == 0) return make_error(ErrorCode::kInvalidArgument, "no logits: the vocabulary is empty");
  const size_t words = (vocab + 31) / 32;
  if (!mask.empty() && mask.size() != words) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the mask has " + std::to_string(mask.size()) + " words; a vocabulary of " +
                          std::to_string(vocab) + " tokens needs " + std::to_string(words));
  }
  reserve(c, vocab);
  // Copy first, and deal with -inf, NaN and +inf only when there are some.
  bool any_not_finite = false;
  size_t n = gather_allowed(logits, mask, c, &any_not_finite);
  if (any_not_finite) {
    size_t out = 0;
    for (size_t i = 0; i < n; ++i) {
      const double l = c.logits[i];
      if (std::isnan(l) || l == std::numeric_limits<double>::infinity()) {
        return make_error(ErrorCode::kInvalidArgument,
                          "the logit of allowed token " + std::to_string(c.ids[i]) + " is not a number or +inf");
      }
      if (l == -std::numeric_limits<double>::infinity()) continue;
      c.ids[out] = c.ids[i];
      c.logits[out] = l;
      ++out;
    }
    n = out;
  }
  c.size = n;
  if (n == 0) {
    return make_error(ErrorCode::kDeadEnd, mask.empty() ? "every logit is -inf: no token can be sampled"
                                                        : "the mask allows no token (or only tokens whose logit is -inf)");
  }
  return {};
}

void apply_logit_bias(std::span<const LogitBias> bias, Candidates& c) {
  const auto ids_end = c.ids.begin() + static_cast<std::ptrdiff_t>(c.size);
  for (const LogitBias& entry : bias) {
    auto it = std::lower_bound(c.ids.begin(), ids_end, entry.token);
    if (it != ids_end && *it == entry.token) c.logits[static_cast<size_t>(it - c.ids.begin())] += entry.bias;
  }
}

void apply_penalties(const SamplingParams& params, std::span<const int32_t> history, Candidates& c) {
  const bool active = params.presence_penalty != 0.0 || params.frequency_penalty != 0.0 ||
                      params.repetition_penalty != 1.0;
  if (!active || history.empty()) return;
  if (params.penalty_window != 0 && history.size() > params.penalty_window) {
    history = history.subspan(history.size() - params.penalty_window);
  }
  std::vector<int32_t>& window = c.window;
  window.assign(history.begin(), history.end());
  std::sort(window.begin(), window.end());
  const auto ids_end = c.ids.begin() + static_cast<std::ptrdiff_t>(c.size);
  for (size_t i = 0; i < window.size();) {
    size_t j = i;
    while (j < window.size() && window[j] == window[i]) ++j;
    const double count = static_cast<double>(j - i);
    auto it = std::lower_bound(c.ids.begin(), ids_end, window[i]);
    if (it != ids_end && *it == window[i]) {
      double& logit = c.logits[static_cast<size_t>(it - c.ids.begin())];
      if (params.repetition_penalty != 1.0) {
        logit = logit > 0.0 ? logit / params.repetition_penalty : logit * params.repetition_penalty;
      }
      logit -= count * params.frequency_penalty + params.presence_penalty;
    }
    i = j;
  }
}

// The hottest loops on a dense vocabulary. Vector lanes give bit-identical
// results (see arith.h) and the maximum does not depend on the order it is
// taken in, so picking the widest unit at load time is safe.
__attribute__((target_clones("avx512f", "avx2", "default")))
void compute_weights(double inv_temperature, Candidates& c) {
  const size_t n = c.size;
  const double* logits = c.logits.data();
  uint64_t* weights = c.weights.data();
  // Eight running maxima, so the loop is not one long dependency chain.
  constexpr size_t kLanes = 8;
  double lane_max[kLanes];
  for (size_t j = 0; j < kLanes; ++j) lane_max[j] = logits[0];
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t j = 0; j < kLanes; ++j) lane_max[j] = lane_max[j] < logits[i + j] ? logits[i + j] : lane_max[j];
  }
  double max_logit = logits[0];
  for (size_t j = 0; j < kLanes; ++j) max_logit = std::max(max_logit, lane_max[j]);
  for (; i < n; ++i) max_logit = std::max(max_logit, logits[i]);
  for (i = 0; i < n; ++i) weights[i] = weight_of(logits[i], max_logit, inv_temperature);
}

void apply_temperature(double temperature, Candidates& c) {
  if (temperature > 0.0) {
    compute_weights(1.0 / temperature, c);
    return;
  }
  size_t best = 0;
  for (size_t i = 1; i < c.size; ++i) {
    if (c.logits[i] > c.logits[best]) best = i;
  }
  c.ids[0] = c.ids[best];
  c.logits[0] = c.logits[best];
  c.weights[0] = kWeightOne;
  c.size = 1;
}

void apply_top_k(int32_t k, Candidates& c) {
  if (k <= 0 || static_cast<size_t>(k) >= c.size) return;
  const uint64_t want = static_cast<uint64_t>(k);
  std::optional<Ranked> cutoff = find_cutoff<true, false>(c, [want](Prefix prefix, Mass) { return prefix.count >= want; });
  if (cutoff) keep_through(c, *cutoff);
}

void apply_top_p(double p, Candidates& c) {
  if (p >= 1.0 || c.size <= 1) return;
  std::optional<Ranked> cutoff =
      find_cutoff<false, true>(c, [p](Prefix prefix, Mass total) { return mass_reaches(prefix.mass, total, p); });
  if (cutoff) keep_through(c, *cutoff);
}

void apply_min_p(double min_p, Candidates& c) {
  if (min_p <= 0.0 || c.size <= 1) return;
  // The most likely token has weight exactly kWeightOne (exp(0) = 1) and no
  // earlier stage removes it, so p_max needs no search.
  const double threshold = min_p * static_cast<double>(kWeightOne);
  const uint64_t* weights = c.weights.data();
  filter(c, [&](size_t i) { return static_cast<double>(weights[i]) >= threshold; });
}

Mass total_weight(const Candidates& c) {
  // Blocks of 2^11 weights of at most 2^52 cannot overflow 64 bits, and a
  // 64-bit sum vectorises where a 128-bit one does not.
  constexpr size_t kBlock = 2048;
  Mass total = 0;
  for (size_t start = 0; start < c.size; start += kBlock) {
    const size_t end = std::min(c.size, start + kBlock);
    uint64_t block = 0;
    for (size_t i = start; i < end; ++i) block += c.weights[i];
    total += block;
  }
  return total;
}

int32_t draw(const Candidates& c, uint64_t seed, uint64_t step) {
  const Mass target = draw_target(random53(seed, step), total_weight(c));
  Mass cumulative = 0;
  for (size_t i = 0; i < c.size; ++i) {
    cumulative += c.weights[i];
    if (cumulative > target) return c.ids[i];
  }
  // Unreachable: target < total because random53 < 2^53.
  return c.ids[c.size - 1];
}

}  // namespace sluice::sampler
