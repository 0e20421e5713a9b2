#include "constraint_source.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "schema_flags.h"
#include "sluice/frontend.h"
#include "sluice/json_schema.h"

namespace sluice::cli {

void declare_constraint_flags(Args& args) {
  args.option("grammar", "GBNF grammar file (llama.cpp dialect, start rule `root`)")
      .option("regex", "regular expression the whole output must match (ECMA-262 subset)")
      .option("choices", "comma-separated list; the output is exactly one of them")
      .option("choice", "one choice, verbatim (repeatable; combines with --choices)")
      .option("schema", "JSON Schema file; the output must be a JSON document it accepts");
  declare_schema_flags(args);
}

namespace {

void print_error(const std::string& source, const Error& error) {
  std::fprintf(stderr, "%s: %s\n", source.c_str(), error.to_string().c_str());
}

bool read_text_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "%s: cannot read the file\n", path.c_str());
    return false;
  }
  std::stringstream text;
  text << in.rdbuf();
  *out = text.str();
  return true;
}

std::optional<Grammar> load_schema(const Args& args) {
  JsonSchemaOptions options;
  if (!read_schema_flags(args, &options)) return std::nullopt;
  const std::string path = *args.get("schema");
  std::string text;
  if (!read_text_file(path, &text)) return std::nullopt;
  auto compiled = compile_json_schema(text, options);
  if (!compiled.ok()) {
    print_error(path, compiled.error());
    return std::nullopt;
  }
  for (const JsonSchemaWarning& warning : compiled->warnings) {
    std::fprintf(stderr, "%s: warning: dropped '%s' at %s: %s\n", path.c_str(), warning.keyword.c_str(),
                 warning.json_pointer.c_str(), warning.message.c_str());
  }
  return std::move(compiled->grammar);
}

}  // namespace

std::optional<Grammar> load_constraint(const Args& args) {
  int kinds = (args.has("grammar") ? 1 : 0) + (args.has("regex") ? 1 : 0) +
              ((args.has("choices") || args.has("choice")) ? 1 : 0) + (args.has("schema") ? 1 : 0);
  if (kinds != 1) {
    args.usage_error("give exactly one of --grammar, --regex, --choices/--choice, --schema");
    return std::nullopt;
  }
  if (args.has("schema")) return load_schema(args);
  if (args.has("grammar")) {
    std::string path = *args.get("grammar");
    std::string text;
    if (!read_text_file(path, &text)) return std::nullopt;
    auto grammar = parse_gbnf(text);
    if (!grammar.ok()) {
      print_error(path, grammar.error());
      return std::nullopt;
    }
    return std::move(grammar.value());
  }
  if (args.has("regex")) {
    auto grammar = compile_regex(*args.get("regex"));
    if (!grammar.ok()) {
      print_error("--regex", grammar.error());
      return std::nullopt;
    }
    return std::move(grammar.value());
  }
  std::vector<std::string> choices;
  for (const std::string& list : args.all("choices")) {
    size_t start = 0;
    while (true) {
      size_t comma = list.find(',', start);
      choices.push_back(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  for (const std::string& one : args.all("choice")) choices.push_back(one);
  auto grammar = compile_choices(choices);
  if (!grammar.ok()) {
    print_error("--choices", grammar.error());
    return std::nullopt;
  }
  return std::move(grammar.value());
}

std::string describe_constraint(const Args& args) {
  if (args.has("grammar")) return "grammar " + *args.get("grammar");
  if (args.has("regex")) return "regex " + *args.get("regex");
  if (args.has("schema")) return "schema " + *args.get("schema");
  return "choices";
}

std::string printable(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default:
        if (c >= 0x20 && c < 0x7F) {
          out += static_cast<char>(c);
        } else {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02X", c);
          out += buf;
        }
    }
  }
  return out;
}

}  // namespace sluice::cli
