// Tokenizer::load and Tokenizer::from_json: reads a HuggingFace
// tokenizer.json with simdjson into a Tokenizer::Impl. Every component is
// read generically; a component or option sluice cannot run exactly is an
// ErrorCode::kUnsupported error naming it and its JSON pointer, never
// skipped. Tested in tests/tokenizer/load_test.cc and fuzz_test.cc.
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <new>

#include "tokenizer/tokenizer_impl.h"
#include "tokenizer/unicode.h"

namespace sluice {

namespace {

namespace dom = simdjson::dom;
using Impl = Tokenizer::Impl;

// Ids at or above this are refused: a vocabulary this large is a corrupt
// file, and every per-token table is sized by the highest id.
constexpr int64_t kMaxVocabSize = int64_t{1} << 24;

// The pattern ByteLevel uses when its use_regex is on (GPT-2's).
constexpr std::string_view kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// Special tokens that end a sequence, in any of the families we load. The
// file does not say which is EOS (that is in tokenizer_config.json or
// generation_config.json), so every one of these present and special
// counts: for Llama-3 that is both <|end_of_text|> and <|eot_id|>.
constexpr std::string_view kEosNames[] = {
    "</s>", "<|end_of_text|>", "<|eot_id|>", "<|eom_id|>", "<|endoftext|>", "<|im_end|>",
    "<｜end▁of▁sentence｜>", "<|end|>", "<|return|>", "<|call|>", "<eos>", "<end_of_turn>"};

std::string escape_for_regex(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\^$.|?*+()[]{}/-").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

struct DecodeStep {
  enum Kind { kByteLevel, kReplace, kByteFallback } kind;
  std::string from, to;
};

class Loader {
 public:
  Loader(Impl* impl, std::string_view source) : t_(*impl), source_(source) {}

  Status run(const simdjson::padded_string& json);

 private:
  Error err(ErrorCode code, const std::string& message, const std::string& pointer = "") {
    Location loc;
    loc.json_pointer = pointer;
    return make_error(code, std::string(source_) + ": " + message, loc);
  }
  Error type_err(const std::string& pointer, const char* expected) {
    return err(ErrorCode::kParseError, "expected " + std::string(expected), pointer);
  }

  Status get_string(dom::element e, const std::string& ptr, std::string_view* out) {
    if (e.get_string().get(*out) != simdjson::SUCCESS) return type_err(ptr, "a string");
    return {};
  }
  Status get_bool(dom::element e, const std::string& ptr, bool* out) {
    if (e.is_null()) return {};
    if (e.get_bool().get(*out) != simdjson::SUCCESS) return type_err(ptr, "true or false");
    return {};
  }
  Status get_object(dom::element e, const std::string& ptr, dom::object* out) {
    if (e.get_object().get(*out) != simdjson::SUCCESS) return type_err(ptr, "an object");
    return {};
  }
  Status get_type(dom::object o, const std::string& ptr, std::string_view* type) {
    dom::element e;
    if (o.at_key("type").get(e) != simdjson::SUCCESS) {
      return err(ErrorCode::kParseError, "missing \"type\"", ptr);
    }
    return get_string(e, ptr + "/type", type);
  }

  Status parse_vocab(dom::element model);
  Status parse_added(dom::element added);
  Status build_names();
  Status parse_merges(dom::element merges);
  // The "Sequence" form of normalizers, pre-tokenizers and decoders: each
  // element of the array o[key] parsed by `parse`, in order.
  Status parse_sequence(dom::object o, const char* key, const std::string& ptr,
                        Status (Loader::*parse)(dom::element, const std::string&));
  Status parse_normalizer(dom::element e, const std::string& ptr);
  Status parse_pretokenizer(dom::element e, const std::string& ptr);
  Status add_regex(std::string_view pattern, const std::string& ptr, int* index);
  Status parse_decoder(dom::element e, const std::string& ptr);
  Status finish_model();
  Status compute_bytes();

  Impl& t_;
  std::string_view source_;
  std::vector<std::pair<std::string_view, int64_t>> vocab_;
  struct AddedToken {
    std::string_view content;
    int64_t id;
    bool special, lstrip, rstrip;
  };
  std::vector<AddedToken> added_;
  std::vector<bool> special_;
  std::vector<bool> added_nonspecial_;
  std::vector<DecodeStep> decode_steps_;
  bool decoder_fused_ = false;
  bool decoder_byte_level_ = false;
  bool byte_fallback_ = false;
  std::string_view unk_name_;
  bool has_unk_ = false;
};

Status Loader::run(const simdjson::padded_string& padded) {
  dom::parser parser;
  dom::element root;
  if (auto code = parser.parse(padded).get(root); code != simdjson::SUCCESS) {
    return err(ErrorCode::kParseError, std::string("malformed JSON: ") + simdjson::error_message(code));
  }
  dom::object top;
  if (auto s = get_object(root, "", &top); !s) return s;
  dom::element model, added, normalizer, pretok, decoder;
  bool have_model = false, have_added = false, have_norm = false, have_pre = false, have_dec = false;
  for (auto field : top) {
    std::string_view key = field.key;
    if (key == "model") have_model = true, model = field.value;
    else if (key == "added_tokens") have_added = true, added = field.value;
    else if (key == "normalizer") have_norm = true, normalizer = field.value;
    else if (key == "pre_tokenizer") have_pre = true, pretok = field.value;
    else if (key == "decoder") have_dec = true, decoder = field.value;
  }
  if (!have_model) return err(ErrorCode::kParseError, "no \"model\"", "/model");
  if (auto s = parse_vocab(model); !s) return s;
  if (have_added) {
    if (auto s = parse_added(added); !s) return s;
  }
  if (auto s = build_names(); !s) return s;
  dom::element merges;
  if (model.at_key("merges").get(merges) != simdjson::SUCCESS) {
    return err(ErrorCode::kParseError, "BPE model without \"merges\"", "/model/merges");
  }
  if (auto s = parse_merges(merges); !s) return s;
  if (have_norm) {
    if (auto s = parse_normalizer(normalizer, "/normalizer"); !s) return s;
  }
  if (have_pre) {
    if (auto s = parse_pretokenizer(pretok, "/pre_tokenizer"); !s) return s;
  }
  if (!have_dec || decoder.is_null()) {
    return err(ErrorCode::kUnsupported, "no decoder: token bytes would be guesswork", "/decoder");
  }
  if (auto s = parse_decoder(decoder, "/decoder"); !s) return s;
  if (auto s = finish_model(); !s) return s;
  return compute_bytes();
}

Status Loader::parse_vocab(dom::element model_el) {
  dom::object model;
  if (auto s = get_object(model_el, "/model", &model); !s) return s;
  std::string_view type;
  if (auto s = get_type(model, "/model", &type); !s) return s;
  if (type != "BPE") {
    return err(ErrorCode::kUnsupported, "model type \"" + std::string(type) + "\" (only BPE)", "/model/type");
  }
  for (auto field : model) {
    std::string_view key = field.key;
    std::string ptr = "/model/" + std::string(key);
    dom::element v = field.value;
    if (key == "vocab") {
      dom::object vocab;
      if (auto s = get_object(v, ptr, &vocab); !s) return s;
      vocab_.reserve(vocab.size());
      for (auto entry : vocab) {
        int64_t id;
        if (entry.value.get_int64().get(id) != simdjson::SUCCESS) {
          return type_err(ptr + "/" + std::string(entry.key), "an integer id");
        }
        vocab_.emplace_back(entry.key, id);
      }
    } else if (key == "byte_fallback") {
      if (auto s = get_bool(v, ptr, &byte_fallback_); !s) return s;
    } else if (key == "fuse_unk") {
      if (auto s = get_bool(v, ptr, &t_.fuse_unk); !s) return s;
    } else if (key == "ignore_merges") {
      if (auto s = get_bool(v, ptr, &t_.ignore_merges); !s) return s;
    } else if (key == "unk_token") {
      if (!v.is_null()) {
        if (auto s = get_string(v, ptr, &unk_name_); !s) return s;
        has_unk_ = true;
      }
    } else if (key == "dropout") {
      double p = 0;
      if (!v.is_null() && (v.get_double().get(p) != simdjson::SUCCESS || p != 0)) {
        return err(ErrorCode::kUnsupported, "BPE dropout (encoding would be random)", ptr);
      }
    } else if (key == "continuing_subword_prefix" || key == "end_of_word_suffix" ||
               key == "continuing_subword_suffix") {
      std::string_view affix;
      if (!v.is_null()) {
        if (auto s = get_string(v, ptr, &affix); !s) return s;
      }
      if (!affix.empty()) return err(ErrorCode::kUnsupported, "BPE " + std::string(key), ptr);
    }
  }
  return {};
}

Status Loader::parse_added(dom::element e) {
  dom::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) return type_err("/added_tokens", "an array");
  size_t index = 0;
  for (dom::element item : arr) {
    std::string ptr = "/added_tokens/" + std::to_string(index++);
    dom::object o;
    if (auto s = get_object(item, ptr, &o); !s) return s;
    AddedToken a{{}, -1, false, false, false};
    dom::element v;
    if (o.at_key("id").get(v) != simdjson::SUCCESS || v.get_int64().get(a.id) != simdjson::SUCCESS) {
      return type_err(ptr + "/id", "an integer id");
    }
    if (o.at_key("content").get(v) != simdjson::SUCCESS) return type_err(ptr + "/content", "a string");
    if (auto s = get_string(v, ptr + "/content", &a.content); !s) return s;
    if (a.content.empty()) return err(ErrorCode::kParseError, "empty added token", ptr + "/content");
    if (o.at_key("special").get(v) == simdjson::SUCCESS) {
      if (auto s = get_bool(v, ptr + "/special", &a.special); !s) return s;
    }
    if (o.at_key("lstrip").get(v) == simdjson::SUCCESS) {
      if (auto s = get_bool(v, ptr + "/lstrip", &a.lstrip); !s) return s;
    }
    if (o.at_key("rstrip").get(v) == simdjson::SUCCESS) {
      if (auto s = get_bool(v, ptr + "/rstrip", &a.rstrip); !s) return s;
    }
    added_.push_back(a);
  }
  return {};
}

Status Loader::build_names() {
  int64_t max_id = -1;
  // The JSON pointer is built only for the error: building one per token
  // would cost more than the check.
  auto bad_id = [&](int64_t id, const std::string& ptr) {
    return err(ErrorCode::kParseError,
               "token id " + std::to_string(id) + " outside [0, " + std::to_string(kMaxVocabSize) + ")", ptr);
  };
  for (const auto& [name, id] : vocab_) {
    if (id < 0 || id >= kMaxVocabSize) return bad_id(id, "/model/vocab/" + std::string(name));
    max_id = std::max(max_id, id);
  }
  for (size_t i = 0; i < added_.size(); ++i) {
    int64_t id = added_[i].id;
    if (id < 0 || id >= kMaxVocabSize) return bad_id(id, "/added_tokens/" + std::to_string(i) + "/id");
    max_id = std::max(max_id, id);
  }
  if (max_id < 0) return err(ErrorCode::kParseError, "empty vocabulary", "/model/vocab");
  const uint32_t n = static_cast<uint32_t>(max_id + 1);
  t_.vocab_size = n;
  std::vector<std::string_view> names(n);
  std::vector<bool> present(n, false);
  special_.assign(n, false);
  added_nonspecial_.assign(n, false);
  for (const auto& [name, id] : vocab_) {
    if (present[id]) {
      return err(ErrorCode::kParseError, "duplicate token id " + std::to_string(id) + " (\"" +
                                             std::string(names[id]) + "\" and \"" + std::string(name) + "\")",
                 "/model/vocab/" + std::string(name));
    }
    present[id] = true;
    names[id] = name;
  }
  for (size_t i = 0; i < added_.size(); ++i) {
    const AddedToken& a = added_[i];
    std::string ptr = "/added_tokens/" + std::to_string(i);
    if (present[a.id] && names[a.id] != a.content) {
      return err(ErrorCode::kUnsupported, "added token \"" + std::string(a.content) + "\" reuses id " +
                                              std::to_string(a.id) + " of \"" + std::string(names[a.id]) + "\"",
                 ptr);
    }
    present[a.id] = true;
    names[a.id] = a.content;
    special_[a.id] = a.special;
    added_nonspecial_[a.id] = !a.special;
  }
  t_.name_off.resize(n + 1);
  size_t total = 0;
  for (auto s : names) total += s.size();
  t_.names.reserve(total);
  for (uint32_t id = 0; id < n; ++id) {
    t_.name_off[id] = static_cast<uint32_t>(t_.names.size());
    t_.names.append(names[id]);
  }
  t_.name_off[n] = static_cast<uint32_t>(t_.names.size());
  t_.kinds.assign(n, TokenKind::kNormal);
  t_.by_name.reserve(n);
  auto name_of = [this](int32_t id) { return t_.name(id); };
  // Hashes first, so that each insert can prefetch the slot of one a few
  // ids ahead: the table is larger than L2 and the inserts go at random.
  std::vector<uint64_t> hashes(n);
  for (uint32_t id = 0; id < n; ++id) hashes[id] = tok::NameTable::hash(t_.name(id));
  constexpr uint32_t kPrefetchAhead = 16;
  for (uint32_t id = 0; id < n; ++id) {
    if (id + kPrefetchAhead < n) t_.by_name.prefetch(hashes[id + kPrefetchAhead]);
    if (!present[id]) {
      t_.kinds[id] = TokenKind::kSpecial;  // an unused id: never text
      continue;
    }
    if (special_[id]) t_.kinds[id] = TokenKind::kSpecial;
    if (int32_t other = t_.by_name.insert(t_.name(id), hashes[id], static_cast<int32_t>(id), name_of);
        other >= 0) {
      return err(ErrorCode::kParseError, "duplicate token \"" + std::string(t_.name(id)) + "\" (ids " +
                                             std::to_string(other) + " and " + std::to_string(id) + ")",
                 "/model/vocab");
    }
  }
  for (const AddedToken& a : added_) {
    if (!a.special) t_.added.push_back({std::string(a.content), static_cast<TokenId>(a.id), a.lstrip, a.rstrip});
  }
  for (std::string_view eos : kEosNames) {
    int32_t id = t_.by_name.find(eos, name_of);
    if (id >= 0 && t_.kinds[id] == TokenKind::kSpecial) t_.eos.push_back(id);
  }
  return {};
}

Status Loader::parse_merges(dom::element e) {
  dom::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) return type_err("/model/merges", "an array");
  auto name_of = [this](int32_t id) { return t_.name(id); };
  // A merge needs the ids of its two sides, and each lookup is a chain of
  // dependent cache misses (slot, name offset, name bytes) in tables larger
  // than L2, as is adding it to the merge table. Merges are resolved in
  // blocks, each stage for the whole block before the next, so that a
  // block's misses overlap instead of queueing.
  struct Item {
    std::string_view left, right;
    uint64_t left_hash, right_hash;
    int32_t left_id, right_id, result_id;
  };
  constexpr size_t kBlock = 32;
  std::array<Item, kBlock> block;
  size_t filled = 0;
  uint32_t block_rank = 0;
  int32_t last_joined = -1;
  std::string joined;
  t_.merges.reserve(arr.size());
  auto resolve = [&]() -> Status {
    for (size_t i = 0; i < filled; ++i) {
      Item& it = block[i];
      it.left_id = t_.by_name.candidate(it.left_hash);
      it.right_id = t_.by_name.candidate(it.right_hash);
      if (it.left_id >= 0) __builtin_prefetch(&t_.name_off[it.left_id]);
      if (it.right_id >= 0) __builtin_prefetch(&t_.name_off[it.right_id]);
    }
    for (size_t i = 0; i < filled; ++i) {
      const Item& it = block[i];
      if (it.left_id >= 0) __builtin_prefetch(t_.names.data() + t_.name_off[it.left_id]);
      if (it.right_id >= 0) __builtin_prefetch(t_.names.data() + t_.name_off[it.right_id]);
    }
    for (size_t i = 0; i < filled; ++i) {
      Item& it = block[i];
      const uint32_t rank = block_rank + static_cast<uint32_t>(i);
      int32_t l = it.left_id, r = it.right_id;
      if (l >= 0 && t_.name(l) != it.left) l = t_.by_name.find(it.left, it.left_hash, name_of);
      if (r >= 0 && t_.name(r) != it.right) r = t_.by_name.find(it.right, it.right_hash, name_of);
      // Files list merges in the order their results were added to the
      // vocabulary, so the result is usually the last one or the next id:
      // checking those first saves a random probe per merge.
      auto is_joined = [&](int32_t id) {
        std::string_view name = t_.name(id);
        return name.size() == it.left.size() + it.right.size() && name.starts_with(it.left) &&
               name.ends_with(it.right);
      };
      int32_t j = -1;
      for (int32_t guess : {last_joined, last_joined + 1}) {
        if (guess >= 0 && static_cast<uint32_t>(guess) < t_.vocab_size && is_joined(guess)) {
          j = guess;
          break;
        }
      }
      if (j < 0) {
        joined.assign(it.left).append(it.right);
        j = t_.by_name.find(joined, name_of);
      }
      last_joined = j;
      if (l >= 0 && r >= 0) t_.merges.prefetch(l, r);
      if (l < 0 || r < 0 || j < 0) {
        joined.assign(it.left).append(it.right);
        std::string_view missing = l < 0 ? it.left : r < 0 ? it.right : std::string_view(joined);
        return err(ErrorCode::kParseError,
                   "merge \"" + std::string(it.left) + " " + std::string(it.right) + "\" uses \"" +
                       std::string(missing) + "\", which is not in the vocabulary",
                   "/model/merges/" + std::to_string(rank));
      }
      it.left_id = l;
      it.right_id = r;
      it.result_id = j;
    }
    for (size_t i = 0; i < filled; ++i) {
      const Item& it = block[i];
      t_.merges.add(it.left_id, it.right_id, {block_rank + static_cast<uint32_t>(i), it.result_id});
    }
    block_rank += static_cast<uint32_t>(filled);
    filled = 0;
    return {};
  };
  for (dom::element item : arr) {
    std::string_view left, right;
    std::string_view s;
    dom::array pair;
    const uint32_t rank = block_rank + static_cast<uint32_t>(filled);
    if (item.get_string().get(s) == simdjson::SUCCESS) {
      size_t space = s.find(' ');
      if (space == std::string_view::npos || s.find(' ', space + 1) != std::string_view::npos) {
        if (auto st = resolve(); !st) return st;
        return err(ErrorCode::kParseError, "merge \"" + std::string(s) + "\" is not two tokens",
                   "/model/merges/" + std::to_string(rank));
      }
      left = s.substr(0, space);
      right = s.substr(space + 1);
    } else if (item.get_array().get(pair) == simdjson::SUCCESS && pair.size() == 2 &&
               pair.at(0).get_string().get(left) == simdjson::SUCCESS &&
               pair.at(1).get_string().get(right) == simdjson::SUCCESS) {
    } else {
      if (auto st = resolve(); !st) return st;
      return type_err("/model/merges/" + std::to_string(rank), "\"a b\" or [\"a\", \"b\"]");
    }
    Item& it = block[filled++];
    it.left = left;
    it.right = right;
    it.left_hash = tok::NameTable::hash(left);
    it.right_hash = tok::NameTable::hash(right);
    t_.by_name.prefetch(it.left_hash);
    t_.by_name.prefetch(it.right_hash);
    if (filled == kBlock) {
      if (auto st = resolve(); !st) return st;
    }
  }
  if (auto st = resolve(); !st) return st;
  return {};
}

Status Loader::parse_sequence(dom::object o, const char* key, const std::string& ptr,
                              Status (Loader::*parse)(dom::element, const std::string&)) {
  dom::element v;
  dom::array arr;
  const std::string array_ptr = ptr + "/" + key;
  if (o.at_key(key).get(v) != simdjson::SUCCESS || v.get_array().get(arr) != simdjson::SUCCESS) {
    return type_err(array_ptr, "an array");
  }
  size_t i = 0;
  for (dom::element sub : arr) {
    if (auto s = (this->*parse)(sub, array_ptr + "/" + std::to_string(i++)); !s) return s;
  }
  return {};
}

Status Loader::parse_normalizer(dom::element e, const std::string& ptr) {
  if (e.is_null()) return {};
  dom::object o;
  if (auto s = get_object(e, ptr, &o); !s) return s;
  std::string_view type;
  if (auto s = get_type(o, ptr, &type); !s) return s;
  dom::element v;
  if (type == "Sequence") return parse_sequence(o, "normalizers", ptr, &Loader::parse_normalizer);
  if (type == "NFC") {
    t_.normalizers.push_back({Impl::NormStep::kNfc, {}, {}});
    return {};
  }
  if (type == "Prepend") {
    std::string_view prepend;
    if (o.at_key("prepend").get(v) != simdjson::SUCCESS) return type_err(ptr + "/prepend", "a string");
    if (auto s = get_string(v, ptr + "/prepend", &prepend); !s) return s;
    t_.normalizers.push_back({Impl::NormStep::kPrepend, {}, std::string(prepend)});
    return {};
  }
  if (type == "Replace") {
    std::string_view from, to;
    dom::element pattern;
    if (o.at_key("pattern").get(pattern) != simdjson::SUCCESS ||
        pattern.at_key("String").get(v) != simdjson::SUCCESS) {
      return err(ErrorCode::kUnsupported, "Replace normalizer without a String pattern", ptr + "/pattern");
    }
    if (auto s = get_string(v, ptr + "/pattern/String", &from); !s) return s;
    if (o.at_key("content").get(v) != simdjson::SUCCESS) return type_err(ptr + "/content", "a string");
    if (auto s = get_string(v, ptr + "/content", &to); !s) return s;
    if (!from.empty()) t_.normalizers.push_back({Impl::NormStep::kReplace, std::string(from), std::string(to)});
    return {};
  }
  return err(ErrorCode::kUnsupported, "normalizer \"" + std::string(type) + "\"", ptr + "/type");
}

Status Loader::add_regex(std::string_view pattern, const std::string& ptr, int* index) {
  Result<tok::Regex> re = tok::Regex::compile(pattern);
  if (!re.ok()) {
    Error e = re.error();
    e.message = std::string(source_) + ": " + e.message;
    e.location.json_pointer = ptr;
    return e;
  }
  *index = static_cast<int>(t_.regexes.size());
  t_.regexes.push_back(std::move(re).value());
  return {};
}

Status Loader::parse_pretokenizer(dom::element e, const std::string& ptr) {
  if (e.is_null()) return {};
  dom::object o;
  if (auto s = get_object(e, ptr, &o); !s) return s;
  std::string_view type;
  if (auto s = get_type(o, ptr, &type); !s) return s;
  dom::element v;
  if (type == "Sequence") return parse_sequence(o, "pretokenizers", ptr, &Loader::parse_pretokenizer);
  Impl::PreStep step{};
  if (type == "Split") {
    step.kind = Impl::PreStep::kSplit;
    std::string_view behavior = "Isolated";
    if (o.at_key("behavior").get(v) == simdjson::SUCCESS) {
      if (auto s = get_string(v, ptr + "/behavior", &behavior); !s) return s;
    }
    // The reference implements only Removed apart from Isolated and runs
    // every other behavior as Isolated; so does sluice. Removed (whose JS
    // split also keeps capture groups) is refused.
    if (behavior == "Removed" || (behavior != "Isolated" && behavior != "MergedWithPrevious" &&
                                  behavior != "MergedWithNext" && behavior != "Contiguous")) {
      return err(ErrorCode::kUnsupported, "Split behavior \"" + std::string(behavior) + "\"", ptr + "/behavior");
    }
    if (o.at_key("invert").get(v) == simdjson::SUCCESS) {
      if (auto s = get_bool(v, ptr + "/invert", &step.matches_only); !s) return s;
    }
    dom::element pattern;
    std::string_view text;
    if (o.at_key("pattern").get(pattern) != simdjson::SUCCESS) return type_err(ptr + "/pattern", "an object");
    if (pattern.at_key("Regex").get(v) == simdjson::SUCCESS) {
      if (auto s = get_string(v, ptr + "/pattern/Regex", &text); !s) return s;
      if (auto s = add_regex(text, ptr + "/pattern/Regex", &step.regex); !s) return s;
      step.fast = tok::FastSplit::recognize(text);
    } else if (pattern.at_key("String").get(v) == simdjson::SUCCESS) {
      if (auto s = get_string(v, ptr + "/pattern/String", &text); !s) return s;
      if (text.empty()) return err(ErrorCode::kUnsupported, "Split on an empty string", ptr + "/pattern");
      if (auto s = add_regex(escape_for_regex(text), ptr + "/pattern/String", &step.regex); !s) return s;
    } else {
      return type_err(ptr + "/pattern", "{\"Regex\": ..} or {\"String\": ..}");
    }
  } else if (type == "Digits") {
    step.kind = Impl::PreStep::kSplit;
    step.matches_only = true;
    bool individual = false;
    if (o.at_key("individual_digits").get(v) == simdjson::SUCCESS) {
      if (auto s = get_bool(v, ptr + "/individual_digits", &individual); !s) return s;
    }
    if (auto s = add_regex(individual ? "[^\\d]+|\\d" : "[^\\d]+|\\d+", ptr, &step.regex); !s) return s;
  } else if (type == "ByteLevel") {
    step.kind = Impl::PreStep::kByteLevel;
    bool use_regex = true;
    if (o.at_key("add_prefix_space").get(v) == simdjson::SUCCESS) {
      if (auto s = get_bool(v, ptr + "/add_prefix_space", &step.add_prefix_space); !s) return s;
    }
    if (o.at_key("use_regex").get(v) == simdjson::SUCCESS) {
      if (auto s = get_bool(v, ptr + "/use_regex", &use_regex); !s) return s;
    }
    if (use_regex) {
      if (auto s = add_regex(kGpt2Pattern, ptr, &step.regex); !s) return s;
    }
    t_.byte_level = true;
  } else if (type == "Metaspace") {
    step.kind = Impl::PreStep::kMetaspace;
    std::string_view replacement;
    if (o.at_key("replacement").get(v) != simdjson::SUCCESS) return type_err(ptr + "/replacement", "a string");
    if (auto s = get_string(v, ptr + "/replacement", &replacement); !s) return s;
    step.replacement = std::string(replacement);
    if (o.at_key("str_rep").get(v) == simdjson::SUCCESS && !v.is_null()) {
      std::string_view rep;
      if (auto s = get_string(v, ptr + "/str_rep", &rep); !s) return s;
      if (!rep.empty()) step.replacement = std::string(rep);
    }
    if (o.at_key("add_prefix_space").get(v) == simdjson::SUCCESS) {
      if (auto s = get_bool(v, ptr + "/add_prefix_space", &step.add_prefix_space); !s) return s;
    }
    if (o.at_key("prepend_scheme").get(v) == simdjson::SUCCESS) {
      std::string_view scheme;
      if (auto s = get_string(v, ptr + "/prepend_scheme", &scheme); !s) return s;
      if (scheme == "always") step.prepend_scheme = Impl::PreStep::kAlways;
      else if (scheme == "first") step.prepend_scheme = Impl::PreStep::kFirst;
      else if (scheme == "never") step.prepend_scheme = Impl::PreStep::kNever;
      else return err(ErrorCode::kUnsupported, "prepend_scheme \"" + std::string(scheme) + "\"", ptr);
    }
  } else {
    return err(ErrorCode::kUnsupported, "pre-tokenizer \"" + std::string(type) + "\"", ptr + "/type");
  }
  t_.pretokenizers.push_back(std::move(step));
  return {};
}

Status Loader::parse_decoder(dom::element e, const std::string& ptr) {
  dom::object o;
  if (auto s = get_object(e, ptr, &o); !s) return s;
  std::string_view type;
  if (auto s = get_type(o, ptr, &type); !s) return s;
  dom::element v;
  if (type == "Sequence") return parse_sequence(o, "decoders", ptr, &Loader::parse_decoder);
  if (t_.strip_leading != 0) {
    return err(ErrorCode::kUnsupported, "decoder step after Strip", ptr);
  }
  if (type == "ByteLevel") {
    decode_steps_.push_back({DecodeStep::kByteLevel, {}, {}});
    decoder_byte_level_ = true;
  } else if (type == "ByteFallback") {
    decode_steps_.push_back({DecodeStep::kByteFallback, {}, {}});
  } else if (type == "Fuse") {
    decoder_fused_ = true;
  } else if (type == "Replace") {
    std::string_view from, to;
    dom::element pattern;
    if (o.at_key("pattern").get(pattern) != simdjson::SUCCESS ||
        pattern.at_key("String").get(v) != simdjson::SUCCESS) {
      return err(ErrorCode::kUnsupported, "Replace decoder without a String pattern", ptr + "/pattern");
    }
    if (auto s = get_string(v, ptr + "/pattern/String", &from); !s) return s;
    if (o.at_key("content").get(v) != simdjson::SUCCESS) return type_err(ptr + "/content", "a string");
    if (auto s = get_string(v, ptr + "/content", &to); !s) return s;
    if (!from.empty()) decode_steps_.push_back({DecodeStep::kReplace, std::string(from), std::string(to)});
  } else if (type == "Metaspace") {
    std::string_view replacement;
    bool add_prefix_space = false;
    if (o.at_key("replacement").get(v) != simdjson::SUCCESS) return type_err(ptr + "/replacement", "a string");
    if (auto s = get_string(v, ptr + "/replacement", &replacement); !s) return s;
    if (o.at_key("add_prefix_space").get(v) == simdjson::SUCCESS) {
      if (auto s = get_bool(v, ptr + "/add_prefix_space", &add_prefix_space); !s) return s;
    }
    decode_steps_.push_back({DecodeStep::kReplace, std::string(replacement), " "});
    if (add_prefix_space) {
      t_.strip_leading = 1;
      t_.strip_char = " ";
    }
  } else if (type == "Strip") {
    std::string_view content;
    int64_t start = 0, stop = 0;
    if (o.at_key("content").get(v) != simdjson::SUCCESS) return type_err(ptr + "/content", "a string");
    if (auto s = get_string(v, ptr + "/content", &content); !s) return s;
    if (o.at_key("start").get(v) == simdjson::SUCCESS && v.get_int64().get(start) != simdjson::SUCCESS) {
      return type_err(ptr + "/start", "an integer");
    }
    if (o.at_key("stop").get(v) == simdjson::SUCCESS && v.get_int64().get(stop) != simdjson::SUCCESS) {
      return type_err(ptr + "/stop", "an integer");
    }
    if (!decoder_fused_ || stop != 0 || start < 0 || start > 64) {
      return err(ErrorCode::kUnsupported,
                 "Strip decoder other than a leading strip after Fuse (it would drop text per token)", ptr);
    }
    t_.strip_leading = static_cast<uint32_t>(start);
    t_.strip_char = std::string(content);
  } else {
    return err(ErrorCode::kUnsupported, "decoder \"" + std::string(type) + "\"", ptr + "/type");
  }
  return {};
}

Status Loader::finish_model() {
  auto name_of = [this](int32_t id) { return t_.name(id); };
  if (t_.byte_level != decoder_byte_level_) {
    return err(ErrorCode::kUnsupported, t_.byte_level ? "ByteLevel pre-tokenizer without a ByteLevel decoder"
                                                      : "ByteLevel decoder without a ByteLevel pre-tokenizer",
               "/decoder");
  }
  if (has_unk_) {
    int32_t id = t_.by_name.find(unk_name_, name_of);
    if (id < 0) {
      return err(ErrorCode::kParseError, "unk_token \"" + std::string(unk_name_) + "\" is not in the vocabulary",
                 "/model/unk_token");
    }
    t_.unk = id;
  }
  if (t_.byte_level) {
    auto alphabet = Impl::byte_alphabet();
    for (int b = 0; b < 256; ++b) {
      std::string ch;
      tok::append_utf8(alphabet[b], &ch);
      int32_t id = t_.by_name.find(ch, name_of);
      if (id < 0) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", b);
        return err(ErrorCode::kUnsupported,
                   std::string("ByteLevel vocabulary has no token for byte ") + hex + " (\"" + ch + "\")",
                   "/model/vocab");
      }
      t_.byte_symbol[b] = id;
    }
  } else if (byte_fallback_) {
    t_.byte_fallback.assign(256, -1);
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      t_.byte_fallback[b] = t_.by_name.find(name, name_of);
    }
  }
  if (!t_.byte_level) {
    for (int c = 0; c < 128; ++c) t_.ascii_symbol[c] = t_.by_name.find(std::string(1, static_cast<char>(c)), name_of);
    constexpr std::string_view kMarker = "\xE2\x96\x81";
    bool crossing = false;
    for (uint32_t id = 0; id < t_.vocab_size && !crossing; ++id) {
      std::string_view name = t_.name(id);
      for (size_t at = name.find(kMarker, 1); at != std::string_view::npos && !crossing;
           at = name.find(kMarker, at + 1)) {
        crossing = name.substr(at - std::min<size_t>(at, 3), 3) != kMarker;
      }
    }
    t_.split_before_space_marker = !crossing;
  }
  if (!t_.byte_level && !t_.unk &&
      (t_.byte_fallback.empty() ||
       std::count(t_.byte_fallback.begin(), t_.byte_fallback.end(), -1) != 0)) {
    return err(ErrorCode::kUnsupported,
               "the model cannot encode every text: no ByteLevel, no complete byte_fallback, no unk_token", "/model");
  }
  return {};
}

