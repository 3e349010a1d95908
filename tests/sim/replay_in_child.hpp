// Runs one replay in a forked child (SimGrid allows one engine per process)
// and hands its output files back to the parent through a pipe, where the
// test asserts on them.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "scenario/scenario.hpp"

namespace cloudpact::test {

struct ReplayTexts {
  std::string summary, timeseries, ledger, events;
  nlohmann::json summary_json() const { return nlohmann::json::parse(summary); }
};

// `scenario_text` is a whole scenario file; a replay that throws makes the
// test fail with the child's message.
ReplayTexts replay_in_child(const std::string& scenario_text);
// The same for a scenario already in memory (one a test has changed in ways
// a file cannot say), run as it is: not validated again.
ReplayTexts replay_in_child(const Scenario& sc);

// Sum of ledger amounts with the given item (and contract, if not empty).
double ledger_sum(const std::string& ledger_csv, const std::string& item, const std::string& contract = "");

// Lines of events.jsonl with the given type.
std::vector<nlohmann::json> events_of_type(const std::string& events_jsonl, const std::string& type);

}  // namespace cloudpact::test
