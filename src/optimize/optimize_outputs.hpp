// The files `cloudpact optimize` writes (docs/reference.md §15):
// optimize.json, evaluations.csv and, with a frontier, frontier.csv. Texts
// only: the command commits them as one set.
#pragma once

#include <optional>
#include <string>

#include "optimize/search.hpp"

namespace cloudpact::optimize {

// The optimum re-evaluated on fresh paths (seed + 1).
struct OutOfSample {
  std::uint64_t seed = 0;
  Figures figures;
};

std::string optimize_json(const Evaluator& evaluator, const SearchOutcome& outcome,
                          const std::optional<OutOfSample>& out_of_sample);

// One row per evaluation, in the order evaluated: evaluation, stage, one
// column per variable pointer, objective, one per constraint metric,
// feasible, then cost_usd.mean and cost_usd.cvar95 (unless constrained
// already), error.
std::string evaluations_csv(const Evaluator& evaluator);

// One row per λ: lambda, one column per variable pointer, mean, cvar95
// (of cost), objective (mean + λ·cvar95), feasible.
std::string frontier_csv(const Evaluator& evaluator, const SearchOutcome& outcome);

}  // namespace cloudpact::optimize
