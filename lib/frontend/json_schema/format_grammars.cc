// Format grammars from the RFCs; see format_grammars.h.
// Tested in tests/json_schema/formats_test.cc.
#include "frontend/json_schema/format_grammars.h"

#include <initializer_list>
#include <string>
#include <vector>

namespace sluice::json_schema {

namespace {

constexpr uint32_t kMaxLocalOctets = 64;

class Builder {
 public:
  explicit Builder(Grammar& g) : g_(g) {}

  ExprId lit(std::string_view s) { return g_.literal(s); }
  ExprId cls(std::initializer_list<std::pair<char32_t, char32_t>> ranges) {
    std::vector<CodepointRange> v;
    for (auto [lo, hi] : ranges) v.push_back({static_cast<uint32_t>(lo), static_cast<uint32_t>(hi)});
    return g_.char_class(std::move(v));
  }
  ExprId chars(std::string_view set) {
    std::vector<CodepointRange> v;
    for (char c : set) v.push_back({static_cast<uint32_t>(c), static_cast<uint32_t>(c)});
    return g_.char_class(std::move(v));
  }
  ExprId seq(std::initializer_list<ExprId> items) { return g_.sequence(items); }
  ExprId alt(std::initializer_list<ExprId> items) { return g_.choice(items); }
  ExprId rep(ExprId e, uint32_t min, uint32_t max) { return g_.repeat(e, min, max); }
  ExprId opt(ExprId e) { return g_.optional(e); }
  ExprId star(ExprId e) { return g_.star(e); }
  ExprId plus(ExprId e) { return g_.plus(e); }

  ExprId ref(RuleId rule) { return g_.ref(rule); }

  // Rules prefix0 .. prefix<top>, where rule k describes what may follow
  // when k octets are still free; body(k, rule) builds rule k's body from
  // references rule(j) to smaller ones. Built once per grammar; returns
  // rule <top>.
  template <typename Body>
  RuleId chain(const std::string& prefix, uint32_t top, Body body) {
    RuleId existing;
    if (g_.find_rule(prefix + std::to_string(top), &existing)) return existing;
    std::vector<RuleId> rules;
    for (uint32_t k = 0; k <= top; ++k) rules.push_back(g_.declare_rule(prefix + std::to_string(k)));
    auto rule = [&](uint32_t k) { return g_.ref(rules[k]); };
    for (uint32_t k = 0; k <= top; ++k) g_.set_body(rules[k], k == 0 ? g_.empty() : body(k, rule));
    return rules[top];
  }

  ExprId digit() { return cls({{'0', '9'}}); }
  ExprId hexdig() { return cls({{'0', '9'}, {'a', 'f'}, {'A', 'F'}}); }
  ExprId alpha() { return cls({{'a', 'z'}, {'A', 'Z'}}); }

  ExprId full_date() {
    ExprId d = digit();
    ExprId year = rep(d, 4, 4);
    ExprId day28 = alt({seq({lit("0"), cls({{'1', '9'}})}), seq({lit("1"), d}), seq({lit("2"), cls({{'0', '8'}})})});
    ExprId day30 = alt({day28, lit("29"), lit("30")});
    ExprId day31 = alt({day30, lit("31")});
    ExprId long_months = alt({lit("01"), lit("03"), lit("05"), lit("07"), lit("08"), lit("10"), lit("12")});
    ExprId short_months = alt({lit("04"), lit("06"), lit("09"), lit("11")});
    // Leap years: divisible by 4, except centuries not divisible by 400.
    ExprId mult4_2 = alt({seq({chars("02468"), chars("048")}), seq({chars("13579"), chars("26")})});
    ExprId leap_year = alt({seq({d, d, alt({seq({lit("0"), chars("48")}), seq({chars("2468"), chars("048")}),
                                            seq({chars("13579"), chars("26")})})}),
                            seq({mult4_2, lit("00")})});
    return alt({seq({year, lit("-"), long_months, lit("-"), day31}), seq({year, lit("-"), short_months, lit("-"), day30}),
                seq({year, lit("-02-"), day28}), seq({leap_year, lit("-02-29")})});
  }

