// The generate loop: constrained outputs are always accepted, runs are
// reproducible, and every way a run ends is reported as the header says.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <thread>

#include "ir/reference_recognizer.h"
#include "sluice/decode.h"
#include "sluice/frontend.h"
#include "sluice/matcher.h"

namespace {

using sluice::TokenId;
using sluice::TokenKind;

constexpr TokenId kEos = 0;

// Single bytes for printable ASCII plus some longer pieces, one EOS and one
// other control token (never text).
sluice::Vocabulary test_vocabulary() {
  std::vector<std::string> tokens = {"", ""};
  std::vector<TokenKind> kinds = {TokenKind::kSpecial, TokenKind::kSpecial};
  for (int b = 0x20; b < 0x7F; ++b) {
    tokens.push_back(std::string(1, static_cast<char>(b)));
    kinds.push_back(TokenKind::kNormal);
  }
  for (const char* piece : {"yes", "no", "maybe", "{\"", "\":", "\",\"", "\"}", "true", "false", "null", "12",
                            "345", "ab", "abc", "</think>", "</", "think", ">", "<tool>", "ye", "ma"}) {
    tokens.push_back(piece);
    kinds.push_back(TokenKind::kNormal);
  }
  sluice::Result<sluice::Vocabulary> vocabulary = sluice::Vocabulary::from_tokens(tokens, kinds, {kEos});
  REQUIRE(vocabulary.ok());
  return *vocabulary;
}

std::shared_ptr<const sluice::CompiledGrammar> compile(const sluice::Grammar& grammar,
                                                       const sluice::Vocabulary& vocabulary) {
  auto compiled = sluice::CompiledGrammar::compile(grammar, vocabulary);
  REQUIRE(compiled.ok());
  return *compiled;
}

sluice::Grammar gbnf(const char* text) {
  sluice::Result<sluice::Grammar> grammar = sluice::parse_gbnf(text);
  INFO(text);
  REQUIRE(grammar.ok());
  return *grammar;
}

sluice::DecodeOptions sampling(double temperature, uint64_t seed) {
  sluice::DecodeOptions options;
  options.params.temperature = temperature;
  options.params.seed = seed;
  options.max_tokens = 64;
  return options;
}

const char* kGrammars[] = {
    R"(root ::= "yes" | "no" | "maybe")",
    R"(root ::= "{\"a\":" num "}"
       num ::= "-"? [1-9] [0-9]{0,5})",
    R"(root ::= item ("," item)*
       item ::= [a-c]+ | "true" | "null")",
    R"(root ::= "<tool>" [a-z]{2,6} ">")",
};

}  // namespace

TEST_CASE("every constrained output is a sentence of the grammar, over 1,000 seeds") {
  sluice::Vocabulary vocabulary = test_vocabulary();
  for (const char* text : kGrammars) {
    sluice::Grammar grammar = gbnf(text);
    auto compiled = compile(grammar, vocabulary);
    auto reference = sluice::ir::ReferenceRecognizer::create(grammar);
    REQUIRE(reference.ok());
    int stopped = 0;
    for (uint64_t seed = 0; seed < 250; ++seed) {
      for (double temperature : {0.0, 0.7, 1.0, 1.5}) {
        auto decoder = sluice::Decoder::create(compiled, sampling(temperature, seed));
        REQUIRE(decoder.ok());
        auto source = sluice::make_random_logits(vocabulary.size(), seed * 7 + 1);
        auto result = decoder->run(*source);
        INFO(text << " seed " << seed << " T " << temperature);
        REQUIRE(result.ok());
        auto verdict = reference->classify(result->text);
        REQUIRE(verdict.ok());
        if (result->finish_reason == sluice::FinishReason::kStop) {
          ++stopped;
          CHECK(result->complete);
          CHECK(verdict->verdict == sluice::ir::Verdict::kAccept);
          CHECK(result->tokens.back() == kEos);
        } else {
          CHECK_FALSE(result->complete);
          CHECK(verdict->verdict != sluice::ir::Verdict::kReject);
        }
      }
    }
    CHECK(stopped > 0);
  }
}

