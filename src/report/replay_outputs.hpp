// The replay's output files (docs/reference.md §5): summary.json, timeseries.csv,
// ledger.csv, events.jsonl, as text. Same result, same bytes.
#pragma once

#include <string>
#include <vector>

#include "model/replay_result.hpp"
#include "report/atomic_file.hpp"
#include "scenario/scenario.hpp"

namespace cloudpact {

std::string summary_json(const Scenario& sc, const ReplayResult& r);
std::string timeseries_csv(const ReplayResult& r);
std::string ledger_csv(const ReplayResult& r);
std::string events_jsonl(const Scenario& sc, const ReplayResult& r);

std::vector<OutputFile> replay_outputs(const Scenario& sc, const ReplayResult& r);

}  // namespace cloudpact
