// Tokenizer::encode: the reference's pipeline, step for step. Text is cut
// at non-special added tokens (longest match, left to right; lstrip/rstrip
// trim the neighbours), each other section is normalized, pre-tokenized
// (each step applied to every piece of the last, depth first) and its
// pieces are merged by BPE, with a per-call cache of merged pieces. The
// Llama-3 family's split pattern runs on a hand-written scanner
// (fast_split.h), which gives the regex engine's matches several times
// faster.
// Tested against golden ids in tests/tokenizer/golden_test.cc.
#include <string>

#include "tokenizer/tokenizer_impl.h"
#include "tokenizer/unicode.h"

namespace sluice {

namespace {

using Impl = Tokenizer::Impl;

// JavaScript's WhiteSpace and LineTerminator: what trimStart/trimEnd drop.
bool is_js_space(uint32_t cp) {
  return (cp >= '\t' && cp <= '\r') || cp == ' ' || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

std::string_view trim_start(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t len;
    if (!is_js_space(tok::decode_utf8(s, i, &len))) break;
    i += len;
  }
  return s.substr(i);
}

std::string_view trim_end(std::string_view s) {
  std::vector<uint32_t> cps, offs;
  tok::decode_all(s, &cps, &offs);
  size_t n = cps.size();
  while (n > 0 && is_js_space(cps[n - 1])) --n;
  return s.substr(0, offs[n]);
}

void replace_all(std::string_view text, std::string_view from, std::string_view to, std::string* out) {
  out->clear();
  size_t i = 0;
  for (size_t at; (at = text.find(from, i)) != std::string_view::npos; i = at + from.size()) {
    out->append(text, i, at - i).append(to);
  }
  out->append(text, i);
}

// Merged words of one encode call: most words of a text repeat, and BPE
// is the costly part. Open addressing over slots that keep the full hash,
// with the words' bytes in one arena, so a lookup allocates nothing.
class WordCache {
 public:
  // The range [first, last) of the word's ids in the caller's id list, or
  // false when the word is not cached.
  bool find(std::string_view word, uint64_t hash, uint32_t* first, uint32_t* last) const {
    if (slots_.empty()) return false;
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.key_len == kEmpty) return false;
      if (slot.hash == hash && slot.key_len == word.size() &&
          std::string_view(keys_).substr(slot.key_off, slot.key_len) == word) {
        *first = slot.first;
        *last = slot.last;
        return true;
      }
    }
  }
  // Whether the cache has stopped taking words: its offsets are 32-bit, and
  // a text with this many distinct words gains nothing from more.
  bool full() const { return keys_.size() >= kMaxKeyBytes; }
  // Caches a word that find has just missed.
  void insert(std::string_view word, uint64_t hash, uint32_t first, uint32_t last) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    const size_t mask = slots_.size() - 1;
    size_t i = hash & mask;
    while (slots_[i].key_len != kEmpty) i = (i + 1) & mask;
    slots_[i] = {hash, static_cast<uint32_t>(keys_.size()), static_cast<uint32_t>(word.size()), first, last};
    keys_.append(word);
    ++count_;
  }

 private:
  static constexpr uint32_t kEmpty = ~uint32_t{0};
  static constexpr size_t kMaxKeyBytes = size_t{1} << 30;
  struct Slot {
    uint64_t hash;
    uint32_t key_off, key_len;  // key_len kEmpty: a free slot
    uint32_t first, last;
  };
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 256 : old.size() * 2, Slot{0, 0, kEmpty, 0, 0});
    const size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.key_len == kEmpty) continue;
      size_t i = slot.hash & mask;
      while (slots_[i].key_len != kEmpty) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }
  std::vector<Slot> slots_;
  std::string keys_;
  size_t count_ = 0;
};

class Encoder {
 public:
  Encoder(const Impl& t, std::vector<TokenId>* out) : t_(t), out_(*out) {
    cps_.resize(t.pretokenizers.size() + 1);
    offs_.resize(t.pretokenizers.size() + 1);
  }

  void section(std::string_view text, size_t index) {
    section_index_ = index;
    section_start_ = out_.size();
    std::string normalized;
    if (!t_.normalizers.empty()) {
      normalized.assign(text);
      std::string tmp;
      for (const Impl::NormStep& step : t_.normalizers) {
        switch (step.kind) {
          case Impl::NormStep::kPrepend:
            normalized.insert(0, step.to);
            break;
          case Impl::NormStep::kReplace:
            replace_all(normalized, step.from, step.to, &tmp);
            normalized.swap(tmp);
            break;
          case Impl::NormStep::kNfc:
            if (!tok::nfc_is_trivially_identity(normalized)) normalized = tok::nfc(normalized);
            break;
        }
      }
      text = normalized;
    }
    if (!text.empty()) pretokenize(0, text);
  }