  ExprId full_time() {
    ExprId d = digit();
    ExprId hour = alt({seq({chars("01"), d}), seq({lit("2"), cls({{'0', '3'}})})});
    ExprId minute = seq({cls({{'0', '5'}}), d});
    ExprId secfrac = opt(seq({lit("."), plus(d)}));
    ExprId numoffset = seq({chars("+-"), hour, lit(":"), minute});
    ExprId offset = alt({chars("Zz"), numoffset});
    ExprId zero_offset = alt({chars("Zz"), lit("+00:00"), lit("-00:00")});
    return alt({seq({hour, lit(":"), minute, lit(":"), minute, secfrac, offset}),
                seq({lit("23:59:60"), secfrac, zero_offset})});
  }

  ExprId duration() {
    ExprId n = plus(digit());
    ExprId second = seq({n, lit("S")});
    ExprId minute = seq({n, lit("M"), opt(second)});
    ExprId hour = seq({n, lit("H"), opt(minute)});
    ExprId time = seq({lit("T"), alt({hour, minute, second})});
    ExprId day = seq({n, lit("D")});
    ExprId month = seq({n, lit("M"), opt(day)});
    ExprId year = seq({n, lit("Y"), opt(month)});
    ExprId date = seq({alt({day, month, year}), opt(time)});
    ExprId week = seq({n, lit("W")});
    return seq({lit("P"), alt({date, time, week})});
  }

  ExprId dec_octet() {
    ExprId d = digit();
    return alt({seq({lit("25"), cls({{'0', '5'}})}), seq({lit("2"), cls({{'0', '4'}}), d}), seq({lit("1"), d, d}),
                seq({cls({{'1', '9'}}), d}), d});
  }

  ExprId ipv4() {
    ExprId o = dec_octet();
    return seq({o, lit("."), o, lit("."), o, lit("."), o});
  }

  ExprId ipv6() {
    ExprId h16 = rep(hexdig(), 1, 4);
    ExprId h16c = seq({h16, lit(":")});
    ExprId ls32 = alt({seq({h16, lit(":"), h16}), ipv4()});
    auto upto = [&](uint32_t k) {  // [ *k( h16 ":" ) h16 ]
      return opt(seq({rep(h16c, 0, k), h16}));
    };
    return alt({seq({rep(h16c, 6, 6), ls32}), seq({lit("::"), rep(h16c, 5, 5), ls32}),
                seq({opt(h16), lit("::"), rep(h16c, 4, 4), ls32}), seq({upto(1), lit("::"), rep(h16c, 3, 3), ls32}),
                seq({upto(2), lit("::"), rep(h16c, 2, 2), ls32}), seq({upto(3), lit("::"), h16c, ls32}),
                seq({upto(4), lit("::"), ls32}), seq({upto(5), lit("::"), h16}), seq({upto(6), lit("::")})});
  }

  ExprId hostname() {
    ExprId let_dig = cls({{'a', 'z'}, {'A', 'Z'}, {'0', '9'}});
    ExprId ldh = cls({{'a', 'z'}, {'A', 'Z'}, {'0', '9'}, {'-', '-'}});
    auto label = [&](uint32_t max_len) {
      return seq({let_dig, opt(seq({rep(ldh, 0, max_len - 2), let_dig}))});
    };
    ExprId full = label(63);
    return alt({label(63), seq({full, lit("."), label(63)}), seq({full, lit("."), full, lit("."), label(63)}),
                seq({full, lit("."), full, lit("."), full, lit("."), label(61)})});
  }

  // RFC 5321 section 4.5.3.1.1 caps a local part at 64 octets. Its shape
  // (a dot-string with no leading, trailing or doubled dot; or a quoted
  // string) under that cap is a chain of rules, one per number of octets
  // still free, so the bound costs 64 small rules instead of an unrolling.
  ExprId email() {
    ExprId atext = alt({alpha(), digit(), chars("!#$%&'*+-/=?^_`{|}~")});
    ExprId qtext = cls({{32, 33}, {35, 91}, {93, 126}});
    ExprId quoted_pair = seq({lit("\\"), cls({{32, 126}})});
    ExprId local = alt({seq({atext, ref(chain("email-dot-string-", kMaxLocalOctets - 1, [&](uint32_t k, auto rule) {
                                         return alt({g_.empty(), seq({atext, rule(k - 1)}),
                                                     k >= 2 ? seq({lit("."), atext, rule(k - 2)}) : g_.nothing()});
                                       }))}),
                        seq({lit("\""), ref(chain("email-quoted-", kMaxLocalOctets - 1, [&](uint32_t k, auto rule) {
                               return alt({lit("\""), k >= 2 ? seq({qtext, rule(k - 1)}) : g_.nothing(),
                                           k >= 3 ? seq({quoted_pair, rule(k - 2)}) : g_.nothing()});
                             }))})});
    // The address-literal tag is written "IPv6:" only, as the validator
    // (lib/validator/formats.cc) reads it, so the two never disagree.
    ExprId literal = seq({lit("["), alt({ipv4(), seq({lit("IPv6:"), ipv6()})}), lit("]")});
    return seq({local, lit("@"), alt({hostname(), literal})});
  }

