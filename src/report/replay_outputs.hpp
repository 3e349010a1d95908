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

// The texts of summary_json and events_jsonl, given part by part.
void write_summary_json(const Scenario& sc, const ReplayResult& r, const TextSink& emit);
void write_events_jsonl(const Scenario& sc, const ReplayResult& r, const TextSink& emit);

// The four files, summary.json and events.jsonl written from `sc` and `r`
// as the files are committed: both must outlive the commit.
std::vector<OutputFile> replay_outputs(const Scenario& sc, const ReplayResult& r);

// summary.json of a replay of `sc` that computed nothing (every number 0):
// the keys every replay of it writes, known before running (what a sweep's
// metrics are checked against, docs/reference.md §7.1).
std::string summary_json_shape(const Scenario& sc);

}  // namespace cloudpact
