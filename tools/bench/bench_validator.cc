// Benchmark of sluice's JSON Schema validator (sluice/validator.h).
//   (a) MaskBench: every instance in ../shared/data/maskbench/*.json against
//       its schema, compiled once; documents/s and MB/s of validation, and
//       every disagreement with the data set's `valid` labels written to a
//       file and summarised by reason.
//   (b) Large JSONL: >= 100 MB of generated LLM-like extraction outputs (a
//       fixed seed, so every run validates the same bytes) against one
//       typical extraction schema, single thread: MB/s per core.
//   (c) Baseline: the same JSONL validated through nlohmann/json parsing
//       (Validator::validate_reference) in the same run; the speed ratio.
// Times are medians of --runs repetitions. The benchmark checks its answers:
// both paths must agree on every JSONL document, and the count of invalid
// documents must equal the number the generator planted.
//
// usage: bench_validator [--maskbench DIR] [--mb N] [--runs N]
//                        [--disagreements FILE] [--no-maskbench]
//                        [--write PREFIX]  (saves PREFIX.jsonl, PREFIX.schema.json)
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/splitmix.h"
#include "sluice/validator.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A documented generator, so the data is identical everywhere.
using Rng = sluice::SplitMix64;

const char* kExtractionSchema = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "id": {"type": "string", "format": "uuid"},
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "email": {"type": "string", "format": "email"},
    "age": {"type": "integer", "minimum": 0, "maximum": 150},
    "created": {"type": "string", "format": "date-time"},
    "tags": {"type": "array", "items": {"type": "string", "maxLength": 40}, "maxItems": 20, "uniqueItems": true},
    "address": {
      "type": "object",
      "properties": {
        "street": {"type": "string"},
        "city": {"type": "string"},
        "zip": {"type": "string", "pattern": "^[0-9]{5}$"},
        "country": {"enum": ["US", "CA", "GB", "DE", "FR", "JP"]}
      },
      "required": ["city", "country"],
      "additionalProperties": false
    },
    "sentiment": {"enum": ["positive", "negative", "neutral", "mixed"]},
    "score": {"type": "number", "minimum": 0, "maximum": 1},
    "summary": {"type": "string", "maxLength": 4000},
    "entities": {
      "type": "array",
      "items": {
        "type": "object",
        "properties": {
          "text": {"type": "string"},
          "label": {"enum": ["PERSON", "ORG", "LOC", "DATE", "MONEY"]},
          "start": {"type": "integer", "minimum": 0},
          "end": {"type": "integer", "minimum": 0}
        },
        "required": ["text", "label", "start", "end"],
        "additionalProperties": false
      }
    }
  },
  "required": ["id", "name", "sentiment", "score", "summary", "entities"],
  "additionalProperties": false
})json";

const char* kWords[] = {"the", "model", "reported", "revenue", "growth", "customer", "said", "quarter", "München",
                        "naïve", "déjà", "vu", "東京", "office", "contract", "signed", "with", "\\\"quoted\\\"",
                        "line\\nbreak", "data", "pipeline", "latency", "improved", "by", "percent", "😀", "and",
                        "shipping", "delayed", "because", "of", "weather", "in", "the", "north"};

std::string words(Rng& rng, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ' ';
    out += kWords[rng.below(sizeof kWords / sizeof kWords[0])];
  }
  return out;
}

