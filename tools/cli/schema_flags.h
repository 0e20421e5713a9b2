// CLI flags for JsonSchemaOptions (sluice/json_schema.h), shared by every
// command that takes a JSON Schema: declare them on an Args, then read them
// back into the options struct.
#pragma once

#include <string>

#include "args.h"
#include "sluice/json_schema.h"

namespace sluice::cli {

void declare_schema_flags(Args& args);
// Prints a usage error and returns false on a bad value.
bool read_schema_flags(const Args& args, JsonSchemaOptions* options);

}  // namespace sluice::cli
