// A small, strict argument parser shared by the subcommands: declared
// options only, `--name value` or `--name=value`, flags, positionals. Unknown
// options and missing values are usage errors (exit 2), never ignored.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::cli {

class Args {
 public:
  Args(std::string command, std::string usage) : command_(std::move(command)), usage_(std::move(usage)) {}

  // Declares an option taking a value; repeated options keep every value.
  Args& option(const std::string& name, const std::string& help);
  // Declares a boolean flag.
  Args& flag(const std::string& name, const std::string& help);

  // Parses; returns false after printing the problem to stderr. --help
  // prints the usage to stdout and returns false with help_requested() set.
  bool parse(const std::vector<std::string>& args);
  bool help_requested() const { return help_requested_; }
  // The exit code a command returns when parse() fails.
  int parse_failure_exit_code() const { return help_requested_ ? 0 : 2; }

  bool has(const std::string& name) const;
  std::optional<std::string> get(const std::string& name) const;
  const std::vector<std::string>& all(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& fallback) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

  // Numeric accessors: print a usage error and return false on bad numbers.
  bool get_double(const std::string& name, double* out) const;
  bool get_int(const std::string& name, long long* out) const;

  void print_usage(bool to_stdout) const;
  // Prints "sluice <command>: message" to stderr and returns 2.
  int usage_error(const std::string& message) const;

 private:
  struct Spec {
    std::string help;
    bool takes_value;
  };
  std::string command_;
  std::string usage_;
  std::vector<std::pair<std::string, Spec>> specs_;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positionals_;
  bool help_requested_ = false;
};

}  // namespace sluice::cli
