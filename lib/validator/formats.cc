// Implements formats.h. Tested in tests/validator/parts_test.cc.
#include "validator/formats.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>

#include "validator/ecma_regex.h"

namespace sluice::validator {
namespace {

constexpr bool digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool hexdig(char c) { return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool read_digits(std::string_view s, size_t at, size_t n, int* out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (size_t k = 0; k < n; ++k) {
    if (!digit(s[at + k])) return false;
    v = v * 10 + (s[at + k] - '0');
  }
  *out = v;
  return true;
}

bool leap_year(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap_year(y) ? 29 : kDays[m - 1];
}

// full-time = partial-time time-offset; leap seconds are valid only where
// the time, shifted to UTC by the offset, is 23:59:60.
bool full_time(std::string_view s) {
  int h, m, sec;
  if (s.size() < 9 || !read_digits(s, 0, 2, &h) || s[2] != ':' || !read_digits(s, 3, 2, &m) || s[5] != ':' ||
      !read_digits(s, 6, 2, &sec))
    return false;
  if (h > 23 || m > 59 || sec > 60) return false;
  size_t i = 8;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t start = i;
    while (i < s.size() && digit(s[i])) ++i;
    if (i == start) return false;
  }
  if (i >= s.size()) return false;
  int off_minutes = 0;
  char c = s[i];
  if (c == 'Z' || c == 'z') {
    if (i + 1 != s.size()) return false;
  } else if (c == '+' || c == '-') {
    int oh, om;
    if (s.size() != i + 6 || !read_digits(s, i + 1, 2, &oh) || s[i + 3] != ':' || !read_digits(s, i + 4, 2, &om))
      return false;
    if (oh > 23 || om > 59) return false;
    off_minutes = (oh * 60 + om) * (c == '+' ? 1 : -1);
  } else {
    return false;
  }
  if (sec == 60) {
    int utc = ((h * 60 + m - off_minutes) % 1440 + 1440) % 1440;
    if (utc != 23 * 60 + 59) return false;
  }
  return true;
}

bool ipv4_at(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (true) {
    size_t start = i;
    int v = 0;
    while (i < s.size() && digit(s[i]) && i - start < 4) v = v * 10 + (s[i++] - '0');
    size_t len = i - start;
    if (len == 0 || len > 3 || v > 255 || (len > 1 && s[start] == '0')) return false;
    ++parts;
    if (parts == 4) return i == s.size();
    if (i >= s.size() || s[i] != '.') return false;
    ++i;
  }
}

bool hostname_label(std::string_view l) {
  if (l.empty() || l.size() > 63) return false;
  if (l.front() == '-' || l.back() == '-') return false;
  for (char c : l)
    if (!alpha(c) && !digit(c) && c != '-') return false;
  // RFC 5891: "--" in positions 3-4 is reserved for A-labels ("xn--").
  if (l.size() >= 4 && l[2] == '-' && l[3] == '-' && !(std::tolower(l[0]) == 'x' && std::tolower(l[1]) == 'n'))
    return false;
  return true;
}

// RFC 3986 character classes.
bool unreserved(char c) { return alpha(c) || digit(c) || c == '-' || c == '.' || c == '_' || c == '~'; }
bool sub_delim(char c) { return std::strchr("!$&'()*+,;=", c) != nullptr && c != 0; }

// IRIs (RFC 3987) allow non-ASCII characters wherever URIs allow
// unreserved ones; set while checking an IRI.
thread_local bool allow_non_ascii = false;

// Checks s[i..] is made of allowed characters or %XX escapes.
bool uri_chars(std::string_view s, const char* extra) {
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (allow_non_ascii && static_cast<unsigned char>(c) >= 0x80) continue;
    if (c == '%') {
      if (i + 2 >= s.size() || !hexdig(s[i + 1]) || !hexdig(s[i + 2])) return false;
      i += 2;
    } else if (!unreserved(c) && !sub_delim(c) && !(c != 0 && std::strchr(extra, c))) {
      return false;
    }
  }
  return true;
}

bool authority_ok(std::string_view a) {
  size_t at = a.rfind('@');
  if (at != std::string_view::npos) {
    if (!uri_chars(a.substr(0, at), ":")) return false;
    a = a.substr(at + 1);
  }
  if (!a.empty() && a[0] == '[') {
    size_t close = a.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view ip = a.substr(1, close - 1);
    if (!(is_ipv6(ip) || (!ip.empty() && (ip[0] == 'v' || ip[0] == 'V')))) return false;
    a = a.substr(close + 1);
    if (!a.empty() && a[0] != ':') return false;
  }
  size_t colon = a.rfind(':');
  if (colon != std::string_view::npos) {
    for (char c : a.substr(colon + 1))
      if (!digit(c)) return false;
    a = a.substr(0, colon);
  }
  return uri_chars(a, "");
}

// relative-part / hier-part after the scheme: [//authority] path [?query] [#fragment]
bool uri_rest(std::string_view s) {
  size_t hash = s.find('#');
  if (hash != std::string_view::npos) {
    if (!uri_chars(s.substr(hash + 1), ":@/?")) return false;
    s = s.substr(0, hash);
  }
  size_t q = s.find('?');
  if (q != std::string_view::npos) {
    if (!uri_chars(s.substr(q + 1), ":@/?")) return false;
    s = s.substr(0, q);
  }
  if (s.substr(0, 2) == "//") {
    s = s.substr(2);
    size_t slash = s.find('/');
    if (!authority_ok(s.substr(0, slash))) return false;
    s = slash == std::string_view::npos ? std::string_view() : s.substr(slash);
  }
  return uri_chars(s, ":@/");
}

}  // namespace

