// bench_mask: token-mask speed of the matcher on json.gbnf, stepping through
// real JSON documents token by token (single thread).
//
// For each tokenizer: compile time of the grammar (median of 50), then three
// passes over the documents: a cold pass on a fresh CompiledGrammar (masks
// computed lazily as parser states are first met), a warm pass (the steady
// state of a server that has seen the grammar before) and a check pass. Per step it
// times fill_next_token_bitmask and accept_token, and checks that the
// document's next token is allowed. In the check pass, at sampled steps, it
// computes the naive
// mask (fill_next_token_bitmask_naive: every token's bytes stepped through
// the parser from the current state, no cache, no memo), times it, and compares it with the fast mask
// bit for bit: a mismatch fails the run (exit 1).
//
// Scaling with output length: per-step mask time by position in the output,
// and over one long generated document.
//
// Usage: bench_mask [--docs DIR] [--max-docs N] [--grammar FILE]
//                   [--tokenizers a,b,c] [--sample-every N]
// Defaults: ../shared/data/maskbench, 300 documents, grammars/json.gbnf,
// llama3,llama2,qwen3, 25. Run from the repository root.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sluice/compiler.h"
#include "sluice/frontend.h"
#include "sluice/matcher.h"
#include "sluice/tokenizer.h"
#include "sluice/vocab.h"

