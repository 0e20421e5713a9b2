// Schema option flags; see schema_flags.h.
#include "schema_flags.h"

namespace sluice::cli {

void declare_schema_flags(Args& args) {
  args.option("whitespace", "flexible (default: bounded JSON whitespace), compact, or pretty")
      .option("max-whitespace", "flexible: most whitespace characters at one place (default 16)")
      .option("indent", "pretty: spaces per level (default 2)")
      .option("item-separator", "compact: the item separator (default \",\")")
      .option("key-separator", "compact: the key separator (default \":\")")
      .option("property-order",
              "schema (default: any order for objects of up to 63 kinds of key, schema order past that), "
              "exact (schema order only) or any (any order; larger objects are an error)")
      .flag("strict", "treat an absent additionalProperties as false (OpenAI strict mode)")
      .flag("lenient", "drop unsupported keywords with a warning instead of failing")
      .option("max-string-length", "cap on string lengths (default: none)")
      .option("max-number-digits", "cap on integer and fraction digits (default: none)")
      .option("draft", "4, 6, 7, 2019-09 or 2020-12 (default: $schema, else 2020-12)")
      .option("max-compile-ms", "compile time budget in ms (default 1000)");
}

bool read_schema_flags(const Args& args, JsonSchemaOptions* o) {
  std::string ws = args.get_or("whitespace", "flexible");
  if (ws == "flexible") {
    o->whitespace = JsonWhitespace::kFlexible;
  } else if (ws == "compact") {
    o->whitespace = JsonWhitespace::kCompact;
  } else if (ws == "pretty") {
    o->whitespace = JsonWhitespace::kPretty;
  } else {
    args.usage_error("--whitespace must be flexible, compact or pretty");
    return false;
  }
  auto read_uint = [&](const char* name, auto* out) {
    if (!args.has(name)) return true;
    long long v = 0;
    if (!args.get_int(name, &v)) return false;
    if (v < 0 || v > 1000000000) {
      args.usage_error(std::string("--") + name + " out of range");
      return false;
    }
    *out = static_cast<std::remove_pointer_t<decltype(out)>>(v);
    return true;
  };
  if (!read_uint("max-whitespace", &o->max_whitespace) || !read_uint("indent", &o->indent) ||
      !read_uint("max-string-length", &o->max_string_length) ||
      !read_uint("max-number-digits", &o->max_number_digits) || !read_uint("max-compile-ms", &o->max_compile_ms)) {
    return false;
  }
  o->item_separator = args.get_or("item-separator", o->item_separator);
  o->key_separator = args.get_or("key-separator", o->key_separator);
  std::string order = args.get_or("property-order", "schema");
  if (order == "schema") {
    o->property_order = PropertyOrder::kSchema;
  } else if (order == "exact") {
    o->property_order = PropertyOrder::kSchema;
    o->max_any_order_properties = 0;
    o->max_displacement_states = 0;
  } else if (order == "any") {
    o->property_order = PropertyOrder::kAny;
  } else {
    args.usage_error("--property-order must be schema, exact or any");
    return false;
  }
  o->strict = args.has("strict");
  o->lenient = args.has("lenient");
  if (args.has("draft")) {
    std::string d = args.get_or("draft", "");
    if (d == "4") {
      o->draft = JsonSchemaDraft::kDraft4;
    } else if (d == "6") {
      o->draft = JsonSchemaDraft::kDraft6;
    } else if (d == "7") {
      o->draft = JsonSchemaDraft::kDraft7;
    } else if (d == "2019-09") {
      o->draft = JsonSchemaDraft::kDraft2019_09;
    } else if (d == "2020-12") {
      o->draft = JsonSchemaDraft::kDraft2020_12;
    } else {
      args.usage_error("--draft must be 4, 6, 7, 2019-09 or 2020-12");
      return false;
    }
  }
  return true;
}

}  // namespace sluice::cli
