// docs/reference.md §2, §9 in one place: every rule of the scenario format is checked
// while the typed Scenario is built (validate.cpp, one validate_<section>.cpp
// per section of the format). Internal to src/scenario/.
#pragma once

#include "scenario/json_reader.hpp"
#include "scenario/scenario.hpp"

namespace cloudpact::scenario_json {

// Checks `doc` and converts it. Every problem found goes to `problems`; the
// returned Scenario is only meaningful when `problems` stayed empty.
Scenario build_scenario(const Json& doc, Problems& problems);

}  // namespace cloudpact::scenario_json