bool is_date(std::string_view s) {
  int y, m, d;
  if (s.size() != 10 || !read_digits(s, 0, 4, &y) || s[4] != '-' || !read_digits(s, 5, 2, &m) || s[7] != '-' ||
      !read_digits(s, 8, 2, &d))
    return false;
  return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

bool is_time(std::string_view s) { return full_time(s); }

bool is_date_time(std::string_view s) {
  if (s.size() < 11 || (s[10] != 'T' && s[10] != 't')) return false;
  return is_date(s.substr(0, 10)) && full_time(s.substr(11));
}

bool is_duration(std::string_view s) {
  // dur-date / dur-time / dur-week per RFC 3339 appendix A: units appear in
  // order, each at most once, and at least one is present.
  if (s.size() < 2 || s[0] != 'P') return false;
  size_t i = 1;
  auto number = [&]() {
    size_t start = i;
    while (i < s.size() && digit(s[i])) ++i;
    return i > start;
  };
  size_t save = i;
  if (number() && i < s.size() && s[i] == 'W') return i + 1 == s.size();
  i = save;
  // The grammar nests each unit inside the previous one (dur-year =
  // 1*DIGIT "Y" [dur-month]), so after the first unit the next must be the
  // adjacent one: P1Y1D and PT1H1S are not durations.
  // Reads units in `order` up to `stop`; false on a malformed part, and
  // *last is -1 when there were none.
  auto units = [&](const char* order, char stop, int* last) {
    *last = -1;
    while (i < s.size() && s[i] != stop) {
      if (!number() || i >= s.size()) return false;
      const char* u = s[i] == 0 ? nullptr : std::strchr(order, s[i]);
      if (u == nullptr) return false;
      int index = int(u - order);
      if (*last >= 0 && index != *last + 1) return false;
      *last = index;
      ++i;
    }
    return true;
  };
  int date_last, time_last;
  if (!units("YMD", 'T', &date_last)) return false;
  if (i >= s.size()) return date_last >= 0;
  ++i;
  return units("HMS", '\0', &time_last) && time_last >= 0;
}

bool is_hostname(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!hostname_label(label)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_email(std::string_view s) {
  size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == s.size()) return false;
  std::string_view local = s.substr(0, at);
  std::string_view domain = s.substr(at + 1);
  if (local.size() > 64) return false;
  if (local.front() == '"') {
    if (local.size() < 2 || local.back() != '"') return false;
    for (size_t i = 1; i + 1 < local.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(local[i]);
      if (c == '\\') {
        if (++i + 1 >= local.size()) return false;
      } else if (c < 32 || c == 127 || c == '"') {
        return false;
      }
    }
  } else {
    // dot-atom: atext runs separated by single dots.
    if (local.front() == '.' || local.back() == '.') return false;
    for (size_t i = 0; i < local.size(); ++i) {
      char c = local[i];
      if (c == '.') {
        if (local[i - 1] == '.') return false;
      } else if (!alpha(c) && !digit(c) && std::strchr("!#$%&'*+-/=?^_`{|}~", c) == nullptr) {
        return false;
      }
    }
  }
  if (domain.front() == '[') {
    if (domain.back() != ']') return false;
    std::string_view lit = domain.substr(1, domain.size() - 2);
    if (lit.substr(0, 5) == "IPv6:") return is_ipv6(lit.substr(5));
    return is_ipv4(lit);
  }
  return is_hostname(domain);
}

bool is_ipv4(std::string_view s) { return ipv4_at(s); }

bool is_ipv6(std::string_view s) {
  if (s.empty()) return false;
  // An embedded IPv4 address takes the place of the last two groups.
  int max_groups = 8;
  size_t last_colon = s.rfind(':');
  if (last_colon == std::string_view::npos) return false;
  std::string_view tail = s.substr(last_colon + 1);
  if (tail.find('.') != std::string_view::npos) {
    if (!is_ipv4(tail)) return false;
    s = s.substr(0, last_colon + 1);
    max_groups = 6;
    // "::1.2.3.4" leaves "::"; "1::1.2.3.4" leaves "1::"; "1:2:3:4:5:6:1.2.3.4" leaves "...6:".
    if (!s.ends_with("::")) s.remove_suffix(1);
  }
  size_t dbl = s.find("::");
  if (dbl != std::string_view::npos && s.find("::", dbl + 1) != std::string_view::npos) return false;
  auto count_groups = [](std::string_view part, int* groups) {
    *groups = 0;
    if (part.empty()) return true;
    size_t start = 0;
    while (true) {
      size_t colon = part.find(':', start);
      std::string_view g = part.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start);
      if (g.empty() || g.size() > 4) return false;
      for (char c : g)
        if (!hexdig(c)) return false;
      ++*groups;
      if (colon == std::string_view::npos) return true;
      start = colon + 1;
    }
  };
  int a, b;
  if (dbl == std::string_view::npos) {
    return count_groups(s, &a) && a == max_groups;
  }
  if (!count_groups(s.substr(0, dbl), &a) || !count_groups(s.substr(dbl + 2), &b)) return false;
  return a + b < max_groups;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return false;
  // A table and no early exit: 32 loads instead of 32 chains of branches.
  static constexpr auto kHex = [] {
    std::array<uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = hexdig(static_cast<char>(c)) ? 1 : 0;
    return t;
  }();
  unsigned ok = 1;
  for (size_t i = 0; i < 36; ++i) {
    if (i != 8 && i != 13 && i != 18 && i != 23) ok &= kHex[static_cast<unsigned char>(s[i])];
  }
  return ok != 0;
}

