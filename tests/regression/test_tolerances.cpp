// Regression tolerances (docs/reference.md §8, src/regression/tolerances.hpp): the
// formulas against hand values, and which rule each risk.json number gets.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "regression/tolerances.hpp"

using namespace cloudpact::regression;
using nlohmann::json;

TEST_CASE("tolerances: normal density, quantile and the quantile SE factor") {
  CHECK(normal_pdf(0.0) == doctest::Approx(0.3989422804));
  CHECK(normal_quantile(0.5) == doctest::Approx(0.0).epsilon(1e-12));
  CHECK(normal_quantile(0.975) == doctest::Approx(1.959963985).epsilon(1e-9));
  CHECK(normal_quantile(0.95) == doctest::Approx(1.644853627).epsilon(1e-9));
  CHECK(normal_quantile(0.01) == doctest::Approx(-2.326347874).epsilon(1e-9));
  CHECK(std::isnan(normal_quantile(0.0)));
  CHECK(std::isnan(normal_quantile(1.0)));
  // √(q(1 − q)) / φ(Φ⁻¹(q)):
  //   q = 0.50: 0.5 / 0.398942 = 1.253314 (√(π/2): the median's SE is 25% above the mean's)
  //   q = 0.95: √0.0475 / φ(1.644854) = 0.2179449 / 0.1031356 = 2.1131875
  //   q = 0.99: √0.0099 / φ(2.326348) = 0.0994987 / 0.0266521 = 3.7332363
  CHECK(quantile_se_factor(0.5) == doctest::Approx(std::sqrt(std::acos(-1.0) / 2.0)).epsilon(1e-9));
  CHECK(quantile_se_factor(0.95) == doctest::Approx(2.1131875).epsilon(1e-7));
  CHECK(quantile_se_factor(0.99) == doctest::Approx(3.7332363).epsilon(1e-7));
}

TEST_CASE("tolerances: the formulas by hand") {
  CHECK(mean_tolerance(5.0, 2.0) == 10.0);
  CHECK(quantile_tolerance(5.0, 2.0, 0.95) == doctest::Approx(10.0 * 2.1131875).epsilon(1e-6));
  CHECK(cvar_tolerance(5.0, 3.0) == 15.0);
  // p_unmet: z·max(se, 1/N); the 1/N floor where se is 0 (p = 0 or 1).
  CHECK(probability_tolerance(5.0, 0.0, 1000) == doctest::Approx(0.005));
  CHECK(probability_tolerance(5.0, 0.01, 1000) == doctest::Approx(0.05));
  // A difference of independent estimates: z·√(3² + 4²) = 25.
  CHECK(difference_tolerance(5.0, 3.0, 4.0) == doctest::Approx(25.0));
  // An SE estimated from n = 51 values, kurtosis 25: z·se·√(24/(4·50)) = 5·√0.12.
  CHECK(standard_error_tolerance(5.0, 1.0, 51.0) == doctest::Approx(5.0 * std::sqrt(0.12)));
  CHECK(standard_error_tolerance(5.0, 1.0, 1.0) == doctest::Approx(5.0 * std::sqrt(6.0)));  // at least 1 dof
  // se_p_unmet at p = 0 with p's tolerance 0.005 and N = 1000: √(0.005·0.995/1000) − 0.
  CHECK(binomial_se_tolerance(0.0, 0.005, 1000) == doctest::Approx(std::sqrt(0.005 * 0.995 / 1000.0)));
  // Around p = 0.5 (the maximum of √(p(1 − p))) it can only fall.
  CHECK(binomial_se_tolerance(0.5, 0.1, 100) ==
        doctest::Approx(std::sqrt(0.25 / 100.0) - std::sqrt(0.4 * 0.6 / 100.0)));
}

TEST_CASE("tolerances: the KS distance two samples of one distribution stay within") {
  // α = P(|N(0,1)| > 5/√2) = erfc(2.5) = 4.0695e-4, c = √(ln(2/α)/2) = √(ln 4914.6 / 2) = 2.061548.
  CHECK(ks_critical_factor(5.0) == doctest::Approx(2.061548).epsilon(1e-6));
  // The asymptotic tail 2·exp(−2c²) is that α again.
  for (const double z : {2.0, 5.0, 8.0}) {
    const double c = ks_critical_factor(z);
    CHECK(2.0 * std::exp(-2.0 * c * c) == doctest::Approx(std::erfc(z / 2.0)).epsilon(1e-9));
  }
  // 1000 paths a side: 2.061548·√(2/1000) = 0.0921952; 200 and 800: 2.061548·√(1/200 + 1/800).
  CHECK(ks_tolerance(5.0, 1000, 1000) == doctest::Approx(0.0921952).epsilon(1e-6));
  CHECK(ks_tolerance(5.0, 200, 800) == doctest::Approx(2.061548 * std::sqrt(0.00625)).epsilon(1e-6));
  CHECK(ks_tolerance(8.0, 1000, 1000) > ks_tolerance(5.0, 1000, 1000));
}

