// The pure parts of optimize (docs/reference.md §15): objectives and
// constraints read from an evaluation's figures, and the order in which
// evaluations are ranked.
#include <doctest/doctest.h>

#include <deque>
#include <stdexcept>
#include <vector>

#include "optimize/figures.hpp"
#include "optimize/search.hpp"

using namespace cloudpact;
using namespace cloudpact::optimize;

namespace {

Figures figures(double mean, double cvar, double p_unmet) {
  Figures f;
  f.value = {p_unmet, 0.0, mean, cvar, mean * 0.9, cvar * 0.9, 5000.0};
  return f;
}

Evaluation evaluation(std::int64_t number, double mean, double cvar, double p_unmet, bool ok = true) {
  Evaluation e;
  e.number = number;
  e.ok = ok;
  e.figures = figures(mean, cvar, p_unmet);
  return e;
}

}  // namespace

TEST_CASE("objectives and constraints are the named metrics") {
  const Figures f = figures(100, 300, 0.02);
  CHECK(objective_value({ObjectiveKind::cost_mean, 0}, f) == 100);
  CHECK(objective_value({ObjectiveKind::cost_cvar95, 0}, f) == 300);
  CHECK(objective_value({ObjectiveKind::npv_cost_mean, 0}, f) == doctest::Approx(90));
  CHECK(objective_value({ObjectiveKind::npv_cost_cvar95, 0}, f) == doctest::Approx(270));
  // mean + λ·CVaR95: 100 + 0.5·300.
  CHECK(objective_value({ObjectiveKind::mean_plus_cvar95, 0.5}, f) == 250);
  CHECK(excess({"p_unmet", 0.05}, f) == doctest::Approx(-0.03));
  CHECK(excess({"hhi_spend.mean", 4000}, f) == 1000);
  const std::vector<OptimizeConstraint> holds = {{"p_unmet", 0.05}}, fails = {{"p_unmet", 0.05}, {"hhi_spend.mean", 4000}};
  CHECK(feasible(holds, f));
  CHECK(!feasible(fails, f));
  CHECK(feasible({}, f));
  CHECK_THROWS_AS((void)f.metric("cost_usd.p95"), std::out_of_range);
}

TEST_CASE("ranking: accepted, then feasible, then the lower objective, then the earlier") {
  const std::vector<OptimizeConstraint> cons = {{"p_unmet", 0.05}};
  const Objective mean{ObjectiveKind::cost_mean, 0};
  const Evaluation refused = evaluation(1, 1, 1, 0, false);
  const Evaluation cheap_infeasible = evaluation(2, 50, 60, 0.10);
  const Evaluation less_infeasible = evaluation(3, 500, 600, 0.06);
  const Evaluation feasible_dear = evaluation(4, 200, 900, 0.01);
  const Evaluation feasible_cheap = evaluation(5, 150, 950, 0.04);
  const Evaluation tie = evaluation(6, 150, 100, 0.0);
  CHECK(better(cheap_infeasible, refused, mean, cons));
  CHECK(better(less_infeasible, cheap_infeasible, mean, cons));  // smaller excess: 0.2 against 1.0 of the bound
  CHECK(better(feasible_dear, less_infeasible, mean, cons));
  CHECK(better(feasible_cheap, feasible_dear, mean, cons));
  CHECK(better(feasible_cheap, tie, mean, cons));  // same mean: the earlier
  CHECK(!better(tie, feasible_cheap, mean, cons));
  std::deque<Evaluation> all = {refused, cheap_infeasible, less_infeasible, feasible_dear, feasible_cheap, tie};
  CHECK(best_of(all, mean, cons)->number == 5);
  // Under mean + 1·CVaR95 the last is best (250 against 1,100).
  CHECK(best_of(all, {ObjectiveKind::mean_plus_cvar95, 1.0}, cons)->number == 6);
  CHECK(best_of({}, mean, cons) == nullptr);
}
