#include "args.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace sluice::cli {

Args& Args::option(const std::string& name, const std::string& help) {
  specs_.push_back({name, {help, true}});
  return *this;
}

Args& Args::flag(const std::string& name, const std::string& help) {
  specs_.push_back({name, {help, false}});
  return *this;
}

bool Args::parse(const std::vector<std::string>& args) {
  bool only_positionals = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_positionals || arg.size() < 2 || arg.rfind("--", 0) != 0) {
      positionals_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positionals = true;
      continue;
    }
    if (arg == "--help") {
      help_requested_ = true;
      print_usage(true);
      return false;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const Spec* spec = nullptr;
    for (const auto& [spec_name, candidate] : specs_) {
      if (spec_name == name) spec = &candidate;
    }
    if (spec == nullptr) {
      usage_error("unknown option --" + name);
      return false;
    }
    if (!spec->takes_value) {
      if (inline_value) {
        usage_error("--" + name + " takes no value");
        return false;
      }
      values_[name].push_back("");
      continue;
    }
    if (inline_value) {
      values_[name].push_back(*inline_value);
    } else if (i + 1 < args.size()) {
      values_[name].push_back(args[++i]);
    } else {
      usage_error("--" + name + " needs a value");
      return false;
    }
  }
  return true;
}

bool Args::has(const std::string& name) const { return values_.count(name) != 0; }

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.back();
}

const std::vector<std::string>& Args::all(const std::string& name) const {
  static const std::vector<std::string> kNone;
  auto it = values_.find(name);
  return it == values_.end() ? kNone : it->second;
}

std::string Args::get_or(const std::string& name, const std::string& fallback) const {
  return get(name).value_or(fallback);
}

bool Args::get_double(const std::string& name, double* out) const {
  std::optional<std::string> text = get(name);
  if (!text) return true;
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0' || errno != 0) {
    usage_error("--" + name + " expects a number, got '" + *text + "'");
    return false;
  }
  *out = value;
  return true;
}

bool Args::get_int(const std::string& name, long long* out) const {
  std::optional<std::string> text = get(name);
  if (!text) return true;
  char* end = nullptr;
  errno = 0;
  long long value = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || errno != 0) {
    usage_error("--" + name + " expects an integer, got '" + *text + "'");
    return false;
  }
  *out = value;
  return true;
}

void Args::print_usage(bool to_stdout) const {
  FILE* out = to_stdout ? stdout : stderr;
  std::fprintf(out, "usage: sluice %s %s\n", command_.c_str(), usage_.c_str());
  if (!specs_.empty()) std::fprintf(out, "\noptions:\n");
  for (const auto& [name, spec] : specs_) {
    std::string left = "--" + name + (spec.takes_value ? " VALUE" : "");
    std::fprintf(out, "  %-26s %s\n", left.c_str(), spec.help.c_str());
  }
  std::fprintf(out, "  %-26s %s\n", "--help", "show this help");
}

int Args::usage_error(const std::string& message) const {
  std::fprintf(stderr, "sluice %s: %s\n(see `sluice %s --help`)\n", command_.c_str(), message.c_str(),
               command_.c_str());
  return 2;
}

}  // namespace sluice::cli