// One LLM-like extraction output, compact or pretty as models emit them.
// `invalid` plants exactly one violation.
std::string generate_document(Rng& rng, bool invalid) {
  char buf[128];
  std::string d = "{";
  std::snprintf(buf, sizeof buf, "\"id\":\"%08llx-%04llx-%04llx-%04llx-%012llx\"",
                (unsigned long long)rng.below(1ull << 32), (unsigned long long)rng.below(1 << 16),
                (unsigned long long)rng.below(1 << 16), (unsigned long long)rng.below(1 << 16),
                (unsigned long long)rng.below(1ull << 48));
  d += buf;
  d += ",\"name\":\"" + words(rng, 2 + rng.below(3)) + "\"";
  d += ",\"email\":\"user" + std::to_string(rng.below(100000)) + "@example" + std::to_string(rng.below(50)) + ".com\"";
  const uint64_t violation = invalid ? 1 + rng.below(2) : 0;  // 1: age out of range, 2: an extra key
  int age = int(rng.below(90));
  d += ",\"age\":" + std::to_string(violation == 1 ? 151 + age : age);
  std::snprintf(buf, sizeof buf, ",\"created\":\"20%02d-%02d-%02dT%02d:%02d:%02dZ\"", int(rng.below(30)),
                int(1 + rng.below(12)), int(1 + rng.below(28)), int(rng.below(24)), int(rng.below(60)),
                int(rng.below(60)));
  d += buf;
  d += ",\"tags\":[";
  size_t tags = rng.below(6);
  for (size_t i = 0; i < tags; ++i) d += (i ? ",\"tag" : "\"tag") + std::to_string(i) + "\"";
  d += "]";
  std::snprintf(buf, sizeof buf, "%05d", int(rng.below(100000)));
  d += ",\"address\":{\"street\":\"" + std::to_string(rng.below(999)) + " " + words(rng, 2) + "\",\"city\":\"" +
       words(rng, 1) + "\",\"zip\":\"" + buf + "\",\"country\":\"" +
       (const char*[]){"US", "CA", "GB", "DE", "FR", "JP"}[rng.below(6)] + "\"}";
  d += ",\"sentiment\":\"" + std::string((const char*[]){"positive", "negative", "neutral", "mixed"}[rng.below(4)]) + "\"";
  std::snprintf(buf, sizeof buf, ",\"score\":%.4f", rng.unit());
  d += buf;
  d += ",\"summary\":\"" + words(rng, 40 + rng.below(80)) + "\"";
  d += ",\"entities\":[";
  size_t entities = 1 + rng.below(6);
  for (size_t i = 0; i < entities; ++i) {
    size_t start = rng.below(500);
    if (i) d += ",";
    d += "{\"text\":\"" + words(rng, 1 + rng.below(3)) + "\",\"label\":\"" +
         (const char*[]){"PERSON", "ORG", "LOC", "DATE", "MONEY"}[rng.below(5)] + "\",\"start\":" +
         std::to_string(start) + ",\"end\":" + std::to_string(start + 1 + rng.below(30)) + "}";
  }
  d += "]";
  if (violation == 2) d += ",\"confidence\":0.9";
  d += "}";
  return d;
}

struct MaskbenchStats {
  size_t schemas = 0, compiled = 0, docs = 0, bytes = 0, agree = 0, errors = 0;
  std::map<std::string, size_t> reasons;
};

// The last segment of an error's keyword location names the keyword.
std::string keyword_of(const sluice::ValidationError& e) {
  size_t slash = e.keyword_location.rfind('/');
  return slash == std::string::npos ? e.keyword_location : e.keyword_location.substr(slash + 1);
}