Status Loader::compute_bytes() {
  const uint32_t n = t_.vocab_size;
  // Inverse of the GPT-2 alphabet for code points below 0x144.
  std::array<int, 0x144> alphabet_byte;
  alphabet_byte.fill(-1);
  auto alphabet = Impl::byte_alphabet();
  for (int b = 0; b < 256; ++b) alphabet_byte[alphabet[b]] = b;
  t_.bytes_off.resize(n + 1);
  t_.bytes.reserve(t_.names.size());
  // The common byte-level decoder, without the general loop's copies: an
  // ASCII character is its own byte either way (printable ones are in the
  // alphabet, the others are not and stand for themselves), and the rest of
  // the alphabet is two-byte UTF-8.
  const bool byte_level_only = decode_steps_.size() == 1 && decode_steps_[0].kind == DecodeStep::kByteLevel;
  auto append_byte_level = [&](std::string_view name) {
    for (size_t i = 0; i < name.size();) {
      unsigned char c = static_cast<unsigned char>(name[i]);
      if (c < 0x80) {
        t_.bytes.push_back(static_cast<char>(c));
        ++i;
        continue;
      }
      size_t len;
      uint32_t cp = tok::decode_utf8(name, i, &len);
      if (cp < alphabet_byte.size() && alphabet_byte[cp] >= 0) {
        t_.bytes.push_back(static_cast<char>(alphabet_byte[cp]));
      } else {
        t_.bytes.append(name, i, len);
      }
      i += len;
    }
  };
  std::string text, next;
  for (uint32_t id = 0; id < n; ++id) {
    t_.bytes_off[id] = static_cast<uint32_t>(t_.bytes.size());
    if (t_.kinds[id] == TokenKind::kSpecial) continue;
    std::string_view name = t_.name(id);
    // As the reference decodes them: the ByteLevel decoder passes added
    // tokens through as text; other decoders treat them as any token.
    if (added_nonspecial_[id] && decoder_byte_level_) {
      t_.bytes.append(name);
      continue;
    }
    if (byte_level_only) {
      append_byte_level(name);
      continue;
    }
    text.assign(name);
    bool is_byte = false;
    for (const DecodeStep& step : decode_steps_) {
      if (is_byte) break;
      switch (step.kind) {
        case DecodeStep::kByteLevel: {
          // A character outside the alphabet stands for itself.
          next.clear();
          for (size_t i = 0; i < text.size();) {
            size_t len;
            uint32_t cp = tok::decode_utf8(text, i, &len);
            if (cp < alphabet_byte.size() && alphabet_byte[cp] >= 0) {
              next.push_back(static_cast<char>(alphabet_byte[cp]));
            } else {
              next.append(text, i, len);
            }
            i += len;
          }
          text.swap(next);
          break;
        }
        case DecodeStep::kReplace: {
          next.clear();
          size_t i = 0;
          for (size_t at; (at = text.find(step.from, i)) != std::string::npos; i = at + step.from.size()) {
            next.append(text, i, at - i).append(step.to);
          }
          next.append(text, i);
          text.swap(next);
          break;
        }
        case DecodeStep::kByteFallback: {
          auto hex = [](char c) {
            return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
          };
          if (text.size() == 6 && text.compare(0, 3, "<0x") == 0 && text[5] == '>' && hex(text[3]) >= 0 &&
              hex(text[4]) >= 0) {
            text.assign(1, static_cast<char>(hex(text[3]) * 16 + hex(text[4])));
            is_byte = true;
          }
          break;
        }
      }
    }
    if (is_byte) t_.kinds[id] = TokenKind::kByte;
    t_.bytes.append(text);
  }
  t_.bytes_off[n] = static_cast<uint32_t>(t_.bytes.size());
  return {};
}

