// Entry point of the `sluice` command: dispatches to the registered
// subcommands (see command.h).
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "command.h"

namespace sluice::cli {

static std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}

bool register_command(const Command& command) {
  registry().push_back(command);
  return true;
}

const std::vector<Command>& commands() { return registry(); }

static void print_usage(FILE* out) {
  std::vector<Command> sorted = registry();
  std::sort(sorted.begin(), sorted.end(),
            [](const Command& a, const Command& b) { return std::strcmp(a.name, b.name) < 0; });
  std::fprintf(out,
               "usage: sluice <command> [options]\n\n"
               "Grammar-constrained structured output for LLMs.\n\ncommands:\n");
  for (const Command& command : sorted) {
    std::fprintf(out, "  %-12s %s\n", command.name, command.summary);
  }
  std::fprintf(out,
               "\nRun `sluice <command> --help` for a command's options.\n\n"
               "exit codes:\n"
               "  0  success, accepted, valid\n"
               "  1  rejected or invalid\n"
               "  2  bad usage or bad input (the error is on stderr)\n"
               "  3  incomplete: a valid prefix of an output\n");
}

}  // namespace sluice::cli

int main(int argc, char** argv) {
  using namespace sluice::cli;
  if (argc < 2) {
    print_usage(stderr);
    return kExitUsage;
  }
  std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(stdout);
    return kExitOk;
  }
  if (name == "--version") {
    std::printf("sluice 0.1.0\n");
    return kExitOk;
  }
  for (const Command& command : commands()) {
    if (name == command.name) {
      return command.run(std::vector<std::string>(argv + 2, argv + argc));
    }
  }
  std::fprintf(stderr, "sluice: unknown command '%s'\n\n", argv[1]);
  print_usage(stderr);
  return kExitUsage;
}
