// The search against optima derived by hand (docs/reference.md §15). The
// newsvendor (tests/optimize/fixtures/newsvendor.json): q GPUs reserved at
// c = $2/GPU-h for the year's H = 8,760 h serve a demand D₀·M_d (D₀ = 1,000,
// M_d the day's lognormal multiplier of mean 1: ln M_d ~ N(−σ²t/2, σ²t),
// t = d / 365.25 years, σ = 0.5); what exceeds q goes unserved, worth
// p = $4/GPU-h. E[cost] = c·q·H + p·24·Σ_d E[(D₀M_d − q)⁺], whose derivative
// vanishes where the day-averaged exceedance F(q) = (1/365)·Σ_d P(D₀M_d > q)
// equals c/p = 1/2. Nothing below calls cloudpact to find that optimum.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "optimize/evaluator.hpp"
#include "optimize/search.hpp"
#include "risk/problem.hpp"
#include "risk/risk_run.hpp"
#include "scenario/load.hpp"
#include "scenario/optimize_spec.hpp"

using namespace cloudpact;

namespace {

const std::string kFixtures = std::string(CLOUDPACT_SOURCE_DIR) + "/tests/optimize/fixtures";
constexpr double kD0 = 1000, kSigma = 0.5, kC = 2.0, kP = 4.0;
constexpr int kDays = 365;

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// P(D₀·M_d > q) on day d.
double exceedance(double q, int d) {
  const double t = d / 365.25;
  if (d == 0) return q < kD0 ? 1.0 : 0.0;
  const double s = kSigma * std::sqrt(t);
  return 1.0 - normal_cdf((std::log(q / kD0) + 0.5 * s * s) / s);
}

// F(q): the day-averaged exceedance.
double day_averaged_exceedance(double q) {
  double total = 0;
  for (int d = 0; d < kDays; ++d) total += exceedance(q, d);
  return total / kDays;
}

// E[unmet GPU-hours] = 24·Σ_d E[(D₀M_d − q)⁺], each term Black–Scholes'
// D₀·Φ(d₁) − q·Φ(d₂) for a lognormal of mean D₀.
double expected_unmet_gpu_hours(double q) {
  double total = 0;
  for (int d = 0; d < kDays; ++d) {
    const double t = d / 365.25;
    if (d == 0) {
      total += std::max(0.0, kD0 - q);
      continue;
    }
    const double s = kSigma * std::sqrt(t);
    const double d1 = (std::log(kD0 / q) + 0.5 * s * s) / s;
    total += kD0 * normal_cdf(d1) - q * normal_cdf(d1 - s);
  }
  return 24.0 * total;
}

// The root of a decreasing function of q on [lo, hi], by bisection.
template <class F>
double decreasing_root(F f, double lo, double hi) {
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (f(mid) > 0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

std::string write_optimize(const std::string& name, const std::string& extra) {
  const auto dir = std::filesystem::temp_directory_path() / "cloudpact-test-newsvendor";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / (name + ".json")).string();
  std::ofstream(path, std::ios::binary)
      << "{ \"base\": \"" << kFixtures << "/newsvendor.json\", \"variables\": [ { \"pointer\": "
      << "\"/providers/0/regions/0/clusters/0/capacity_gpus\", \"min\": 0, \"max\": 3000 } ], "
      << "\"objective\": \"cost_usd.mean\", \"paths\": 2000, \"seed\": 7" << extra << " }";
  return path;
}

RiskRunOptions cpu_options(const OptimizeSpec& spec) {
  return RiskRunOptions{spec.paths, spec.seed.value_or(0), risk::Backend::cpu, 2, -1, false};
}

}  // namespace

TEST_CASE("newsvendor: the reserved capacity where demand exceeds it on c/p of the day-paths") {
  const OptimizeSpec spec = load_optimize_spec(write_optimize("free", ", \"max_evaluations\": 60"));
  optimize::Evaluator ev(spec, cpu_options(spec));
  const optimize::SearchOutcome out = optimize::run_search(ev, [] { return false; });
  REQUIRE(out.best != nullptr);
  REQUIRE(out.feasible);
  CHECK(!out.stopped);
  CHECK(ev.count() <= spec.max_evaluations);
  const double q_found = out.best->values[0];

  // The true optimum, and how far the sample's can sit from it: F at the
  // sample optimum is off by at most its SE, √(1/4 / N) (an indicator's
  // variance is at most 1/4; the day average's is no larger); in q that is
  // SE / |F'(q*)|. Four of those.
  const double q_star = decreasing_root([](double q) { return day_averaged_exceedance(q) - kC / kP; }, 1, 3000);
  const double slope = (day_averaged_exceedance(q_star - 1) - day_averaged_exceedance(q_star + 1)) / 2.0;
  const double tolerance = 4.0 * std::sqrt(0.25 / static_cast<double>(spec.paths)) / slope;
  MESSAGE("q* = " << q_star << ", found " << q_found << ", tolerance " << tolerance);
  CHECK(std::fabs(q_found - q_star) < tolerance);

  // On the sample itself the search must do at least as well as q*: the
  // sample average is the function it minimises.
  const optimize::Evaluation& at_star = ev.evaluate(ev.snap({q_star}), "check");
  CHECK(out.best->figures.metric("cost_usd.mean") <= at_star.figures.metric("cost_usd.mean") * (1 + 1e-9));

  // Common random numbers: the base point's figures are risk.json's own for
  // the same scenario, seed and paths.
  const Scenario sc = load_scenario(kFixtures + "/newsvendor.json");
  const RiskSetup setup = build_risk_problem(sc);
  const auto risk_json = nlohmann::json::parse(run_risk(sc, setup, cpu_options(spec)));
  const nlohmann::json& c = risk_json["portfolios"]["contracted"];
  CHECK(out.base->figures.metric("cost_usd.mean") == c["cost_usd"]["mean"].get<double>());
  CHECK(out.base->figures.metric("cost_usd.cvar95") == c["cost_usd"]["cvar95"].get<double>());
  CHECK(out.base->figures.metric("p_unmet") == c["p_unmet"].get<double>());
  CHECK(out.base->figures.se_of("cost_usd.mean") == c["cost_usd"]["se_mean"].get<double>());
}

TEST_CASE("newsvendor under a cap on unmet demand: the optimum sits on the constraint") {
  // Capping expected unmet GPU-hours at their value at q = 1,200 (above q*)
  // makes every cheaper q infeasible: the optimum is where the cap binds.
  const double q_cap = 1200;
  const double cap = expected_unmet_gpu_hours(q_cap);
  const OptimizeSpec spec = load_optimize_spec(write_optimize(
      "capped", ", \"max_evaluations\": 60, \"constraints\": [ { \"metric\": \"unmet_gpu_hours.mean\", \"max\": " +
                    std::to_string(cap) + " } ]"));
  optimize::Evaluator ev(spec, cpu_options(spec));
  const optimize::SearchOutcome out = optimize::run_search(ev, [] { return false; });
  REQUIRE(out.best != nullptr);
  REQUIRE(out.feasible);
  const double q_found = out.best->values[0];
  const double unmet = out.best->figures.metric("unmet_gpu_hours.mean");
  CHECK(unmet <= cap);
  // Binding: within 0.5% of the cap (the search stops on it, not inside).
  CHECK(unmet >= cap * 0.995);
  // The sample's unmet mean at q_cap is off by its SE; dE[unmet]/dq = −24·365·F(q).
  const double se = out.best->figures.se_of("unmet_gpu_hours.mean");
  const double tolerance = 4.0 * se / (24.0 * kDays * day_averaged_exceedance(q_cap));
  MESSAGE("q_cap = " << q_cap << ", found " << q_found << ", tolerance " << tolerance);
  CHECK(std::fabs(q_found - q_cap) < tolerance);
  // Every feasible point evaluated costs at least as much as the optimum.
  for (const optimize::Evaluation& e : ev.all())
    if (e.ok && optimize::feasible(spec.constraints, e.figures))
      CHECK(e.figures.metric("cost_usd.mean") >= out.best->figures.metric("cost_usd.mean"));
}

TEST_CASE("an evaluation is a function of the variables: repeats come from the cache, uncounted") {
  const OptimizeSpec spec = load_optimize_spec(write_optimize("cache", ", \"max_evaluations\": 10"));
  optimize::Evaluator ev(spec, cpu_options(spec));
  const optimize::Evaluation& a = ev.evaluate({800}, "check");
  const optimize::Evaluation& b = ev.evaluate({800}, "again");
  CHECK(&a == &b);
  CHECK(ev.count() == 1);
  CHECK(b.stage == "check");
  // A second evaluator on the same file gives the same bits.
  optimize::Evaluator other(spec, RiskRunOptions{spec.paths, 7, risk::Backend::cpu, 1, 300, false});
  const optimize::Evaluation& c = other.evaluate({800}, "check");
  CHECK(c.figures.value == a.figures.value);
  CHECK(other.snap({-5})[0] == 0.0);
  CHECK(other.snap({4000})[0] == 3000.0);
}

TEST_CASE("a stop asked during an evaluation abandons it: the search stops, the point is not recorded") {
  const OptimizeSpec spec = load_optimize_spec(write_optimize("stop", ", \"max_evaluations\": 10"));
  // Batches of 500 of the 2,000 paths: the evaluator is asked before each
  // but the first; it answers true on the 6th question, inside the second
  // evaluation (questions 4-6: the first took 1-3).
  optimize::Evaluator ev(spec, RiskRunOptions{spec.paths, spec.seed.value_or(0), risk::Backend::cpu, 1, 500, false});
  int asked = 0;
  ev.stop_requested = [&] { return ++asked == 6; };
  int recorded = 0;
  ev.on_new = [&](const optimize::Evaluation&) { ++recorded; };
  const optimize::SearchOutcome out = optimize::run_search(ev, [] { return false; });
  CHECK(out.stopped);
  CHECK(asked == 6);
  CHECK(ev.count() == 1);  // the base point alone
  CHECK(recorded == 1);
  REQUIRE(out.base != nullptr);
  CHECK(out.base->ok);
  CHECK(out.best == out.base);
  // The same during the base point: nothing is recorded, the search stops.
  optimize::Evaluator first(spec, RiskRunOptions{spec.paths, spec.seed.value_or(0), risk::Backend::cpu, 1, 500, false});
  first.stop_requested = [] { return true; };
  const optimize::SearchOutcome none = optimize::run_search(first, [] { return false; });
  CHECK(none.stopped);
  CHECK(first.count() == 0);
  CHECK(none.base == nullptr);
  CHECK(none.best == nullptr);
  // The out-of-sample run stops the same way.
  CHECK_THROWS_AS(first.evaluate_on_seed({800}, 8), RunStopped);
}