Result<std::shared_ptr<Impl>> build(const simdjson::padded_string& json, std::string_view source,
                                    const TokenizerOptions& options);

}  // namespace

std::array<uint32_t, 256> Tokenizer::Impl::byte_alphabet() {
  std::array<uint32_t, 256> map{};
  uint32_t extra = 256;
  for (uint32_t b = 0; b < 256; ++b) {
    bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    map[b] = printable ? b : extra++;
  }
  return map;
}

Result<Tokenizer> Tokenizer::from_json(std::string_view json, std::string_view source,
                                       const TokenizerOptions& options) {
  try {
    auto impl = build(simdjson::padded_string(json), source, options);
    if (!impl.ok()) return impl.error();
    return Tokenizer(std::move(impl).value());
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::kBudgetExceeded, std::string(source) + ": out of memory while loading");
  }
}

namespace {

Result<std::shared_ptr<Impl>> build(const simdjson::padded_string& json, std::string_view source,
                                    const TokenizerOptions& options) {
  try {
    auto impl = std::make_shared<Impl>();
    Loader loader(impl.get(), source);
    if (Status s = loader.run(json); !s) return s.error();
    if (options.eos_override) {
      for (TokenId id : *options.eos_override) {
        if (id < 0 || static_cast<uint32_t>(id) >= impl->vocab_size) {
          return make_error(ErrorCode::kInvalidArgument,
                            "eos_override: token id " + std::to_string(id) + " is outside the vocabulary of " +
                                std::to_string(impl->vocab_size));
        }
      }
      impl->eos = *options.eos_override;
    }
    return impl;
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::kBudgetExceeded, std::string(source) + ": out of memory while loading");
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string(source) + ": " + e.what());
  }
}

}  // namespace

