// `sluice detokenize`: token ids back to text (special tokens add nothing).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "args.h"
#include "command.h"
#include "sluice/tokenizer.h"

namespace sluice::cli {
namespace {

int run_detokenize(const std::vector<std::string>& argv) {
  Args args("detokenize", "--tokenizer T ID...\n\n"
                          "Decodes token ids with tokenizer T (a tokenizer.json, a directory holding one,\n"
                          "or a cached name) and prints the text, then a newline unless --raw.");
  args.option("tokenizer", "tokenizer.json path, directory or cached name (required)")
      .flag("raw", "print exactly the decoded bytes, with no newline after them");
  if (!args.parse(argv)) return args.parse_failure_exit_code();
  std::optional<std::string> name = args.get("tokenizer");
  if (!name) return args.usage_error("--tokenizer is required");
  Result<Tokenizer> tok = Tokenizer::load(*name);
  if (!tok.ok()) {
    std::fprintf(stderr, "sluice detokenize: %s\n", tok.error().to_string().c_str());
    return kExitUsage;
  }
  std::vector<TokenId> ids;
  for (const std::string& arg : args.positionals()) {
    char* end = nullptr;
    errno = 0;
    long long id = std::strtoll(arg.c_str(), &end, 10);
    if (arg.empty() || *end != '\0' || errno != 0) return args.usage_error("'" + arg + "' is not a token id");
    if (id < 0 || id >= tok->vocab_size()) {
      return args.usage_error("token id " + arg + " is outside the vocabulary (0.." +
                              std::to_string(tok->vocab_size() - 1) + ")");
    }
    ids.push_back(static_cast<TokenId>(id));
  }
  std::string text = tok->decode(ids);
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (!args.has("raw")) std::fputc('\n', stdout);
  return kExitOk;
}

}  // namespace

SLUICE_COMMAND("detokenize", "decode token ids to text", run_detokenize);

}  // namespace sluice::cli
