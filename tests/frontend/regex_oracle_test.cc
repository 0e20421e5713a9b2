// Differential test of the regex front-end against RE2.
//
// For every pattern of a corpus, random strings are classified twice: by
// the reference recogniser on the lowered IR (lib/ir/reference_recognizer.h)
// and by RE2 on a translation of the ECMA pattern. The translation below is
// written independently of the sluice parser and spells out every ECMA
// class (\d \w \s . and their negations) as explicit code-point ranges, so
// both sides agree on Unicode semantics; RE2 runs on UTF-8. kFullMatch is
// compared with RE2::FullMatch and kSearch with RE2::PartialMatch. Strings
// are random strings over the pattern's own alphabet plus strings derived
// from the IR (which match by construction) and their mutations.
//
// Corpora: tests/frontend/data/regex_corpus.json (always; thousands of
// strings per pattern), every pattern of ../shared/data/maskbench (fewer
// strings each; skipped with a WARN when the data is absent), a synthetic
// set with anchors inside groups, and random patterns over regex syntax.
// Each prints a one-line summary (patterns, RE2 rejections, strings
// compared, mismatches) so that a run documents what it covered.
#include <re2/re2.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "skip.h"
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "frontend/utf8_text.h"
#include "regex_test_util.h"

namespace sluice {
namespace {

using regex_test::grammar_for;

// --- ECMA-262 -> RE2 ------------------------------------------------------

constexpr uint32_t kTopCodepoint = 0x10FFFF;

using RangeList = std::vector<std::pair<uint32_t, uint32_t>>;

const RangeList& ecma_space() {
  static const RangeList ranges = {{0x09, 0x0D},     {0x20, 0x20},     {0xA0, 0xA0},     {0x1680, 0x1680},
                                   {0x2000, 0x200A}, {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F},
                                   {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};
  return ranges;
}
const RangeList& ecma_digit() {
  static const RangeList ranges = {{'0', '9'}};
  return ranges;
}
const RangeList& ecma_word() {
  static const RangeList ranges = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
  return ranges;
}
const RangeList& ecma_line_terminators() {
  static const RangeList ranges = {{'\n', '\n'}, {'\r', '\r'}, {0x2028, 0x2029}};
  return ranges;
}

RangeList invert(const RangeList& sorted) {
  RangeList out;
  uint32_t next = 0;
  for (auto [lo, hi] : sorted) {
    if (lo > next) out.push_back({next, lo - 1});
    next = hi + 1;
  }
  if (next <= kTopCodepoint) out.push_back({next, kTopCodepoint});
  return out;
}

std::string re2_codepoint(uint32_t cp) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "\\x{%X}", cp);
  return buffer;
}

// Class body text for RE2, e.g. "\x{30}-\x{39}".
std::string re2_ranges(const RangeList& ranges) {
  std::string out;
  for (auto [lo, hi] : ranges) {
    out += re2_codepoint(lo);
    if (hi != lo) out += "-" + re2_codepoint(hi);
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool read_hex_digits(std::string_view p, size_t* i, int count, uint32_t* value) {
  if (*i + count > p.size()) return false;
  uint32_t v = 0;
  for (int k = 0; k < count; ++k) {
    int d = hex_digit(p[*i + k]);
    if (d < 0) return false;
    v = v * 16 + static_cast<uint32_t>(d);
  }
  *i += count;
  *value = v;
  return true;
}

bool is_ascii_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// One ECMA escape (p[*i] is the char after the backslash) as RE2 text: a
// class body fragment when in_class, else an atom. nullopt when this
// translation does not cover it.
std::optional<std::string> translate_escape(std::string_view p, size_t* i, bool in_class) {
  char c = p[*i];
  ++*i;
  auto set = [&](const RangeList& r, bool negate) {
    std::string body = re2_ranges(negate ? invert(r) : r);
    return in_class ? body : "[" + body + "]";
  };
  switch (c) {
    case 'd': return set(ecma_digit(), false);
    case 'D': return set(ecma_digit(), true);
    case 'w': return set(ecma_word(), false);
    case 'W': return set(ecma_word(), true);
    case 's': return set(ecma_space(), false);
    case 'S': return set(ecma_space(), true);
    case 'n': return re2_codepoint('\n');
    case 'r': return re2_codepoint('\r');
    case 't': return re2_codepoint('\t');
    case 'f': return re2_codepoint('\f');
    case 'v': return re2_codepoint('\v');
    case 'b':
      if (in_class) return re2_codepoint('\b');
      return std::nullopt;
    case '0':
      if (*i < p.size() && p[*i] >= '0' && p[*i] <= '9') return std::nullopt;
      return re2_codepoint(0);
    case 'x': {
      uint32_t v;
      if (!read_hex_digits(p, i, 2, &v)) return std::nullopt;
      return re2_codepoint(v);
    }
    case 'u': {
      uint32_t v;
      if (!read_hex_digits(p, i, 4, &v)) return std::nullopt;
      if (v >= 0xD800 && v <= 0xDBFF && *i + 6 <= p.size() && p[*i] == '\\' && p[*i + 1] == 'u') {
        size_t j = *i + 2;
        uint32_t low;
        if (read_hex_digits(p, &j, 4, &low) && low >= 0xDC00 && low <= 0xDFFF) {
          *i = j;
          return re2_codepoint(0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00));
        }
      }
      if (v >= 0xD800 && v <= 0xDFFF) return std::nullopt;
      return re2_codepoint(v);
    }
    default: break;
  }
  if (is_ascii_alnum(c)) return std::nullopt;
  if (static_cast<unsigned char>(c) < 0x80) return std::string("\\") + c;
  // A non-ASCII identity escape: copy the whole UTF-8 sequence.
  size_t start = *i - 1;
  while (*i < p.size() && (static_cast<unsigned char>(p[*i]) & 0xC0) == 0x80) ++*i;
  return std::string(p.substr(start, *i - start));
}

// Length of the {m}, {m,} or {m,n} quantifier at p[i], or 0 when the '{'
// starts none (ECMA Annex B then reads it as a literal).
size_t braced_quantifier_at(std::string_view p, size_t i) {
  size_t j = i + 1;
  size_t digits = 0;
  while (j < p.size() && p[j] >= '0' && p[j] <= '9') ++j, ++digits;
  if (digits == 0) return 0;
  if (j < p.size() && p[j] == ',') {
    ++j;
    while (j < p.size() && p[j] >= '0' && p[j] <= '9') ++j;
  }
  return j < p.size() && p[j] == '}' ? j + 1 - i : 0;
}

std::optional<std::string> to_re2(std::string_view p) {
  std::string out;
  size_t i = 0;
  while (i < p.size()) {
    char c = p[i];
    if (c == '\\') {
      if (++i >= p.size()) return std::nullopt;
      std::optional<std::string> e = translate_escape(p, &i, false);
      if (!e) return std::nullopt;
      out += *e;
    } else if (c == '[') {
      ++i;
      bool negated = i < p.size() && p[i] == '^';
      if (negated) ++i;
      std::string body;
      while (i < p.size() && p[i] != ']') {
        if (p[i] == '\\') {
          if (++i >= p.size()) return std::nullopt;
          std::optional<std::string> e = translate_escape(p, &i, true);
          if (!e) return std::nullopt;
          body += *e;
        } else if (p[i] == '-') {
          body += '-';
          ++i;
        } else if (static_cast<unsigned char>(p[i]) < 0x80 && !is_ascii_alnum(p[i])) {
          body += std::string("\\") + p[i];
          ++i;
        } else {
          body += p[i];
          ++i;
        }
      }
      if (i >= p.size()) return std::nullopt;
      ++i;
      if (body.empty()) {
        out += negated ? "[" + re2_ranges({{0, kTopCodepoint}}) + "]" : "[^" + re2_ranges({{0, kTopCodepoint}}) + "]";
      } else {
        out += (negated ? "[^" : "[") + body + "]";
      }
    } else if (c == '.') {
      out += "[^" + re2_ranges(ecma_line_terminators()) + "]";
      ++i;
    } else if (c == '(' && p.substr(i, 3) == "(?<" && p.substr(i, 4) != "(?<=" && p.substr(i, 4) != "(?<!") {
      out += "(?P<";
      i += 3;
    } else if (c == '{') {
      size_t length = braced_quantifier_at(p, i);
      out += length ? std::string(p.substr(i, length)) : "\\{";
      i += length ? length : 1;
    } else if (c == '}' || c == ']') {
      out += std::string("\\") + c;
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

RE2::Options re2_options() {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(int64_t{256} << 20);
  return options;
}

// --- corpora --------------------------------------------------------------

std::vector<std::string> committed_corpus() {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/tests/frontend/data/regex_corpus.json");
  REQUIRE(in.good());
  nlohmann::json doc = nlohmann::json::parse(in);
  return doc.at("patterns").get<std::vector<std::string>>();
}

// Every `pattern` string and `patternProperties` key in a schema.
void collect_patterns(const nlohmann::json& schema, std::vector<std::string>& out) {
  if (schema.is_array()) {
    for (const auto& item : schema) collect_patterns(item, out);
    return;
  }
  if (!schema.is_object()) return;
  for (const auto& [key, value] : schema.items()) {
    if (key == "pattern" && value.is_string()) {
      out.push_back(value.get<std::string>());
    } else if (key == "patternProperties" && value.is_object()) {
      for (const auto& [pattern, sub] : value.items()) {
        out.push_back(pattern);
        collect_patterns(sub, out);
      }
    } else if ((key == "properties" || key == "$defs" || key == "definitions" || key == "dependentSchemas") &&
               value.is_object()) {
      for (const auto& item : value.items()) collect_patterns(item.value(), out);
    } else if (key != "enum" && key != "const" && key != "examples" && key != "default") {
      collect_patterns(value, out);
    }
  }
}

// All occurrences, in file order; empty when the shared data is absent.
std::vector<std::string> maskbench_patterns() {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(SLUICE_SHARED_DIR) / "data" / "maskbench";
  std::vector<std::string> out;
  if (!fs::is_directory(dir)) return out;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::ifstream in(file);
    nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.contains("schema")) continue;
    collect_patterns(doc["schema"], out);
  }
  return out;
}

// Anchors inside groups, which real corpora seldom have.
const std::vector<std::string>& anchor_patterns() {
  static const std::vector<std::string> patterns = {
      "a|^b",       "(^a)",          "a$|b",         "x^",           "(^|x)a",        "a(x|$)",
      "(^a)*b",     "(^a|b)+",       "(a$|b){2}",    "(^|a){3}b",    "(^a$){2}",      "(^a$)?",
      "(^$)+",      "(^)*a",         "(b|^)(a|$)",   "(^|a)+(b|$)+", "((^|a)b)*",     "(a|b$)*(c|^)",
      "(^a|b$|c)*", "(^a|b$|c){2,3}", "(^|$)+x",     "(x|^)?(y|$)?", "^a|b$|^c$|d",  "(a?^b?)+",
      "(a?$b?)*",   "((^a)?b)+",     "(^ab|b)+$",   "^(a$|b)*",     "(^|[ab])c*($|[cd])",
  };
  return patterns;
}

// --- string generation ------------------------------------------------------

std::vector<uint32_t> decode(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char lead = static_cast<unsigned char>(s[i]);
    int length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    uint32_t cp = length == 1 ? lead : length == 2 ? lead & 0x1Fu : length == 3 ? lead & 0x0Fu : lead & 0x07u;
    for (int k = 1; k < length && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    out.push_back(cp);
    i += length;
  }
  return out;
}

bool valid_scalar(uint32_t cp) { return cp <= kTopCodepoint && (cp < 0xD800 || cp > 0xDFFF); }

class StringSource {
 public:
  StringSource(const Grammar& grammar, std::string_view pattern, uint64_t seed) : grammar_(grammar), rng_(seed) {
    std::set<uint32_t> alphabet = {'\n', '\r', '\t', ' ',    'a',    'Z',    '0',     '9',     '_',
                                   '-',  '.',  '/',  0x85,   0xA0,   0xE9,   0x2028,  0xFEFF,  0x1F600};
    for (uint32_t cp : decode(pattern)) alphabet.insert(cp);
    for (size_t id = 0; id < grammar.expr_count(); ++id) {
      const Expr& e = grammar.expr(static_cast<ExprId>(id));
      if (e.kind == ExprKind::kCharClass) {
        for (const CodepointRange& r : e.ranges) {
          for (uint32_t cp : {r.lo, r.hi, r.lo + 1, r.hi - 1}) {
            if (cp >= r.lo && cp <= r.hi) alphabet.insert(cp);
          }
        }
      } else if (e.kind == ExprKind::kLiteral) {
        for (uint32_t cp : decode(e.literal)) alphabet.insert(cp);
      }
    }
    for (uint32_t cp : alphabet) {
      if (valid_scalar(cp)) alphabet_.push_back(cp);
    }
  }

  std::string random_string() {
    std::string out;
    size_t length = pick(12);
    for (size_t i = 0; i < length; ++i) sluice::utf8::append(out, alphabet_[pick(alphabet_.size())]);
    return out;
  }

  // A string the expression matches, drawn at random (bounded repetition).
  std::string derive(ExprId root) {
    std::string out;
    derive_into(root, out);
    return out;
  }

  std::string mutate(const std::string& text) {
    std::vector<uint32_t> cps = decode(text);
    int edits = 1 + static_cast<int>(pick(2));
    for (int k = 0; k < edits; ++k) {
      size_t at = cps.empty() ? 0 : pick(cps.size() + 1);
      uint32_t cp = alphabet_[pick(alphabet_.size())];
      switch (pick(5)) {
        case 0: cps.insert(cps.begin() + static_cast<long>(at), cp); break;
        case 1:
          if (at < cps.size()) cps.erase(cps.begin() + static_cast<long>(at));
          break;
        case 2:
          if (at < cps.size()) cps[at] = cp;
          break;
        case 3: cps.resize(at); break;
        default: cps.insert(cps.begin() + static_cast<long>(at), cps.begin(), cps.begin() + static_cast<long>(at)); break;
      }
    }
    std::string out;
    for (uint32_t cp : cps) sluice::utf8::append(out, cp);
    return out;
  }

  size_t pick(size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng_() % n); }

 private:
  void derive_into(ExprId id, std::string& out) {
    const Expr& e = grammar_.expr(id);
    switch (e.kind) {
      case ExprKind::kEmpty:
      case ExprKind::kNothing: return;
      case ExprKind::kLiteral: out += e.literal; return;
      case ExprKind::kCharClass: {
        std::vector<uint32_t> inside;
        for (uint32_t cp : alphabet_) {
          for (const CodepointRange& r : e.ranges) {
            if (cp >= r.lo && cp <= r.hi) inside.push_back(cp);
          }
        }
        if (!inside.empty() && pick(4) != 0) {
          sluice::utf8::append(out, inside[pick(inside.size())]);
          return;
        }
        const CodepointRange& r = e.ranges[pick(e.ranges.size())];
        sluice::utf8::append(out, r.lo + static_cast<uint32_t>(pick(std::min<uint32_t>(r.hi - r.lo, 300) + 1)));
        return;
      }
      case ExprKind::kSequence:
        for (ExprId child : e.children) derive_into(child, out);
        return;
      case ExprKind::kChoice: derive_into(e.children[pick(e.children.size())], out); return;
      case ExprKind::kRepeat: {
        uint32_t span = e.max == kUnbounded ? 3 : std::min<uint32_t>(e.max - e.min, 3);
        uint32_t count = e.min + static_cast<uint32_t>(pick(span + 1));
        for (uint32_t k = 0; k < count; ++k) derive_into(e.children[0], out);
        return;
      }
      case ExprKind::kRuleRef: derive_into(grammar_.rule(e.rule).body, out); return;
      case ExprKind::kPermutation: {
        // The required members in order, then others up to min.
        std::vector<size_t> written;
        for (size_t i = 1; i < e.children.size(); ++i) {
          if (e.required >> (i - 1) & 1) written.push_back(i);
        }
        for (size_t i = 1; i < e.children.size() && written.size() < e.min; ++i) {
          if (!(e.required >> (i - 1) & 1)) written.push_back(i);
        }
        for (size_t k = 0; k < written.size(); ++k) {
          if (k > 0) derive_into(e.children[0], out);
          derive_into(e.children[written[k]], out);
        }
        return;
      }
    }
  }

  const Grammar& grammar_;
  std::mt19937_64 rng_;
  std::vector<uint32_t> alphabet_;
};

// --- the differential --------------------------------------------------------

struct Tally {
  size_t patterns = 0;
  size_t re2_rejects = 0;        // RE2 does not accept the pattern as written
  size_t untranslated = 0;       // outside what to_re2 covers, or RE2 rejects the translation
  size_t compiled = 0;           // sluice compiled it in both modes
  size_t strings = 0;            // strings compared, both modes together
  size_t accepted = 0;           // of which sluice accepted
  size_t prefix_checks = 0;
  std::map<std::string, size_t> sluice_errors;  // reason -> patterns (of those RE2 accepts)
  std::map<std::string, size_t> re2_rejected;   // what sluice says about those RE2 rejects
  std::vector<std::string> re2_rejected_examples;
  std::vector<std::string> mismatches;
};

std::string error_reason(const Error& error) {
  std::string message = error.message;
  size_t cut = message.find(" (");
  if (cut != std::string::npos) message.resize(cut);
  return std::string(error_code_name(error.code)) + ": " + message;
}

std::string escaped(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F || c == '"' || c == '\\') {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02X", c);
      out += buffer;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// The recogniser's verdict; a recogniser error counts as a mismatch.
ir::Verdict classify(const ir::ReferenceRecognizer& rec, std::string_view s, const std::string& pattern,
                     Tally& tally) {
  Result<ir::Classification> c = rec.classify(s);
  if (!c.ok()) {
    tally.mismatches.push_back("/" + pattern + "/: recogniser error " + c.error().to_string());
    return ir::Verdict::kReject;
  }
  return c->verdict;
}

void compare_pattern(const std::string& pattern, size_t strings_per_pattern, uint64_t seed, Tally& tally) {
  ++tally.patterns;
  RE2 raw(pattern, re2_options());
  if (!raw.ok()) {
    ++tally.re2_rejects;
    Result<Grammar> ours = grammar_for(pattern, RegexMatchMode::kSearch);
    std::string verdict = ours.ok() ? "sluice compiles it" : error_reason(ours.error());
    ++tally.re2_rejected[verdict];
    tally.re2_rejected_examples.push_back("/" + pattern + "/ RE2: " + raw.error() + "; sluice: " +
                                          (ours.ok() ? "compiles" : ours.error().to_string()));
    return;
  }
  std::optional<std::string> translated = to_re2(pattern);
  if (!translated) {
    ++tally.untranslated;
    return;
  }
  RE2 search_re(*translated, re2_options());
  if (!search_re.ok()) {
    ++tally.untranslated;
    return;
  }
  Result<Grammar> full = grammar_for(pattern, RegexMatchMode::kFullMatch);
  Result<Grammar> search = grammar_for(pattern, RegexMatchMode::kSearch);
  if (!full.ok() || !search.ok()) {
    const Error& error = full.ok() ? search.error() : full.error();
    ++tally.sluice_errors[error_reason(error)];
    return;
  }
  ++tally.compiled;
  Result<ir::ReferenceRecognizer> full_rec = ir::ReferenceRecognizer::create(*full);
  Result<ir::ReferenceRecognizer> search_rec = ir::ReferenceRecognizer::create(*search);
  REQUIRE(full_rec.ok());
  REQUIRE(search_rec.ok());

  StringSource source(*full, pattern, seed);
  std::vector<std::string> strings;
  ExprId full_root = full->rule(full->root()).body;
  for (size_t k = 0; k < strings_per_pattern; ++k) {
    switch (k % 4) {
      case 0: strings.push_back(source.random_string()); break;
      case 1: strings.push_back(source.derive(full_root)); break;
      case 2: strings.push_back(source.mutate(source.derive(full_root))); break;
      default: strings.push_back(source.random_string() + source.derive(full_root) + source.random_string()); break;
    }
  }
  auto check_prefixes = [&](const ir::ReferenceRecognizer& rec, const std::string& s, const char* mode) {
    ++tally.prefix_checks;
    for (size_t cut = 0; cut < s.size(); ++cut) {
      ir::Verdict v = classify(rec, std::string_view(s).substr(0, cut), pattern, tally);
      if (v == ir::Verdict::kReject) {
        tally.mismatches.push_back(std::string(mode) + " /" + pattern + "/ accepts \"" + escaped(s) +
                                   "\" but rejects its prefix of " + std::to_string(cut) + " bytes");
        return;
      }
    }
  };
  for (size_t k = 0; k < strings.size(); ++k) {
    const std::string& s = strings[k];
    bool ours_full = classify(*full_rec, s, pattern, tally) == ir::Verdict::kAccept;
    bool ours_search = classify(*search_rec, s, pattern, tally) == ir::Verdict::kAccept;
    bool re2_full = RE2::FullMatch(s, search_re);
    bool re2_search = RE2::PartialMatch(s, search_re);
    tally.strings += 2;
    tally.accepted += static_cast<size_t>(ours_full) + static_cast<size_t>(ours_search);
    if (ours_full != re2_full) {
      tally.mismatches.push_back("full /" + pattern + "/ on \"" + escaped(s) + "\": sluice " +
                                 (ours_full ? "accepts" : "rejects") + ", RE2 " + (re2_full ? "matches" : "does not"));
    }
    if (ours_search != re2_search) {
      tally.mismatches.push_back("search /" + pattern + "/ on \"" + escaped(s) + "\": sluice " +
                                 (ours_search ? "accepts" : "rejects") + ", RE2 " +
                                 (re2_search ? "matches" : "does not"));
    }
    // Prefix verdicts are checked on a sample: each costs one pass per byte.
    if (k % 16 == 1 && ours_full) check_prefixes(*full_rec, s, "full");
    if (k % 16 == 2 && ours_search) check_prefixes(*search_rec, s, "search");
    if (k % 64 == 5) {
      std::string broken = s + "\xC3";
      if (classify(*full_rec, broken, pattern, tally) == ir::Verdict::kAccept ||
          classify(*search_rec, broken, pattern, tally) == ir::Verdict::kAccept) {
        tally.mismatches.push_back("/" + pattern + "/ accepts invalid UTF-8 \"" + escaped(broken) + "\"");
      }
    }
  }
}

// With `examples`, also lists the patterns RE2 rejects.
void report(const char* name, const Tally& tally, bool examples) {
  std::printf("regex oracle [%s]: %zu patterns, RE2 rejects %zu, not translatable %zu, sluice compiled %zu; "
              "%zu strings compared (%zu accepted), %zu prefix checks, %zu mismatches\n",
              name, tally.patterns, tally.re2_rejects, tally.untranslated, tally.compiled, tally.strings,
              tally.accepted, tally.prefix_checks, tally.mismatches.size());
  for (const auto& [reason, count] : tally.sluice_errors) {
    std::printf("regex oracle [%s]:   sluice error x%zu: %s\n", name, count, reason.c_str());
  }
  for (const auto& [reason, count] : tally.re2_rejected) {
    std::printf("regex oracle [%s]:   RE2 rejects x%zu, sluice: %s\n", name, count, reason.c_str());
  }
  size_t shown = 0;
  for (const std::string& example : tally.re2_rejected_examples) {
    bool compiled = example.find("; sluice: compiles") != std::string::npos;
    if ((examples || compiled) && shown++ < 30) std::printf("regex oracle [%s]:     %s\n", name, example.c_str());
  }
  for (size_t i = 0; i < tally.mismatches.size() && i < 20; ++i) {
    std::printf("regex oracle [%s]:   MISMATCH %s\n", name, tally.mismatches[i].c_str());
  }
}

// Errors sluice may give on a pattern RE2 accepts: constructs it rejects
// by design. Anything else (a parse error, an internal error) is a bug.
void require_only_expected_errors(const Tally& tally) {
  for (const auto& [reason, count] : tally.sluice_errors) {
    INFO(reason);
    CHECK((reason.rfind("unsupported", 0) == 0 || reason.rfind("unsatisfiable", 0) == 0));
  }
}

TEST_CASE("regex oracle: committed corpus against RE2", "[regex][oracle]") {
  Tally tally;
  uint64_t seed = 1;
  for (const std::string& pattern : committed_corpus()) compare_pattern(pattern, 2000, seed++, tally);
  report("committed", tally, true);
  CHECK(tally.compiled >= 190);
  CHECK(tally.mismatches.empty());
  require_only_expected_errors(tally);
}

TEST_CASE("regex oracle: anchors inside groups against RE2", "[regex][oracle]") {
  Tally tally;
  uint64_t seed = 1000;
  for (const std::string& pattern : anchor_patterns()) compare_pattern(pattern, 3000, seed++, tally);
  report("anchors", tally, true);
  CHECK(tally.compiled == anchor_patterns().size());
  CHECK(tally.mismatches.empty());
}

// Random patterns over regex syntax: sluice never fails internally, every
// error points inside the pattern, and where both sluice and RE2 accept a
// pattern they agree on strings.
TEST_CASE("regex oracle: random syntax against RE2", "[regex][oracle]") {
  const char* const pieces[] = {"a",  "b",     "\\n", ".",  "\\d", "\\s", "\\W",  "[ab]",  "[^a]", "[a-c\\n]",
                                "^",  "$",     "(",    "(?:", ")",   "|",    "*",    "+",     "?",    "{1,2}",
                                "{2}", "{0,}", "*?",   "{",   "}",   "]",    "\\",  "(?=a)", "\\1",  "é",   "[]"};
  std::mt19937_64 rng(77);
  Tally tally;
  size_t errors = 0;
  for (int n = 0; n < 3000; ++n) {
    std::string pattern;
    size_t length = 1 + rng() % 8;
    for (size_t k = 0; k < length; ++k) pattern += pieces[rng() % std::size(pieces)];
    for (RegexMatchMode mode : {RegexMatchMode::kFullMatch, RegexMatchMode::kSearch}) {
      Result<Grammar> g = grammar_for(pattern, mode);
      if (!g.ok()) {
        ++errors;
        INFO("pattern /" << pattern << "/: " << g.error().to_string());
        CHECK(g.error().code != ErrorCode::kInternal);
        CHECK(g.error().location.offset <= pattern.size());
      }
    }
    compare_pattern(pattern, 40, static_cast<uint64_t>(n), tally);
  }
  report("random", tally, false);
  std::printf("regex oracle [random]: %zu sluice errors over both modes\n", errors);
  CHECK(tally.compiled > 500);
  CHECK(tally.mismatches.empty());
}

TEST_CASE("regex oracle: every MaskBench pattern against RE2", "[regex][oracle][shared]") {
  std::vector<std::string> all = maskbench_patterns();
  if (all.empty()) {
    testing::skip(SLUICE_SHARED_DIR "/data/maskbench is absent; the MaskBench regex oracle did not run");
    return;
  }
  std::set<std::string> unique(all.begin(), all.end());
  std::printf("regex oracle [maskbench]: %zu pattern occurrences, %zu distinct\n", all.size(), unique.size());
  Tally tally;
  uint64_t seed = 5000;
  // Fewer strings each than the committed corpus, to stay within a minute.
  for (const std::string& pattern : unique) compare_pattern(pattern, 100, seed++, tally);
  report("maskbench", tally, true);
  CHECK(tally.mismatches.empty());
  require_only_expected_errors(tally);
}

}  // namespace
}  // namespace sluice
