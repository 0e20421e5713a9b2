// Implements sluice/error.h. Tested in tests/common/error_test.cc.
#include "sluice/error.h"

namespace sluice {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kIoError: return "i/o error";
    case ErrorCode::kParseError: return "parse error";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kUnresolvedRef: return "unresolved reference";
    case ErrorCode::kUnsatisfiable: return "unsatisfiable";
    case ErrorCode::kBudgetExceeded: return "budget exceeded";
    case ErrorCode::kInvalidToken: return "invalid token";
    case ErrorCode::kDeadEnd: return "dead end";
    case ErrorCode::kInternal: return "internal error";
  }
  return "unknown error";
}

std::string Error::to_string() const {
  std::string out = error_code_name(code);
  if (location.line != 0) {
    out += " at " + std::to_string(location.line) + ":" + std::to_string(location.column);
  } else if (location.offset != Location::kNoOffset) {
    out += " at byte " + std::to_string(location.offset);
  }
  if (!location.json_pointer.empty()) {
    out += " at " + location.json_pointer;
  }
  out += ": " + message;
  if (!excerpt.empty()) {
    out += "\n" + excerpt;
  }
  return out;
}

}  // namespace sluice
