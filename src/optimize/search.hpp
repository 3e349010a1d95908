// The search of an optimize file (docs/reference.md §15): the base point,
// a global stage over the box (NLopt's DIRECT-L, deterministic, on the
// objective with the constraints as a penalty), a local polish from its best
// point (NLopt's COBYLA, derivative-free, which takes the constraints as
// constraints), then the frontier: one local
// search of mean + λ·CVaR95 per λ, each from the best point for its λ of
// everything evaluated so far. Variables are searched in [0, 1] each
// (bounds rescaled), the objective and constraints divided by their size at
// the base point, so no variable or metric dominates by its unit alone.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "optimize/evaluator.hpp"

namespace cloudpact::optimize {

// Which of two evaluations is better for `objective` under the constraints:
// a point the scenario accepts before one it refuses, a feasible one before
// an infeasible one, then the lower objective (feasible) or the smaller
// total relative excess (infeasible), then the earlier.
bool better(const Evaluation& a, const Evaluation& b, const Objective& objective,
            const std::vector<OptimizeConstraint>& constraints);

// The best of `evaluations` by `better`; nullptr when there are none.
const Evaluation* best_of(const std::deque<Evaluation>& evaluations, const Objective& objective,
                          const std::vector<OptimizeConstraint>& constraints);

struct FrontierPoint {
  double lambda = 0.0;
  const Evaluation* best = nullptr;
};

struct SearchOutcome {
  const Evaluation* base = nullptr;  // the base scenario's own values (clamped to the bounds)
  const Evaluation* best = nullptr;  // best for the file's objective of every evaluation
  bool feasible = false;             // best satisfies every constraint
  bool stopped = false;              // a stop was requested: no frontier, best so far
  std::vector<FrontierPoint> frontier;
  std::int64_t search_evaluations = 0;  // base, global and local (the budget of max_evaluations)
};

// Runs every stage. `stop_requested` is polled before each new evaluation.
SearchOutcome run_search(Evaluator& evaluator, const std::function<bool()>& stop_requested);

}  // namespace cloudpact::optimize