TEST_CASE("tolerances: relative floor and verdicts") {
  const Tolerance replay = replay_tolerance();
  CHECK(replay.basis == "1e-9 relative");
  CHECK(replay.allows(1e9, 1e9));
  CHECK(replay.allows(1e9, 1e9 + 0.5));   // 5e-10 relative
  CHECK_FALSE(replay.allows(1e9, 1e9 + 2));  // 2e-9 relative
  CHECK_FALSE(replay.allows(0.0, 1e-12));    // relative: near 0 nothing is free
  CHECK_FALSE(replay.allows(1.0, NAN));
  CHECK(replay.relative_to(1e9, 1e9 + 2) == 1e-9);

  Tolerance t;
  t.abs_tolerance = 10.0;
  CHECK(t.allows(1000.0, 1010.0));
  CHECK_FALSE(t.allows(1000.0, 1010.5));
  CHECK(t.relative_to(1000.0, 1010.0) == doctest::Approx(10.0 / 1010.0));
}

namespace {

json risk_doc() {
  return json::parse(R"({
    "paths": 1000, "seed": 42, "backend": "cpu-omp",
    "problem": {"days": 31},
    "portfolios": {
      "contracted": {
        "cost_usd": {"mean": 100.0, "p50": 99.0, "p95": 120.0, "p99": 130.0, "cvar95": 125.0,
                     "se_mean": 2.0, "se_cvar95": 3.0},
        "unmet_gpu_hours": {"mean": 5.0, "p95": 20.0, "se_mean": 0.5},
        "spend_usd": {"mean": 90.0, "se_mean": 1.5},
        "p_unmet": 0.1, "unmet_paths": 100, "se_p_unmet": 0.00948683
      },
      "single:a": {
        "cost_usd": {"mean": 150.0, "se_mean": 4.0}
      }
    },
    "hhi_spend": {"mean": 6000.0, "p50": 5900.0, "p95": 8000.0, "se_mean": 10.0},
    "lock_in": {
      "a": {"exit_cost_usd": 7.0, "cost_of_lock_in_usd": 50.0, "se_exit_cost_usd": 0.7, "se_cost_of_lock_in_usd": 1.0},
      "b": {"exit_cost_usd": 0.0, "cost_of_lock_in_usd": 50.0}
    },
    "leverage": {
      "a": {"batna_usd_per_gpu_hour": 3.0, "nash_price_usd_per_gpu_hour": 2.5,
            "contract_price_usd_per_gpu_hour": 2.0, "seller_floor_usd_per_gpu_hour": 1.0,
            "floor_assumed": false, "buyer_power": 0.4, "se_batna_usd_per_gpu_hour": 0.1},
      "b": {"batna_usd_per_gpu_hour": 3.0, "se_batna_usd_per_gpu_hour": 0.1,
            "se_nash_price_usd_per_gpu_hour": 0.05}
    }
  })");
}

Tolerance rule(const std::vector<std::string>& path, double z = 5.0) {
  const json b = risk_doc();
  return risk_tolerance(b, b, path, z);
}

}  // namespace

