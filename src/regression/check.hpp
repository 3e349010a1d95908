// Comparison of one output document (summary.json, risk.json) with its
// baseline, number by number (docs/reference.md §8), over the shared walk of
// regression/json_walk.hpp. Pure: JSON in, rows out. `cloudpact check` and
// the baseline test (tests/sim/test_baselines.cpp) both judge replays with
// compare_replay.
//
// Every number whose value changed at all becomes a row, with its verdict
// from the tolerance of its path (regression/tolerances.hpp). Structure must
// match exactly: a missing or extra key, a changed string, boolean or null,
// a changed type or array length is a row too, always a regression.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "regression/tolerances.hpp"

namespace cloudpact::regression {

struct Row {
  std::string metric;                    // dotted path: "totals.spend_usd", "portfolios.contracted.cost_usd.cvar95"
  std::string pointer;                   // the same place as an RFC 6901 JSON pointer: "/totals/spend_usd"
  std::string baseline, now;             // JSON text of each side; "-" when absent
  std::optional<double> rel_change;      // (now − baseline) / max(|now|, |baseline|); none for structure
  std::optional<double> rel_tolerance;   // allowed |rel_change|; none for structure
  std::string basis;                     // the tolerance's basis, or what differs in structure
  bool regression = false;
};

struct Comparison {
  std::vector<Row> rows;  // document order: the baseline's, then keys only in the new document
  std::int64_t numbers_compared = 0;

  std::int64_t moved() const;        // rows of numbers that changed (within tolerance or not)
  std::int64_t regressions() const;  // rows that fail
};

// The tolerance for the number at a path of object keys (and array indices)
// from the root.
using ToleranceFor = std::function<Tolerance(const std::vector<std::string>& path)>;

// What a subtree compared whole gives: a row when it moved (its metric and
// pointer are filled in by compare_documents), and the numbers it holds.
struct WholeVerdict {
  std::optional<Row> row;
  std::int64_t numbers_compared = 0;
};
using WholeJudge = std::function<WholeVerdict(const std::vector<std::string>& path, const nlohmann::json& baseline,
                                              const nlohmann::json& now)>;

// `ignore`: subtrees skipped on both sides, as JsonSubtrees's entries (JSON
// pointers, or "**/KEY" for every member named KEY at any depth). `whole`:
// subtrees judged as one by `judge` where both documents have them (a
// histogram); one side's alone is a structure row as any member.
Comparison compare_documents(const nlohmann::json& baseline, const nlohmann::json& now,
                             const std::vector<std::string>& ignore, const ToleranceFor& tolerance,
                             const std::vector<std::string>& whole = {}, const WholeJudge& judge = {});

// summary.json: 1e-9 relative; "/cloudpact_version" ignored (a version bump
// is not a regression).
Comparison compare_replay(const nlohmann::json& baseline, const nlohmann::json& now);

// risk.json: Monte Carlo tolerances with `z` standard errors; "/backend"
// and "/cloudpact_version" ignored; every cost "histogram" compared whole,
// as a sample (regression/histogram_compare.hpp): one row, its change the
// least Kolmogorov–Smirnov distance of the two samples, its tolerance
// ks_tolerance; a histogram that is not one of the run's paths (counts that
// do not sum to them, edges out of order) is a structure row.
Comparison compare_risk(const nlohmann::json& baseline, const nlohmann::json& now, double z);

// "totals.spend_usd" for {"totals", "spend_usd"}; "(document)" for the root.
std::string dotted(const std::vector<std::string>& path);

}  // namespace cloudpact::regression
