// From a validated scenario to the kernels' RiskProblem (kernels/risk_api.hpp):
// the replay's semantics laid on a grid of steps (days, cut at every dated
// change of the scenario), plus the uncertainty models and the portfolios.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "risk_api.hpp"
#include "scenario/scenario.hpp"

namespace cloudpact {

struct RiskSetup {
  risk::RiskProblem problem;
  // Portfolio names in problem order: "contracted", then "without:P" and
  // "single:P" for every provider P in file order, then, with sensitivity,
  // "off:SOURCE" for every source of uncertainty (the contracted portfolio
  // with that source switched off, docs/reference.md §12).
  std::vector<std::string> portfolio_names;
  std::vector<std::string> provider_ids;
  std::vector<std::string> contract_ids;
  // risk.json gets a `sensitivity` block (empty when nothing is sampled).
  bool sensitivity = false;
  // A right of first refusal (docs/reference.md §14): its holder (empty:
  // none), the ids of the contracts offered to it, and the match probability
  // of `risk` (nullopt: match_pct on every path). The portfolio "no_rofr"
  // follows "single:P".
  std::string rofr_holder;
  std::vector<std::string> rofr_offered;
  std::optional<double> rofr_match_probability;
};

// Throws InputError (docs/reference.md §9 style, pointing at the scenario) when the
// scenario exceeds the kernels' bounds (risk_api.hpp kMax*).
// `uncertainty_off` zeroes every sampled model (the replay's own future);
// `sensitivity` adds the "off:SOURCE" portfolios.
RiskSetup build_risk_problem(const Scenario& sc, bool uncertainty_off = false, bool sensitivity = false);

// The portfolios that do not hold provider `holder` (an exclusivity's or a
// right of first refusal's provider; its index): "without:HOLDER" and
// "single:Q" for every other provider Q. The clause goes with its holder:
// walking away from the holder, or never having signed with it, frees the
// buyer of it (docs/reference.md §14).
std::vector<int> portfolios_free_of(const risk::RiskProblem& pb, int holder);

// The problem with the "contracted" portfolio alone: what `optimize` needs.
// Its results are the same bytes as among every portfolio of
// build_risk_problem (the kernels share a step's work between portfolios,
// never its arithmetic). Its GPU-hours per provider are left untracked (0),
// as no optimize figure reads them (RiskProblem::track_contracted_use). The
// contracted portfolio holds every provider, so it is bound by any
// exclusivity: the problem without the clause is not built. The grid's
// bound is build_risk_problem's, so both refuse the same scenarios.
RiskSetup build_contracted_problem(const Scenario& sc);

// Φ⁻¹(p), the standard normal quantile (±1e300 at p = 0 and 1): the copula's
// lateness threshold.
double normal_quantile(double p);

}  // namespace cloudpact
