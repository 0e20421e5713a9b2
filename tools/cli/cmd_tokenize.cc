// `sluice tokenize`: text to token ids with a real tokenizer, exactly as
// the reference implementation encodes it (no BOS/EOS added).
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "args.h"
#include "command.h"
#include "sluice/tokenizer.h"
#include "tokenizer/unicode.h"

namespace sluice::cli {
namespace {

// The token's bytes as a quoted string: JSON-style escapes for quotes,
// backslashes and control characters, and \xNN for bytes that are not valid
// UTF-8 (a token may hold part of a character).
std::string readable(std::string_view bytes) {
  std::string out = "\"";
  for (size_t i = 0; i < bytes.size();) {
    size_t len;
    uint32_t cp = tok::decode_utf8(bytes, i, &len);
    char buf[16];
    if (cp >= tok::kInvalidByteBase) {
      std::snprintf(buf, sizeof buf, "\\x%02X", cp - tok::kInvalidByteBase);
      out += buf;
    } else if (cp == '"' || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 || cp == 0x7F) {
      std::snprintf(buf, sizeof buf, "\\u%04X", cp);
      out += buf;
    } else {
      out.append(bytes.substr(i, len));
    }
    i += len;
  }
  return out + "\"";
}

int run_tokenize(const std::vector<std::string>& argv) {
  Args args("tokenize", "--tokenizer T --text STRING [--json]\n\n"
                        "Encodes STRING with tokenizer T (a tokenizer.json, a directory holding one, or a\n"
                        "cached name: llama3, llama3.1, qwen3, deepseek-v3, llama2) and prints one token per\n"
                        "line: id, kind and the bytes it adds. Special-token text is encoded as text.");
  args.option("tokenizer", "tokenizer.json path, directory or cached name (required)")
      .option("text", "the text to encode (required)")
      .flag("json", "print {\"ids\": [...], \"tokens\": [names in the file], \"pieces\": [bytes, bad UTF-8 as U+FFFD]}");
  if (!args.parse(argv)) return args.parse_failure_exit_code();
  if (!args.positionals().empty()) return args.usage_error("unexpected argument '" + args.positionals()[0] + "'");
  std::optional<std::string> name = args.get("tokenizer");
  std::optional<std::string> text = args.get("text");
  if (!name) return args.usage_error("--tokenizer is required");
  if (!text) return args.usage_error("--text is required");
  Result<Tokenizer> tok = Tokenizer::load(*name);
  if (!tok.ok()) {
    std::fprintf(stderr, "sluice tokenize: %s\n", tok.error().to_string().c_str());
    return kExitUsage;
  }
  std::vector<TokenId> ids = tok->encode(*text);
  if (args.has("json")) {
    nlohmann::json out = {{"ids", ids}, {"tokens", nlohmann::json::array()}, {"pieces", nlohmann::json::array()}};
    for (TokenId id : ids) {
      out["tokens"].push_back(std::string(tok->token_name(id)));
      out["pieces"].push_back(std::string(tok->token_bytes(id)));
    }
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return kExitOk;
  }
  std::printf("%zu tokens\n", ids.size());
  for (TokenId id : ids) {
    const char* kind = tok->token_kind(id) == TokenKind::kByte ? "byte" : "text";
    std::printf("%8d  %-4s  %s\n", id, kind, readable(tok->token_bytes(id)).c_str());
  }
  return kExitOk;
}

}  // namespace

SLUICE_COMMAND("tokenize", "encode text to token ids with a real tokenizer", run_tokenize);

}  // namespace sluice::cli
