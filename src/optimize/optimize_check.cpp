#include "optimize/optimize_check.hpp"

#include <string>

#include "risk/problem.hpp"

namespace cloudpact {

void check_optimize_runs(const OptimizeSpec& spec, const Scenario& base, const RiskRunOptions& options) {
  // An evaluation walks the contracted portfolio alone (§15.2): its problem
  // is what the kernels must take, and its results what memory must hold.
  const RiskSetup setup = build_contracted_problem(base);
  check_risk_memory(spec.path, "/paths: " + std::to_string(spec.paths) + " paths", setup, options);
}

}  // namespace cloudpact
