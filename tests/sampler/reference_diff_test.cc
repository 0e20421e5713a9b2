// The fast pipeline against the full-sort reference (lib/sampler/
// reference.h) on random inputs with fixed seeds: the same final
// distribution, weight for weight, and the same token. Logits are drawn from
// a few values so that ties are common.
#include <catch2/catch.hpp>

#include <algorithm>

#include "sampler/arith.h"
#include "sampler/philox.h"
#include "sampler/reference.h"
#include "sluice/sampler.h"

using sluice::SamplingParams;
using sluice::sampler::random_bits;
using sluice::sampler::uniform01;

namespace {

struct Case {
  SamplingParams params;
  std::vector<float> logits;
  std::vector<int32_t> mask;
  std::vector<int32_t> history;
};

Case make_case(uint64_t seed) {
  uint64_t counter = 0;
  auto next = [&] { return random_bits(seed, counter++); };
  auto unit = [&] { return uniform01(seed, counter++); };
  static const uint32_t kSizes[] = {1, 2, 31, 32, 33, 100, 1000, 5000, 40000};
  const uint32_t vocab = kSizes[next() % std::size(kSizes)];
  Case c;
  // Logits: a coarse grid (many ties), a fine one, or a peaked one.
  const uint64_t shape = next() % 3;
  c.logits.resize(vocab);
  for (float& l : c.logits) {
    if (shape == 0) l = static_cast<float>(next() % 5);
    if (shape == 1) l = static_cast<float>(unit() * 20.0 - 10.0);
    if (shape == 2) l = static_cast<float>(next() % 100 == 0 ? 10.0 + unit() : unit() * 4.0);
  }
  if (next() % 10 == 0) c.logits[next() % vocab] = -std::numeric_limits<float>::infinity();
  // Masks: none, dense, or sparse.
  const uint64_t mask_kind = next() % 3;
  if (mask_kind > 0) {
    c.mask.assign((vocab + 31) / 32, 0);
    for (uint32_t id = 0; id < vocab; ++id) {
      const bool allowed = mask_kind == 1 ? next() % 8 != 0 : next() % 50 == 0;
      if (allowed) c.mask[id / 32] |= static_cast<int32_t>(1u << (id % 32));
    }
  }
  SamplingParams& p = c.params;
  static const double kTemperatures[] = {0.0, 0.2, 0.7, 1.0, 1.8};
  p.temperature = kTemperatures[next() % 5];
  if (next() % 2) p.top_k = static_cast<int32_t>(1 + next() % 60);
  if (next() % 2) p.top_p = 0.05 + 0.95 * unit();
  if (next() % 3 == 0) p.top_p = 0.5;  // exact ties with the coarse grid
  if (next() % 3 == 0) p.min_p = unit() * 0.3;
  if (next() % 3 == 0) p.presence_penalty = unit() * 4 - 2;
  if (next() % 3 == 0) p.frequency_penalty = unit() * 4 - 2;
  if (next() % 3 == 0) p.repetition_penalty = 0.5 + unit() * 2;
  if (next() % 3 == 0) p.penalty_window = static_cast<uint32_t>(next() % 20);
  if (next() % 3 == 0) {
    for (int k = 0; k < 5; ++k) {
      const int32_t token = static_cast<int32_t>(next() % vocab);
      bool taken = false;
      for (const auto& b : p.logit_bias) taken |= b.token == token;
      if (!taken) p.logit_bias.push_back({token, unit() * 20 - 10});
    }
  }
  p.seed = next();
  const size_t history = next() % 60;
  for (size_t k = 0; k < history; ++k) c.history.push_back(static_cast<int32_t>(next() % vocab));
  return c;
}

}  // namespace

TEST_CASE("the fast pipeline matches the full-sort reference on random inputs") {
  int dead_ends = 0;
  for (uint64_t seed = 0; seed < 400; ++seed) {
    const Case c = make_case(seed);
    INFO("case seed " << seed << ", vocabulary " << c.logits.size());
    REQUIRE(c.params.validate(static_cast<uint32_t>(c.logits.size())).ok());
    auto sampler = sluice::Sampler::create(c.params, static_cast<uint32_t>(c.logits.size()));
    REQUIRE(sampler.ok());
    for (int32_t t : c.history) REQUIRE(sampler->record(t).ok());
    for (uint64_t step = 0; step < 3; ++step) {
      auto fast = sampler->sample(c.logits, c.mask, step);
      auto slow = sluice::sampler::reference_sample(c.params, c.history, c.logits, c.mask, step);
      REQUIRE(fast.ok() == slow.ok());
      if (!fast.ok()) {
        CHECK(fast.error().code == slow.error().code);
        ++dead_ends;
        break;
      }
      CHECK(*fast == slow->token);
      if (step == 0) {
        auto stages = sampler->trace(c.logits, c.mask);
        REQUIRE(stages.ok());
        sluice::sampler::Mass total = 0;
        for (uint64_t w : slow->weights) total += w;
        const std::vector<double>& final_p = stages->back().probabilities;
        size_t differing = 0;
        for (size_t i = 0; i < final_p.size(); ++i) {
          differing += final_p[i] != static_cast<double>(slow->weights[i]) / static_cast<double>(total);
        }
        CHECK(differing == 0);
      }
    }
  }
  // Some cases must exercise the dead end (a sparse mask over a tiny
  // vocabulary), or the comparison above proves less than it seems.
  CHECK(dead_ends > 0);
}

