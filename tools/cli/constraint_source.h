// The constraint flags shared by every command that takes a grammar-like
// constraint: --grammar FILE (GBNF), --regex PATTERN (whole output),
// --choices A,B,... (split on commas), --choice TEXT (one choice, verbatim,
// repeatable) and --schema FILE (JSON Schema, with the schema option flags
// of schema_flags.h). Exactly one kind must be given. A new kind is declared
// in declare_constraint_flags and lowered in load_constraint; every command
// using this file gets it.
#pragma once

#include <optional>
#include <string>

#include "args.h"
#include "sluice/grammar.h"

namespace sluice::cli {

void declare_constraint_flags(Args& args);
// The Grammar the flags describe, or nullopt after printing a located
// error (or a usage error) to stderr; the command then exits 2.
std::optional<Grammar> load_constraint(const Args& args);
// One line naming the constraint, for reports ("grammar json.gbnf").
std::string describe_constraint(const Args& args);

// Bytes shown readably: printable ASCII as is, the rest escaped.
std::string printable(std::string_view bytes);

}  // namespace sluice::cli
