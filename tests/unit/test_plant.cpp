// Resolving a scenario into the plant (docs/reference.md §2.2, §2.3, §2.6): delivery delays,
// outage overlaps, demand shocks, reserving contracts, price-change routing
// and breakpoints. Scenarios are built as structs (plant_fixture.hpp).
#include <doctest/doctest.h>

#include <vector>

#include "model/plant.hpp"
#include "plant_fixture.hpp"

using namespace cloudpact;
using cloudpact::test::ScenarioBuilder;

namespace {
constexpr double kDay = 86400.0;
constexpr double kHorizon = 365 * kDay;

OutageEvent outage(const std::string& target, double start_s, double end_s, double pct) {
  return OutageEvent{target, start_s, end_s, pct};
}
}  // namespace

TEST_CASE("plant: clusters flattened in file order with their provider, region and H100-equivalence") {
  ScenarioBuilder b(kHorizon);
  b.cluster("aws", "us-east-1", "gb200", "GB200", Curve::make_constant(400))
      .cluster("aws", "us-west-2", "h100", "H100", Curve::make_constant(100))
      .cluster("azure", "eastus", "h100", "H100", Curve::make_constant(200));
  const Plant plant = build_plant(b.sc);
  CHECK(plant.providers == std::vector<std::string>{"aws", "azure"});
  CHECK(plant.regions == std::vector<std::string>{"aws/us-east-1", "aws/us-west-2", "azure/eastus"});
  REQUIRE(plant.clusters.size() == 3);
  CHECK(plant.clusters[0].path == "aws/us-east-1/gb200");
  CHECK(plant.clusters[0].h100_equiv == 2.5);
  CHECK(plant.clusters[0].provider == 0);
  CHECK(plant.clusters[0].region == 0);
  CHECK(plant.clusters[1].region == 1);
  CHECK(plant.clusters[2].provider == 1);
  CHECK(plant.clusters[2].region == 2);
  CHECK(plant.clusters[2].h100_equiv == 1.0);
  // Capacity stays in physical GPUs (H100-eq = phys x h100_equiv is the caller's job).
  CHECK(plant.clusters[0].capacity_phys.at(0.0) == 400.0);
  CHECK(plant.horizon_s == kHorizon);
}

TEST_CASE("plant: a delivery delay turns a constant into a step at start + delay") {
  ScenarioBuilder b(kHorizon);
  b.cluster("p", "r", "a", "H100", Curve::make_constant(1000))
      .cluster("p", "r", "b", "H100", Curve::make_step({{10 * kDay, 100}, {20 * kDay, 300}}))
      .cluster("p", "r2", "c", "H100", Curve::make_constant(50))
      .cluster("q", "r", "d", "H100", Curve::make_linear({{0.0, 0}, {100 * kDay, 1000}}));
  // 90 days on region p/r (clusters a and b, NOT p/r2/c: "p/r" is not a prefix
  // of the path "p/r2/c" at a '/' boundary); 30 more days on cluster b alone;
  // 10 days on cluster d.
  b.sc.delivery_delays = {{"p/r", 90.0}, {"p/r/b", 30.0}, {"q/r/d", 10.0}};
  const Plant plant = build_plant(b.sc);
  const Curve& a = plant.clusters[0].capacity_phys;
  // a: constant 1000 = one step at start (t = 0), moved to 90 days.
  CHECK(a.at(0.0) == 0.0);
  CHECK(a.at(90 * kDay - 1) == 0.0);
  CHECK(a.at(90 * kDay) == 1000.0);
  CHECK(a.at(kHorizon) == 1000.0);
  // b: points at 10 d and 20 d move by 90 + 30 = 120 days, to 130 d and 140 d.
  const Curve& bc = plant.clusters[1].capacity_phys;
  CHECK(bc.at(129 * kDay) == 0.0);
  CHECK(bc.at(130 * kDay) == 100.0);
  CHECK(bc.at(139 * kDay) == 100.0);
  CHECK(bc.at(140 * kDay) == 300.0);
  // c: untouched, still a constant.
  CHECK(plant.clusters[2].capacity_phys.shape == Curve::Shape::constant);
  CHECK(plant.clusters[2].capacity_phys.at(0.0) == 50.0);
  // d: linear 0 -> 1000 over [0, 100 d], shifted to [10 d, 110 d]: at 60 d it is
  // halfway, 500; before 10 d it is 0.
  const Curve& d = plant.clusters[3].capacity_phys;
  CHECK(d.at(5 * kDay) == 0.0);
  CHECK(d.at(60 * kDay) == doctest::Approx(500.0).epsilon(1e-14));
  CHECK(d.at(110 * kDay) == 1000.0);
}

