// Implements pipeline.h. Tested in tests/sampler/stages_test.cc and
// tests/sampler/reference_diff_test.cc.
#include "sampler/pipeline.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <string>

#include "sampler/philox.h"

namespace sluice::sampler {

namespace {

constexpr size_t kNone = std::numeric_limits<size_t>::max();
constexpr int32_t kAnyId = std::numeric_limits<int32_t>::max();

// Scans test a block with a vectorised loop first and do scalar work only in
// the blocks that need it.
constexpr size_t kBlock = 64;

// Up to this many candidates, top-k and top-p sort them instead of building a
// histogram.
constexpr size_t kSortUpTo = 256;
// Up to this k (and a quarter of the blocks), top-k works from block maxima.
constexpr size_t kBlockTopK = 256;

// 1 when a logit is an infinity or NaN: its exponent bits are all set.
inline uint32_t not_finite(float logit) {
  constexpr uint32_t kExponent = 0x7f800000u;
  return static_cast<uint32_t>((std::bit_cast<uint32_t>(logit) & kExponent) == kExponent);
}

// Loops over the whole vocabulary: vector lanes give bit-identical results
// (see arith.h) and integer maxima and sums do not depend on the order they
// are taken in, so picking the widest unit at load time is safe.
#define SLUICE_VECTOR_LOOP __attribute__((target_clones("avx512f", "avx2", "default")))

// The largest order key, and whether any logit is infinite or NaN, in one
// read of the logits.
SLUICE_VECTOR_LOOP
int32_t scan_logits(const float* logits, size_t n, bool* any_bad) {
  int32_t best = std::numeric_limits<int32_t>::min();
  uint32_t seen = 0;
  for (size_t i = 0; i < n; ++i) {
    best = std::max(best, logit_key(logits[i]));
    seen |= not_finite(logits[i]);
  }
  *any_bad = seen != 0;
  return best;
}

SLUICE_VECTOR_LOOP
int32_t max_key(const float* logits, size_t n) {
  int32_t best = std::numeric_limits<int32_t>::min();
  for (size_t i = 0; i < n; ++i) best = std::max(best, logit_key(logits[i]));
  return best;
}

// The first index whose logit has order key `key`; n when none.
SLUICE_VECTOR_LOOP
size_t first_with_key(const float* logits, size_t n, int32_t key) {
  for (size_t start = 0; start < n; start += kBlock) {
    const size_t end = std::min(n, start + kBlock);
    uint32_t hit = 0;
    for (size_t i = start; i < end; ++i) hit |= static_cast<uint32_t>(logit_key(logits[i]) == key);
    if (hit == 0) continue;
    for (size_t i = start; i < end; ++i) {
      if (logit_key(logits[i]) == key) return i;
    }
  }
  return n;
}

// Weights and buckets, and the weight histogram over them when top-k or
// top-p will need it, a chunk at a time so that the histogram reads what the
// vectorised loop has just written while it is still in the L1 cache.
//
// Masses go through 64-bit partial sums, which are cheaper than 128-bit
// additions in the loop, flushed before they could overflow. Even and odd
// candidates use separate partials, so that runs of one bucket do not wait
// on each other's stores; a chunk adds at most 2^11 weights to a partial.
// Weights of bit length L are below 2^L, so a partial of such buckets takes
// 2^(53 - L) chunks before it could overflow: those of L = 53 (2^52 itself)
// are flushed every chunk, L = 52 every second, and so on; everything every
// 2^6 chunks (2^17 weights below 2^47 per partial).
//
// With kBlockMax, also the largest weight of each block of kBlock, for a
// top-k that needs no histogram.
template <bool kCounts, bool kMasses, bool kBlockMax>
SLUICE_VECTOR_LOOP void fill_weights(const float* logits, size_t n, float max_logit, float inv_temperature,
                                     uint64_t* weights, uint32_t* buckets, uint32_t* bucket_count,
                                     Mass* bucket_mass, uint64_t* block_max, detail::HistogramScratch& scratch) {
  constexpr size_t kChunk = 4096;
  constexpr int kMaxLength = 53;
  constexpr size_t kFlushAllEvery = 64;  // chunks
  // Two partials per bucket, in `scratch` (2 * kBuckets each, zero), so that
  // a call needs no 40 KB of stack.
  uint32_t* count[2] = {scratch.counts.data(), scratch.counts.data() + kBuckets};
  uint64_t* partial[2] = {scratch.masses.data(), scratch.masses.data() + kBuckets};
  auto flush = [&](uint32_t from, uint32_t to) {
    for (uint32_t b = from; b < to; ++b) {
      bucket_mass[b] += Mass{partial[0][b]} + partial[1][b];
      partial[0][b] = 0;
      partial[1][b] = 0;
    }
  };
  size_t chunks = 0;
  for (size_t start = 0; start < n; start += kChunk) {
    const size_t end = std::min(n, start + kChunk);
    for (size_t i = start; i < end; ++i) {
      const float w = weight_float(logits[i], max_logit, inv_temperature);
      weights[i] = weight_bits(w);
      buckets[i] = bucket_of(w);
    }
    if constexpr (kBlockMax) {
      for (size_t from = start; from < end; from += kBlock) {
        const size_t to = std::min(end, from + kBlock);
        uint64_t largest = 0;
        for (size_t i = from; i < to; ++i) largest = std::max(largest, weights[i]);
        block_max[from / kBlock] = largest;
      }
    }
    // Unrolled by hand: indexing the partials by i & 1 costs more than the
    // scatter itself.
    size_t i = start;
    for (; i + 1 < end; i += 2) {
      if constexpr (kCounts) {
        ++count[0][buckets[i]];
        ++count[1][buckets[i + 1]];
      }
      if constexpr (kMasses) {
        partial[0][buckets[i]] += weights[i];
        partial[1][buckets[i + 1]] += weights[i + 1];
      }
    }
    if (i < end) {
      if constexpr (kCounts) ++count[0][buckets[i]];
      if constexpr (kMasses) partial[0][buckets[i]] += weights[i];
    }
    ++chunks;
    if constexpr (kMasses) {
      if (end == n || chunks % kFlushAllEvery == 0) {
        flush(0, kBuckets);
        continue;
      }
      for (int length = kMaxLength; chunks % (size_t{1} << (kMaxLength - length)) == 0; --length) {
        flush(static_cast<uint32_t>(length) << kBucketBits,
              std::min(kBuckets, static_cast<uint32_t>(length + 1) << kBucketBits));
      }
    }
  }
  if constexpr (kCounts) {
    for (size_t b = 0; b < kBuckets; ++b) {
      bucket_count[b] = count[0][b] + count[1][b];
      count[0][b] = 0;
      count[1][b] = 0;
    }
  }
}

// Appends (weight, id) of the candidates in bucket `bucket` to `out`, in id
// order. Blocks of 16, so that few blocks of a sparsely hit bucket need the
// scalar pass.
template <bool kDense>
SLUICE_VECTOR_LOOP void collect_bucket(const uint32_t* buckets, const uint64_t* weights, const int32_t* ids, size_t n,
                                       uint32_t bucket, std::vector<std::pair<uint64_t, int32_t>>& out) {
  constexpr size_t kSmallBlock = 16;
  for (size_t start = 0; start < n; start += kSmallBlock) {
    const size_t end = std::min(n, start + kSmallBlock);
    uint32_t hit = 0;
    for (size_t i = start; i < end; ++i) hit |= static_cast<uint32_t>(buckets[i] == bucket);
    if (hit == 0) continue;
    for (size_t i = start; i < end; ++i) {
      if (buckets[i] == bucket) out.emplace_back(weights[i], kDense ? static_cast<int32_t>(i) : ids[i]);
    }
  }
}

// The total kept weight of each block of kBlock candidates in [from, to):
// those ranked at or before (cut_weight, cut_id). A block's sum is below
// 2^58.
template <bool kDense>
SLUICE_VECTOR_LOOP void kept_block_masses(const uint64_t* weights, const int32_t* ids, size_t from, size_t to,
                                          uint64_t cut_weight, int32_t cut_id, uint64_t* out) {
  for (size_t start = from, b = 0; start < to; start += kBlock, ++b) {
    const size_t end = std::min(to, start + kBlock);
    uint64_t sum = 0;
    for (size_t i = start; i < end; ++i) {
      const int32_t id = kDense ? static_cast<int32_t>(i) : ids[i];
      const bool kept = (weights[i] > cut_weight) | ((weights[i] == cut_weight) & (id <= cut_id));
      sum += kept ? weights[i] : 0;
    }
    out[b] = sum;
  }
}

void reserve_weights(Candidates& c, size_t n) {
  if (c.weights.size() < n) {
    c.weights.resize(n);
    c.buckets.resize(n);
  }
}

// A full mask allows every token of the vocabulary (bits past it aside).
bool full_mask(std::span<const int32_t> mask, size_t vocab) {
  if (mask.empty()) return true;
  uint32_t all = ~uint32_t{0};
  for (size_t w = 0; w + 1 < mask.size(); ++w) all &= static_cast<uint32_t>(mask[w]);
  const size_t tail = vocab - 32 * (mask.size() - 1);  // 1 .. 32 tokens in the last word
  const uint32_t need = tail == 32 ? ~uint32_t{0} : (uint32_t{1} << tail) - 1;
  return all == ~uint32_t{0} && (static_cast<uint32_t>(mask.back()) & need) == need;
}

// Copies the allowed tokens' ids and logits, in id order, into c.ids and
// c.own; returns how many, and sets *any_bad when one of them is -inf, +inf
// or NaN. The loops over whole words have no branches, so they vectorise.
size_t gather_allowed(std::span<const float> logits, std::span<const int32_t> mask, Candidates& c, bool* any_bad) {
  int32_t* ids = c.ids.data();
  float* out = c.own.data();
  const size_t vocab = logits.size();
  uint32_t seen = 0;
  if (mask.empty()) {
    for (size_t id = 0; id < vocab; ++id) {
      ids[id] = static_cast<int32_t>(id);
      out[id] = logits[id];
      seen |= not_finite(logits[id]);
    }
    *any_bad = seen != 0;
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
  *any_bad = seen != 0;
  return n;
}

// Candidate i's logit after the stages so far.
float current_logit(const Candidates& c, size_t i) {
  const auto it = std::lower_bound(c.adjusted.begin(), c.adjusted.end(), i,
                                   [](const std::pair<size_t, float>& a, size_t index) { return a.first < index; });
  return it != c.adjusted.end() && it->first == i ? it->second : c.logits[i];
}

// Folds c.merged (new logits, in increasing index order) into c.adjusted.
void merge_adjustments(Candidates& c) {
  if (c.merged.empty()) return;
  std::vector<std::pair<size_t, float>>& out = c.merge_out;
  out.clear();
  auto a = c.adjusted.begin();
  for (const auto& entry : c.merged) {
    while (a != c.adjusted.end() && a->first < entry.first) out.push_back(*a++);
    if (a != c.adjusted.end() && a->first == entry.first) ++a;
    out.push_back(entry);
  }
  out.insert(out.end(), a, c.adjusted.end());
  c.adjusted.swap(out);
  c.merged.clear();
}

// The order key of the largest current logit. Cheap unless a stage changed
// a logit equal to the largest as it arrived (which may have been lowered):
// then the maximum is taken again around the adjusted candidates.
int32_t current_max_key(const Candidates& c) {
  if (c.adjusted.empty()) return c.max_key;
  int32_t best = std::numeric_limits<int32_t>::min();
  bool changed_max = false;
  for (const auto& [i, logit] : c.adjusted) {
    best = std::max(best, logit_key(logit));
    changed_max |= logit_key(c.logits[i]) == c.max_key;
  }
  if (!changed_max) return std::max(best, c.max_key);
  size_t from = 0;
  for (const auto& [i, logit] : c.adjusted) {
    if (i > from) best = std::max(best, max_key(c.logits + from, i - from));
    from = i + 1;
  }
  if (c.size > from) best = std::max(best, max_key(c.logits + from, c.size - from));
  return best;
}

size_t index_of(const Candidates& c, int32_t token) {
  if (c.dense) return token >= 0 && static_cast<size_t>(token) < c.size ? static_cast<size_t>(token) : kNone;
  const auto end = c.ids.begin() + static_cast<std::ptrdiff_t>(c.size);
  const auto it = std::lower_bound(c.ids.begin(), end, token);
  return it != end && *it == token ? static_cast<size_t>(it - c.ids.begin()) : kNone;
}

void keep_all(Candidates& c) {
  c.cut_weight = 0;
  c.cut_id = kAnyId;
  c.cut_mass_known = false;
  c.histogram_counts = false;
  c.histogram_masses = false;
  c.ranked_prefix = false;
  c.block_max_valid = false;
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

struct Cutoff {
  bool found = false;
  Ranked last;    // the last candidate of the prefix
  Prefix prefix;  // its count (when counted) and mass
};

// The shortest prefix of the rank order over all candidates for which
// reached(prefix) holds. `reached` must be monotone in the prefix and read
// only what the histogram holds (kCounts: counts, kMasses: masses).
//
// A radix selection, linear in the candidates: the histogram finds the
// bucket where the prefix ends; the candidates in that bucket are then split
// on 8 further bits of their weight at a time until at most kSortBelow
// remain, which are sorted. Candidates of equal weight stay in id order
// throughout, which is their rank order. Weights are integers, so prefix
// masses are exact whatever order they are summed in.
template <bool kCounts, bool kMasses, typename Reached>
Cutoff find_cutoff(Candidates& c, Reached reached) {
  Prefix before;
  size_t crossing = kNone;
  for (size_t b = kBuckets; b-- > 0;) {
    Prefix next = before;
    if constexpr (kCounts) next.count += c.bucket_count[b];
    if constexpr (kMasses) next.mass += c.bucket_mass[b];
    if (reached(next)) {
      crossing = b;
      break;
    }
    before = next;
  }
  if (crossing == kNone) return {};

  std::vector<Ranked>& ranked = c.ranked;
  ranked.clear();
  if (c.dense) {
    collect_bucket<true>(c.buckets.data(), c.weights.data(), nullptr, c.size, static_cast<uint32_t>(crossing), ranked);
  } else {
    collect_bucket<false>(c.buckets.data(), c.weights.data(), c.ids.data(), c.size, static_cast<uint32_t>(crossing),
                          ranked);
  }
  // The bucket fixes the bit length and the leading 1 + kBucketBits bits;
  // split on the rest.
  const int length = static_cast<int>(crossing >> kBucketBits);
  int low_bits = std::max(length - 1 - kBucketBits, 0);
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
      if (reached(Prefix{before.count + digit_count[d], before.mass + digit_mass[d]})) {
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
    if (reached(before)) return {true, r, before};
  }
  return {};  // unreachable: the bucket's whole mass reaches
}

// find_cutoff for a few candidates, or after a top-k that listed its kept
// set: a prefix of the rank order that covers the kept set, built (every
// candidate, sorted) when there is none.
template <typename Reached>
Cutoff find_cutoff_sorted(Candidates& c, Reached reached) {
  std::vector<Ranked>& ranked = c.ranked;
  if (!c.ranked_prefix) {
    ranked.clear();
    for (size_t i = 0; i < c.size; ++i) ranked.emplace_back(c.weights[i], id_at(c, i));
    std::sort(ranked.begin(), ranked.end(), ranks_before);
    c.ranked_prefix = true;
  }
  Prefix prefix;
  for (const Ranked& r : ranked) {
    ++prefix.count;
    prefix.mass += r.first;
    if (reached(prefix)) return {true, r, prefix};
  }
  return {};
}

// Top-k from the block maxima: the k-th largest block maximum V is at most
// the k-th largest weight (k blocks hold a weight >= V), so the top k are
// among the weights >= V, which only the blocks whose maximum is >= V hold.
// Lists the top k, in rank order, as the kept set's prefix.
Cutoff top_k_by_blocks(Candidates& c, size_t k) {
  const size_t blocks = (c.size + kBlock - 1) / kBlock;
  std::vector<uint64_t>& maxima = c.block_mass;
  maxima.assign(c.block_max.begin(), c.block_max.begin() + static_cast<std::ptrdiff_t>(blocks));
  std::nth_element(maxima.begin(), maxima.begin() + static_cast<std::ptrdiff_t>(k - 1), maxima.end(),
                   std::greater<uint64_t>());
  const uint64_t floor = maxima[k - 1];
  std::vector<Ranked>& ranked = c.ranked;
  ranked.clear();
  for (size_t b = 0; b < blocks; ++b) {
    if (c.block_max[b] < floor) continue;
    const size_t end = std::min(c.size, (b + 1) * kBlock);
    for (size_t i = b * kBlock; i < end; ++i) {
      if (c.weights[i] >= floor) ranked.emplace_back(c.weights[i], id_at(c, i));
    }
  }
  std::sort(ranked.begin(), ranked.end(), ranks_before);
  ranked.resize(k);
  c.ranked_prefix = true;
  Prefix prefix{k, 0};
  for (const Ranked& r : ranked) prefix.mass += r.first;
  return {true, ranked.back(), prefix};
}

void cut_at(Candidates& c, const Cutoff& cutoff) {
  c.cut_weight = cutoff.last.first;
  c.cut_id = cutoff.last.second;
  c.cut_mass_known = true;
  c.cut_mass = cutoff.prefix.mass;
}

}  // namespace

int32_t id_at(const Candidates& c, size_t i) { return c.dense ? static_cast<int32_t>(i) : c.ids[i]; }

bool is_kept(const Candidates& c, size_t i) {
  const uint64_t w = c.weights[i];
  return w > c.cut_weight || (w == c.cut_weight && id_at(c, i) <= c.cut_id);
}

Status gather(std::span<const float> logits, std::span<const int32_t> mask, Candidates& c) {
  const size_t vocab = logits.size();
  if (vocab == 0) return make_error(ErrorCode::kInvalidArgument, "no logits: the vocabulary is empty");
  const size_t words = (vocab + 31) / 32;
  if (!mask.empty() && mask.size() != words) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the mask has " + std::to_string(mask.size()) + " words; a vocabulary of " +
                          std::to_string(vocab) + " tokens needs " + std::to_string(words));
  }
  c.adjusted.clear();
  const bool full = full_mask(mask, vocab);
  // The common case, a full mask and finite logits, reads the caller's array.
  if (full) {
    bool any_bad = false;
    c.max_key = scan_logits(logits.data(), vocab, &any_bad);
    if (!any_bad) {
      c.dense = true;
      c.size = vocab;
      c.logits = logits.data();
      return {};
    }
  }
  c.dense = false;
  if (c.ids.size() < vocab) c.ids.resize(vocab);
  if (c.own.size() < vocab) c.own.resize(vocab);
  // Copy first, and deal with -inf, NaN and +inf only when there are some.
  bool any_bad = false;
  size_t n = gather_allowed(logits, full ? std::span<const int32_t>{} : mask, c, &any_bad);
  if (any_bad) {
    size_t out = 0;
    for (size_t i = 0; i < n; ++i) {
      const float l = c.own[i];
      if (std::isnan(l) || l == std::numeric_limits<float>::infinity()) {
        return make_error(ErrorCode::kInvalidArgument,
                          "the logit of allowed token " + std::to_string(c.ids[i]) + " is not a number or +inf");
      }
      if (l == -std::numeric_limits<float>::infinity()) continue;
      c.ids[out] = c.ids[i];
      c.own[out] = l;
      ++out;
    }
    n = out;
  }
  c.size = n;
  c.logits = c.own.data();
  if (n == 0) {
    return make_error(ErrorCode::kDeadEnd, mask.empty() ? "every logit is -inf: no token can be sampled"
                                                        : "the mask allows no token (or only tokens whose logit is -inf)");
  }
  c.max_key = max_key(c.logits, n);
  return {};
}

void apply_logit_bias(std::span<const LogitBias> bias, Candidates& c) {
  c.merged.clear();
  for (const LogitBias& entry : bias) {
    const size_t i = index_of(c, entry.token);
    if (i != kNone) c.merged.emplace_back(i, to_logit(static_cast<double>(current_logit(c, i)) + entry.bias));
  }
  // SamplingParams::validate allows one entry per token, so indices are unique.
  std::sort(c.merged.begin(), c.merged.end());
  merge_adjustments(c);
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
  // Tokens in increasing order have candidate indices in increasing order.
  c.merged.clear();
  for (size_t i = 0; i < window.size();) {
    size_t j = i;
    while (j < window.size() && window[j] == window[i]) ++j;
    const double count = static_cast<double>(j - i);
    const size_t at = index_of(c, window[i]);
    if (at != kNone) {
      double logit = current_logit(c, at);
      if (params.repetition_penalty != 1.0) {
        logit = logit > 0.0 ? logit / params.repetition_penalty : logit * params.repetition_penalty;
      }
      logit -= count * params.frequency_penalty + params.presence_penalty;
      c.merged.emplace_back(at, to_logit(logit));
    }
    i = j;
  }
  merge_adjustments(c);
}

void compute_weights(float inv_temperature, Histogram histogram, Candidates& c) {
  reserve_weights(c, c.size);
  const float max_logit = logit_of_key(current_max_key(c));
  // A histogram only pays off over many candidates; a few are sorted.
  if (c.size <= kSortUpTo) histogram = Histogram::kNone;
  uint32_t* count = nullptr;
  Mass* mass = nullptr;
  uint64_t* block_max = nullptr;
  if (histogram == Histogram::kMasses || histogram == Histogram::kCountsAndMasses) {
    c.bucket_mass.assign(kBuckets, 0);
    mass = c.bucket_mass.data();
  }
  if (histogram == Histogram::kCountsAndMasses) {
    c.bucket_count.resize(kBuckets);
    count = c.bucket_count.data();
  }
  if (histogram == Histogram::kBlockMaxima) {
    c.block_max.resize((c.size + kBlock - 1) / kBlock);
    block_max = c.block_max.data();
  }
  if (c.scratch.counts.empty()) {
    c.scratch.counts.assign(2 * kBuckets, 0);
    c.scratch.masses.assign(2 * kBuckets, 0);
  }
  const float* logits = c.logits;
  uint64_t* weights = c.weights.data();
  uint32_t* buckets = c.buckets.data();
  switch (histogram) {
    case Histogram::kNone:
      fill_weights<false, false, false>(logits, c.size, max_logit, inv_temperature, weights, buckets, count, mass,
                                        block_max, c.scratch);
      break;
    case Histogram::kMasses:
      fill_weights<false, true, false>(logits, c.size, max_logit, inv_temperature, weights, buckets, count, mass,
                                       block_max, c.scratch);
      break;
    case Histogram::kCountsAndMasses:
      fill_weights<true, true, false>(logits, c.size, max_logit, inv_temperature, weights, buckets, count, mass,
                                      block_max, c.scratch);
      break;
    case Histogram::kBlockMaxima:
      fill_weights<false, false, true>(logits, c.size, max_logit, inv_temperature, weights, buckets, count, mass,
                                       block_max, c.scratch);
      break;
  }
  // The adjusted candidates were weighed at their arriving logits; move
  // them, histogram entries included (exact integer arithmetic).
  bool stale_maxima = false;
  for (const auto& [i, logit] : c.adjusted) {
    const float w = weight_float(logit, max_logit, inv_temperature);
    const uint64_t before = c.weights[i];
    const uint64_t after = weight_bits(w);
    if (mass != nullptr) {
      mass[c.buckets[i]] -= before;
      mass[bucket_of(w)] += after;
    }
    if (count != nullptr) {
      --count[c.buckets[i]];
      ++count[bucket_of(w)];
    }
    if (block_max != nullptr) {
      uint64_t& largest = block_max[i / kBlock];
      stale_maxima |= after < before && before == largest;
      largest = std::max(largest, after);
    }
    c.weights[i] = after;
    c.buckets[i] = bucket_of(w);
  }
  // A block whose maximum was lowered needs it taken again: top_k_by_blocks
  // relies on every block maximum being a weight of its block.
  if (stale_maxima) {
    for (const auto& entry : c.adjusted) {
      const size_t from = entry.first / kBlock * kBlock;
      const size_t to = std::min(c.size, from + kBlock);
      block_max[from / kBlock] = *std::max_element(weights + from, weights + to);
    }
  }
  keep_all(c);
  c.histogram_masses = mass != nullptr;
  c.histogram_counts = count != nullptr;
  c.block_max_valid = block_max != nullptr;
}

void apply_temperature(const SamplingParams& params, Candidates& c) {
  if (params.temperature > 0.0) {
    // A small top-k needs only block maxima (and lists its kept set for a
    // top-p after it); a large one counts and masses; top-p alone masses.
    const size_t k = params.top_k > 0 ? static_cast<size_t>(params.top_k) : c.size;
    Histogram histogram = params.top_p < 1.0 ? Histogram::kMasses : Histogram::kNone;
    if (k < c.size) {
      histogram = k <= kBlockTopK && k * 4 <= c.size / kBlock ? Histogram::kBlockMaxima : Histogram::kCountsAndMasses;
    }
    compute_weights(inverse_temperature(params.temperature), histogram, c);
    return;
  }
  // The argmax, lowest index on ties: the first adjusted candidate with the
  // largest logit, or an earlier one that kept its logit.
  const int32_t key = current_max_key(c);
  size_t best = c.size;
  for (const auto& [i, logit] : c.adjusted) {
    if (logit_key(logit) == key) {
      best = i;
      break;
    }
  }
  size_t from = 0;
  auto search = [&](size_t end) {
    if (end <= from) return false;
    const size_t j = first_with_key(c.logits + from, end - from, key);
    if (j == end - from) return false;
    best = from + j;
    return true;
  };
  bool found = false;
  for (const auto& [i, logit] : c.adjusted) {
    if (i >= best || (found = search(i))) break;
    from = i + 1;
  }
  if (!found) search(best);
  const int32_t id = id_at(c, best);
  if (c.ids.empty()) c.ids.resize(1);
  reserve_weights(c, 1);
  c.dense = false;
  c.ids[0] = id;
  c.size = 1;
  c.adjusted.clear();
  c.weights[0] = kWeightOne;
  c.buckets[0] = bucket_of(static_cast<float>(kWeightOne));
  keep_all(c);
}

void apply_top_k(int32_t k, Candidates& c) {
  if (k <= 0 || static_cast<size_t>(k) >= c.size) return;
  const uint64_t want = static_cast<uint64_t>(k);
  auto reached = [want](Prefix prefix) { return prefix.count >= want; };
  const Cutoff cutoff = c.histogram_counts  ? find_cutoff<true, true>(c, reached)
                        : c.block_max_valid ? top_k_by_blocks(c, static_cast<size_t>(k))
                                            : find_cutoff_sorted(c, reached);
  if (cutoff.found) cut_at(c, cutoff);
}

void apply_top_p(double p, Candidates& c) {
  if (p >= 1.0 || c.size <= 1) return;
  // The kept set is a prefix of the rank order, so the shortest prefix that
  // reaches p of its mass lies inside it.
  Mass total = 0;
  if (c.cut_mass_known) {
    total = c.cut_mass;
  } else if (c.histogram_masses) {
    for (const Mass m : c.bucket_mass) total += m;
  } else {
    for (size_t i = 0; i < c.size; ++i) total += c.weights[i];
  }
  auto reached = [p, total](Prefix prefix) { return mass_reaches(prefix.mass, total, p); };
  const Cutoff cutoff = c.histogram_masses ? find_cutoff<false, true>(c, reached) : find_cutoff_sorted(c, reached);
  if (cutoff.found) cut_at(c, cutoff);
}

void apply_min_p(double min_p, Candidates& c) {
  if (min_p <= 0.0 || c.size <= 1) return;
  // The most likely token has weight exactly kWeightOne (exp(0) = 1) and no
  // earlier stage removes it, so p_max needs no search, and min-p keeps the
  // weights from an integer threshold up: a prefix of the rank order.
  if (passes_min_p(c.cut_weight, min_p)) return;
  c.cut_weight = static_cast<uint64_t>(std::ceil(min_p * static_cast<double>(kWeightOne)));
  c.cut_id = kAnyId;
  c.cut_mass_known = false;
}

namespace {

// Fills c.block_mass with the kept weight of each block of candidates in
// [from, to), `from` a multiple of kBlock; returns their sum.
Mass fill_block_masses(Candidates& c, size_t from, size_t to) {
  const size_t blocks = (c.size + kBlock - 1) / kBlock;
  if (c.block_mass.size() < blocks) c.block_mass.resize(blocks);
  uint64_t* out = c.block_mass.data() + from / kBlock;
  if (c.dense) {
    kept_block_masses<true>(c.weights.data(), nullptr, from, to, c.cut_weight, c.cut_id, out);
  } else {
    kept_block_masses<false>(c.weights.data(), c.ids.data(), from, to, c.cut_weight, c.cut_id, out);
  }
  Mass total = 0;
  for (size_t b = 0; b < (to - from + kBlock - 1) / kBlock; ++b) total += out[b];
  return total;
}

// The draw over a listed kept set: the kept entries of c.ranked, in id order.
int32_t draw_listed(Candidates& c, uint64_t seed, uint64_t step) {
  std::vector<Ranked>& kept = c.listed;
  kept.clear();
  Mass total = 0;
  for (const Ranked& r : c.ranked) {
    if (r.first > c.cut_weight || (r.first == c.cut_weight && r.second <= c.cut_id)) {
      kept.emplace_back(r);
      total += r.first;
    }
  }
  std::sort(kept.begin(), kept.end(), [](const Ranked& a, const Ranked& b) { return a.second < b.second; });
  const Mass target = draw_target(random53(seed, step), total);
  Mass cumulative = 0;
  for (const Ranked& r : kept) {
    cumulative += r.first;
    if (cumulative > target) return r.second;
  }
  // Unreachable: target < total because random53 < 2^53.
  return kept.back().second;
}

}  // namespace

Mass kept_weight(Candidates& c) { return c.cut_mass_known ? c.cut_mass : fill_block_masses(c, 0, c.size); }

int32_t draw(Candidates& c, uint64_t seed, uint64_t step) {
  if (c.ranked_prefix && c.ranked.size() <= kSortUpTo) return draw_listed(c, seed, step);
  // Block sums locate the block where the cumulative weight passes the
  // target; only that block is scanned token by token. When a truncation
  // stage left the total known, blocks are summed a chunk at a time and the
  // scan stops at the target.
  const bool lazy = c.cut_mass_known;
  const Mass target = draw_target(random53(seed, step), lazy ? c.cut_mass : fill_block_masses(c, 0, c.size));
  constexpr size_t kChunk = 16 * kBlock;
  Mass cumulative = 0;
  for (size_t chunk = 0; chunk < c.size; chunk += kChunk) {
    const size_t chunk_end = std::min(c.size, chunk + kChunk);
    if (lazy) fill_block_masses(c, chunk, chunk_end);
    for (size_t start = chunk; start < chunk_end; start += kBlock) {
      const uint64_t block = c.block_mass[start / kBlock];
      if (cumulative + block <= target) {
        cumulative += block;
        continue;
      }
      const size_t end = std::min(c.size, start + kBlock);
      for (size_t i = start; i < end; ++i) {
        if (!is_kept(c, i)) continue;
        cumulative += c.weights[i];
        if (cumulative > target) return id_at(c, i);
      }
    }
  }
  // Unreachable: target < total because random53 < 2^53.
  return id_at(c, c.size - 1);
}

}  // namespace sluice::sampler
