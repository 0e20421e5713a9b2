// Many matchers on one CompiledGrammar in parallel, all starting on a cold
// cache, must produce exactly the masks a single thread produces. The CTest
// test matcher_tsan runs these under ThreadSanitizer
// (tools/tsan/run_thread_test.sh).
#include <catch2/catch.hpp>

#include <thread>

#include "matcher/harness.h"

namespace sluice::testing {

namespace {

uint64_t fnv(const std::vector<int32_t>& mask) {
  uint64_t h = 1469598103934665603ULL;
  for (int32_t w : mask) {
    h ^= static_cast<uint32_t>(w);
    h *= 1099511628211ULL;
  }
  return h;
}

// A seeded walk: the token sequence and the hash of every mask on the way.
void walk(const std::shared_ptr<const CompiledGrammar>& g, uint32_t seed, size_t steps, std::vector<TokenId>* tokens,
          std::vector<uint64_t>* hashes) {
  std::mt19937 rng(seed);
  Matcher m(g);
  std::vector<int32_t> mask(m.mask_words());
  const uint32_t V = g->vocabulary().size();
  for (size_t s = 0; s < steps; ++s) {
    if (!m.fill_next_token_bitmask(mask.data()).ok()) return;
    hashes->push_back(fnv(mask));
    std::vector<TokenId> allowed;
    for (uint32_t i = 0; i < V; ++i) {
      if (bit(mask, static_cast<TokenId>(i)) && !g->vocabulary().is_eos(static_cast<TokenId>(i))) {
        allowed.push_back(static_cast<TokenId>(i));
      }
    }
    if (allowed.empty()) return;
    TokenId next = allowed[rng() % allowed.size()];
    tokens->push_back(next);
    if (!m.accept_token(next)) return;
  }
}

}  // namespace

TEST_CASE("matchers on one compiled grammar run in parallel", "[matcher][threads]") {
  Vocabulary v = small_vocabulary(12, 2000);
  constexpr int kThreads = 8;
  constexpr size_t kSteps = 60;
  std::vector<std::vector<TokenId>> want_tokens(kThreads);
  std::vector<std::vector<uint64_t>> want_hashes(kThreads);
  {
    auto single = CompiledGrammar::compile(json_grammar(), v);
    REQUIRE(single.ok());
    for (int t = 0; t < kThreads; ++t) walk(single.value(), 40 + t, kSteps, &want_tokens[t], &want_hashes[t]);
  }
  CompileOptions options;
  // A small cache so that flushes happen while other threads read.
  options.max_mask_cache_bytes = 64 << 10;
  auto shared = CompiledGrammar::compile(json_grammar(), v, options);
  REQUIRE(shared.ok());
  std::vector<std::vector<TokenId>> got_tokens(kThreads);
  std::vector<std::vector<uint64_t>> got_hashes(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] { walk(shared.value(), 40 + t, kSteps, &got_tokens[t], &got_hashes[t]); });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    INFO("thread " << t);
    REQUIRE(got_tokens[t] == want_tokens[t]);
    REQUIRE(got_hashes[t] == want_hashes[t]);
    REQUIRE(got_hashes[t].size() > 10);
  }
}

}  // namespace sluice::testing