TEST_CASE("plant: overlapping outages count once, with the larger loss") {
  ScenarioBuilder b(kHorizon);
  b.cluster("p", "r", "a", "H100", Curve::make_constant(1000))
      .cluster("p", "r", "b", "H100", Curve::make_constant(1000))
      .cluster("p", "r2", "c", "H100", Curve::make_constant(1000));
  b.sc.outages = {
      outage("p/r/a", 100, 300, 50),   // a: 50% in [100, 300)
      outage("p/r", 200, 400, 100),    // a and b: 100% in [200, 400)
      outage("p/r/b", 250, 500, 40),   // b: 40% in [250, 500)
      outage("p/r/b", 450, 600, 40),   // b: another 40% overlapping the last one
      outage("p/r2", 1000, 2000, 25),  // c only
  };
  const Plant plant = build_plant(b.sc);
  CHECK(plant.clusters[0].outages.size() == 2);
  CHECK(plant.clusters[1].outages.size() == 3);
  CHECK(plant.clusters[2].outages.size() == 1);
  // a: 0 before 100; 0.5 in [100, 200); max(0.5, 1.0) = 1.0 in [200, 300) (not
  // 1.5); 1.0 in [300, 400); 0 from 400 (end is exclusive).
  CHECK(plant.lost_fraction(0, 99.9) == 0.0);
  CHECK(plant.lost_fraction(0, 100.0) == 0.5);
  CHECK(plant.lost_fraction(0, 199.9) == 0.5);
  CHECK(plant.lost_fraction(0, 200.0) == 1.0);
  CHECK(plant.lost_fraction(0, 299.9) == 1.0);
  CHECK(plant.lost_fraction(0, 350.0) == 1.0);
  CHECK(plant.lost_fraction(0, 400.0) == 0.0);
  // b: 1.0 in [200, 400) even where the 40% outage overlaps; then 0.4 in
  // [400, 600) — two overlapping 40% outages give 0.4, not 0.8.
  CHECK(plant.lost_fraction(1, 150.0) == 0.0);
  CHECK(plant.lost_fraction(1, 260.0) == 1.0);
  CHECK(plant.lost_fraction(1, 400.0) == 0.4);
  CHECK(plant.lost_fraction(1, 475.0) == 0.4);
  CHECK(plant.lost_fraction(1, 599.0) == 0.4);
  CHECK(plant.lost_fraction(1, 600.0) == 0.0);
  // c: only its region's outage.
  CHECK(plant.lost_fraction(2, 250.0) == 0.0);
  CHECK(plant.lost_fraction(2, 1500.0) == 0.25);
}

TEST_CASE("plant: a provider-wide outage covers every cluster of that provider only") {
  ScenarioBuilder b(kHorizon);
  b.cluster("aws", "r1", "a", "H100", Curve::make_constant(1))
      .cluster("aws", "r2", "b", "H100", Curve::make_constant(1))
      .cluster("aws2", "r1", "c", "H100", Curve::make_constant(1));  // "aws" is a prefix of "aws2", not its path
  b.sc.outages = {outage("aws", 10, 20, 100)};
  const Plant plant = build_plant(b.sc);
  CHECK(plant.lost_fraction(0, 15.0) == 1.0);
  CHECK(plant.lost_fraction(1, 15.0) == 1.0);
  CHECK(plant.lost_fraction(2, 15.0) == 0.0);
  CHECK(plant.clusters[2].outages.empty());
}

TEST_CASE("plant: demand shocks multiply, and only their own workload") {
  ScenarioBuilder b(kHorizon);
  b.cluster("p", "r", "c", "H100", Curve::make_constant(1000))
      .inference("chat", Curve::make_constant(100), {"p"})
      .inference("api", Curve::make_linear({{0.0, 0.0}, {1000.0, 1000.0}}), {"p"});
  b.sc.demand_shocks = {{"chat", 100, 200, 1.5}, {"chat", 150, 250, 2.0}, {"api", 500, 700, 0.5}};
  const Plant plant = build_plant(b.sc);
  CHECK(plant.workloads[0].shocks.size() == 2);
  CHECK(plant.workloads[1].shocks.size() == 1);
  // chat: 100; x1.5 in [100, 200); x2 in [150, 250); both in [150, 200): x3.
  CHECK(plant.demand_gpus(0, 99.0) == 100.0);
  CHECK(plant.demand_gpus(0, 120.0) == 150.0);
  CHECK(plant.demand_gpus(0, 160.0) == 300.0);
  CHECK(plant.demand_gpus(0, 200.0) == 200.0);
  CHECK(plant.demand_gpus(0, 249.0) == 200.0);
  CHECK(plant.demand_gpus(0, 250.0) == 100.0);
  // api: the ramp (t GPUs at t), halved in [500, 700).
  CHECK(plant.demand_gpus(1, 160.0) == doctest::Approx(160.0).epsilon(1e-15));
  CHECK(plant.demand_gpus(1, 600.0) == doctest::Approx(300.0).epsilon(1e-15));
  CHECK(plant.demand_gpus(1, 700.0) == doctest::Approx(700.0).epsilon(1e-15));
}

