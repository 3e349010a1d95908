// The path model on a scenario text: its problem and the results of `paths`
// paths (CPU backend), for the path_* suites.
#pragma once

#include <string>

#include "risk/problem.hpp"
#include "risk_api.hpp"
#include "scenario/load.hpp"

namespace cloudpact::test {

struct PathRun {
  RiskSetup setup;
  risk::BatchResults r;
  // Index of a portfolio by name.
  int portfolio(const std::string& name) const {
    for (size_t i = 0; i < setup.portfolio_names.size(); ++i)
      if (setup.portfolio_names[i] == name) return static_cast<int>(i);
    return -1;
  }
  double cost(const std::string& portfolio_name, std::int64_t path = 0) const {
    return r.cost_usd[static_cast<size_t>(portfolio(portfolio_name) * r.count + path)];
  }
  double unmet(const std::string& portfolio_name, std::int64_t path = 0) const {
    return r.unmet_gpu_hours[static_cast<size_t>(portfolio(portfolio_name) * r.count + path)];
  }
};

inline PathRun run_paths(const std::string& scenario_text, std::int64_t paths, bool uncertainty_off = false,
                         std::uint64_t seed = 11) {
  PathRun run{build_risk_problem(parse_scenario(scenario_text, "path.json"), uncertainty_off), {}};
  risk::evaluate_paths(run.setup.problem, seed, 0, paths, risk::Backend::cpu, 0, run.r);
  return run;
}

}  // namespace cloudpact::test
