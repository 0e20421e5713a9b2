// Loading: token bytes, kinds, EOS and the decoder on synthetic and real
// files; every kind of bad input gives a clear error, never a crash.
#include "fixtures.h"
#include "synthetic.h"

using sluice::ErrorCode;
using sluice::TokenKind;
using sluice::Tokenizer;

namespace {

sluice::Result<Tokenizer> from(const nlohmann::json& j) { return Tokenizer::from_json(j.dump(), "test.json"); }

void expect_text_error(const std::string& text, ErrorCode code, const std::string& needle) {
  auto tok = Tokenizer::from_json(text, "test.json");
  REQUIRE_FALSE(tok.ok());
  INFO(tok.error().to_string());
  CHECK(tok.error().code == code);
  CHECK(tok.error().to_string().find(needle) != std::string::npos);
}

void expect_error(const nlohmann::json& j, ErrorCode code, const std::string& needle) {
  expect_text_error(j.dump(), code, needle);
}

}  // namespace

TEST_CASE("load: a byte-level tokenizer's bytes, kinds and encoding") {
  auto tok = from(sluice_test::byte_level_tokenizer());
  REQUIRE(tok.ok());
  CHECK(tok->vocab_size() == 263);
  CHECK(tok->token_bytes(32) == " ");
  CHECK(tok->token_bytes(10) == "\n");
  CHECK(tok->token_bytes(258) == " the");
  CHECK(tok->token_kind(258) == TokenKind::kNormal);
  CHECK(tok->token_kind(261) == TokenKind::kSpecial);
  CHECK(tok->token_bytes(261).empty());
  CHECK(tok->token_bytes(262) == "<tool>");
  CHECK(tok->token_kind(262) == TokenKind::kNormal);
  CHECK(tok->eos_tokens() == std::vector<sluice::TokenId>{261});
  CHECK(tok->find_token("<|end|>") == 261);
  CHECK(tok->find_token("nope") == std::nullopt);
  CHECK(tok->encode(" the thing") == std::vector<sluice::TokenId>{258, 256, 'h', 260});
  // Special-token text is text; a non-special added token is matched.
  CHECK(tok->encode("<|end|>").size() > 1);
  CHECK(tok->encode("x<tool>y") == std::vector<sluice::TokenId>{'x', 262, 'y'});
  CHECK(tok->decode(tok->encode("any \xFF bytes\n")) == "any \xFF bytes\n");
  CHECK(tok->decode_strip_prefix().empty());
}

TEST_CASE("load: a SentencePiece tokenizer's bytes, kinds and decoder") {
  auto tok = from(sluice_test::sentencepiece_tokenizer());
  REQUIRE(tok.ok());
  CHECK(tok->token_kind(1) == TokenKind::kSpecial);
  CHECK(tok->token_kind(3 + 0x0A) == TokenKind::kByte);
  CHECK(tok->token_bytes(3 + 0x0A) == "\n");
  CHECK(tok->token_bytes(265) == " hi");
  CHECK(tok->eos_tokens() == std::vector<sluice::TokenId>{2});
  CHECK(tok->decode_strip_prefix() == " ");
  // "▁hi▁ab" : ▁hi, ▁, ab
  CHECK(tok->encode("hi ab") == std::vector<sluice::TokenId>{265, 259, 266});
  CHECK(tok->decode(tok->encode("hi ab")) == "hi ab");
  // Text outside the vocabulary falls back to bytes.
  std::vector<sluice::TokenId> z = tok->encode("z");
  CHECK(z == std::vector<sluice::TokenId>{259, 3 + 'z'});
  CHECK(tok->decode(tok->encode("\xE4\xB8\xAD x")) == "\xE4\xB8\xAD x");
}