TEST_CASE("tolerances: each risk.json number gets its rule") {
  CHECK(rule({"portfolios", "contracted", "cost_usd", "mean"}).abs_tolerance == doctest::Approx(10.0));
  CHECK(rule({"portfolios", "contracted", "cost_usd", "mean"}).basis == "5·se_mean");
  CHECK(rule({"portfolios", "contracted", "cost_usd", "mean"}, 3.0).abs_tolerance == doctest::Approx(6.0));
  CHECK(rule({"portfolios", "contracted", "cost_usd", "p95"}).abs_tolerance ==
        doctest::Approx(5.0 * 2.0 * 2.1131875).epsilon(1e-6));
  CHECK(rule({"portfolios", "contracted", "cost_usd", "p95"}).basis == "5·se_mean·2.1132 (normal p95)");
  CHECK(rule({"portfolios", "contracted", "cost_usd", "p50"}).abs_tolerance ==
        doctest::Approx(5.0 * 2.0 * 1.253314).epsilon(1e-6));
  CHECK(rule({"portfolios", "contracted", "cost_usd", "cvar95"}).abs_tolerance == doctest::Approx(15.0));
  CHECK(rule({"portfolios", "contracted", "unmet_gpu_hours", "p95"}).abs_tolerance ==
        doctest::Approx(5.0 * 0.5 * 2.1131875).epsilon(1e-6));
  CHECK(rule({"portfolios", "contracted", "spend_usd", "mean"}).abs_tolerance == doctest::Approx(7.5));
  CHECK(rule({"hhi_spend", "p95"}).abs_tolerance == doctest::Approx(50.0 * 2.1131875).epsilon(1e-6));

  // Quantiles: the order-statistic SE where it is the larger, and the SEs of
  // quantiles move as far as their quantile.
  json q = risk_doc();
  json& cost = q["portfolios"]["contracted"]["cost_usd"];
  cost["se_p95"] = 5.0;  // 5 > 2·2.113
  cost["se_p99"] = 1.0;  // 1 < 2·3.733
  const std::vector<std::string> p95 = {"portfolios", "contracted", "cost_usd", "p95"};
  CHECK(risk_tolerance(q, q, p95, 5.0).abs_tolerance == doctest::Approx(25.0));
  CHECK(risk_tolerance(q, q, p95, 5.0).basis == "5·se_p95");
  CHECK(risk_tolerance(q, q, {"portfolios", "contracted", "cost_usd", "p99"}, 5.0).basis ==
        "5·se_mean·3.7332 (normal p99)");
  CHECK(risk_tolerance(q, q, {"portfolios", "contracted", "cost_usd", "se_p95"}, 5.0).abs_tolerance ==
        doctest::Approx(25.0));
  CHECK(risk_tolerance(q, q, {"portfolios", "contracted", "cost_usd", "se_p95"}, 5.0).basis == "5·se_p95 (as p95)");

  // p_unmet = 0.1 of 1000 paths: se 0.0094868 > 1/1000.
  CHECK(rule({"portfolios", "contracted", "p_unmet"}).abs_tolerance == doctest::Approx(5.0 * 0.00948683));
  CHECK(rule({"portfolios", "contracted", "unmet_paths"}).abs_tolerance == doctest::Approx(1000 * 5.0 * 0.00948683));

  // Standard errors themselves: z·se·√(6/(n − 1)).
  CHECK(rule({"portfolios", "contracted", "cost_usd", "se_mean"}).abs_tolerance ==
        doctest::Approx(5.0 * 2.0 * std::sqrt(6.0 / 999)));
  CHECK(rule({"portfolios", "contracted", "cost_usd", "se_mean"}).basis == "5·se·√(6/(n−1)), n=1000");
  CHECK(rule({"portfolios", "contracted", "cost_usd", "se_cvar95"}).abs_tolerance ==
        doctest::Approx(5.0 * 3.0 * std::sqrt(6.0 / 49)));  // the 50 tail paths
  CHECK(rule({"portfolios", "contracted", "unmet_gpu_hours", "se_mean"}).abs_tolerance ==
        doctest::Approx(5.0 * 0.5 * std::sqrt(6.0 / 99)));  // the 100 paths with unmet demand

  // Lock-in: its own paired SE; without it, the two means as if independent.
  CHECK(rule({"lock_in", "a", "cost_of_lock_in_usd"}).abs_tolerance == doctest::Approx(5.0));
  CHECK(rule({"lock_in", "a", "exit_cost_usd"}).abs_tolerance == doctest::Approx(3.5));
  CHECK(rule({"lock_in", "b", "cost_of_lock_in_usd"}).abs_tolerance == doctest::Approx(0.0));  // no single:b
  CHECK(rule({"lock_in", "b", "cost_of_lock_in_usd"}).basis == "1e-9 relative (no se_cost_of_lock_in_usd)");
  json b = risk_doc();
  b["lock_in"]["a"].erase("se_cost_of_lock_in_usd");
  CHECK(risk_tolerance(b, b, {"lock_in", "a", "cost_of_lock_in_usd"}, 5.0).abs_tolerance ==
        doctest::Approx(5.0 * std::sqrt(4.0 * 4.0 + 2.0 * 2.0)));
  // ... and a baseline without an SE takes the new run's.
  CHECK(risk_tolerance(b, risk_doc(), {"lock_in", "a", "cost_of_lock_in_usd"}, 5.0).abs_tolerance ==
        doctest::Approx(5.0));

  // Leverage: BATNA by its delta-method SE; Nash by its own, else (1 − β)·se_batna.
  CHECK(rule({"leverage", "a", "batna_usd_per_gpu_hour"}).abs_tolerance == doctest::Approx(0.5));
  CHECK(rule({"leverage", "a", "nash_price_usd_per_gpu_hour"}).abs_tolerance == doctest::Approx(5.0 * 0.6 * 0.1));
  CHECK(rule({"leverage", "b", "nash_price_usd_per_gpu_hour"}).abs_tolerance == doctest::Approx(0.25));
  CHECK(rule({"leverage", "a", "contract_price_usd_per_gpu_hour"}).basis ==
        "1e-9 relative (no se_contract_price_usd_per_gpu_hour)");

  // The breakdown's means, wherever they sit, by their own se_mean; the
  // se_mean itself like every SE of a mean. The clamp count is exact.
  json d = risk_doc();
  d["breakdown"] = {{"totals", {{"billed_usd", {{"mean", 100.0}, {"se_mean", 4.0}}}}},
                    {"contracts", {{"k", {{"shortfall_usd", {{"mean", 10.0}, {"se_mean", 0.5}}}}}}}};
  CHECK(risk_tolerance(d, d, {"breakdown", "totals", "billed_usd", "mean"}, 5.0).abs_tolerance == doctest::Approx(20.0));
  CHECK(risk_tolerance(d, d, {"breakdown", "totals", "billed_usd", "mean"}, 5.0).basis == "5·se_mean");
  CHECK(risk_tolerance(d, d, {"breakdown", "contracts", "k", "shortfall_usd", "mean"}, 5.0).abs_tolerance ==
        doctest::Approx(2.5));
  CHECK(risk_tolerance(d, d, {"breakdown", "totals", "billed_usd", "se_mean"}, 5.0).abs_tolerance ==
        doctest::Approx(5.0 * 4.0 * std::sqrt(6.0 / 999)));
  CHECK(risk_tolerance(d, d, {"multiplier_clamp", "path_days"}, 5.0).basis == "1e-9 relative");

  // Inputs and run parameters: exact.
  for (const std::vector<std::string>& p : std::vector<std::vector<std::string>>{
           {"paths"}, {"seed"}, {"problem", "days"}, {"leverage", "a", "seller_floor_usd_per_gpu_hour"},
           {"leverage", "a", "buyer_power"}}) {
    INFO(p.back());
    CHECK(rule(p).abs_tolerance == 0.0);
    CHECK(rule(p).basis == "1e-9 relative");
  }
}

