// The only door from scenario files to the typed model.
#pragma once

#include <string>
#include <vector>

#include "scenario/input_error.hpp"
#include "scenario/scenario.hpp"

namespace cloudpact {

// One `--set /json/pointer=VALUE`: VALUE is parsed as JSON, else taken as a string.
struct Override {
  std::string pointer;
  std::string value;
};

// Parses `--set` text "/a/b=VALUE"; throws InputError on a malformed one.
Override parse_override(const std::string& text);

// Reads, applies overrides, validates (docs/reference.md §2, §9) and converts. Throws
// InputError with every problem found (not just the first).
Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides = {});

// Same, from text already in memory; `path` is only used in messages.
Scenario parse_scenario(const std::string& text, const std::string& path,
                        const std::vector<Override>& overrides = {});

// The JSON Schema (draft 2020-12) of scenario files, generated from the format
// table (scenario/fields.hpp), pretty-printed with a trailing newline: what
// `cloudpact schema` prints and scenarios/schema.json holds.
std::string scenario_schema_text();

// The field reference, one Markdown table per object, generated from the same
// table: what docs/scenario-format.md holds.
std::string scenario_format_markdown();

}  // namespace cloudpact
