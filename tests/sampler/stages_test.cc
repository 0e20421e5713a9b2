// Each stage's formula against values worked out by hand, read through
// Sampler::trace (the per-stage distributions).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "sluice/sampler.h"

using sluice::ErrorCode;
using sluice::SamplingParams;
using sluice::SamplingStage;

namespace {

// Probabilities after `stage`, sampling with `params` after `history`.
std::vector<double> after(SamplingStage stage, const SamplingParams& params, const std::vector<float>& logits,
                          const std::vector<int32_t>& history = {}, const std::vector<int32_t>& mask = {}) {
  auto sampler = sluice::Sampler::create(params, static_cast<uint32_t>(logits.size()));
  REQUIRE(sampler.ok());
  for (int32_t t : history) REQUIRE(sampler->record(t).ok());
  auto stages = sampler->trace(logits, mask);
  REQUIRE(stages.ok());
  for (const auto& s : *stages) {
    if (s.stage == stage) return s.probabilities;
  }
  FAIL("no such stage");
  return {};
}

// Softmax of hand-computed logits, at T = 1.
std::vector<double> softmax(const std::vector<double>& logits) {
  double max = logits[0];
  for (double l : logits) max = std::max(max, l);
  std::vector<double> p;
  double sum = 0;
  for (double l : logits) {
    p.push_back(std::exp(l - max));
    sum += p.back();
  }
  for (double& x : p) x /= sum;
  return p;
}

// Logits arrive as float, so ln-based hand values are off by float rounding
// (about 1e-7 relative); that is far below any formula mistake.
void check_close(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("token " << i);
    CHECK(got[i] == Approx(want[i]).margin(1e-6));
  }
}

SamplingParams at_temperature(double t) {
  SamplingParams p;
  p.temperature = t;
  return p;
}

// Weights 4 : 3 : 2 : 1, so probabilities 0.4, 0.3, 0.2, 0.1 at T = 1.
const std::vector<float> kFourThreeTwoOne = {std::log(4.0f), std::log(3.0f), std::log(2.0f), 0.0f};

}  // namespace

TEST_CASE("the model stage is the softmax of the logits") {
  check_close(after(SamplingStage::kModel, at_temperature(1), kFourThreeTwoOne), {0.4, 0.3, 0.2, 0.1});
}

TEST_CASE("mask: bit i%32 of word i/32 allows token i") {
  std::vector<float> logits(70, 0.0f);
  // Tokens 1, 33 and 69: bit 1 of word 0, bit 1 of word 1, bit 5 of word 2.
  std::vector<int32_t> mask = {1 << 1, 1 << 1, 1 << 5};
  std::vector<double> want(70, 0.0);
  want[1] = want[33] = want[69] = 1.0 / 3;
  check_close(after(SamplingStage::kMask, at_temperature(1), logits, {}, mask), want);
  // Bit 31 is the sign bit of an int32 word.
  std::vector<int32_t> top_bit = {std::numeric_limits<int32_t>::min(), 0, 0};
  std::vector<double> only_31(70, 0.0);
  only_31[31] = 1.0;
  check_close(after(SamplingStage::kMask, at_temperature(1), logits, {}, top_bit), only_31);
}

TEST_CASE("mask: bits past the vocabulary are ignored") {
  std::vector<float> logits(33, 0.0f);
  std::vector<int32_t> mask = {0, -1};  // allows 32..63, but only 32 exists
  std::vector<double> want(33, 0.0);
  want[32] = 1.0;
  check_close(after(SamplingStage::kMinP, at_temperature(1), logits, {}, mask), want);
}

TEST_CASE("mask: allowing nothing is a dead end, never an unconstrained sample") {
  std::vector<float> logits(40, 1.0f);
  auto sampler = sluice::Sampler::create(at_temperature(1), 40);
  REQUIRE(sampler.ok());
  std::vector<int32_t> none = {0, 0};
  auto token = sampler->sample(logits, none, 0);
  REQUIRE_FALSE(token.ok());
  CHECK(token.error().code == ErrorCode::kDeadEnd);
  // Bits only past the vocabulary allow nothing either.
  std::vector<int32_t> past_end = {0, static_cast<int32_t>(0xffffff00u)};
  CHECK(sampler->sample(logits, past_end, 0).error().code == ErrorCode::kDeadEnd);
  // Nor does a mask whose allowed tokens all have logit -inf.
  logits[3] = -std::numeric_limits<float>::infinity();
  std::vector<int32_t> only_3 = {1 << 3, 0};
  CHECK(sampler->sample(logits, only_3, 0).error().code == ErrorCode::kDeadEnd);
  auto greedy = sluice::Sampler::create(SamplingParams{}, 40);
  CHECK(greedy->sample(logits, only_3, 0).error().code == ErrorCode::kDeadEnd);
}