TEST_CASE("greedy decoding of target logits reproduces a valid target exactly") {
  sluice::Vocabulary vocabulary = test_vocabulary();
  auto compiled = compile(gbnf(R"(root ::= "{\"a\":" num "}"
                                  num ::= "-"? [1-9] [0-9]{0,5})"),
                          vocabulary);
  for (const char* target : {"{\"a\":12345}", "{\"a\":-9}", "{\"a\":100000}"}) {
    auto decoder = sluice::Decoder::create(compiled, sampling(0.0, 1));
    REQUIRE(decoder.ok());
    auto source = sluice::make_target_logits(vocabulary, target);
    auto result = decoder->run(*source);
    REQUIRE(result.ok());
    CHECK(result->text == target);
    CHECK(result->complete);
    CHECK(result->finish_reason == sluice::FinishReason::kStop);
  }
}

TEST_CASE("an invalid target is bent into a valid output, never copied") {
  sluice::Vocabulary vocabulary = test_vocabulary();
  auto compiled = compile(gbnf(R"(root ::= "yes" | "no")"), vocabulary);
  auto decoder = sluice::Decoder::create(compiled, sampling(0.0, 1));
  REQUIRE(decoder.ok());
  auto source = sluice::make_target_logits(vocabulary, "maybe");
  auto result = decoder->run(*source);
  REQUIRE(result.ok());
  CHECK((result->text == "yes" || result->text == "no"));
}

TEST_CASE("max_tokens ends a run with finish reason length and an incomplete output") {
  sluice::Vocabulary vocabulary = test_vocabulary();
  auto compiled = compile(gbnf(R"(root ::= [a-c]{20})"), vocabulary);
  sluice::DecodeOptions options = sampling(1.0, 3);
  options.max_tokens = 5;
  auto decoder = sluice::Decoder::create(compiled, options);
  REQUIRE(decoder.ok());
  auto source = sluice::make_random_logits(vocabulary.size(), 3);
  auto result = decoder->run(*source);
  REQUIRE(result.ok());
  CHECK(result->finish_reason == sluice::FinishReason::kLength);
  CHECK_FALSE(result->complete);
  CHECK(result->tokens.size() == 5);
  CHECK(std::string(sluice::finish_reason_name(result->finish_reason)) == "length");
}

TEST_CASE("a grammar the vocabulary cannot spell is a dead-end error, never an unconstrained sample") {
  sluice::Vocabulary vocabulary = test_vocabulary();
  // U+00E9 has no token in this vocabulary.
  auto compiled = compile(gbnf("root ::= \"caf\\u00e9\""), vocabulary);
  auto decoder = sluice::Decoder::create(compiled, sampling(0.0, 1));
  REQUIRE(decoder.ok());
  auto source = sluice::make_random_logits(vocabulary.size(), 1);
  auto result = decoder->run(*source);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == sluice::ErrorCode::kDeadEnd);
}