TEST_CASE("plant: the reserving contract follows contract terms") {
  ScenarioBuilder b(kHorizon);
  b.cluster("p", "r", "a", "H100", Curve::make_constant(1000))
      .cluster("p", "r", "b", "H100", Curve::make_constant(1000))
      .cluster("p", "r", "free", "H100", Curve::make_constant(1000))
      // a: k0 on [0, 1000), then k1 on [1000, 2000); b: k1 only.
      .contract("k0", "p", {"p/r/a"}, Billing::reserved, Curve::make_constant(2.0), 0, 1000)
      .contract("k1", "p", {"p/r/a", "p/r/b"}, Billing::usage, Curve::make_constant(3.0), 1000, 2000);
  const Plant plant = build_plant(b.sc);
  CHECK(plant.clusters[0].contracts == std::vector<int>{0, 1});
  CHECK(plant.clusters[1].contracts == std::vector<int>{1});
  CHECK(plant.clusters[2].contracts.empty());
  CHECK(plant.contracts[1].clusters == std::vector<int>{0, 1});
  CHECK(plant.contracts[1].provider == 0);
  CHECK(plant.contracts[0].spec->id == "k0");
  CHECK(plant.reserving_contract(0, 0.0) == 0);
  CHECK(plant.reserving_contract(0, 999.0) == 0);
  CHECK(plant.reserving_contract(0, 1000.0) == 1);  // terms are [start, end)
  CHECK(plant.reserving_contract(0, 1999.0) == 1);
  CHECK(plant.reserving_contract(0, 2000.0) == -1);
  CHECK(plant.reserving_contract(1, 500.0) == -1);
  CHECK(plant.reserving_contract(1, 1500.0) == 1);
  CHECK(plant.reserving_contract(2, 1500.0) == -1);
  CHECK(plant.reserving_contract(0, -1.0) == -1);
}

TEST_CASE("plant: price changes go to the right clusters and contracts, in date order") {
  ScenarioBuilder b(kHorizon);
  b.provider("a", {{"H100", 6.0}, {"GB200", 12.0}})
      .provider("b", {{"GB200", 10.0}})  // b sells no H100 on demand
      .cluster("a", "r", "h", "H100", Curve::make_constant(1))
      .cluster("a", "r", "g", "GB200", Curve::make_constant(1))
      .cluster("b", "r", "h", "H100", Curve::make_constant(1))
      .cluster("b", "r", "g", "GB200", Curve::make_constant(1))
      .contract("k", "a", {"a/r/h"}, Billing::usage, Curve::make_constant(2.0), 0, kHorizon)
      .contract("k2", "b", {"b/r/g"}, Billing::usage, Curve::make_constant(3.0), 0, kHorizon);
  auto set = [](double t, const std::string& target, const std::string& acc, double v) {
    PriceChangeEvent e;
    e.date_s = t;
    e.target = target;
    e.accelerator = acc;
    e.set_usd_per_gpu_hour = v;
    return e;
  };
  auto factor = [](double t, const std::string& target, const std::string& acc, double f) {
    PriceChangeEvent e;
    e.date_s = t;
    e.target = target;
    e.accelerator = acc;
    e.factor = f;
    return e;
  };
  PriceChangeEvent on_contract;
  on_contract.date_s = 300;
  on_contract.contract = "k";
  on_contract.factor = 0.9;
  // Listed out of date order on purpose: the x0.5 at t=200 comes first in the
  // file but applies after the set at t=100.
  b.sc.price_changes = {
      factor(200, "a", "", 0.5),      // every accelerator of a
      set(100, "a", "H100", 5.0),     // a's H100 only
      on_contract,                    // contract k only
      set(400, "b", "H100", 7.0),     // b had no H100 price: on sale from t=400
      factor(50, "b", "", 2.0),       // b: GB200 x2; b's H100 is not for sale yet, so ignored
  };
  const Plant plant = build_plant(b.sc);
  const PriceSchedule& ah = plant.clusters[0].on_demand_usd_per_gpu_hour;
  const PriceSchedule& ag = plant.clusters[1].on_demand_usd_per_gpu_hour;
  const PriceSchedule& bh = plant.clusters[2].on_demand_usd_per_gpu_hour;
  const PriceSchedule& bg = plant.clusters[3].on_demand_usd_per_gpu_hour;
  // a/H100: 6, set 5 at 100, x0.5 at 200 -> 6 | 5 | 2.5 (in file order it would be 3 | 5).
  CHECK(ah.for_sale);
  CHECK(ah.at(50.0) == 6.0);
  CHECK(ah.at(150.0) == 5.0);
  CHECK(ah.at(250.0) == 2.5);
  // a/GB200: 12, x0.5 at 200 -> 6; the H100-only set does not touch it.
  CHECK(ag.at(150.0) == 12.0);
  CHECK(ag.at(250.0) == 6.0);
  // b/H100: not for sale until the set at 400, then $7; the x2 at t=50 came
  // before it was for sale and does not apply.
  CHECK(bh.for_sale);
  CHECK(bh.on_sale_from_s == 400.0);
  CHECK_FALSE(bh.sells_at(399.0));
  CHECK(bh.sells_at(400.0));
  CHECK(bh.at(500.0) == 7.0);
  // b/GB200: 10 x2 from 50 -> 20.
  CHECK(bg.at(10.0) == 10.0);
  CHECK(bg.at(60.0) == 20.0);
  // Contract k: $2, x0.9 from 300 -> $1.80; k2 and every on-demand price untouched.
  CHECK(plant.contracts[0].price_usd_per_gpu_hour.at(299.0) == 2.0);
  CHECK(plant.contracts[0].price_usd_per_gpu_hour.at(300.0) == doctest::Approx(1.8).epsilon(1e-15));
  CHECK(plant.contracts[1].price_usd_per_gpu_hour.at(1000.0) == 3.0);
  CHECK(plant.contracts[1].price_usd_per_gpu_hour.changes.empty());
  CHECK(plant.contracts[0].price_usd_per_gpu_hour.changes.size() == 1);
  CHECK(ah.changes.size() == 2);
}

