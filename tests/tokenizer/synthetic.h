// Small synthetic tokenizer.json files for the loader tests: one of each
// family, built in code so each test can break them one way.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace sluice_test {

// The GPT-2 byte alphabet, written out independently of the library.
inline std::string gpt2_char(int byte) {
  int cp = byte;
  bool printable = (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || (byte >= 174 && byte <= 255);
  if (!printable) {
    int n = 0;
    for (int b = 0; b < byte; ++b) {
      bool p = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
      if (!p) ++n;
    }
    cp = 256 + n;
  }
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

// Byte-level BPE: the 256 byte tokens, merges for " t", "he", " the",
// "in", "ing", Llama-3's split regex, and two added tokens.
inline nlohmann::json byte_level_tokenizer() {
  nlohmann::json vocab = nlohmann::json::object();
  for (int b = 0; b < 256; ++b) vocab[gpt2_char(b)] = b;
  const char* merged[] = {"\xC4\xA0t", "he", "\xC4\xA0the", "in", "ing"};
  int id = 256;
  for (const char* m : merged) vocab[m] = id++;
  nlohmann::json j = {
      {"version", "1.0"},
      {"added_tokens",
       {{{"id", 261}, {"content", "<|end|>"}, {"special", true}, {"lstrip", false}, {"rstrip", false}},
        {{"id", 262}, {"content", "<tool>"}, {"special", false}, {"lstrip", false}, {"rstrip", false}}}},
      {"normalizer", nullptr},
      {"pre_tokenizer",
       {{"type", "Sequence"},
        {"pretokenizers",
         {{{"type", "Split"},
           {"pattern",
            {{"Regex",
              "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
              "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}}},
           {"behavior", "Isolated"},
           {"invert", false}},
          {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}}}}}},
      {"post_processor", nullptr},
      {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
      {"model",
       {{"type", "BPE"},
        {"dropout", nullptr},
        {"unk_token", nullptr},
        {"fuse_unk", false},
        {"byte_fallback", false},
        {"vocab", vocab},
        {"merges", {"\xC4\xA0 t", "h e", "\xC4\xA0t he", "i n", "in g"}}}}};
  return j;
}

// SentencePiece-style BPE: <unk> <s> </s>, the 256 <0xNN> byte tokens,
// a few pieces, Llama-2's normalizer and decoder.
inline nlohmann::json sentencepiece_tokenizer() {
  nlohmann::json vocab = {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}};
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    vocab[name] = 3 + b;
  }
  const char* pieces[] = {"\xE2\x96\x81", "a", "b", "h", "i", "\xE2\x96\x81h", "\xE2\x96\x81hi", "ab"};
  int id = 259;
  for (const char* p : pieces) vocab[p] = id++;
  return {
      {"version", "1.0"},
      {"added_tokens",
       {{{"id", 0}, {"content", "<unk>"}, {"special", true}},
        {{"id", 1}, {"content", "<s>"}, {"special", true}},
        {{"id", 2}, {"content", "</s>"}, {"special", true}}}},
      {"normalizer",
       {{"type", "Sequence"},
        {"normalizers",
         {{{"type", "Prepend"}, {"prepend", "\xE2\x96\x81"}},
          {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\xE2\x96\x81"}}}}}},
      {"pre_tokenizer", nullptr},
      {"decoder",
       {{"type", "Sequence"},
        {"decoders",
         {{{"type", "Replace"}, {"pattern", {{"String", "\xE2\x96\x81"}}}, {"content", " "}},
          {{"type", "ByteFallback"}},
          {{"type", "Fuse"}},
          {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}}},
      {"model",
       {{"type", "BPE"},
        {"unk_token", "<unk>"},
        {"fuse_unk", true},
        {"byte_fallback", true},
        {"vocab", vocab},
        {"merges", {"\xE2\x96\x81 h", "\xE2\x96\x81h i", "a b"}}}}};
}

}  // namespace sluice_test
