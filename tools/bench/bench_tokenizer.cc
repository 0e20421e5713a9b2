// Tokenizer benchmark: load time of a tokenizer.json, the time to build the
// Vocabulary and its token trie from the loaded tokenizer, and encode
// throughput on JSON text, each the median of 5 runs, by the wall clock and
// by this process's CPU time (the two agree on an idle machine; on a shared
// one the CPU figure is the one that says what the code costs). It checks
// its answers: every encode must decode back to its input, all runs must
// agree, and the vocabulary must have the tokenizer's size.
//
// Usage: bench_tokenizer [--tokenizer NAME_OR_PATH] [--mb N]
//   defaults: llama3, 4 MB of generated JSON (compact and pretty, ASCII
//   and some non-ASCII strings), from a fixed seed.
#include <algorithm>
#include <optional>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "sluice/tokenizer.h"
#include "sluice/vocab.h"
#include "vocab/token_trie.h"

namespace {

double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// A deterministic JSON corpus: records of the kind structured-output
// benchmarks produce. std::mt19937_64's output is fixed by the standard.
std::string make_json(size_t target_bytes) {
  std::mt19937_64 rng(12345);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const char* words[] = {"alpha", "beta", "gamma", "delta", "user", "name", "email", "address", "city",
                         "Zürich", "東京", "price", "quantity", "description", "status", "active",
                         "created_at", "tags", "items", "id", "the", "quick", "brown", "fox"};
  std::string out;
  while (out.size() < target_bytes) {
    bool pretty = pick(3) == 0;
    const char* nl = pretty ? "\n  " : "";
    const char* sep = pretty ? ": " : ":";
    out += "{";
    out += nl;
    out += "\"id\"" + std::string(sep) + std::to_string(rng() % 1000000) + ",";
    out += nl;
    out += "\"name\"" + std::string(sep) + "\"" + words[pick(24)] + " " + words[pick(24)] + "\",";
    out += nl;
    out += "\"price\"" + std::string(sep) + std::to_string(pick(100000) / 100.0) + ",";
    out += nl;
    out += "\"tags\"" + std::string(sep) + "[\"" + words[pick(24)] + "\", \"" + words[pick(24)] + "\"],";
    out += nl;
    out += "\"active\"" + std::string(sep) + (pick(2) ? "true" : "false") + ",";
    out += nl;
    out += "\"description\"" + std::string(sep) + "\"";
    for (size_t i = 0, n = 3 + pick(12); i < n; ++i) out += std::string(i ? " " : "") + words[pick(24)];
    out += "\"";
    out += pretty ? "\n}\n" : "}\n";
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string name = "llama3";
  double mb = 4;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--tokenizer") == 0 && i + 1 < argc) {
      name = argv[++i];
    } else if (std::strcmp(argv[i], "--mb") == 0 && i + 1 < argc) {
      mb = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: bench_tokenizer [--tokenizer NAME_OR_PATH] [--mb N]\n");
      return 2;
    }
  }
  using clock = std::chrono::steady_clock;
  auto seconds = [](clock::time_point a, clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };

  std::vector<double> load_ms, load_cpu_ms;
  std::optional<sluice::Tokenizer> tok;
  for (int run = 0; run < 5; ++run) {
    double c0 = cpu_seconds();
    auto t0 = clock::now();
    auto loaded = sluice::Tokenizer::load(name);
    auto t1 = clock::now();
    load_cpu_ms.push_back((cpu_seconds() - c0) * 1e3);
    if (!loaded.ok()) {
      std::fprintf(stderr, "bench_tokenizer: %s\n", loaded.error().to_string().c_str());
      return 2;
    }
    load_ms.push_back(seconds(t0, t1) * 1e3);
    tok = std::move(loaded).value();
  }
  std::printf("tokenizer %s: %u tokens\n", name.c_str(), tok->vocab_size());
  std::printf("load: median %.1f ms wall, %.1f ms CPU, of 5 (wall min %.1f, max %.1f)\n", median(load_ms),
              median(load_cpu_ms), *std::min_element(load_ms.begin(), load_ms.end()),
              *std::max_element(load_ms.begin(), load_ms.end()));

  std::vector<double> vocab_ms, vocab_cpu_ms;
  size_t trie_nodes = 0, vocab_bytes = 0;
  for (int run = 0; run < 5; ++run) {
    double c0 = cpu_seconds();
    auto t0 = clock::now();
    sluice::Vocabulary vocab = sluice::Vocabulary::from_tokenizer(*tok);
    auto t1 = clock::now();
    vocab_cpu_ms.push_back((cpu_seconds() - c0) * 1e3);
    vocab_ms.push_back(seconds(t0, t1) * 1e3);
    if (vocab.size() != tok->vocab_size()) {
      std::fprintf(stderr, "bench_tokenizer: the vocabulary has %u tokens, the tokenizer %u\n", vocab.size(),
                   tok->vocab_size());
      return 1;
    }
    trie_nodes = vocab.trie().nodes().size();
    vocab_bytes = vocab.memory_bytes();
  }
  std::printf("vocabulary + trie: median %.1f ms wall, %.1f ms CPU, of 5 (wall min %.1f, max %.1f); "
              "%zu trie nodes, %.1f bytes per token\n",
              median(vocab_ms), median(vocab_cpu_ms), *std::min_element(vocab_ms.begin(), vocab_ms.end()),
              *std::max_element(vocab_ms.begin(), vocab_ms.end()), trie_nodes,
              static_cast<double>(vocab_bytes) / tok->vocab_size());

  std::string text = make_json(static_cast<size_t>(mb * 1024 * 1024));
  std::vector<double> mbps, cpu_mbps;
  std::vector<sluice::TokenId> first;
  for (int run = 0; run < 5; ++run) {
    double c0 = cpu_seconds();
    auto t0 = clock::now();
    std::vector<sluice::TokenId> ids = tok->encode(text);
    auto t1 = clock::now();
    cpu_mbps.push_back(text.size() / 1e6 / (cpu_seconds() - c0));
    mbps.push_back(text.size() / 1e6 / seconds(t0, t1));
    if (run == 0) {
      first = ids;
      if (tok->decode(ids) != text) {
        std::fprintf(stderr, "bench_tokenizer: decode(encode(text)) != text\n");
        return 1;
      }
    } else if (ids != first) {
      std::fprintf(stderr, "bench_tokenizer: run %d encoded differently\n", run);
      return 1;
    }
  }
  std::printf("encode: %.2f MB of JSON, %zu tokens (%.2f bytes/token)\n", text.size() / 1e6, first.size(),
              static_cast<double>(text.size()) / first.size());
  std::printf("encode: median %.1f MB/s wall, %.1f MB/s CPU, of 5 (wall min %.1f, max %.1f); "
              "decode(encode(x)) == x checked\n",
              median(mbps), median(cpu_mbps), *std::min_element(mbps.begin(), mbps.end()),
              *std::max_element(mbps.begin(), mbps.end()));
  return 0;
}
