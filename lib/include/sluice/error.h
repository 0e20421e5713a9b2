// sluice/error.h: the one error surface of the public API.
//
// Nothing in sluice throws across the public API. Every fallible call returns
// a Status or a Result<T>; both are [[nodiscard]] so an ignored failure is a
// compiler warning (an error under -Werror). An Error carries a code, a
// message written for a person, and where the problem is: line:column in a
// grammar, a byte offset in a regex or a document, or a JSON pointer in a
// schema.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace sluice {

enum class ErrorCode : uint8_t {
  kOk = 0,
  kInvalidArgument,  // a caller passed a value outside the documented domain
  kIoError,          // a file could not be read or written
  kParseError,       // grammar, regex, schema or document text is malformed
  kUnsupported,      // well-formed input that sluice cannot enforce exactly
  kUnresolvedRef,    // a rule or $ref names something that does not exist
  kUnsatisfiable,    // the constraint admits no output at all
  kBudgetExceeded,   // a named limit (states, memory, time, work) was hit
  kInvalidToken,     // a token id outside the vocabulary, or not allowed
  kDeadEnd,          // generation reached a state with no allowed token
  kInternal,         // a sluice bug: please report it
};

const char* error_code_name(ErrorCode code);

// Where an error is. Fields that do not apply keep their defaults.
struct Location {
  static constexpr uint64_t kNoOffset = ~uint64_t{0};
  uint32_t line = 0;    // 1-based; 0 when unknown
  uint32_t column = 0;  // 1-based, in bytes
  uint64_t offset = kNoOffset;  // byte offset into the input
  std::string json_pointer;     // RFC 6901, for schemas and documents
  static Location at(uint32_t line, uint32_t column) {
    Location location;
    location.line = line;
    location.column = column;
    return location;
  }
  static Location at_offset(uint64_t offset) {
    Location location;
    location.offset = offset;
    return location;
  }
  static Location at_pointer(std::string pointer) {
    Location location;
    location.json_pointer = std::move(pointer);
    return location;
  }
  bool empty() const { return line == 0 && offset == kNoOffset && json_pointer.empty(); }
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  Location location;
  // "parse error at 3:7: undefined rule 'valu'" and similar; an excerpt with a
  // caret, when there is one, follows on the next lines.
  std::string excerpt;

  std::string to_string() const;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Error error) : data_(std::move(error)) {}    // NOLINT: implicit by design
  Result(Status status) : data_(status.error()) {}    // NOLINT: only for failed statuses

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const { return std::get<1>(data_); }
  Status status() const { return ok() ? Status() : Status(error()); }

 private:
  std::variant<T, Error> data_;
};

// Builds an Error; location fields are filled by the caller where known.
inline Error make_error(ErrorCode code, std::string message, Location location = {}) {
  return Error{code, std::move(message), std::move(location), {}};
}

}  // namespace sluice