namespace {

// One step of `params` on `logits` (full mask unless given) after `history`,
// against the reference: the same token and the same final distribution.
void check_step(const SamplingParams& params, const std::vector<float>& logits, const std::vector<int32_t>& history,
                const std::vector<int32_t>& mask = {}) {
  auto sampler = sluice::Sampler::create(params, static_cast<uint32_t>(logits.size()));
  REQUIRE(sampler.ok());
  for (int32_t t : history) REQUIRE(sampler->record(t).ok());
  for (uint64_t step = 0; step < 4; ++step) {
    auto fast = sampler->sample(logits, mask, step);
    auto slow = sluice::sampler::reference_sample(params, history, logits, mask, step);
    REQUIRE(fast.ok());
    REQUIRE(slow.ok());
    CHECK(*fast == slow->token);
  }
  auto stages = sampler->trace(logits, mask);
  REQUIRE(stages.ok());
  auto slow = sluice::sampler::reference_sample(params, history, logits, mask, 0);
  sluice::sampler::Mass total = 0;
  for (uint64_t w : slow->weights) total += w;
  size_t differing = 0;
  for (size_t i = 0; i < logits.size(); ++i) {
    differing += stages->back().probabilities[i] != static_cast<double>(slow->weights[i]) / static_cast<double>(total);
  }
  CHECK(differing == 0);
}

// A vocabulary the size of Llama-3's, shaped like a model's logits: a broad
// body and a few tokens well above it.
std::vector<float> model_logits(uint64_t seed, double spread) {
  std::vector<float> logits(128256);
  for (size_t i = 0; i < logits.size(); ++i) {
    logits[i] = static_cast<float>((uniform01(seed, 2 * i) + uniform01(seed, 2 * i + 1) - 1.0) * spread * 2.4);
  }
  for (uint64_t j = 0; j < 12; ++j) logits[random_bits(seed ^ 0xabc, j) % logits.size()] += static_cast<float>(6 + 8 * uniform01(seed ^ 0x123, j));
  return logits;
}

}  // namespace

TEST_CASE("a 128k vocabulary with a full mask: top-p, top-k and both, against the reference") {
  // Full masks take the in-place path (no copy, no id array), top-p the
  // weight histogram, a small top-k the block maxima.
  for (uint64_t seed = 0; seed < 3; ++seed) {
    INFO("seed " << seed);
    const std::vector<float> logits = model_logits(seed, seed == 2 ? 0.5 : 2.0);
    SamplingParams p;
    p.temperature = 1.0;
    p.top_p = 0.95;
    check_step(p, logits, {});
    p.top_p = 0.5;
    check_step(p, logits, {});
    p.top_p = 1.0;
    p.top_k = 40;
    check_step(p, logits, {});
    p.top_k = 1000;  // past the block-maxima limit: counted in the histogram
    p.top_p = 0.9;
    check_step(p, logits, {});
    p.top_k = 40;
    p.min_p = 0.02;
    check_step(p, logits, {});
  }
}

TEST_CASE("regression: a penalty that lowers the most likely token with a full mask") {
  // The maximum taken while checking the logits belongs to a token whose
  // logit the penalties then lower: it must be taken again without it, for
  // the weights, the argmax and the block maxima of top-k.
  std::vector<float> logits = model_logits(7, 2.0);
  const int32_t top = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  SamplingParams p;
  p.temperature = 0.8;
  p.frequency_penalty = 2.0;
  p.presence_penalty = 2.0;
  p.repetition_penalty = 3.0;
  const std::vector<int32_t> history = {top, top, top, 5, 6};
  check_step(p, logits, history);
  p.top_k = 5;
  check_step(p, logits, history);
  p.top_k = 0;
  p.top_p = 0.9;
  check_step(p, logits, history);
  p.top_p = 1.0;
  p.temperature = 0.0;
  check_step(p, logits, history);
  // And a logit bias that raises one token above everything.
  p.temperature = 1.0;
  p.top_k = 3;
  p.logit_bias = {{17, 100.0}, {top, -100.0}};
  check_step(p, logits, history);
}

TEST_CASE("regression: greedy ties between -0 and +0 go to the lower id") {
  SamplingParams p;  // T = 0
  check_step(p, {-1.0f, 0.0f, -0.0f, -3.0f}, {});
  check_step(p, {-1.0f, -0.0f, 0.0f, -3.0f}, {});
  auto sampler = sluice::Sampler::create(p, 3);
  CHECK(*sampler->sample(std::vector<float>{-0.0f, 0.0f, -2.0f}, {}, 0) == 0);
}

TEST_CASE("regression: top-k from block maxima with a tie across blocks") {
  // Every block holds the same top weight: the k-th largest block maximum
  // equals the top weight, and ties go to the lower ids.
  std::vector<float> logits(128 * 64, -5.0f);
  for (size_t b = 0; b < 128; ++b) logits[b * 64 + 7] = 3.0f;
  SamplingParams p;
  p.temperature = 1.0;
  p.top_k = 10;
  check_step(p, logits, {});
  p.top_p = 0.5;
  check_step(p, logits, {});
}
