// Implements uri.h. Tested in tests/validator/parts_test.cc.
#include "validator/uri.h"

#include <cctype>

namespace sluice::validator {
namespace {

struct Parts {
  std::string scheme;
  bool has_authority = false;
  std::string authority;
  std::string path;
  bool has_query = false;
  std::string query;
  bool has_fragment = false;
  std::string fragment;
};

Parts parse(std::string_view s) {
  Parts p;
  size_t hash = s.find('#');
  if (hash != std::string_view::npos) {
    p.has_fragment = true;
    p.fragment = std::string(s.substr(hash + 1));
    s = s.substr(0, hash);
  }
  size_t q = s.find('?');
  if (q != std::string_view::npos) {
    p.has_query = true;
    p.query = std::string(s.substr(q + 1));
    s = s.substr(0, q);
  }
  if (has_scheme(s)) {
    size_t colon = s.find(':');
    p.scheme = std::string(s.substr(0, colon));
    s = s.substr(colon + 1);
  }
  if (s.substr(0, 2) == "//") {
    s = s.substr(2);
    size_t slash = s.find('/');
    p.has_authority = true;
    p.authority = std::string(s.substr(0, slash));
    s = slash == std::string_view::npos ? std::string_view() : s.substr(slash);
  }
  p.path = std::string(s);
  return p;
}

std::string remove_dot_segments(std::string_view in) {
  std::string out;
  while (!in.empty()) {
    if (in.substr(0, 3) == "../") {
      in.remove_prefix(3);
    } else if (in.substr(0, 2) == "./") {
      in.remove_prefix(2);
    } else if (in.substr(0, 3) == "/./") {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.substr(0, 4) == "/../" || in == "/..") {
      in = in.size() == 3 ? std::string_view("/") : in.substr(3);
      size_t last = out.rfind('/');
      out.erase(last == std::string::npos ? 0 : last);
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      size_t next = in.find('/', in[0] == '/' ? 1 : 0);
      if (next == std::string_view::npos) next = in.size();
      out.append(in.substr(0, next));
      in.remove_prefix(next);
    }
  }
  return out;
}

std::string merge(const Parts& base, const std::string& ref_path) {
  if (base.has_authority && base.path.empty()) return "/" + ref_path;
  size_t last = base.path.rfind('/');
  if (last == std::string::npos) return ref_path;
  return base.path.substr(0, last + 1) + ref_path;
}

std::string recompose(const Parts& p) {
  std::string out;
  if (!p.scheme.empty()) out += p.scheme + ":";
  if (p.has_authority) out += "//" + p.authority;
  out += p.path;
  if (p.has_query) out += "?" + p.query;
  if (p.has_fragment) out += "#" + p.fragment;
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool has_scheme(std::string_view uri) {
  if (uri.empty() || !std::isalpha(static_cast<unsigned char>(uri[0]))) return false;
  for (size_t i = 1; i < uri.size(); ++i) {
    char c = uri[i];
    if (c == ':') return true;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
  }
  return false;
}

std::string resolve_uri(std::string_view base_text, std::string_view ref_text) {
  Parts ref = parse(ref_text);
  Parts base = parse(base_text);
  Parts t;
  if (!ref.scheme.empty()) {
    t = ref;
    t.path = remove_dot_segments(ref.path);
  } else {
    if (ref.has_authority) {
      t.has_authority = true;
      t.authority = ref.authority;
      t.path = remove_dot_segments(ref.path);
      t.has_query = ref.has_query;
      t.query = ref.query;
    } else {
      if (ref.path.empty()) {
        t.path = base.path;
        t.has_query = ref.has_query ? true : base.has_query;
        t.query = ref.has_query ? ref.query : base.query;
      } else {
        t.path = ref.path[0] == '/' ? remove_dot_segments(ref.path) : remove_dot_segments(merge(base, ref.path));
        t.has_query = ref.has_query;
        t.query = ref.query;
      }
      t.has_authority = base.has_authority;
      t.authority = base.authority;
    }
    t.scheme = base.scheme;
  }
  t.has_fragment = ref.has_fragment;
  t.fragment = ref.fragment;
  return recompose(t);
}

void split_fragment(std::string_view uri, std::string* without, std::string* fragment) {
  size_t hash = uri.find('#');
  if (hash == std::string_view::npos) {
    *without = std::string(uri);
    fragment->clear();
  } else {
    *without = std::string(uri.substr(0, hash));
    *fragment = std::string(uri.substr(hash + 1));
  }
}

bool percent_decode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = hex_value(in[i + 1]);
    int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

}  // namespace sluice::validator