TEST_CASE("mask: a wrong word count is an error") {
  std::vector<float> logits(64, 0.0f);
  auto sampler = sluice::Sampler::create(at_temperature(1), 64);
  std::vector<int32_t> three = {-1, -1, -1};
  CHECK(sampler->sample(logits, three, 0).error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("logits: NaN or +inf on an allowed token is an error, -inf removes the token") {
  std::vector<float> logits = {0.0f, std::numeric_limits<float>::quiet_NaN(), 0.0f,
                               -std::numeric_limits<float>::infinity()};
  auto sampler = sluice::Sampler::create(at_temperature(1), 4);
  CHECK(sampler->sample(logits, {}, 0).error().code == ErrorCode::kInvalidArgument);
  // A NaN on a masked-out token does not matter.
  std::vector<int32_t> without_1 = {0b1101};
  for (uint64_t step = 0; step < 20; ++step) {
    auto token = sampler->sample(logits, without_1, step);
    REQUIRE(token.ok());
    CHECK((*token == 0 || *token == 2));
  }
  logits[1] = std::numeric_limits<float>::infinity();
  CHECK(sampler->sample(logits, {}, 0).error().code == ErrorCode::kInvalidArgument);
  // trace shows every logit in its first stage, so it checks them all.
  CHECK(sampler->trace(logits, without_1).error().code == ErrorCode::kInvalidArgument);
  logits[1] = 0.0f;
  check_close(after(SamplingStage::kMinP, at_temperature(1), logits), {1.0 / 3, 1.0 / 3, 1.0 / 3, 0.0});
}

TEST_CASE("logit bias adds to the logit, and cannot revive a masked token") {
  SamplingParams p = at_temperature(1);
  p.logit_bias = {{1, std::log(2.0)}, {2, 50.0}};
  std::vector<int32_t> mask = {0b011};  // token 2 is masked
  check_close(after(SamplingStage::kLogitBias, p, {0.0f, 0.0f, 0.0f}, {}, mask), {1.0 / 3, 2.0 / 3, 0.0});
}

TEST_CASE("presence and frequency penalties follow OpenAI's formula") {
  SamplingParams p = at_temperature(1);
  p.frequency_penalty = 0.5;
  p.presence_penalty = 0.25;
  // Token 0 seen twice: 1 - (2*0.5 + 0.25); token 1 once: 1 - (0.5 + 0.25).
  check_close(after(SamplingStage::kPenalties, p, {1, 1, 1, 1}, {0, 0, 1}), softmax({-0.25, 0.25, 1, 1}));
  // The window keeps only the last token, so token 0 goes unpunished.
  p.penalty_window = 1;
  check_close(after(SamplingStage::kPenalties, p, {1, 1, 1, 1}, {0, 0, 1}), softmax({1, 0.25, 1, 1}));
}

TEST_CASE("repetition penalty divides positive logits and multiplies negative ones") {
  SamplingParams p = at_temperature(1);
  p.repetition_penalty = 2.0;
  check_close(after(SamplingStage::kPenalties, p, {2, -2, 2, 0}, {0, 1, 3, 3}), softmax({1, -4, 2, 0}));
  // Then presence and frequency, once per token.
  p.presence_penalty = 1.0;
  check_close(after(SamplingStage::kPenalties, p, {2, -2, 2, 0}, {0, 1}), softmax({0, -5, 2, 0}));
}

TEST_CASE("temperature divides the logits") {
  const double l2 = std::log(2.0);
  // Logits 0, ln 2, ln 4 at T = 2 become 0, ln 2 / 2, ln 2: weights 1, sqrt 2, 2.
  const double sum = 1 + std::sqrt(2.0) + 2;
  check_close(after(SamplingStage::kTemperature, at_temperature(2), {0.0f, static_cast<float>(l2), static_cast<float>(2 * l2)}),
              {1 / sum, std::sqrt(2.0) / sum, 2 / sum});
  // At T = 0.5 they become 0, 2 ln 2, 4 ln 2: weights 1, 4, 16.
  check_close(after(SamplingStage::kTemperature, at_temperature(0.5), {0.0f, static_cast<float>(l2), static_cast<float>(2 * l2)}),
              {1.0 / 21, 4.0 / 21, 16.0 / 21});
}

TEST_CASE("temperature 0 is the argmax, ties to the lowest id, and ignores top-k/top-p/min-p") {
  SamplingParams p;  // extraction: T = 0
  p.top_k = 3;
  p.top_p = 0.1;
  p.min_p = 0.9;
  const std::vector<float> logits = {1.0f, 3.0f, -2.0f, 3.0f, 3.0f};
  check_close(after(SamplingStage::kMinP, p, logits), {0, 1, 0, 0, 0});
  auto sampler = sluice::Sampler::create(p, 5);
  for (uint64_t step = 0; step < 50; ++step) CHECK(*sampler->sample(logits, {}, step) == 1);
  // Masking token 1 moves the tie to token 3.
  std::vector<int32_t> mask = {0b11101};
  CHECK(*sampler->sample(logits, mask, 0) == 3);
}

TEST_CASE("top-k keeps the k most probable, ties to the lower id") {
  SamplingParams p = at_temperature(1);
  p.top_k = 2;
  check_close(after(SamplingStage::kTopK, p, kFourThreeTwoOne), {4.0 / 7, 3.0 / 7, 0, 0});
  check_close(after(SamplingStage::kTopK, p, {0, 0, 0, 0}), {0.5, 0.5, 0, 0});
  check_close(after(SamplingStage::kTopK, p, {0, 1, 0, 1}), {0, 0.5, 0, 0.5});
  check_close(after(SamplingStage::kTopK, p, {1, 0, 0, 0}), {1 / (1 + std::exp(-1.0)), std::exp(-1.0) / (1 + std::exp(-1.0)), 0, 0});
  p.top_k = 10;  // more than the vocabulary: no effect
  check_close(after(SamplingStage::kTopK, p, kFourThreeTwoOne), {0.4, 0.3, 0.2, 0.1});
}

TEST_CASE("top-p keeps the shortest prefix whose probability reaches p") {
  SamplingParams p = at_temperature(1);
  p.top_p = 0.65;  // 0.4 + 0.3 reaches it
  check_close(after(SamplingStage::kTopP, p, kFourThreeTwoOne), {4.0 / 7, 3.0 / 7, 0, 0});
  p.top_p = 0.75;  // needs the third
  check_close(after(SamplingStage::kTopP, p, kFourThreeTwoOne), {4.0 / 9, 3.0 / 9, 2.0 / 9, 0});
  p.top_p = 0.3;  // the first alone
  check_close(after(SamplingStage::kTopP, p, kFourThreeTwoOne), {1, 0, 0, 0});
}

TEST_CASE("top-p breaks ties by id, and 'reaches' includes equality") {
  SamplingParams p = at_temperature(1);
  p.top_p = 0.5;  // four equal tokens: two of them reach exactly 0.5
  check_close(after(SamplingStage::kTopP, p, {0, 0, 0, 0}), {0.5, 0.5, 0, 0});
  p.top_p = 0.5000001;
  check_close(after(SamplingStage::kTopP, p, {0, 0, 0, 0}), {1.0 / 3, 1.0 / 3, 1.0 / 3, 0});
  p.top_p = 0.25;
  check_close(after(SamplingStage::kTopP, p, {2, 5, 5, 5}), {0, 1, 0, 0});
}

TEST_CASE("top-p works on the distribution top-k left") {
  SamplingParams p = at_temperature(1);
  p.top_k = 3;
  p.top_p = 0.75;  // after top-k: 4/9, 3/9, 2/9; 4/9 + 3/9 = 0.78 reaches 0.75
  check_close(after(SamplingStage::kTopP, p, kFourThreeTwoOne), {4.0 / 7, 3.0 / 7, 0, 0});
}

TEST_CASE("min-p keeps tokens with p >= min_p * p_max") {
  SamplingParams p = at_temperature(1);
  p.min_p = 0.45;  // threshold 0.18: keeps 0.4, 0.3, 0.2
  check_close(after(SamplingStage::kMinP, p, kFourThreeTwoOne), {4.0 / 9, 3.0 / 9, 2.0 / 9, 0});
  p.min_p = 0.55;  // threshold 0.22
  check_close(after(SamplingStage::kMinP, p, kFourThreeTwoOne), {4.0 / 7, 3.0 / 7, 0, 0});
  p.min_p = 1.0;
  check_close(after(SamplingStage::kMinP, p, kFourThreeTwoOne), {1, 0, 0, 0});
}

TEST_CASE("trace lists every stage in pipeline order, flags the active ones, and ends normalised") {
  SamplingParams p = at_temperature(0.7);
  p.top_p = 0.9;
  auto sampler = sluice::Sampler::create(p, 4);
  auto stages = sampler->trace(kFourThreeTwoOne, {});
  REQUIRE(stages.ok());
  const std::vector<std::string> names = {"model", "mask", "logit_bias", "penalties",
                                          "temperature", "top_k", "top_p", "min_p"};
  REQUIRE(stages->size() == names.size());
  std::vector<bool> active;
  for (size_t i = 0; i < names.size(); ++i) {
    CHECK(sluice::sampling_stage_name((*stages)[i].stage) == names[i]);
    active.push_back((*stages)[i].active);
    double sum = 0;
    for (double x : (*stages)[i].probabilities) sum += x;
    CHECK(sum == Approx(1.0).margin(1e-12));
  }
  CHECK(active == std::vector<bool>{true, false, false, false, true, false, true, false});
}