 private:
  void pretokenize(size_t k, std::string_view piece) {
    if (k == t_.pretokenizers.size()) {
      model(piece);
      return;
    }
    const Impl::PreStep& step = t_.pretokenizers[k];
    switch (step.kind) {
      case Impl::PreStep::kSplit:
        if (step.fast.enabled()) {
          // Its matches tile the piece, so Isolated and inverted agree.
          for (size_t at = 0; at < piece.size();) {
            size_t end = step.fast.match_end(piece, at);
            pretokenize(k + 1, piece.substr(at, end - at));
            at = end;
          }
          return;
        }
        split(k, t_.regexes[step.regex], step.matches_only, piece);
        return;
      case Impl::PreStep::kByteLevel: {
        std::string prefixed;
        if (step.add_prefix_space && (piece.empty() || piece[0] != ' ')) {
          prefixed.assign(" ").append(piece);
          piece = prefixed;
        }
        if (step.regex >= 0) {
          split(k, t_.regexes[step.regex], true, piece);
        } else {
          pretokenize(k + 1, piece);
        }
        return;
      }
      case Impl::PreStep::kMetaspace: {
        std::string replaced;
        replace_all(piece, " ", step.replacement, &replaced);
        bool scheme = step.prepend_scheme == Impl::PreStep::kAlways ||
                      (step.prepend_scheme == Impl::PreStep::kFirst && section_index_ == 0);
        if (step.add_prefix_space && scheme && std::string_view(replaced).substr(0, step.replacement.size()) !=
                                                   step.replacement) {
          replaced.insert(0, step.replacement);
        }
        pretokenize(k + 1, replaced);
        return;
      }
    }
  }

  // As JS's matchAll: each match is a piece; unless matches_only, so is
  // each gap between matches. An empty match moves on by one code point.
  void split(size_t k, const tok::Regex& re, bool matches_only, std::string_view piece) {
    std::vector<uint32_t>& cps = cps_[k];
    std::vector<uint32_t>& offs = offs_[k];
    tok::decode_all(piece, &cps, &offs);
    const size_t n = cps.size();
    auto emit = [&](size_t b, size_t e) { pretokenize(k + 1, piece.substr(offs[b], offs[e] - offs[b])); };
    size_t prev = 0;
    size_t pos = 0;
    tok::Regex::Match m;
    while (pos <= n && re.search(cps.data(), n, pos, &m, &regex_scratch_)) {
      if (!matches_only && prev < m.begin) emit(prev, m.begin);
      if (m.end > m.begin) emit(m.begin, m.end);
      prev = m.end;
      pos = m.end > m.begin ? m.end : m.begin + 1;
    }
    if (!matches_only && prev < n) emit(prev, n);
  }

  void push(TokenId id) {
    if (t_.fuse_unk && t_.unk && id == *t_.unk && out_.size() > section_start_ && out_.back() == id) return;
    out_.push_back(id);
  }

  void model(std::string_view piece) {
    if (!t_.split_before_space_marker) {
      word(piece, true);
      return;
    }
    auto name_of = [this](int32_t id) { return t_.name(id); };
    if (t_.ignore_merges) {
      if (int32_t whole = t_.by_name.find(piece, name_of); whole >= 0) {
        push(whole);
        return;
      }
    }
    constexpr std::string_view kMarker = "\xE2\x96\x81";
    size_t start = 0;
    for (size_t at = piece.find(kMarker, 1); at != std::string_view::npos; at = piece.find(kMarker, at + 3)) {
      if (piece.substr(at - std::min<size_t>(at, 3), 3) == kMarker) continue;
      word(piece.substr(start, at - start), false);
      start = at;
    }
    word(piece.substr(start), false);
  }