namespace {

using Clock = std::chrono::steady_clock;
using sluice::TokenId;

double us_since(Clock::time_point t0) { return std::chrono::duration<double, std::micro>(Clock::now() - t0).count(); }

struct Summary {
  double mean = 0, p50 = 0, p99 = 0, max = 0;
  size_t n = 0;
};

Summary summarize(std::vector<double> v) {
  Summary s;
  s.n = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  s.p50 = v[v.size() / 2];
  s.p99 = v[std::min(v.size() - 1, static_cast<size_t>(0.99 * static_cast<double>(v.size())))];
  s.max = v.back();
  return s;
}

void print_summary(const char* label, const Summary& s) {
  std::printf("  %-28s mean %9.2f us  p50 %9.2f  p99 %9.2f  max %10.2f  (n=%zu)\n", label, s.mean, s.p50, s.p99,
              s.max, s.n);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> load_documents(const std::string& dir, size_t max_docs) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> docs;
  for (const std::string& f : files) {
    if (docs.size() >= max_docs) break;
    auto j = nlohmann::json::parse(read_file(f), nullptr, false);
    if (j.is_discarded() || !j.contains("tests")) continue;
    for (const auto& t : j["tests"]) {
      if (docs.size() >= max_docs || !t.contains("data")) break;
      // Most compact, every third one pretty-printed (whitespace matters too).
      docs.push_back(docs.size() % 3 == 2 ? t["data"].dump(2) : t["data"].dump());
    }
  }
  return docs;
}

bool bit(const std::vector<int32_t>& mask, TokenId id) { return (static_cast<uint32_t>(mask[id >> 5]) >> (id & 31)) & 1; }

struct PassResult {
  std::vector<double> fill, accept, naive, fast_at_naive;
  std::vector<std::pair<size_t, double>> by_position;
  size_t mismatches = 0, rejected = 0, not_accepting = 0, steps = 0;
};

void run_pass(const std::shared_ptr<const sluice::CompiledGrammar>& compiled,
              const std::vector<std::vector<TokenId>>& docs, size_t sample_every, bool naive, PassResult& r) {
  const sluice::Vocabulary& v = compiled->vocabulary();
  std::vector<int32_t> mask((v.size() + 31) / 32), slow(mask.size());
  for (const auto& ids : docs) {
    sluice::Matcher m(compiled);
    for (size_t i = 0; i < ids.size(); ++i) {
      auto t0 = Clock::now();
      sluice::Status s = m.fill_next_token_bitmask(mask.data());
      double t = us_since(t0);
      if (!s.ok()) {
        std::fprintf(stderr, "mask error: %s\n", s.error().to_string().c_str());
        ++r.rejected;
        break;
      }
      r.fill.push_back(t);
      r.by_position.push_back({i, t});
      ++r.steps;
      if (naive && i % sample_every == 0) {
        // On a copy: the naive mask steps every token through the parser
        // and would leave the timed matcher's memo and arena full of them.
        sluice::Matcher probe = m.clone();
        auto t1 = Clock::now();
        if (!probe.fill_next_token_bitmask_naive(slow.data()).ok()) ++r.mismatches;
        r.naive.push_back(us_since(t1));
        r.fast_at_naive.push_back(t);
        if (slow != mask) ++r.mismatches;
      }
      if (!bit(mask, ids[i])) {
        std::fprintf(stderr, "document token %d ('%s') not allowed at step %zu\n", ids[i],
                     std::string(v.token_bytes(ids[i])).c_str(), i);
        ++r.rejected;
        break;
      }
      auto t2 = Clock::now();
      bool ok = m.accept_token(ids[i]);
      r.accept.push_back(us_since(t2));
      if (!ok) {
        ++r.rejected;
        break;
      }
    }
    if (!m.is_accepting()) ++r.not_accepting;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string docs_dir = "../shared/data/maskbench", grammar_path = "grammars/json.gbnf";
  std::string tokenizers = "llama3,llama2,qwen3";
  size_t max_docs = 300, sample_every = 25;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--docs") docs_dir = argv[i + 1];
    else if (flag == "--max-docs") max_docs = std::stoul(argv[i + 1]);
    else if (flag == "--grammar") grammar_path = argv[i + 1];
    else if (flag == "--tokenizers") tokenizers = argv[i + 1];
    else if (flag == "--sample-every") sample_every = std::max<size_t>(1, std::stoul(argv[i + 1]));
    else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  auto grammar = sluice::parse_gbnf(read_file(grammar_path));
  if (!grammar.ok()) {
    std::fprintf(stderr, "%s: %s\n", grammar_path.c_str(), grammar.error().to_string().c_str());
    return 2;
  }
  std::vector<std::string> texts = load_documents(docs_dir, max_docs);
  if (texts.empty()) {
    std::fprintf(stderr, "no documents under %s\n", docs_dir.c_str());
    return 2;
  }
  size_t total_bytes = 0;
  for (const auto& t : texts) total_bytes += t.size();
  // One long document for the output-length check: an array of objects.
  std::string long_doc = "[";
  for (int i = 0; i < 1500; ++i) {
    if (i) long_doc += ",";
    long_doc += "{\"id\":" + std::to_string(i * 7919 % 100003) + ",\"name\":\"item " + std::to_string(i) +
                "\",\"tags\":[\"a\",\"b\"],\"score\":" + std::to_string(i % 97) + ".5}";
  }
  long_doc += "]";
  std::printf("grammar %s, %zu documents (%zu bytes) from %s, single thread\n", grammar_path.c_str(), texts.size(),
              total_bytes, docs_dir.c_str());
  int failures = 0;
  std::stringstream names(tokenizers);
  std::string name;
  bool first = true;
  while (std::getline(names, name, ',')) {
    auto tokenizer = sluice::Tokenizer::load(name);
    if (!tokenizer.ok()) {
      std::printf("\n[%s] skipped: %s\n", name.c_str(), tokenizer.error().to_string().c_str());
      continue;
    }
    sluice::Vocabulary vocab = sluice::Vocabulary::from_tokenizer(tokenizer.value());
    std::vector<std::vector<TokenId>> docs;
    size_t tokens = 0;
    for (const auto& t : texts) {
      docs.push_back(tokenizer.value().encode(t));
      tokens += docs.back().size();
    }
    std::vector<double> compile_ms;
    std::shared_ptr<const sluice::CompiledGrammar> compiled;
    for (int i = 0; i < 50; ++i) {
      auto t0 = Clock::now();
      auto c = sluice::CompiledGrammar::compile(grammar.value(), vocab);
      compile_ms.push_back(us_since(t0) / 1000.0);
      if (!c.ok()) {
        std::fprintf(stderr, "compile: %s\n", c.error().to_string().c_str());
        return 2;
      }
      compiled = c.value();
    }
    std::sort(compile_ms.begin(), compile_ms.end());
    std::printf("\n[%s] vocabulary %u tokens; %zu document tokens\n", name.c_str(), vocab.size(), tokens);
    std::printf("  compile json.gbnf            median %.3f ms\n", compile_ms[compile_ms.size() / 2]);

    PassResult cold, warm, check;
    auto t0 = Clock::now();
    run_pass(compiled, docs, sample_every, false, cold);
    double cold_s = us_since(t0) / 1e6;
    run_pass(compiled, docs, sample_every, false, warm);
    // The naive masks run in a pass of their own: each one takes tens of
    // milliseconds and evicts everything from the CPU caches, which would
    // make the steps timed right after it look slower than they are.
    run_pass(compiled, docs, first ? sample_every : sample_every * 4, true, check);
    std::printf("  cold pass (%.2f s; cache %zu entries, %.1f MB)\n", cold_s, compiled->mask_cache_entries(),
                static_cast<double>(compiled->mask_cache_bytes()) / 1e6);
    print_summary("fill mask, cold", summarize(cold.fill));
    std::printf("  warm pass\n");
    Summary fill = summarize(warm.fill);
    print_summary("fill mask, warm", fill);
    print_summary("accept_token", summarize(warm.accept));
    std::printf("  naive check pass\n");
    Summary naive = summarize(check.naive), fast = summarize(check.fast_at_naive);
    print_summary("naive mask (no cache)", naive);
    print_summary("fast mask at the same steps", fast);
    std::printf("  speed-up (naive mean / fast mean at the same steps): %.0fx\n",
                fast.mean > 0 ? naive.mean / fast.mean : 0.0);
    std::printf("  checked %zu masks against the naive mask: %zu mismatches\n", check.naive.size(), check.mismatches);
    std::printf("  document tokens rejected: %zu, documents not complete at the end: %zu\n",
                cold.rejected + warm.rejected + check.rejected,
                cold.not_accepting + warm.not_accepting + check.not_accepting);
    failures += static_cast<int>(check.mismatches + cold.rejected + warm.rejected + check.rejected +
                                 cold.not_accepting + warm.not_accepting + check.not_accepting);
    // Output length: warm per-step time by position.
    const size_t edges[] = {0, 64, 256, 1024, SIZE_MAX};
    for (int b = 0; b + 1 < 5; ++b) {
      std::vector<double> in;
      for (auto [pos, t] : warm.by_position) {
        if (pos >= edges[b] && pos < edges[b + 1]) in.push_back(t);
      }
      if (in.empty()) continue;
      char label[64];
      std::snprintf(label, sizeof label, "steps %zu..%s", edges[b],
                    edges[b + 1] == SIZE_MAX ? "" : std::to_string(edges[b + 1] - 1).c_str());
      print_summary(label, summarize(in));
    }
    // One long document: mean per 2,000-step window, first vs last.
    std::vector<TokenId> long_ids = tokenizer.value().encode(long_doc);
    PassResult lg;
    run_pass(compiled, {long_ids}, SIZE_MAX, false, lg);
    failures += static_cast<int>(lg.rejected + lg.not_accepting);
    if (lg.fill.size() >= 4000) {
      std::vector<double> head(lg.fill.begin(), lg.fill.begin() + 2000), tail(lg.fill.end() - 2000, lg.fill.end());
      std::printf("  long document (%zu tokens):\n", long_ids.size());
      print_summary("first 2000 steps", summarize(head));
      print_summary("last 2000 steps", summarize(tail));
    }
    first = false;
  }
  std::printf("\n%s\n", failures == 0 ? "all answers checked: OK" : "FAILED: see above");
  return failures == 0 ? 0 : 1;
}
