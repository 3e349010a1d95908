// The path model's billing (kernels/path_model.inl: PortfolioRun::bill):
// what is charged per path and to whom, with sampled prices and outages.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "path_fixture.hpp"
#include "rules/billing.hpp"

using cloudpact::test::run_paths;

TEST_CASE("sampled prices move on-demand charges only; reserved bills are the same on every path") {
  // 1000 H100 reserved by `k` at $1 for 30 days (720 h) = $720,000 on every
  // path; 500 more GPUs of demand on b's on-demand H100 at $5 with a
  // volatile price: that part differs between paths.
  const std::string text = R"({ "name": "bill", "start": "2025-01-01", "end": "2025-01-31",
    "providers": [
      { "id": "a", "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] },
      { "id": "b", "on_demand_usd_per_gpu_hour": { "H100": 5 },
        "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] } ],
    "contracts": [ { "id": "k", "provider": "a", "start": "2025-01-01", "end": "2025-03-01",
                     "clusters": ["a/r/c"], "price_usd_per_gpu_hour": 1 } ],
    "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 1500, "value_usd_per_gpu_hour": 20 } ],
    "uncertainty": { "prices": { "a": { "vol_per_year": 0.5 }, "b": { "vol_per_year": 0.5 } } } })";
  const auto run = run_paths(text, 64);
  std::set<double> on_demand;
  for (std::int64_t i = 0; i < 64; ++i) {
    CHECK(run.r.contract_billed_usd[static_cast<size_t>(i)] == doctest::Approx(720000.0).epsilon(1e-12));
    CHECK(run.r.provider_spend_usd[static_cast<size_t>(i)] == doctest::Approx(720000.0).epsilon(1e-12));  // provider a
    const double b = run.r.provider_spend_usd[static_cast<size_t>(64 + i)];
    CHECK(b == doctest::Approx(run.r.billed_usd[static_cast<size_t>(i)] - 720000.0).epsilon(1e-12));
    on_demand.insert(b);
  }
  CHECK(on_demand.size() == 64);  // every path its own price path
}

TEST_CASE("a usage contract bills used H100-equivalent hours over the accelerator's equivalence") {
  // GB200 (2.5 H100-eq) under a usage contract at $10 per physical GPU-hour;
  // 500 H100-eq of demand for 24 h: 500 x 24 / 2.5 x $10 = $48,000.
  const std::string text = R"({ "name": "usage", "start": "2025-01-01", "end": "2025-01-02",
    "accelerators": { "GB200": { "h100_equiv": 2.5 } },
    "providers": [ { "id": "p", "regions": [ { "id": "r", "clusters": [
        { "id": "c", "accelerator": "GB200", "capacity_gpus": 400 } ] } ] } ],
    "contracts": [ { "id": "k", "provider": "p", "start": "2025-01-01", "end": "2025-02-01",
                     "clusters": ["p/r/c"], "billing": "usage", "price_usd_per_gpu_hour": 10 } ],
    "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 500 } ] })";
  const auto run = run_paths(text, 1, true);
  CHECK(run.r.contract_billed_usd[0] == doctest::Approx(48000.0).epsilon(1e-12));
  CHECK(run.r.provider_used_gpu_hours[0] == doctest::Approx(500 * 24.0).epsilon(1e-12));
}

TEST_CASE("a reserved contract bills through sampled outages while the demand it served goes unmet") {
  const std::string text = R"({ "name": "reserved", "start": "2025-01-01", "end": "2025-04-01",
    "providers": [ { "id": "p", "regions": [ { "id": "r", "clusters": [
        { "id": "c", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] } ],
    "contracts": [ { "id": "k", "provider": "p", "start": "2025-01-01", "end": "2025-06-01",
                     "clusters": ["p/r/c"], "price_usd_per_gpu_hour": 2 } ],
    "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 1000, "value_usd_per_gpu_hour": 10 } ],
    "uncertainty": { "outages": { "default": { "rate_per_year": 12,
                                               "duration_hours": { "dist": "lognormal", "median": 6, "sigma": 1 } } } } })";
  const auto run = run_paths(text, 200);
  // Q1 2025 = 90 days = 2160 h: 1000 x 2160 x $2 on every path.
  int with_unmet = 0;
  for (std::int64_t i = 0; i < 200; ++i) {
    CHECK(run.r.contract_billed_usd[static_cast<size_t>(i)] == doctest::Approx(4.32e6).epsilon(1e-12));
    // Unmet value is the only other cost: cost = bill + 10 x unmet GPU-h.
    CHECK(run.cost("contracted", i) ==
          doctest::Approx(4.32e6 + 10.0 * run.unmet("contracted", i)).epsilon(1e-12));
    if (run.unmet("contracted", i) > 0.0) ++with_unmet;
  }
  CHECK(with_unmet > 150);  // three outages expected per path
}

TEST_CASE("a sampled price multiplier is capped at the bound validation assumes, and every day at the cap is counted") {
  // On-demand only, one provider with a volatile price over two years. With
  // the bound validation computes (chance below 1e-23 a day) no path meets
  // the cap; with the cap lowered by hand to e^0.2 every path's price stays
  // within 1.2214x of its start and the days at the cap are counted.
  const std::string text = R"({ "name": "clamp", "start": "2025-01-01", "end": "2027-01-01",
    "providers": [ { "id": "p", "on_demand_usd_per_gpu_hour": { "H100": 2 },
      "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] } ],
    "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 100, "value_usd_per_gpu_hour": 10 } ],
    "uncertainty": { "prices": { "p": { "vol_per_year": 0.5 } } } })";
  auto run = run_paths(text, 200);
  CHECK(run.setup.problem.provider_prices[0].log_multiplier_bound > 2.0);
  for (std::int64_t i = 0; i < 200; ++i) CHECK(run.r.clamped_multiplier_days[static_cast<size_t>(i)] == 0.0);

  run.setup.problem.provider_prices[0].log_multiplier_bound = 0.2;
  cloudpact::risk::evaluate_paths(run.setup.problem, 11, 0, 200, cloudpact::risk::Backend::cpu, 0, run.r);
  const double day_usd = 100 * 24 * 2.0, cap = std::exp(0.2) * (1 + 1e-6);
  double clamped = 0.0;
  for (std::int64_t i = 0; i < 200; ++i) {
    CHECK(run.r.billed_usd[static_cast<size_t>(i)] <= 730.0 * day_usd * cap);
    clamped += run.r.clamped_multiplier_days[static_cast<size_t>(i)];
  }
  CHECK(clamped > 1000.0);
}

TEST_CASE("a reserved contract's accounts are the same in every portfolio that holds its provider, whatever else runs") {
  // Provider a: 1003 H100 reserved by `k` at $2.17 (amounts that do not
  // add up exactly in binary, so that a reserved charge split at more cuts
  // could move a bit), with SLA credits, its region hit by sampled outages.
  // Provider b: on demand, with frequent short outages (a tenth of its
  // capacity), where a training job runs and finishes mid-day: about 200
  // cuts of the walk a path that only portfolios holding b make. A reserved
  // contract bills its capacity whatever runs on it, so `k`'s accounts in
  // the contracted portfolio are, to the bit, the whole spend of the
  // portfolio holding a alone. (Before the ledger was shared, one path in 64
  // differed in its last bit.)
  const std::string text = R"({ "name": "ledger", "start": "2025-01-01", "end": "2025-07-01",
    "providers": [
      { "id": "a", "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 1003 } ] } ] },
      { "id": "b", "on_demand_usd_per_gpu_hour": { "H100": 5 },
        "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 2000 } ] } ] } ],
    "contracts": [ { "id": "k", "provider": "a", "start": "2025-01-01", "end": "2025-05-01",
                     "clusters": ["a/r/c"], "price_usd_per_gpu_hour": 2.17,
                     "sla": { "credits": [ { "below_pct": 99.9, "credit_pct": 10 }, { "below_pct": 99, "credit_pct": 30 } ] } } ],
    "workloads": [
      { "id": "w", "kind": "inference", "demand_gpus": 1500, "value_usd_per_gpu_hour": 10 },
      { "id": "t", "kind": "training", "submit": "2025-01-10", "flops": 5.64e22, "gpus": 500, "mfu": 0.4,
        "checkpoint_hours": 4, "restart_hours": 2, "dataset_tb": 10, "providers": ["b"] } ],
    "uncertainty": { "outages": {
      "a": { "rate_per_year": 12, "duration_hours": { "dist": "lognormal", "median": 6, "sigma": 1 } },
      "b": { "rate_per_year": 400, "capacity_lost_pct": 10, "duration_hours": { "dist": "lognormal", "median": 0.3, "sigma": 1 } } } } })";
  const auto run = run_paths(text, 64);
  const int alone = run.portfolio("single:a") >= 0 ? run.portfolio("single:a") : run.portfolio("without:b");
  REQUIRE(alone > 0);
  int credited = 0;
  for (std::int64_t i = 0; i < 64; ++i) {
    const auto at = static_cast<size_t>(i);
    const double billed = run.r.contract_billed_usd[at], shortfall = run.r.contract_shortfall_usd[at],
                 credits = run.r.contract_sla_credits_usd[at];
    // 1003 GPUs x 2880 h (Jan-Apr) x $2.17.
    CHECK(billed == doctest::Approx(1003 * 2880 * 2.17).epsilon(1e-12));
    CHECK(shortfall == 0.0);
    CHECK(run.r.spend_usd[static_cast<size_t>(alone * run.r.count + i)] ==
          cloudpact::rules::spend_usd(billed, shortfall, credits, 0.0));
    // The job ran on b in the contracted portfolio.
    CHECK(run.r.provider_used_gpu_hours[static_cast<size_t>(run.r.count + i)] > 0.0);
    if (credits > 0.0) ++credited;
  }
  CHECK(credited > 20);  // four outages expected in a's region over the term
}
