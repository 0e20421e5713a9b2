// Implements unicode.h from the generated tables unicode_categories.inc
// (node's Unicode) and unicode_nfc.inc (Python's unicodedata); the scripts
// that make them are in lib/tokenizer/gen/. Tested in
// tests/tokenizer/unicode_test.cc.
#include "tokenizer/unicode.h"

#include <algorithm>
#include <array>
#include <memory>

namespace sluice::tok {

const char* const kCategoryNames[kCategoryCount] = {
    "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe",
    "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn"};

namespace {

struct CategoryRun {
  uint32_t first;
  uint8_t category;
};
constexpr CategoryRun kCategoryRuns[] = {
#include "tokenizer/unicode_categories.inc"
};

struct CccEntry {
  uint32_t cp;
  uint32_t ccc;
};
constexpr CccEntry kCcc[] = {
#define SLUICE_NFC_CCC
#include "tokenizer/unicode_nfc.inc"
#undef SLUICE_NFC_CCC
};

struct DecompEntry {
  uint32_t cp, first, second;  // second is 0 for a singleton
};
constexpr DecompEntry kDecomp[] = {
#define SLUICE_NFC_DECOMP
#include "tokenizer/unicode_nfc.inc"
#undef SLUICE_NFC_DECOMP
};

struct CompEntry {
  uint32_t first, second, composite;
};
constexpr CompEntry kComp[] = {
#define SLUICE_NFC_COMP
#include "tokenizer/unicode_nfc.inc"
#undef SLUICE_NFC_COMP
};

constexpr uint32_t kCodePoints = 0x110000;
constexpr uint8_t kCategoryBits = 0x1f;
constexpr uint8_t kNfcNontrivial = 0x80;

constexpr uint32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr uint32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount;
constexpr uint32_t kSCount = kLCount * kNCount;

// One byte per code point: the category, and whether NFC may change text
// around it. A flat 1.1 MB table is the fastest lookup and is built once.
const uint8_t* table() {
  static const std::unique_ptr<uint8_t[]> built = [] {
    auto t = std::make_unique<uint8_t[]>(kCodePoints);
    constexpr size_t n = std::size(kCategoryRuns);
    for (size_t i = 0; i < n; ++i) {
      uint32_t end = i + 1 < n ? kCategoryRuns[i + 1].first : kCodePoints;
      std::fill(t.get() + kCategoryRuns[i].first, t.get() + end, kCategoryRuns[i].category);
    }
    for (const CccEntry& e : kCcc) t[e.cp] |= kNfcNontrivial;
    for (const CompEntry& e : kComp) t[e.second] |= kNfcNontrivial;
    for (const DecompEntry& e : kDecomp) {
      bool composite = std::any_of(std::begin(kComp), std::end(kComp),
                                   [&](const CompEntry& c) { return c.composite == e.cp; });
      if (!composite) t[e.cp] |= kNfcNontrivial;
    }
    for (uint32_t cp = kVBase; cp < kVBase + kVCount; ++cp) t[cp] |= kNfcNontrivial;
    for (uint32_t cp = kTBase + 1; cp < kTBase + kTCount; ++cp) t[cp] |= kNfcNontrivial;
    return t;
  }();
  return built.get();
}

uint32_t ccc_of(uint32_t cp) {
  if (cp >= kCodePoints || !(table()[cp] & kNfcNontrivial)) return 0;
  auto it = std::lower_bound(std::begin(kCcc), std::end(kCcc), cp,
                             [](const CccEntry& e, uint32_t v) { return e.cp < v; });
  return it != std::end(kCcc) && it->cp == cp ? it->ccc : 0;
}

void decompose(uint32_t cp, std::vector<uint32_t>* out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    uint32_t s = cp - kSBase;
    out->push_back(kLBase + s / kNCount);
    out->push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount != 0) out->push_back(kTBase + s % kTCount);
    return;
  }
  if (cp < kCodePoints) {
    auto it = std::lower_bound(std::begin(kDecomp), std::end(kDecomp), cp,
                               [](const DecompEntry& e, uint32_t v) { return e.cp < v; });
    if (it != std::end(kDecomp) && it->cp == cp) {
      decompose(it->first, out);
      if (it->second != 0) decompose(it->second, out);
      return;
    }
  }
  out->push_back(cp);
}

// The primary composite of a pair, or 0.
uint32_t compose(uint32_t a, uint32_t b) {
  if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount) {
    return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
  }
  if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase &&
      b < kTBase + kTCount) {
    return a + (b - kTBase);
  }
  auto it = std::lower_bound(std::begin(kComp), std::end(kComp), std::pair{a, b},
                             [](const CompEntry& e, std::pair<uint32_t, uint32_t> v) {
                               return std::pair{e.first, e.second} < v;
                             });
  return it != std::end(kComp) && it->first == a && it->second == b ? it->composite : 0;
}

}  // namespace