void run_maskbench(const fs::path& dir, int runs, const std::string& out_path) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  struct Case {
    const sluice::Validator* validator;
    std::string doc;
    bool label;
    std::string id;
  };
  std::vector<std::unique_ptr<sluice::Validator>> validators;
  std::vector<Case> cases;
  MaskbenchStats st;
  std::ofstream out(out_path);
  double compile_seconds = 0;
  for (const fs::path& file : files) {
    json bench;
    try {
      bench = json::parse(read_text(file));
    } catch (const json::exception&) {
      continue;
    }
    ++st.schemas;
    double start = thread_cpu_seconds();
    auto v = sluice::Validator::compile(bench.at("schema").dump());
    compile_seconds += thread_cpu_seconds() - start;
    const json& tests = bench.contains("tests") ? bench.at("tests") : json::array();
    if (!v.ok()) {
      std::string reason = std::string("schema not compiled: ") + sluice::error_code_name(v.error().code);
      for (size_t i = 0; i < tests.size(); ++i) {
        st.reasons[reason]++;
        out << file.filename().string() << "#" << i << "\tlabel=" << tests[i].value("valid", false) << "\t" << reason
            << "\t" << v.error().to_string() << "\n";
      }
      continue;
    }
    ++st.compiled;
    validators.push_back(std::make_unique<sluice::Validator>(std::move(v.value())));
    for (size_t i = 0; i < tests.size(); ++i) {
      cases.push_back({validators.back().get(), tests[i].at("data").dump(), tests[i].value("valid", false),
                       file.filename().string() + "#" + std::to_string(i)});
    }
  }
  for (const Case& c : cases) {
    auto r = c.validator->validate(c.doc, sluice::ValidateOptions{true});
    st.docs++;
    st.bytes += c.doc.size();
    std::string reason;
    std::string detail;
    if (!r.ok()) {
      reason = std::string("document error: ") + sluice::error_code_name(r.error().code);
      detail = r.error().to_string();
      st.errors++;
    } else if (r->valid == c.label) {
      st.agree++;
      continue;
    } else if (r->valid) {
      reason = "labelled invalid, sluice accepts";
    } else {
      reason = "labelled valid, sluice rejects: " + keyword_of(r->errors[0]);
      detail = r->errors[0].instance_location + " " + r->errors[0].keyword_location + ": " + r->errors[0].message;
    }
    st.reasons[reason]++;
    out << c.id << "\tlabel=" << c.label << "\t" << reason << "\t" << detail << "\n";
  }
  std::vector<double> times;
  for (int run = 0; run < runs; ++run) {
    double start = thread_cpu_seconds();
    size_t valid = 0;
    for (const Case& c : cases) {
      auto r = c.validator->validate(c.doc);
      valid += r.ok() && r->valid;
    }
    times.push_back(thread_cpu_seconds() - start);
    if (valid > cases.size()) std::printf("impossible\n");
  }
  double t = median(times);
  std::printf("maskbench: %zu schemas, %zu compiled (%.1f%%), compile total %.2f s (%.3f ms avg)\n", st.schemas,
              st.compiled, 100.0 * st.compiled / std::max<size_t>(1, st.schemas), compile_seconds,
              1000 * compile_seconds / std::max<size_t>(1, st.schemas));
  std::printf("maskbench: %zu documents, %.2f MB; validation median of %d runs: %.3f CPU s = %.0f docs/s, %.1f MB/s\n",
              st.docs, st.bytes / 1e6, runs, t, st.docs / t, st.bytes / 1e6 / t);
  size_t uncompiled = 0;
  for (const auto& [reason, n] : st.reasons) {
    if (reason.rfind("schema not compiled", 0) == 0) uncompiled += n;
  }
  std::printf("maskbench: %zu of %zu validated documents agree with their labels (%.2f%%); %zu more belong to "
              "schemas sluice refuses to compile; every disagreement is written to %s\n",
              st.agree, st.docs, 100.0 * st.agree / std::max<size_t>(1, st.docs), uncompiled, out_path.c_str());
  std::vector<std::pair<size_t, std::string>> sorted;
  for (const auto& [reason, n] : st.reasons) sorted.emplace_back(n, reason);
  std::sort(sorted.rbegin(), sorted.rend());
  for (const auto& [n, reason] : sorted) std::printf("  %6zu  %s\n", n, reason.c_str());
}