bool is_uri(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || !alpha(s[0])) return false;
  for (size_t i = 1; i < colon; ++i)
    if (!alpha(s[i]) && !digit(s[i]) && s[i] != '+' && s[i] != '-' && s[i] != '.') return false;
  return uri_rest(s.substr(colon + 1));
}

bool is_uri_reference(std::string_view s) {
  if (is_uri(s)) return true;
  // relative-ref: the first path segment must not contain ':'.
  size_t end = s.find_first_of("/?#");
  if (s.substr(0, end).find(':') != std::string_view::npos) return false;
  return uri_rest(s);
}

bool is_iri(std::string_view s) {
  allow_non_ascii = true;
  bool ok = is_uri(s);
  allow_non_ascii = false;
  return ok;
}

bool is_iri_reference(std::string_view s) {
  allow_non_ascii = true;
  bool ok = is_uri_reference(s);
  allow_non_ascii = false;
  return ok;
}

bool is_json_pointer(std::string_view s) {
  if (s.empty()) return true;
  if (s[0] != '/') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '~' && (i + 1 >= s.size() || (s[i + 1] != '0' && s[i + 1] != '1'))) return false;
  }
  return true;
}

bool is_relative_json_pointer(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && digit(s[i])) ++i;
  if (i == 0 || (i > 1 && s[0] == '0')) return false;
  // An index manipulation (+N or -N) may follow the prefix.
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    size_t start = ++i;
    while (i < s.size() && digit(s[i])) ++i;
    if (i == start || (i - start > 1 && s[start] == '0')) return false;
  }
  std::string_view rest = s.substr(i);
  return rest == "#" || is_json_pointer(rest);
}

bool is_regex(std::string_view s) {
  Result<std::string> translated = ecma_to_re2(s);
  if (!translated.ok()) return translated.error().code == ErrorCode::kUnsupported;
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(*translated, options);
  return re.ok() || re.error_code() == RE2::ErrorPatternTooLarge || re.error_code() == RE2::ErrorRepeatSize;
}

FormatFn find_format(std::string_view name) {
  struct Entry {
    const char* name;
    FormatFn fn;
  };
  static const Entry kFormats[] = {
      {"date-time", is_date_time}, {"date", is_date},     {"time", is_time},         {"duration", is_duration},
      {"email", is_email},         {"hostname", is_hostname}, {"ipv4", is_ipv4},     {"ipv6", is_ipv6},
      {"uuid", is_uuid},           {"uri", is_uri},       {"uri-reference", is_uri_reference},
      {"iri", is_iri},             {"iri-reference", is_iri_reference}, {"json-pointer", is_json_pointer},
      {"relative-json-pointer", is_relative_json_pointer}, {"regex", is_regex},
  };
  for (const Entry& e : kFormats)
    if (name == e.name) return e.fn;
  return nullptr;
}

}  // namespace sluice::validator