TEST_CASE("forced tokens are emitted without sampling") {
  sluice::Vocabulary vocabulary = test_vocabulary();
  auto compiled = compile(gbnf(R"(root ::= "{\"a\":" [1-9] "}")"), vocabulary);
  auto decoder = sluice::Decoder::create(compiled, sampling(0.0, 1));
  REQUIRE(decoder.ok());
  auto source = sluice::make_random_logits(vocabulary.size(), 1);
  auto result = decoder->run(*source);
  REQUIRE(result.ok());
  CHECK(result->complete);
  CHECK(result->forced_tokens >= 2);
  CHECK(result->timing.samples < result->tokens.size());
}

TEST_CASE("the same seed gives the same output, in any run and any thread") {
  sluice::Vocabulary vocabulary = test_vocabulary();
  auto compiled = compile(gbnf(kGrammars[2]), vocabulary);
  auto run_once = [&](uint64_t seed) {
    auto decoder = sluice::Decoder::create(compiled, sampling(1.0, seed));
    REQUIRE(decoder.ok());
    auto source = sluice::make_random_logits(vocabulary.size(), seed);
    auto result = decoder->run(*source);
    REQUIRE(result.ok());
    return result->tokens;
  };
  std::vector<std::vector<TokenId>> serial;
  for (uint64_t seed = 0; seed < 16; ++seed) serial.push_back(run_once(seed));
  std::vector<std::vector<TokenId>> parallel(16);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t seed = t; seed < 16; seed += 4) {
        auto decoder = sluice::Decoder::create(compiled, sampling(1.0, seed));
        auto source = sluice::make_random_logits(vocabulary.size(), seed);
        auto result = decoder->run(*source);
        if (result.ok()) parallel[seed] = result->tokens;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(parallel == serial);
  CHECK(run_once(5) == serial[5]);
}

TEST_CASE("reasoning mode: free thinking until the end marker, then the constraint") {
  sluice::Vocabulary vocabulary = test_vocabulary();
  auto compiled = compile(gbnf(R"(root ::= "yes" | "no")"), vocabulary);
  sluice::DecodeOptions options = sampling(0.0, 1);
  options.reasoning = true;
  options.reasoning_params.temperature = 0.0;
  auto decoder = sluice::Decoder::create(compiled, options);
  REQUIRE(decoder.ok());
  // The target thinks out loud in free text (not in the grammar), closes the
  // segment, then answers.
  auto source = sluice::make_target_logits(vocabulary, "maybe abc</think>no");
  auto result = decoder->run(*source);
  REQUIRE(result.ok());
  CHECK(result->free_text == "maybe abc</think>");
  CHECK(result->text == "no");
  CHECK(result->complete);
}

TEST_CASE("reasoning end given as a token id") {
  sluice::Vocabulary vocabulary = test_vocabulary();
  auto compiled = compile(gbnf(R"(root ::= "yes" | "no")"), vocabulary);
  TokenId end_token = -1;
  for (uint32_t id = 0; id < vocabulary.size(); ++id) {
    if (vocabulary.token_bytes(static_cast<TokenId>(id)) == "</think>") end_token = static_cast<TokenId>(id);
  }
  REQUIRE(end_token >= 0);
  sluice::DecodeOptions options = sampling(0.0, 1);
  options.reasoning = true;
  options.reasoning_end.clear();
  options.reasoning_end_token = end_token;
  options.reasoning_params.temperature = 0.0;
  auto decoder = sluice::Decoder::create(compiled, options);
  REQUIRE(decoder.ok());
  auto source = sluice::make_target_logits(vocabulary, "abc</think>yes");
  auto result = decoder->run(*source);
  REQUIRE(result.ok());
  CHECK(result->text == "yes");
  CHECK(result->complete);
}

TEST_CASE("a trigger starts the constraint after its marker, even mid-token") {
  sluice::Vocabulary vocabulary = test_vocabulary();
  auto compiled = compile(gbnf(R"(root ::= [a-z]{2,6} ">")"), vocabulary);
  sluice::DecodeOptions options = sampling(0.0, 1);
  options.trigger = "<tool";
  auto decoder = sluice::Decoder::create(compiled, options);
  REQUIRE(decoder.ok());
  // "<tool>" is one token: the marker ends inside it, so ">" is fed to the
  // constraint, which rejects it: the run must report that, not ignore it.
  auto rejected = decoder->run(*sluice::make_target_logits(vocabulary, "ok <tool>abc>"));
  REQUIRE_FALSE(rejected.ok());
  CHECK(rejected.error().code == sluice::ErrorCode::kDeadEnd);

  options.trigger = "<tool>";
  auto exact = sluice::Decoder::create(compiled, options);
  REQUIRE(exact.ok());
  auto result = exact->run(*sluice::make_target_logits(vocabulary, "ok <tool>abc>"));
  REQUIRE(result.ok());
  CHECK(result->free_text == "ok <tool>");
  CHECK(result->text == "abc>");
  CHECK(result->complete);
}

TEST_CASE("replay logits from JSON and .npy files") {
  sluice::Vocabulary vocabulary = test_vocabulary();
  auto compiled = compile(gbnf(R"(root ::= "yes" | "no")"), vocabulary);
  const uint32_t size = vocabulary.size();
  TokenId yes = -1;
  for (uint32_t id = 0; id < size; ++id) {
    if (vocabulary.token_bytes(static_cast<TokenId>(id)) == "yes") yes = static_cast<TokenId>(id);
  }
  REQUIRE(yes > 0);
  std::vector<std::vector<float>> rows(2, std::vector<float>(size, 0.0f));
  rows[0][static_cast<size_t>(yes)] = 5.0f;
  rows[1][kEos] = 5.0f;

  std::string json_path = "decode_replay_test.json";
  {
    std::ofstream out(json_path);
    out << "{\"logits\": [";
    for (size_t r = 0; r < rows.size(); ++r) {
      out << (r ? "," : "") << "[";
      for (size_t i = 0; i < size; ++i) out << (i ? "," : "") << rows[r][i];
      out << "]";
    }
    out << "]}";
  }
  std::string npy_path = "decode_replay_test.npy";
  {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, " + std::to_string(size) + "), }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::ofstream out(npy_path, std::ios::binary);
    out << "\x93NUMPY" << '\x01' << '\x00';
    out.put(static_cast<char>(header.size() & 0xFF));
    out.put(static_cast<char>(header.size() >> 8));
    out << header;
    for (const auto& row : rows) out.write(reinterpret_cast<const char*>(row.data()), row.size() * sizeof(float));
  }
  sluice::DecodeOptions options = sampling(0.0, 1);
  options.jump_forward = false;
  for (const std::string& path : {json_path, npy_path}) {
    auto source = sluice::load_replay_logits(path, size);
    INFO(path);
    REQUIRE(source.ok());
    auto decoder = sluice::Decoder::create(compiled, options);
    REQUIRE(decoder.ok());
    auto result = decoder->run(**source);
    REQUIRE(result.ok());
    CHECK(result->text == "yes");
    CHECK(result->complete);
  }
  auto wrong_size = sluice::load_replay_logits(json_path, size + 1);
  REQUIRE_FALSE(wrong_size.ok());
  CHECK(wrong_size.error().code == sluice::ErrorCode::kInvalidArgument);
  auto missing = sluice::load_replay_logits("no/such/file.json", size);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == sluice::ErrorCode::kIoError);
  std::remove(json_path.c_str());
  std::remove(npy_path.c_str());
}

TEST_CASE("bad decode options are errors") {
  sluice::Vocabulary vocabulary = test_vocabulary();
  auto compiled = compile(gbnf(R"(root ::= "yes")"), vocabulary);
  sluice::DecodeOptions options;
  options.max_tokens = 0;
  CHECK_FALSE(sluice::Decoder::create(compiled, options).ok());
  options = {};
  options.params.temperature = -1.0;
  CHECK_FALSE(sluice::Decoder::create(compiled, options).ok());
  options = {};
  options.reasoning = true;
  options.reasoning_end.clear();
  CHECK_FALSE(sluice::Decoder::create(compiled, options).ok());
  auto decoder = sluice::Decoder::create(compiled, {});
  REQUIRE(decoder.ok());
  auto wrong = sluice::make_random_logits(vocabulary.size() + 3, 1);
  CHECK_FALSE(decoder->run(*wrong).ok());
}
