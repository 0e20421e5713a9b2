// bench_sampler: the sampler pipeline on a 128,256-token vocabulary (Llama-3),
// timed per call, with every answer checked against the full-sort reference
// (lib/sampler/reference.h). Targets from issue 5: the whole pipeline with a
// sparse mask in <= 50 us, a dense mask with top-p in <= 400 us.
//
// usage: bench_sampler [iterations [name-filter]]   (default 300, all)
// Prints one line per scenario: the median and p90 of wall time, and the
// median of this thread's CPU time (which a crowded machine inflates less,
// since time spent descheduled does not count), in microseconds. Exits 1 if
// any sampled token or final distribution differs from the reference.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "sampler/arith.h"
#include "sampler/philox.h"
#include "sampler/reference.h"
#include "sluice/sampler.h"

namespace {

using sluice::SamplingParams;
using sluice::sampler::random_bits;

constexpr uint32_t kVocab = 128256;

double thread_cpu_micros() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double uniform(uint64_t seed, uint64_t i) { return (static_cast<double>(random_bits(seed, i) >> 11) + 0.5) * 0x1p-53; }

// Logits shaped like a language model's: a Gaussian body (sigma `spread`)
// and a head of a dozen tokens 6-14 nats above it.
std::vector<float> make_logits(uint64_t seed, double spread) {
  std::vector<float> logits(kVocab);
  for (uint32_t i = 0; i < kVocab; ++i) {
    const double z = std::sqrt(-2.0 * std::log(uniform(seed, 2 * i))) * std::cos(6.283185307179586 * uniform(seed, 2 * i + 1));
    logits[i] = static_cast<float>(spread * z);
  }
  for (uint64_t j = 0; j < 12; ++j) {
    const uint32_t id = static_cast<uint32_t>(random_bits(seed ^ 0xabcdef, j) % kVocab);
    logits[id] += static_cast<float>(6.0 + 8.0 * uniform(seed ^ 0x1234, j));
  }
  return logits;
}

// `allowed` tokens spread at random, plus the head of the logits so that the
// constraint and the model roughly agree, as they do in practice.
std::vector<int32_t> make_mask(uint64_t seed, uint32_t allowed) {
  std::vector<int32_t> mask((kVocab + 31) / 32, 0);
  if (allowed >= kVocab) {
    std::fill(mask.begin(), mask.end(), -1);
    return mask;
  }
  for (uint32_t j = 0; j < allowed; ++j) {
    const uint32_t id = static_cast<uint32_t>(random_bits(seed ^ 0x55aa, j) % kVocab);
    mask[id / 32] = static_cast<int32_t>(static_cast<uint32_t>(mask[id / 32]) | (1u << (id % 32)));
  }
  return mask;
}

struct Scenario {
  std::string name;
  SamplingParams params;
  uint32_t allowed;  // kVocab: dense mask (every bit set)
  double spread;
};

bool run(const Scenario& s, int iterations) {
  std::vector<int32_t> history;
  for (uint64_t j = 0; j < 256; ++j) history.push_back(static_cast<int32_t>(random_bits(99, j) % kVocab));
  constexpr int kLogitSets = 8;
  std::vector<std::vector<float>> logits;
  std::vector<std::vector<int32_t>> masks;
  for (int k = 0; k < kLogitSets; ++k) {
    logits.push_back(make_logits(1000 + static_cast<uint64_t>(k), s.spread));
    masks.push_back(make_mask(2000 + static_cast<uint64_t>(k), s.allowed));
    if (s.allowed < kVocab) {
      // Let the constraint allow the model's favourite, as it usually does.
      const size_t best = static_cast<size_t>(std::max_element(logits[k].begin(), logits[k].end()) - logits[k].begin());
      masks[k][best / 32] = static_cast<int32_t>(static_cast<uint32_t>(masks[k][best / 32]) | (1u << (best % 32)));
    }
  }
  auto made = sluice::Sampler::create(s.params, kVocab);
  if (!made) {
    std::fprintf(stderr, "%s: %s\n", s.name.c_str(), made.error().to_string().c_str());
    return false;
  }
  sluice::Sampler& sampler = *made;
  for (int32_t t : history) {
    if (!sampler.record(t)) return false;
  }

  bool ok = true;
  // The final distribution of one step, against the reference's weights.
  {
    auto stages = sampler.trace(logits[0], masks[0]);
    auto ref = sluice::sampler::reference_sample(s.params, history, logits[0], masks[0], 0);
    if (!stages || !ref) {
      std::fprintf(stderr, "%s: trace or reference failed\n", s.name.c_str());
      return false;
    }
    sluice::sampler::Mass total = 0;
    for (uint64_t w : ref->weights) total += w;
    const std::vector<double>& final_p = stages->back().probabilities;
    for (uint32_t i = 0; i < kVocab; ++i) {
      if (final_p[i] != static_cast<double>(ref->weights[i]) / static_cast<double>(total)) {
        std::fprintf(stderr, "%s: final probability of token %u differs from the reference\n", s.name.c_str(), i);
        ok = false;
        break;
      }
    }
  }

  // Timed calls first, checked afterwards, so that the reference's memory
  // traffic does not evict the sampler's working set between calls.
  std::vector<double> micros;
  std::vector<double> cpu_micros;
  std::vector<int32_t> drawn;
  for (int it = -5; it < iterations; ++it) {
    const size_t k = static_cast<size_t>(it + 5) % kLogitSets;
    const uint64_t step = static_cast<uint64_t>(it + 5);
    const double cpu_start = thread_cpu_micros();
    const auto start = std::chrono::steady_clock::now();
    auto token = sampler.sample(logits[k], masks[k], step);
    const auto stop = std::chrono::steady_clock::now();
    const double cpu_stop = thread_cpu_micros();
    if (!token) {
      std::fprintf(stderr, "%s: %s\n", s.name.c_str(), token.error().to_string().c_str());
      return false;
    }
    if (it >= 0) {
      micros.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
      cpu_micros.push_back(cpu_stop - cpu_start);
    }
    drawn.push_back(*token);
  }
  for (size_t i = 0; i < drawn.size(); ++i) {
    const size_t k = i % kLogitSets;
    auto ref = sluice::sampler::reference_sample(s.params, history, logits[k], masks[k], i);
    if (!ref || ref->token != drawn[i]) {
      std::fprintf(stderr, "%s: step %zu drew %d, the reference %d\n", s.name.c_str(), i, drawn[i],
                   ref ? ref->token : -1);
      ok = false;
    }
  }
  std::sort(micros.begin(), micros.end());
  std::sort(cpu_micros.begin(), cpu_micros.end());
  std::printf("%-52s wall median %7.1f  p90 %7.1f   cpu median %7.1f us   %s\n", s.name.c_str(),
              micros[micros.size() / 2], micros[micros.size() * 9 / 10], cpu_micros[cpu_micros.size() / 2],
              ok ? "matches reference" : "MISMATCH");
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::max(1, std::atoi(argv[1])) : 300;
  SamplingParams full;  // every stage on
  full.temperature = 0.8;
  full.top_k = 40;
  full.top_p = 0.95;
  full.min_p = 0.02;
  full.presence_penalty = 0.3;
  full.frequency_penalty = 0.2;
  full.repetition_penalty = 1.1;
  full.logit_bias = {{17, 1.5}, {4242, -3.0}, {100000, 2.0}};
  SamplingParams top_p;  // the creative preset
  top_p.temperature = 1.0;
  top_p.top_p = 0.95;
  top_p.frequency_penalty = 0.2;
  SamplingParams top_k;
  top_k.temperature = 0.7;
  top_k.top_k = 40;
  SamplingParams greedy;  // the extraction preset

  const std::vector<Scenario> scenarios = {
      {"full pipeline, sparse mask (64 allowed)", full, 64, 2.0},
      {"full pipeline, sparse mask (1% = 1282 allowed)", full, 1282, 2.0},
      {"full pipeline, dense mask", full, kVocab, 2.0},
      {"dense mask, T 1, top-p 0.95, freq 0.2", top_p, kVocab, 2.0},
      {"dense mask, T 1, top-p 0.95, flat logits (sigma 0.5)", top_p, kVocab, 0.5},
      {"dense mask, T 0.7, top-k 40", top_k, kVocab, 2.0},
      {"dense mask, T 0 (greedy)", greedy, kVocab, 2.0},
  };
  std::printf("bench_sampler: vocabulary %u, %d timed calls per scenario (after 5 warm-up)\n", kVocab, iterations);
  bool ok = true;
  const std::string filter = argc > 2 ? argv[2] : "";
  for (const Scenario& s : scenarios) {
    if (s.name.find(filter) != std::string::npos) ok &= run(s, iterations);
  }
  return ok ? 0 : 1;
}