int run_jsonl(size_t megabytes, int runs, const std::string& write_prefix) {
  auto v = sluice::Validator::compile(kExtractionSchema);
  if (!v.ok()) {
    std::fprintf(stderr, "extraction schema: %s\n", v.error().to_string().c_str());
    return 1;
  }
  Rng rng{20261127};
  std::string data;
  std::vector<std::pair<size_t, size_t>> lines;
  size_t planted = 0;
  while (data.size() < megabytes * 1000000) {
    bool invalid = rng.below(100) == 0;
    std::string doc = generate_document(rng, invalid);
    lines.emplace_back(data.size(), doc.size());
    data += doc;
    data += '\n';
    planted += invalid;
  }
  std::printf("jsonl: %zu documents, %.1f MB, avg %.0f bytes\n", lines.size(), data.size() / 1e6,
              double(data.size()) / lines.size());
  if (!write_prefix.empty()) {
    std::ofstream(write_prefix + ".schema.json") << kExtractionSchema;
    std::ofstream(write_prefix + ".jsonl", std::ios::binary) << data;
  }
  // Wall time on a shared machine counts other processes' time slices, so
  // the per-core figure is taken from this thread's CPU time.
  auto run = [&](bool reference, size_t* invalid_count) {
    double start = thread_cpu_seconds();
    size_t invalid = 0;
    for (const auto& [off, len] : lines) {
      std::string_view doc(data.data() + off, len);
      auto r = reference ? v->validate_reference(doc) : v->validate(doc);
      invalid += !(r.ok() && r->valid);
    }
    *invalid_count = invalid;
    return thread_cpu_seconds() - start;
  };
  std::vector<double> fast, slow;
  size_t fast_invalid = 0, slow_invalid = 0;
  for (int i = 0; i < runs; ++i) fast.push_back(run(false, &fast_invalid));
  for (int i = 0; i < std::max(1, runs / 2); ++i) slow.push_back(run(true, &slow_invalid));
  // Every planted document must be caught by both paths, and nothing else.
  size_t disagreements = 0;
  for (const auto& [off, len] : lines) {
    std::string_view doc(data.data() + off, len);
    auto a = v->validate(doc);
    auto b = v->validate_reference(doc);
    disagreements += (a.ok() && a->valid) != (b.ok() && b->valid);
  }
  double tf = median(fast), ts = median(slow);
  std::printf("jsonl: simdjson path median of %d runs: %.3f CPU s = %.1f MB/s per core, %.0f docs/s (%zu invalid)\n",
              runs, tf, data.size() / 1e6 / tf, lines.size() / tf, fast_invalid);
  std::printf("jsonl: nlohmann baseline median of %zu runs: %.3f CPU s = %.1f MB/s per core (%zu invalid)\n", slow.size(),
              ts, data.size() / 1e6 / ts, slow_invalid);
  std::printf("jsonl: speedup over the nlohmann baseline: %.2fx; planted invalid: %zu; path disagreements: %zu\n",
              ts / tf, planted, disagreements);
  if (fast_invalid != planted || disagreements != 0) {
    std::fprintf(stderr, "jsonl: WRONG ANSWERS: the validator missed planted violations or the paths disagree\n");
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // The shared data sits next to the repository: <repo>/../shared.
  fs::path maskbench = fs::path(__FILE__).parent_path() / ".." / ".." / ".." / "shared" / "data" / "maskbench";
  size_t megabytes = 100;
  int runs = 5;
  std::string out_path = "maskbench_disagreements.tsv";
  bool do_maskbench = true;
  std::string write_prefix;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--maskbench") {
      maskbench = next();
    } else if (a == "--mb") {
      megabytes = std::stoul(next());
    } else if (a == "--runs") {
      runs = std::max(1, std::stoi(next()));
    } else if (a == "--disagreements") {
      out_path = next();
    } else if (a == "--write") {
      write_prefix = next();
    } else if (a == "--no-maskbench") {
      do_maskbench = false;
    } else {
      std::fprintf(stderr, "usage: %s [--maskbench DIR] [--mb N] [--runs N] [--disagreements FILE] [--no-maskbench] [--write PREFIX]\n",
                   argv[0]);
      return 2;
    }
  }
  if (do_maskbench) {
    if (fs::exists(maskbench)) {
      run_maskbench(maskbench, runs, out_path);
    } else {
      std::printf("maskbench: SKIPPED, %s is absent\n", maskbench.string().c_str());
    }
  }
  return run_jsonl(megabytes, runs, write_prefix);
}
