// The sluice CLI's command registry. Each subcommand lives in its own
// cmd_<name>.cc and registers itself with SLUICE_COMMAND, so adding a command
// touches no shared file.
//
// Exit codes shared by every command (documented in `sluice --help`):
//   0 success / accept / valid
//   1 a negative answer: rejected, invalid
//   2 bad usage or bad input (unreadable file, malformed grammar or schema)
//   3 incomplete: a valid prefix that is not yet a complete output
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitNegative = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitIncomplete = 3;

// args excludes the program and command names.
using CommandFn = int (*)(const std::vector<std::string>& args);

struct Command {
  const char* name;
  const char* summary;  // one line for `sluice --help`
  CommandFn run;
};

bool register_command(const Command& command);
const std::vector<Command>& commands();

}  // namespace sluice::cli

#define SLUICE_COMMAND(name, summary, fn) \
  static const bool sluice_registered_##fn = ::sluice::cli::register_command({name, summary, fn})