  // BPE of one word; `whole` asks for ignore_merges's lookup of the word.
  void word(std::string_view piece, bool whole_lookup) {
    if (piece.empty()) return;
    const bool cacheable = piece.size() <= kMaxCachedPiece && !cache_.full() && cache_ids_.size() < kMaxCachedIds;
    const uint64_t hash = cacheable ? tok::NameTable::hash(piece) : 0;
    uint32_t first, last;
    if (cacheable && cache_.find(piece, hash, &first, &last)) {
      for (uint32_t i = first; i < last; ++i) push(cache_ids_[i]);
      return;
    }
    first = static_cast<uint32_t>(cache_ids_.size());
    auto name_of = [this](int32_t id) { return t_.name(id); };
    int32_t whole = -1;
    if (t_.ignore_merges && whole_lookup) {
      if (t_.byte_level) {
        static const std::array<uint32_t, 256> alphabet = Impl::byte_alphabet();
        key_.clear();
        for (unsigned char b : piece) tok::append_utf8(alphabet[b], &key_);
        whole = t_.by_name.find(key_, name_of);
      } else {
        whole = t_.by_name.find(piece, name_of);
      }
    }
    if (whole >= 0) {
      cache_ids_.push_back(whole);
    } else {
      word_.clear();
      if (t_.byte_level) {
        for (size_t i = 0; i < piece.size(); ++i) {
          word_.push_back({t_.byte_symbol[static_cast<unsigned char>(piece[i])], uint32_t(i), uint32_t(i + 1)});
        }
      } else {
        for (size_t i = 0; i < piece.size();) {
          unsigned char c = static_cast<unsigned char>(piece[i]);
          if (c < 0x80) {
            word_.push_back({t_.ascii_symbol[c], uint32_t(i), uint32_t(i + 1)});
            ++i;
            continue;
          }
          size_t len;
          tok::decode_utf8(piece, i, &len);
          word_.push_back({t_.by_name.find(piece.substr(i, len), name_of), uint32_t(i), uint32_t(i + len)});
          i += len;
        }
      }
      tok::bpe_merge(t_.merges, &word_);
      for (const tok::Symbol& s : word_) {
        if (s.id >= 0) {
          cache_ids_.push_back(s.id);
          continue;
        }
        // Text the vocabulary lacks: its bytes as <0xNN> tokens when all of
        // them exist, else unk (loading made sure a model without ByteLevel
        // or complete byte fallback has one).
        std::string_view bytes = piece.substr(s.begin, s.end - s.begin);
        bool all = !t_.byte_fallback.empty();
        for (unsigned char b : bytes) all = all && t_.byte_fallback[b] >= 0;
        if (all) {
          for (unsigned char b : bytes) cache_ids_.push_back(t_.byte_fallback[b]);
        } else {
          cache_ids_.push_back(*t_.unk);
        }
      }
    }
    last = static_cast<uint32_t>(cache_ids_.size());
    for (uint32_t i = first; i < last; ++i) push(cache_ids_[i]);
    if (cacheable) {
      cache_.insert(piece, hash, first, last);
    } else {
      cache_ids_.resize(first);
    }
  }

  // Longer pieces rarely repeat; caching them would only cost memory.
  static constexpr size_t kMaxCachedPiece = 256;
  // Ids of cached words are addressed with 32 bits; past this many the
  // cache stops growing (a text of gigabytes of distinct words).
  static constexpr size_t kMaxCachedIds = size_t{1} << 30;

  const Impl& t_;
  std::vector<TokenId>& out_;
  size_t section_index_ = 0;
  size_t section_start_ = 0;
  std::vector<std::vector<uint32_t>> cps_, offs_;
  std::vector<tok::Symbol> word_;
  tok::Regex::Scratch regex_scratch_;
  std::string key_;
  WordCache cache_;
  std::vector<TokenId> cache_ids_;
};

}  // namespace

std::vector<TokenId> Tokenizer::encode(std::string_view text) const {
  const Impl& t = *impl_;
  std::vector<TokenId> out;
  out.reserve(text.size() / 3 + 1);
  Encoder encoder(t, &out);
  if (t.added.empty()) {
    if (!text.empty()) encoder.section(text, 0);
    return out;
  }
  // Cut at added tokens first, as the reference does: a list of sections,
  // each either text or an added token (index into t.added).
  struct Section {
    std::string_view text;
    int added;
  };
  std::vector<Section> sections;
  bool first_byte[256] = {};
  for (const Impl::Added& a : t.added) first_byte[static_cast<unsigned char>(a.content[0])] = true;
  size_t start = 0;
  for (size_t i = 0; i < text.size();) {
    if (!first_byte[static_cast<unsigned char>(text[i])]) {
      ++i;
      continue;
    }
    int best = -1;
    for (size_t a = 0; a < t.added.size(); ++a) {
      const std::string& c = t.added[a].content;
      if (text.compare(i, c.size(), c) == 0 && (best < 0 || c.size() > t.added[best].content.size())) {
        best = static_cast<int>(a);
      }
    }
    if (best < 0) {
      ++i;
      continue;
    }
    if (i > start) sections.push_back({text.substr(start, i - start), -1});
    sections.push_back({t.added[best].content, best});
    i += t.added[best].content.size();
    start = i;
  }
  if (start < text.size()) sections.push_back({text.substr(start), -1});
  for (size_t i = 0; i < sections.size(); ++i) {
    if (sections[i].added < 0) continue;
    const Impl::Added& a = t.added[sections[i].added];
    if (a.lstrip && i > 0 && sections[i - 1].added < 0) sections[i - 1].text = trim_end(sections[i - 1].text);
    if (a.rstrip && i + 1 < sections.size() && sections[i + 1].added < 0) {
      sections[i + 1].text = trim_start(sections[i + 1].text);
    }
  }
  for (size_t i = 0; i < sections.size(); ++i) {
    if (sections[i].added >= 0) {
      out.push_back(t.added[sections[i].added].id);
    } else if (!sections[i].text.empty()) {
      encoder.section(sections[i].text, i);
    }
  }
  return out;
}

}  // namespace sluice
