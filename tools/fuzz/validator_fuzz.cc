// libFuzzer target for the JSON Schema validator (sluice/validator.h).
// Input: the first line is a schema, the rest a document. Checked on every
// input, besides "no crash, no sanitizer report":
//   - the simdjson and nlohmann parse paths agree (both errors, or the same
//     verdict), and name the same duplicate key at the same pointer;
//   - a valid document is kValid in prefix mode, and no prefix of it is
//     kInvalid (prefix mode is sound).
// Built and run for a bounded time by tools/fuzz/run_validator_fuzz.sh (the
// CTest test validator_fuzz when clang is available).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "sluice/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  sluice::ValidatorOptions options;
  options.max_schema_nodes = 10000;
  auto validator = sluice::Validator::compile(input.substr(0, newline), options);
  if (!validator.ok()) return 0;
  std::string_view doc = input.substr(newline + 1);
  auto fast = validator->validate(doc, sluice::ValidateOptions{true});
  auto reference = validator->validate_reference(doc, sluice::ValidateOptions{true});
  if (fast.ok() != reference.ok() && fast.ok() != (fast.ok() && reference.ok())) {
    // One path parsed what the other rejected: allowed only for budget
    // errors, which are reported by the evaluator on either side.
    bool budget = (!fast.ok() && fast.error().code == sluice::ErrorCode::kBudgetExceeded) ||
                  (!reference.ok() && reference.error().code == sluice::ErrorCode::kBudgetExceeded);
    if (!budget) {
      std::fprintf(stderr, "parse paths disagree: %s\n",
                   fast.ok() ? reference.error().to_string().c_str() : fast.error().to_string().c_str());
      std::abort();
    }
  }
  if (!fast.ok() && !reference.ok() && fast.error().message.rfind("document: duplicate key", 0) == 0 &&
      (fast.error().message != reference.error().message ||
       fast.error().location.json_pointer != reference.error().location.json_pointer)) {
    // Both parsers must name the first duplicate key in document order.
    std::fprintf(stderr, "duplicate keys reported differently: %s vs %s\n", fast.error().to_string().c_str(),
                 reference.error().to_string().c_str());
    std::abort();
  }
  if (fast.ok() && reference.ok() && fast->valid != reference->valid) {
    std::fprintf(stderr, "verdicts disagree: simdjson %d, nlohmann %d\n", fast->valid, reference->valid);
    std::abort();
  }
  if (fast.ok() && fast->valid) {
    if (validator->check_prefix(doc).verdict != sluice::PrefixVerdict::kValid) {
      std::fprintf(stderr, "a valid document is not kValid in prefix mode\n");
      std::abort();
    }
    for (size_t cut = 0; cut < doc.size(); cut += 1 + doc.size() / 16) {
      if (validator->check_prefix(doc.substr(0, cut)).verdict == sluice::PrefixVerdict::kInvalid) {
        std::fprintf(stderr, "prefix of length %zu of a valid document called invalid\n", cut);
        std::abort();
      }
    }
  }
  return 0;
}