TEST_CASE("plant: a provider price_change before the provider sells an accelerator is ignored unless it sets a price") {
  ScenarioBuilder b(kHorizon);
  b.provider("p")
      .cluster("p", "r", "c", "H100", Curve::make_constant(1));
  PriceChangeEvent e;
  e.date_s = 100;
  e.target = "p";
  e.factor = 0.5;
  b.sc.price_changes = {e};
  const Plant plant = build_plant(b.sc);
  const PriceSchedule& ps = plant.clusters[0].on_demand_usd_per_gpu_hour;
  CHECK_FALSE(ps.for_sale);
  CHECK_FALSE(ps.sells_at(1000.0));
  CHECK(ps.changes.empty());
}

TEST_CASE("plant: breakpoints are every input change inside (0, horizon), sorted and unique") {
  // Horizon 1000 s. Expected, by source:
  //   capacity step points 0 (excluded: the start) and 300
  //   outage [300, 500)                    -> 300 (duplicate), 500
  //   contract term [0, 700)               -> 700 (0 excluded)
  //   contract price x0.9 at 50            -> 50
  //   on-demand cluster put on sale at 800 -> 800
  //   inference demand linear at 100, 900  -> 100, 900
  //   demand shock [500, 1200)             -> 500 (duplicate); 1200 is past the horizon
  //   training workload                    -> nothing (no demand curve)
  // Sorted and unique: 50, 100, 300, 500, 700, 800, 900.
  ScenarioBuilder b(1000.0);
  b.provider("p")
      .cluster("p", "r", "c", "H100", Curve::make_step({{0.0, 10}, {300.0, 20}}))
      .cluster("p", "r", "od", "H100", Curve::make_constant(5))
      .contract("k", "p", {"p/r/c"}, Billing::usage, Curve::make_constant(2.0), 0, 700)
      .inference("chat", Curve::make_linear({{100.0, 1}, {900.0, 2}}), {"p"})
      .training("train", 10, {"p"});
  b.sc.workloads[1].demand_gpus = Curve::make_step({{600.0, 1}});  // ignored: training has no demand curve
  b.sc.outages = {outage("p/r/c", 300, 500, 100)};
  b.sc.demand_shocks = {{"chat", 500, 1200, 2.0}};
  PriceChangeEvent on_contract;
  on_contract.date_s = 50;
  on_contract.contract = "k";
  on_contract.factor = 0.9;
  PriceChangeEvent on_sale;
  on_sale.date_s = 800;
  on_sale.target = "p";
  on_sale.accelerator = "H100";
  on_sale.set_usd_per_gpu_hour = 4.0;
  b.sc.price_changes = {on_contract, on_sale};
  const Plant plant = build_plant(b.sc);
  CHECK(plant.breakpoints() == std::vector<double>{50, 100, 300, 500, 700, 800, 900});
}
