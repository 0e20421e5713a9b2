// RFC 6901 JSON pointer helpers shared by the JSON Schema compiler and the
// validator. Tested through both (tests/json_schema/, tests/validator/).
#pragma once

#include <string>
#include <string_view>

namespace sluice {

// One reference token, escaped: "~" becomes "~0" and "/" becomes "~1".
inline std::string escape_json_pointer_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace sluice
