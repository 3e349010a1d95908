// Whole JSON documents as the user wrote them: syntax errors with line and
// column, duplicate keys, and `--set`-style pointer edits. Shared by scenario
// files and sweep files; internal to src/scenario/.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scenario/json_reader.hpp"
#include "scenario/load.hpp"

namespace cloudpact::scenario_json {

// The document, or nullopt after reporting a syntax error. Duplicate keys are
// reported but do not stop the reading.
std::optional<Json> parse_json(const std::string& text, Problems& problems);

// Unescaped tokens of a JSON pointer; nullopt when ill-formed.
std::optional<std::vector<std::string>> pointer_tokens(const std::string& pointer);

// Sets the value at `o.pointer` (VALUE parsed as JSON, else a string); reports
// a pointer whose parent does not exist.
void apply_override(Json& doc, const Override& o, Problems& problems);

}  // namespace cloudpact::scenario_json
