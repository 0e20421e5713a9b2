// Exact numeric constraints as digit grammars: minimum/maximum (exclusive or
// not) for integers and decimals of any size, and multipleOf where the
// multiple is m * 10^-k (so 7, 0.01, 2.5 all work). Each constraint becomes
// a finite digit automaton (position in the bound's digits, whether the
// prefix still equals a bound, value mod m), emitted as right-linear rules.
// Tested in tests/json_schema/numbers_test.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/error.h"
#include "sluice/grammar.h"

namespace sluice::json_schema {

// An exact decimal: (-1)^negative * int_digits.frac_digits, with no leading
// zeros in int_digits ("" is zero) and no trailing zeros in frac_digits.
struct Decimal {
  bool negative = false;
  std::string int_digits;
  std::string frac_digits;

  bool is_zero() const { return int_digits.empty() && frac_digits.empty(); }
  bool is_integer() const { return frac_digits.empty(); }
  Decimal negated() const;
  std::string to_string() const;
  // Parses JSON number text (exponents included); nullopt if malformed.
  static std::optional<Decimal> parse(std::string_view text);
};

// -1, 0, 1 as a <, ==, > b.
int compare(const Decimal& a, const Decimal& b);

struct NumberConstraint {
  std::optional<Decimal> minimum;
  bool exclusive_minimum = false;
  std::optional<Decimal> maximum;
  bool exclusive_maximum = false;
  bool integer = false;
  // Whether an integer (or a whole multiple) may be written with a zero
  // fraction, 3.0: JSON Schema draft 6 on says yes, draft 4 no.
  bool integer_fraction = true;
  // multipleOf, when set: must be positive.
  std::optional<Decimal> multiple_of;
  // Cap on integer-part plus fraction digits written (0: none).
  uint32_t max_digits = 0;
};

struct NumberBudget {
  uint32_t max_states = 20000;
};

// The grammar of JSON numbers satisfying the constraint. kUnsatisfiable when
// no number does (e.g. minimum > maximum); kBudgetExceeded when the digit
// automaton would exceed the budget (a huge multipleOf modulus).
Result<ExprId> number_grammar(Grammar& grammar, const NumberConstraint& constraint, const NumberBudget& budget);

}  // namespace sluice::json_schema