  ExprId uuid() {
    ExprId h = hexdig();
    return seq({rep(h, 8, 8), lit("-"), rep(h, 4, 4), lit("-"), rep(h, 4, 4), lit("-"), rep(h, 4, 4), lit("-"),
                rep(h, 12, 12)});
  }

  // RFC 3986 section 3 and 4.1.
  ExprId uri(bool reference) {
    ExprId unreserved = alt({alpha(), digit(), chars("-._~")});
    ExprId pct = seq({lit("%"), hexdig(), hexdig()});
    ExprId sub_delims = chars("!$&'()*+,;=");
    ExprId pchar = alt({unreserved, pct, sub_delims, chars(":@")});
    ExprId segment = star(pchar);
    ExprId segment_nz = plus(pchar);
    ExprId segment_nz_nc = plus(alt({unreserved, pct, sub_delims, lit("@")}));
    ExprId scheme = seq({alpha(), star(alt({alpha(), digit(), chars("+-.")}))});
    ExprId userinfo = star(alt({unreserved, pct, sub_delims, lit(":")}));
    ExprId ipvfuture = seq({chars("vV"), plus(hexdig()), lit("."), plus(alt({unreserved, sub_delims, lit(":")}))});
    ExprId ip_literal = seq({lit("["), alt({ipv6(), ipvfuture}), lit("]")});
    ExprId reg_name = star(alt({unreserved, pct, sub_delims}));
    ExprId host = alt({ip_literal, ipv4(), reg_name});
    ExprId authority = seq({opt(seq({userinfo, lit("@")})), host, opt(seq({lit(":"), star(digit())}))});
    ExprId path_abempty = star(seq({lit("/"), segment}));
    ExprId path_absolute = seq({lit("/"), opt(seq({segment_nz, path_abempty}))});
    ExprId path_rootless = seq({segment_nz, path_abempty});
    ExprId path_noscheme = seq({segment_nz_nc, path_abempty});
    ExprId qf = star(alt({pchar, chars("/?")}));
    ExprId tail = seq({opt(seq({lit("?"), qf})), opt(seq({lit("#"), qf}))});
    ExprId net = seq({lit("//"), authority, path_abempty});
    ExprId full = seq({scheme, lit(":"), alt({net, path_absolute, path_rootless, g_.empty()}), tail});
    if (!reference) return full;
    ExprId relative = seq({alt({net, path_absolute, path_noscheme, g_.empty()}), tail});
    return alt({full, relative});
  }

 private:
  Grammar& g_;
};

}  // namespace

std::optional<ExprId> format_grammar(Grammar& grammar, std::string_view format) {
  Builder b(grammar);
  if (format == "date") return b.full_date();
  if (format == "time") return b.full_time();
  if (format == "date-time") return b.seq({b.full_date(), b.chars("Tt"), b.full_time()});
  if (format == "duration") return b.duration();
  if (format == "email") return b.email();
  if (format == "hostname") return b.hostname();
  if (format == "ipv4") return b.ipv4();
  if (format == "ipv6") return b.ipv6();
  if (format == "uuid") return b.uuid();
  if (format == "uri") return b.uri(false);
  if (format == "uri-reference") return b.uri(true);
  if (format == "json-pointer") {
    ExprId unescaped = grammar.char_class({{'~', '~'}, {'/', '/'}}, true);
    ExprId escaped = b.seq({b.lit("~"), b.chars("01")});
    return b.star(b.seq({b.lit("/"), b.star(b.alt({unescaped, escaped}))}));
  }
  return std::nullopt;
}

}  // namespace sluice::json_schema
