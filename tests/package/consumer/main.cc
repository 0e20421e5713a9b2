// Uses the installed headers and library: builds a grammar and prints it.
#include <cstdio>

#include <sluice/grammar.h>

int main() {
  sluice::Grammar grammar;
  sluice::RuleId root = grammar.declare_rule("root");
  grammar.set_body(root, grammar.literal("yes"));
  grammar.set_root(root);
  if (!grammar.validate().ok()) return 1;
  std::fputs(grammar.to_string().c_str(), stdout);
  return grammar.to_string() == "root ::= \"yes\"\n" ? 0 : 1;
}
