// Present values per path (docs/reference.md §13) in the path model
// (kernels/path_model.inl), against closed forms worked out here: each day's
// expected on-demand charge, gathered into its calendar month and discounted
// at the month's end; and the bounds every path's present value keeps.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include "path_fixture.hpp"

using namespace cloudpact::test;

namespace {

// 2025: one cluster, 100 GPUs of demand on demand at $2, sampled prices.
std::string priced_year(double rate) {
  return R"({ "name": "pv-paths", "start": "2025-01-01", "end": "2026-01-01",
    "providers": [ { "id": "p", "on_demand_usd_per_gpu_hour": { "H100": 2 },
      "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] } ],
    "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 100, "value_usd_per_gpu_hour": 10 } ],
    "uncertainty": { "prices": { "p": { "drift_per_year": 0.3, "vol_per_year": 0.4 } } },
    "finance": { "discount_rate_per_year": )" + std::to_string(rate) + " } }";
}

struct Moments {
  double mean, se;
};

Moments moments(const std::vector<double>& v, size_t from, size_t n) {
  const double m = std::accumulate(v.begin() + static_cast<long>(from), v.begin() + static_cast<long>(from + n), 0.0) /
                   static_cast<double>(n);
  double s = 0.0;
  for (size_t i = from; i < from + n; ++i) s += (v[i] - m) * (v[i] - m);
  return {m, std::sqrt(s / static_cast<double>(n - 1) / static_cast<double>(n))};
}

}  // namespace

TEST_CASE("sampled on-demand prices: E[present value] = sum over months of the month's expected bill at its end") {
  // Day d's multiplier has mean exp(0.3 d / 365.25); its bill, 100 x 24 x $2
  // x multiplier, is invoiced at the end of its calendar month, which is
  // discounted by 1.12^(−month_end_day / 365.25).
  const double rate = 0.12;
  const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  double expected = 0.0;
  int day = 0;
  for (int m = 0; m < 12; ++m) {
    double month = 0.0;
    for (int i = 0; i < month_days[m]; ++i, ++day) month += 4800.0 * std::exp(0.3 * day / 365.25);
    expected += month * std::pow(1.0 + rate, -static_cast<double>(day) / 365.25);
  }
#if defined(__SANITIZE_ADDRESS__)
  const std::int64_t n = 5000;  // under the sanitizers: the same 4-SE check on fewer paths
#else
  const std::int64_t n = 20000;
#endif
  const PathRun run = run_paths(priced_year(rate), n);
  const Moments pv = moments(run.r.npv_cost_usd, 0, static_cast<size_t>(n));  // contracted: portfolio 0
  INFO("mean " << pv.mean << " expected " << expected << " se " << pv.se);
  CHECK(std::abs(pv.mean - expected) < 4.0 * pv.se);
}

TEST_CASE("every path's present value lies between its nominal cost discounted from the horizon and the nominal cost") {
  // All amounts are charges (no credits): with r > 0 every factor is in
  // [(1 + r)^(−1 year), 1], so npv ∈ [cost·(1 + r)^(−1), cost] path by path,
  // in every portfolio.
  const double rate = 0.25;
  const PathRun run = run_paths(priced_year(rate), 500);
  const double floor_factor = std::pow(1.0 + rate, -365.0 / 365.25);
  REQUIRE(run.r.npv_cost_usd.size() == run.r.cost_usd.size());
  int inside = 0;
  for (size_t i = 0; i < run.r.cost_usd.size(); ++i) {
    const double cost = run.r.cost_usd[i], npv = run.r.npv_cost_usd[i];
    if (npv <= cost * (1.0 + 1e-12) && npv >= cost * floor_factor * (1.0 - 1e-12) && npv < cost) ++inside;
  }
  CHECK(inside == static_cast<int>(run.r.cost_usd.size()));
}

TEST_CASE("at a rate of 0 every path's present values are its nominal figures, to the bit") {
  const PathRun run = run_paths(priced_year(0.0), 200);
  CHECK(run.r.npv_cost_usd == run.r.cost_usd);
  CHECK(run.r.provider_npv_spend_usd == run.r.provider_spend_usd);
  for (std::int64_t i = 0; i < run.r.count; ++i) {
    CHECK(run.r.npv_spend_usd[static_cast<size_t>(i)] == run.r.spend_usd[static_cast<size_t>(i)]);
    CHECK(run.r.npv_unmet_value_usd[static_cast<size_t>(i)] == run.r.unmet_value_usd[static_cast<size_t>(i)]);
  }
}