Result<Tokenizer> Tokenizer::load(std::string_view path_or_name, const TokenizerOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path path(path_or_name);
  fs::path file;
  if (fs::is_regular_file(path, ec)) {
    file = path;
  } else if (fs::is_directory(path, ec)) {
    file = path / "tokenizer.json";
    if (!fs::is_regular_file(file, ec)) {
      return make_error(ErrorCode::kIoError, "no tokenizer.json in directory " + path.string());
    }
  } else {
    const char* cache = std::getenv("SLUICE_CACHE");
    const char* home = std::getenv("HOME");
    fs::path root = cache != nullptr && *cache ? fs::path(cache)
                    : home != nullptr          ? fs::path(home) / ".cache" / "sluice"
                                               : fs::path(".cache/sluice");
    bool plain_name = !path_or_name.empty() && path_or_name.find('/') == std::string_view::npos &&
                      path_or_name != "." && path_or_name != "..";
    if (!plain_name) {
      return make_error(ErrorCode::kIoError, "no tokenizer at " + std::string(path_or_name) +
                                                 ": no such file or directory");
    }
    file = root / "tokenizers" / path / "tokenizer.json";
    if (!fs::is_regular_file(file, ec)) {
      return make_error(ErrorCode::kIoError,
                        "no tokenizer \"" + std::string(path_or_name) +
                            "\": not a file, not a directory with tokenizer.json, and not a cached name (looked for " +
                            file.string() + "; tools/setup/setup.sh fetches llama3, llama3.1, qwen3, deepseek-v3, llama2)");
    }
  }
  simdjson::padded_string data;
  if (auto code = simdjson::padded_string::load(file.string()).get(data); code != simdjson::SUCCESS) {
    return make_error(ErrorCode::kIoError, "cannot read " + file.string() + ": " + simdjson::error_message(code));
  }
  auto impl = build(data, file.string(), options);
  if (!impl.ok()) return impl.error();
  return Tokenizer(std::move(impl).value());
}

}  // namespace sluice