TEST_CASE("load: eos_override replaces the file's EOS and is checked") {
  sluice::TokenizerOptions options;
  options.eos_override = std::vector<sluice::TokenId>{5, 6};
  auto tok = Tokenizer::from_json(sluice_test::byte_level_tokenizer().dump(), "t", options);
  REQUIRE(tok.ok());
  CHECK(tok->eos_tokens() == std::vector<sluice::TokenId>{5, 6});
  options.eos_override = std::vector<sluice::TokenId>{100000};
  auto bad = Tokenizer::from_json(sluice_test::byte_level_tokenizer().dump(), "t", options);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("load: bad input is a clear error") {
  const std::string good = sluice_test::byte_level_tokenizer().dump();
  SECTION("truncated file") { expect_text_error(good.substr(0, good.size() / 2), ErrorCode::kParseError, "malformed JSON"); }
  SECTION("malformed JSON") { expect_text_error("{\"model\": [1, 2,, 3]}", ErrorCode::kParseError, "malformed JSON"); }
  SECTION("not an object") { expect_text_error("[]", ErrorCode::kParseError, "expected an object"); }
  SECTION("empty file") { expect_text_error("", ErrorCode::kParseError, "malformed JSON"); }
  SECTION("no model") { expect_text_error("{}", ErrorCode::kParseError, "no \"model\""); }
  SECTION("unknown model type") {
    auto j = sluice_test::byte_level_tokenizer();
    j["model"]["type"] = "WordPiece";
    expect_error(j, ErrorCode::kUnsupported, "model type \"WordPiece\"");
  }
  SECTION("unknown pre-tokenizer") {
    auto j = sluice_test::byte_level_tokenizer();
    j["pre_tokenizer"]["pretokenizers"][0] = {{"type", "BertPreTokenizer"}};
    expect_error(j, ErrorCode::kUnsupported, "pre-tokenizer \"BertPreTokenizer\"");
  }
  SECTION("unknown normalizer") {
    auto j = sluice_test::byte_level_tokenizer();
    j["normalizer"] = {{"type", "NFKC"}};
    expect_error(j, ErrorCode::kUnsupported, "normalizer \"NFKC\"");
  }
  SECTION("unknown decoder") {
    auto j = sluice_test::byte_level_tokenizer();
    j["decoder"] = {{"type", "WordPiece"}};
    expect_error(j, ErrorCode::kUnsupported, "decoder \"WordPiece\"");
  }
  SECTION("Split behavior Removed") {
    auto j = sluice_test::byte_level_tokenizer();
    j["pre_tokenizer"]["pretokenizers"][0]["behavior"] = "Removed";
    expect_error(j, ErrorCode::kUnsupported, "Split behavior \"Removed\"");
  }
  SECTION("regex with lookbehind") {
    auto j = sluice_test::byte_level_tokenizer();
    j["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "(?<=a)b";
    expect_error(j, ErrorCode::kUnsupported, "lookbehind");
  }
  SECTION("duplicate token in the vocabulary") {
    std::string text = good;
    size_t at = text.find("\"vocab\":{") + 9;
    text.insert(at, "\"he\":7,");
    expect_text_error(text, ErrorCode::kParseError, "duplicate");
  }
  SECTION("two names for one id") {
    auto j = sluice_test::byte_level_tokenizer();
    j["model"]["vocab"]["extra"] = 5;
    expect_error(j, ErrorCode::kParseError, "duplicate token id 5");
  }
  SECTION("added token with the content of another id") {
    auto j = sluice_test::byte_level_tokenizer();
    j["added_tokens"].push_back({{"id", 300}, {"content", "he"}, {"special", false}});
    expect_error(j, ErrorCode::kParseError, "duplicate token \"he\"");
  }
  SECTION("merge of unknown tokens") {
    auto j = sluice_test::byte_level_tokenizer();
    j["model"]["merges"].push_back("zz q");
    expect_error(j, ErrorCode::kParseError, "not in the vocabulary");
  }
  SECTION("merge that is not two tokens") {
    auto j = sluice_test::byte_level_tokenizer();
    j["model"]["merges"].push_back("abc");
    expect_error(j, ErrorCode::kParseError, "not two tokens");
  }
  SECTION("negative or huge id") {
    auto j = sluice_test::byte_level_tokenizer();
    j["model"]["vocab"]["neg"] = -1;
    expect_error(j, ErrorCode::kParseError, "outside");
    j["model"]["vocab"]["neg"] = 1LL << 40;
    expect_error(j, ErrorCode::kParseError, "outside");
  }
  SECTION("byte-level vocabulary missing a byte") {
    auto j = sluice_test::byte_level_tokenizer();
    j["model"]["vocab"].erase("A");
    j["model"]["vocab"]["zzz"] = 'A';
    expect_error(j, ErrorCode::kUnsupported, "no token for byte 0x41");
  }
  SECTION("dropout") {
    auto j = sluice_test::byte_level_tokenizer();
    j["model"]["dropout"] = 0.1;
    expect_error(j, ErrorCode::kUnsupported, "dropout");
  }
  SECTION("a model that cannot encode every text") {
    auto j = sluice_test::sentencepiece_tokenizer();
    j["model"]["byte_fallback"] = false;
    j["model"]["unk_token"] = nullptr;
    expect_error(j, ErrorCode::kUnsupported, "cannot encode every text");
  }
  SECTION("wrong types") {
    auto j = sluice_test::byte_level_tokenizer();
    j["model"]["vocab"]["he"] = "seven";
    expect_error(j, ErrorCode::kParseError, "/model/vocab/he");
  }
}

TEST_CASE("load: files that are not there") {
  auto missing = Tokenizer::load("/nonexistent/dir/tokenizer.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kIoError);
  auto name = Tokenizer::load("no-such-cached-name");
  REQUIRE_FALSE(name.ok());
  CHECK(name.error().code == ErrorCode::kIoError);
  CHECK(name.error().message.find("no-such-cached-name") != std::string::npos);
  auto dir = Tokenizer::load(SLUICE_SOURCE_DIR);
  REQUIRE_FALSE(dir.ok());
  CHECK(dir.error().message.find("no tokenizer.json in directory") != std::string::npos);
}

TEST_CASE("load: Llama-3 token bytes, kinds and EOS") {
  const Tokenizer* tok = sluice_test::cached_tokenizer("llama3");
  if (tok == nullptr) return;
  CHECK(tok->vocab_size() == 128256);
  CHECK(tok->token_name(1917) == "\xC4\xA0world");
  CHECK(tok->token_bytes(1917) == " world");
  CHECK(tok->find_token("<|eot_id|>") == 128009);
  CHECK(tok->token_kind(128009) == TokenKind::kSpecial);
  CHECK(tok->token_bytes(128009).empty());
  CHECK(tok->eos_tokens() == std::vector<sluice::TokenId>{128001, 128009});
  int normal = 0;
  for (uint32_t id = 0; id < tok->vocab_size(); ++id) {
    if (tok->token_kind(static_cast<sluice::TokenId>(id)) == TokenKind::kNormal) {
      ++normal;
      CHECK_FALSE(tok->token_bytes(static_cast<sluice::TokenId>(id)).empty());
    }
  }
  CHECK(normal == 128000);
}

TEST_CASE("load: Llama-2 byte tokens and the stripped prefix space") {
  const Tokenizer* tok = sluice_test::cached_tokenizer("llama2");
  if (tok == nullptr) return;
  CHECK(tok->token_kind(13) == TokenKind::kByte);  // <0x0A>
  CHECK(tok->token_bytes(13) == "\n");
  CHECK(tok->token_kind(1) == TokenKind::kSpecial);
  CHECK(tok->eos_tokens() == std::vector<sluice::TokenId>{2});
  std::vector<sluice::TokenId> ids = tok->encode("Hello");
  CHECK(tok->token_bytes(ids[0]).substr(0, 1) == " ");
  CHECK(tok->decode(ids) == "Hello");
}

TEST_CASE("load: Qwen3's non-special added tokens are text") {
  const Tokenizer* tok = sluice_test::cached_tokenizer("qwen3");
  if (tok == nullptr) return;
  auto call = tok->find_token("<tool_call>");
  REQUIRE(call);
  CHECK(tok->token_kind(*call) == TokenKind::kNormal);
  CHECK(tok->token_bytes(*call) == "<tool_call>");
  CHECK(tok->token_kind(*tok->find_token("<|im_end|>")) == TokenKind::kSpecial);
  CHECK(tok->eos_tokens() == std::vector<sluice::TokenId>{151643, 151645});
}
