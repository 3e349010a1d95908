// The path model's closings (kernels/path_model.inl: PortfolioRun::close_due
// and exit_costs): SLA credits, commitments and exit costs per path, checked
// against the rule applied by hand to each path's own figures.
#include <doctest/doctest.h>

#include <algorithm>

#include "path_fixture.hpp"

using cloudpact::test::run_paths;

TEST_CASE("SLA credit per path: the tier the path's own availability falls in") {
  // April 2025 (720 h), one reserved cluster of 1000 H100 at $1 ($720,000 a
  // month), demand equal to the capacity, so a path's unmet GPU-hours are its
  // outage capacity-hours: availability = 100 x (1 − unmet / 720,000).
  // Tiers: below 99.5% -> 10%, below 98% -> 50%.
  const std::string text = R"({ "name": "sla", "start": "2025-04-01", "end": "2025-05-01",
    "providers": [ { "id": "p", "regions": [ { "id": "r", "clusters": [
        { "id": "c", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] } ],
    "contracts": [ { "id": "k", "provider": "p", "start": "2025-04-01", "end": "2025-06-01",
                     "clusters": ["p/r/c"], "price_usd_per_gpu_hour": 1,
                     "sla": { "credits": [ { "below_pct": 99.5, "credit_pct": 10 }, { "below_pct": 98, "credit_pct": 50 } ] } } ],
    "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 1000, "value_usd_per_gpu_hour": 10 } ],
    "uncertainty": { "outages": { "default": { "rate_per_year": 20,
                                               "duration_hours": { "dist": "lognormal", "median": 5, "sigma": 1 } } } } })";
  const auto run = run_paths(text, 400);
  int tier10 = 0, tier50 = 0;
  for (std::int64_t i = 0; i < 400; ++i) {
    const double availability = 100.0 * (1.0 - run.unmet("contracted", i) / 720000.0);
    const double pct = availability < 98.0 ? 50.0 : availability < 99.5 ? 10.0 : 0.0;
    CHECK(run.r.contract_sla_credits_usd[static_cast<size_t>(i)] == doctest::Approx(pct / 100.0 * 720000.0).epsilon(1e-9));
    tier10 += pct == 10.0;
    tier50 += pct == 50.0;
  }
  CHECK(tier10 > 20);
  CHECK(tier50 > 20);
}

TEST_CASE("commitment per path: billed + shortfall is the larger of the commitment and the bill") {
  // A usage contract at $2 with a $1.2M commitment ending inside the
  // horizon; demand of 1000 GPUs for 30 days would bill $1.44M, but volatile
  // demand moves the bill around the commitment.
  const std::string text = R"({ "name": "commitment", "start": "2025-04-01", "end": "2025-05-02",
    "providers": [ { "id": "p", "regions": [ { "id": "r", "clusters": [
        { "id": "c", "accelerator": "H100", "capacity_gpus": 5000 } ] } ] } ],
    "contracts": [ { "id": "k", "provider": "p", "start": "2025-04-01", "end": "2025-05-01",
                     "clusters": ["p/r/c"], "billing": "usage", "price_usd_per_gpu_hour": 2, "commitment_usd": 1.2e6 } ],
    "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 1000, "value_usd_per_gpu_hour": 10 } ],
    "uncertainty": { "demand": { "vol_per_year": 3 } } })";
  const auto run = run_paths(text, 300);
  int short_paths = 0;
  for (std::int64_t i = 0; i < 300; ++i) {
    const double billed = run.r.contract_billed_usd[static_cast<size_t>(i)];
    const double shortfall = run.r.contract_shortfall_usd[static_cast<size_t>(i)];
    CHECK(billed + shortfall == doctest::Approx(std::max(1.2e6, billed)).epsilon(1e-12));
    CHECK(run.r.contract_commitment_remaining_usd[static_cast<size_t>(i)] == 0.0);  // the term ended inside
    short_paths += shortfall > 0.0;
  }
  CHECK(short_paths > 30);
  CHECK(short_paths < 270);
}

TEST_CASE("exit cost per path: the fee on what the commitment still asks at the horizon") {
  // The same contract running to the end of 2025 with a $10M commitment and
  // a 20% exit fee: at the horizon (May 2) the commitment still asks
  // $10M − bill, so exit cost = 20% of that.
  const std::string text = R"({ "name": "exit", "start": "2025-04-01", "end": "2025-05-02",
    "providers": [ { "id": "p", "regions": [ { "id": "r", "clusters": [
        { "id": "c", "accelerator": "H100", "capacity_gpus": 5000 } ] } ] } ],
    "contracts": [ { "id": "k", "provider": "p", "start": "2025-04-01", "end": "2026-01-01",
                     "clusters": ["p/r/c"], "billing": "usage", "price_usd_per_gpu_hour": 2,
                     "commitment_usd": 1e7, "exit_fee_pct_of_remaining": 20 } ],
    "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 1000, "value_usd_per_gpu_hour": 10 } ],
    "uncertainty": { "demand": { "vol_per_year": 1 } } })";
  const auto run = run_paths(text, 100);
  for (std::int64_t i = 0; i < 100; ++i) {
    const double billed = run.r.contract_billed_usd[static_cast<size_t>(i)];
    const double remaining = run.r.contract_commitment_remaining_usd[static_cast<size_t>(i)];
    CHECK(remaining == doctest::Approx(1e7 - billed).epsilon(1e-12));
    CHECK(run.r.provider_exit_cost_usd[static_cast<size_t>(i)] == doctest::Approx(0.2 * remaining).epsilon(1e-12));
    CHECK(run.r.contract_shortfall_usd[static_cast<size_t>(i)] == 0.0);
  }
}