Category general_category(uint32_t cp) {
  if (cp >= kCodePoints) return kSo;
  return static_cast<Category>(table()[cp] & kCategoryBits);
}

uint32_t decode_utf8(std::string_view s, size_t i, size_t* len) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t b0 = byte(i);
  *len = 1;
  if (b0 < 0x80) return b0;
  size_t n = s.size() - i;
  auto cont = [&](size_t k, uint8_t lo = 0x80, uint8_t hi = 0xBF) {
    return k < n && byte(i + k) >= lo && byte(i + k) <= hi;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF && cont(1)) {
    *len = 2;
    return (uint32_t{b0} & 0x1F) << 6 | (byte(i + 1) & 0x3F);
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    uint8_t lo = b0 == 0xE0 ? 0xA0 : 0x80;
    uint8_t hi = b0 == 0xED ? 0x9F : 0xBF;
    if (cont(1, lo, hi) && cont(2)) {
      *len = 3;
      return (uint32_t{b0} & 0x0F) << 12 | (uint32_t{byte(i + 1)} & 0x3F) << 6 | (byte(i + 2) & 0x3F);
    }
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    uint8_t lo = b0 == 0xF0 ? 0x90 : 0x80;
    uint8_t hi = b0 == 0xF4 ? 0x8F : 0xBF;
    if (cont(1, lo, hi) && cont(2) && cont(3)) {
      *len = 4;
      return (uint32_t{b0} & 0x07) << 18 | (uint32_t{byte(i + 1)} & 0x3F) << 12 |
             (uint32_t{byte(i + 2)} & 0x3F) << 6 | (byte(i + 3) & 0x3F);
    }
  }
  return kInvalidByteBase + b0;
}

void append_utf8(uint32_t cp, std::string* out) {
  if (cp >= kInvalidByteBase) {
    out->push_back(static_cast<char>(cp - kInvalidByteBase));
  } else if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | cp >> 6));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | cp >> 12));
    out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | cp >> 18));
    out->push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void decode_all(std::string_view s, std::vector<uint32_t>* cps, std::vector<uint32_t>* offsets) {
  cps->clear();
  offsets->clear();
  size_t i = 0;
  while (i < s.size()) {
    size_t len;
    uint32_t cp = static_cast<uint8_t>(s[i]) < 0x80 ? static_cast<uint8_t>(s[i]) : decode_utf8(s, i, &len);
    if (cp < 0x80) len = 1;
    cps->push_back(cp);
    offsets->push_back(static_cast<uint32_t>(i));
    i += len;
  }
  offsets->push_back(static_cast<uint32_t>(s.size()));
}

bool nfc_is_trivially_identity(std::string_view s) {
  const uint8_t* t = nullptr;
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    if (t == nullptr) t = table();
    size_t len;
    uint32_t cp = decode_utf8(s, i, &len);
    if (cp < kCodePoints && (t[cp] & kNfcNontrivial)) return false;
    i += len;
  }
  return true;
}

std::string nfc(std::string_view s) {
  std::vector<uint32_t> buf;
  buf.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len;
    decompose(decode_utf8(s, i, &len), &buf);
    i += len;
  }
  // Canonical ordering: a stable sort of each run of non-starters by class.
  for (size_t i = 0; i < buf.size();) {
    if (ccc_of(buf[i]) == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < buf.size() && ccc_of(buf[j]) != 0) ++j;
    std::stable_sort(buf.begin() + static_cast<ptrdiff_t>(i), buf.begin() + static_cast<ptrdiff_t>(j),
                     [](uint32_t a, uint32_t b) { return ccc_of(a) < ccc_of(b); });
    i = j;
  }
  // Canonical composition (UAX #15): a character joins the last starter
  // unless a character of the same or higher class sits between them.
  size_t out = 0;
  size_t starter = 0;
  bool have_starter = false;
  uint32_t last_class = 0;
  for (size_t i = 0; i < buf.size(); ++i) {
    uint32_t cp = buf[i];
    uint32_t cls = ccc_of(cp);
    if (have_starter && (out == starter + 1 || (last_class != 0 && last_class < cls))) {
      if (uint32_t composite = compose(buf[starter], cp); composite != 0) {
        buf[starter] = composite;
        continue;
      }
    }
    if (cls == 0) {
      starter = out;
      have_starter = true;
    }
    last_class = cls;
    buf[out++] = cp;
  }
  buf.resize(out);
  std::string result;
  result.reserve(s.size());
  for (uint32_t cp : buf) append_utf8(cp, &result);
  return result;
}

}  // namespace sluice::tok
