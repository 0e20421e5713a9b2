// Implements compile_choices (sluice/frontend.h): exactly one of a list of
// strings. Each choice becomes a literal alternative of `root`; the empty
// string is a legitimate choice (an empty output). Invalid UTF-8 is an error
// naming the choice and the byte, because the IR matches code points.
//
// Tested in tests/frontend/choices_test.cc.
#include <optional>
#include <string>
#include <vector>

#include "frontend/utf8_text.h"
#include "sluice/frontend.h"

namespace sluice {

Result<Grammar> compile_choices(const std::vector<std::string>& choices) {
  if (choices.empty()) return make_error(ErrorCode::kInvalidArgument, "choices: the list is empty");
  Grammar grammar;
  RuleId root = grammar.declare_rule("root");
  grammar.set_root(root);
  std::vector<ExprId> alternatives;
  alternatives.reserve(choices.size());
  for (size_t i = 0; i < choices.size(); ++i) {
    if (std::optional<size_t> bad = utf8::find_invalid(choices[i])) {
      return make_error(ErrorCode::kInvalidArgument,
                        "choices: choice " + std::to_string(i) + " is not valid UTF-8 (at byte " +
                            std::to_string(*bad) + ")",
                        Location::at_offset(*bad));
    }
    alternatives.push_back(grammar.literal(choices[i]));
  }
  grammar.set_body(root, grammar.choice(std::move(alternatives)));
  if (Status valid = grammar.validate(); !valid.ok()) return valid.error();
  return grammar;
}

}  // namespace sluice