TEST_CASE("tolerances: the rofr block's differences move within their paired standard errors") {
  json b = risk_doc();
  b["portfolios"]["no_rofr"] = {{"cost_usd", {{"mean", 120.0}, {"se_mean", 2.5}}}};
  b["breakdown"] = {{"providers", {{"a", {{"spend_usd", {{"mean", 60.0}, {"se_mean", 0.8}}}}}}}};
  b["rofr"] = {{"holder", "a"},          {"contracts_offered", 3},       {"match_probability", 0.5},
               {"holder_spend_usd", 60.0}, {"holder_spend_no_rofr_usd", 40.0}, {"value_to_holder_usd", 20.0},
               {"buyer_cost_usd", 100.0},  {"buyer_cost_no_rofr_usd", 120.0},  {"cost_to_buyer_usd", -20.0},
               {"se_value_to_holder_usd", 0.6}, {"se_cost_to_buyer_usd", 0.3}, {"npv_value_to_holder_usd", 15.0},
               {"se_npv_value_to_holder_usd", 0.4}};
  auto rofr_rule = [&](const std::string& leaf) { return risk_tolerance(b, b, {"rofr", leaf}, 5.0); };
  CHECK(rofr_rule("value_to_holder_usd").abs_tolerance == doctest::Approx(3.0));  // 5 x 0.6
  CHECK(rofr_rule("value_to_holder_usd").basis == "5·se_value_to_holder_usd");
  CHECK(rofr_rule("cost_to_buyer_usd").abs_tolerance == doctest::Approx(1.5));
  CHECK(rofr_rule("npv_value_to_holder_usd").abs_tolerance == doctest::Approx(2.0));
  CHECK(rofr_rule("buyer_cost_usd").abs_tolerance == doctest::Approx(10.0));         // contracted se_mean 2
  CHECK(rofr_rule("buyer_cost_no_rofr_usd").abs_tolerance == doctest::Approx(12.5));  // no_rofr se_mean 2.5
  CHECK(rofr_rule("holder_spend_usd").abs_tolerance == doctest::Approx(4.0));         // max(0.6, 0.8) x 5
  CHECK(rofr_rule("contracts_offered").basis == "1e-9 relative");
  // A value 1 SE off passes; 20 SE off is a regression.
  const Tolerance t = rofr_rule("value_to_holder_usd");
  CHECK(t.allows(20.0, 20.6));
  CHECK_FALSE(t.allows(20.0, 32.0));
}
