// The broker's greedy placement on one affine segment (docs/reference.md §2.4, §2.5): the
// order in which each workload tries clusters under each policy, how
// inference and waiting training jobs share capacity, and the decision trace
// whose outcome flips exactly where an affine quantity crosses zero.
// Scenarios are built as structs (plant_fixture.hpp) and the segment inputs
// by hand: no JSON, no SimGrid.
#include <doctest/doctest.h>

#include <algorithm>
#include <initializer_list>
#include <vector>

#include "plant_fixture.hpp"
#include "policy/placement.hpp"

using namespace cloudpact;
using cloudpact::test::ScenarioBuilder;

namespace {

constexpr double kHorizon = 30 * 86400.0;

// Segment inputs for n clusters and m workloads: every cluster usable with
// nothing available, no cost, no demand. Tests then set what they need.
SegmentInputs blank_inputs(size_t n_clusters, size_t n_workloads) {
  SegmentInputs in;
  in.usable.assign(n_clusters, 1);
  in.available_gpus.assign(n_clusters, Affine{0.0, 0.0});
  in.marginal_usd_per_gpu_hour.assign(n_clusters, Affine{0.0, 0.0});
  in.demand_gpus.assign(n_workloads, Affine{0.0, 0.0});
  return in;
}

// Service order as docs/reference.md §2.4 defines it (and the replay builds it): lower
// priority first, ties in file order. Training items carry their size.
std::vector<ServiceItem> service_order(const Plant& plant, const std::vector<int>& waiting_jobs = {}) {
  std::vector<ServiceItem> items;
  int job = 0;
  for (size_t w = 0; w < plant.workloads.size(); ++w) {
    const Workload& spec = *plant.workloads[w].spec;
    if (spec.kind == WorkloadKind::inference) {
      items.push_back({static_cast<int>(w), -1, 0.0});
    } else {
      for (int j : waiting_jobs)
        if (j == static_cast<int>(w)) items.push_back({static_cast<int>(w), job, spec.gpus});
      ++job;
    }
  }
  std::stable_sort(items.begin(), items.end(), [&](const ServiceItem& a, const ServiceItem& b) {
    return plant.workloads[static_cast<size_t>(a.workload)].spec->priority <
           plant.workloads[static_cast<size_t>(b.workload)].spec->priority;
  });
  return items;
}

// Inference served per workload (the broker reports it per service item).
std::vector<double> served_by_workload(const Plant& plant, const std::vector<ServiceItem>& items,
                                       const Allocation& out) {
  std::vector<double> by_workload(plant.workloads.size(), 0.0);
  REQUIRE(out.served_gpus_by_item.size() == items.size());
  for (size_t i = 0; i < items.size(); ++i)
    by_workload[static_cast<size_t>(items[i].workload)] += out.served_gpus_by_item[i];
  return by_workload;
}

// Four clusters; the plant lists them provider by provider in file order
// (od, use, res), so that cluster order is NOT cost order:
//   0 od/r/h100     on-demand H100 at $6/GPU-h              -> marginal 6 /1   = 6
//   1 use/r/gb200   usage contract, GB200 at $10/phys GPU-h -> marginal 10/2.5 = 4 per H100-eq
//   2 use/r/h100    usage contract, H100 at $5              -> marginal 5
//   3 res/r/h100    reserved contract                       -> marginal 0 (already paid)
// Each offers 1000 H100-equivalents (the GB200 cluster: 400 physical x 2.5).
// (The contract's price curve is not read here: the marginals are the
// segment inputs, set by hand as the replay would compute them.)
struct FourClusters {
  ScenarioBuilder b{kHorizon};
  FourClusters(Placement policy = Placement::cheapest, std::string vendor = "") {
    b.provider("od", {{"H100", 6.0}})
        .cluster("od", "r", "h100", "H100", Curve::make_constant(1000))
        .cluster("use", "r", "gb200", "GB200", Curve::make_constant(400))
        .cluster("use", "r", "h100", "H100", Curve::make_constant(1000))
        .cluster("res", "r", "h100", "H100", Curve::make_constant(1000))
        .contract("k-res", "res", {"res/r/h100"}, Billing::reserved, Curve::make_constant(2.0), 0, kHorizon)
        .contract("k-use", "use", {"use/r/gb200", "use/r/h100"}, Billing::usage, Curve::make_constant(10.0), 0,
                  kHorizon)
        .placement(policy, std::move(vendor));
  }
  static SegmentInputs inputs(size_t n_workloads) {
    SegmentInputs in = blank_inputs(4, n_workloads);
    for (auto& a : in.available_gpus) a = {1000.0, 0.0};
    in.marginal_usd_per_gpu_hour = {{6.0, 0}, {10.0 / 2.5, 0}, {5.0, 0}, {0.0, 0}};
    return in;
  }
};

// Cluster 0 reserved (1000 GPUs, marginal 0), cluster 1 on demand (1000 at
// $6), and one inference workload whose demand each case sets.
struct ReservedThenOnDemand {
  ScenarioBuilder b{kHorizon};
  Plant plant;
  ReservedThenOnDemand() : plant(build(b)) {}
  static Plant build(ScenarioBuilder& b) {
    b.provider("p", {{"H100", 6.0}})
        .cluster("p", "r", "res", "H100", Curve::make_constant(1000))
        .cluster("p", "r", "od", "H100", Curve::make_constant(1000))
        .contract("k", "p", {"p/r/res"}, Billing::reserved, Curve::make_constant(1.0), 0, kHorizon)
        .inference("chat", Curve::make_constant(0), {"p"});
    return build_plant(b.sc);
  }
  SegmentInputs inputs(Affine demand) const {
    SegmentInputs in = blank_inputs(2, 1);
    in.available_gpus = {{1000.0, 0.0}, {1000.0, 0.0}};
    in.marginal_usd_per_gpu_hour = {{0.0, 0.0}, {6.0, 0.0}};
    in.demand_gpus[0] = demand;
    return in;
  }
};

}  // namespace

TEST_CASE("placement: cheapest takes reserved (0) first, then cheaper usage, then on-demand") {
  FourClusters f;
  f.b.inference("chat", Curve::make_constant(0), {"od", "use", "res"});
  const Plant plant = build_plant(f.b.sc);
  REQUIRE(plant.clusters.size() == 4);
  // Providers in file order (od, use, res), then their regions and clusters.
  CHECK(plant.clusters[0].path == "od/r/h100");
  CHECK(plant.clusters[1].path == "use/r/gb200");
  CHECK(plant.clusters[2].path == "use/r/h100");
  CHECK(plant.clusters[3].path == "res/r/h100");

  Broker broker(plant);
  SegmentInputs in = FourClusters::inputs(1);
  in.demand_gpus[0] = {2500.0, 0.0};
  broker.begin_segment(in, 0.0);
  // Marginals 6, 4, 5, 0 -> order 3 (0), 1 (4), 2 (5), 0 (6).
  CHECK(broker.order(0) == std::vector<int>{3, 1, 2, 0});

  Allocation out;
  broker.evaluate(0.0, std::vector<double>(4, 0.0), service_order(plant), out);
  // 2500 GPUs: 1000 reserved, 1000 GB200-usage, the last 500 on H100-usage;
  // on-demand untouched.
  CHECK(out.fluid_gpus_by_cluster == std::vector<double>{0.0, 1000.0, 500.0, 1000.0});
  CHECK(served_by_workload(plant, service_order(plant), out) == std::vector<double>{2500.0});
  REQUIRE(out.uses.size() == 3);
  CHECK(out.uses[0].cluster == 3);
  CHECK(out.uses[1].cluster == 1);
  CHECK(out.uses[2].cluster == 2);
  CHECK(out.uses[2].gpus == 500.0);
  // Trace: whether there is demand (2500 > 0), then free - remaining at
  // each cluster tried until demand is met:
  //   cluster 3: 1000 - 2500 = -1500 (does not cover), cluster 1: 1000 - 1500 = -500,
  //   cluster 2: 1000 - 500 = 500 (covers; stop).
  REQUIRE(out.trace.size() == 4);
  CHECK(out.trace[0].quantity == 2500.0);
  CHECK(out.trace[0].outcome);
  CHECK(out.trace[1].quantity == -1500.0);
  CHECK_FALSE(out.trace[1].outcome);
  CHECK(out.trace[2].quantity == -500.0);
  CHECK(out.trace[3].quantity == 500.0);
  CHECK(out.trace[3].outcome);
  for (const Decision& d : out.trace) CHECK_FALSE(d.is_event);
  CHECK(out.overloaded_clusters.empty());
  CHECK(out.fits_cluster_by_item == std::vector<int>{-1});
}

TEST_CASE("placement: demand above every eligible cluster is served up to capacity") {
  FourClusters f;
  f.b.inference("chat", Curve::make_constant(0), {"res", "use"});  // no on-demand
  const Plant plant = build_plant(f.b.sc);
  Broker broker(plant);
  SegmentInputs in = FourClusters::inputs(1);
  in.demand_gpus[0] = {5000.0, 0.0};
  broker.begin_segment(in, 0.0);
  CHECK(broker.order(0) == std::vector<int>{3, 1, 2});
  Allocation out;
  broker.evaluate(0.0, std::vector<double>(4, 0.0), service_order(plant), out);
  // 3 x 1000 served, 2000 unmet (demand - served, computed by the caller).
  CHECK(served_by_workload(plant, service_order(plant), out)[0] == 3000.0);
  CHECK(out.fluid_gpus_by_cluster[0] == 0.0);
  // The demand, then each cluster: free - remaining < 0: 1000-5000, 1000-4000, 1000-3000.
  REQUIRE(out.trace.size() == 4);
  CHECK(out.trace[0].quantity == 5000.0);
  CHECK(out.trace[1].quantity == -4000.0);
  CHECK(out.trace[2].quantity == -3000.0);
  CHECK(out.trace[3].quantity == -2000.0);
}

TEST_CASE("placement: equal marginal costs keep file order; unusable clusters are skipped") {
  FourClusters f;
  f.b.inference("chat", Curve::make_constant(0), {"od", "use", "res"});
  const Plant plant = build_plant(f.b.sc);
  Broker broker(plant);
  SegmentInputs in = FourClusters::inputs(1);
  in.marginal_usd_per_gpu_hour = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
  broker.begin_segment(in, 0.0);
  CHECK(broker.order(0) == std::vector<int>{0, 1, 2, 3});
  // Cluster 1 outside its contract term and not for sale: not usable.
  in.usable[1] = 0;
  broker.begin_segment(in, 0.0);
  CHECK(broker.order(0) == std::vector<int>{0, 2, 3});
  // 1500 GPUs: 1000 on cluster 0, 500 on cluster 2 (cluster 1 skipped).
  in.demand_gpus[0] = {1500.0, 0.0};
  Allocation out;
  broker.evaluate(0.0, std::vector<double>(4, 0.0), service_order(plant), out);
  CHECK(out.fluid_gpus_by_cluster == std::vector<double>{1000.0, 0.0, 500.0, 0.0});
}

TEST_CASE("placement: primary follows the workload's provider list, cheapest within a provider") {
  FourClusters f(Placement::primary);
  // "first" prefers use, then od, then res (cost alone would put res first);
  // "second" lists res, then od.
  f.b.inference("first", Curve::make_constant(0), {"use", "od", "res"})
      .inference("second", Curve::make_constant(0), {"res", "od"});
  const Plant plant = build_plant(f.b.sc);
  // Provider indices: od 0, use 1, res 2, in each workload's list order.
  CHECK(plant.workloads[0].eligible_providers == std::vector<int>{1, 0, 2});
  CHECK(plant.workloads[1].eligible_providers == std::vector<int>{2, 0});
  Broker broker(plant);
  SegmentInputs in = FourClusters::inputs(2);
  in.demand_gpus = {{2500.0, 0.0}, {2000.0, 0.0}};
  broker.begin_segment(in, 0.0);
  // first: use's clusters by cost (1 at $4 before 2 at $5), then od (0), then res (3).
  CHECK(broker.order(0) == std::vector<int>{1, 2, 0, 3});
  // second: res (3), then od (0); use is not eligible.
  CHECK(broker.order(1) == std::vector<int>{3, 0});

  Allocation out;
  broker.evaluate(0.0, std::vector<double>(4, 0.0), service_order(plant), out);
  // first (same priority, earlier in the file, served first): 2500 = 1000 on
  // cluster 1 + 1000 on cluster 2 + 500 on od (cluster 0); the reserved
  // cluster stays free for it but comes last in its list.
  // second: 1000 on res, then the 500 od has left: 1500 of 2000 served.
  CHECK(out.fluid_gpus_by_cluster == std::vector<double>{1000.0, 1000.0, 1000.0, 1000.0});
  CHECK(served_by_workload(plant, service_order(plant), out) == std::vector<double>{2500.0, 1500.0});

  // Under cheapest the same demand goes reserved-first: first takes res (3),
  // gb200 (1) and 500 of use/h100 (2); second then finds res full and gets od's 1000.
  FourClusters g(Placement::cheapest);
  g.b.inference("first", Curve::make_constant(0), {"use", "od", "res"})
      .inference("second", Curve::make_constant(0), {"res", "od"});
  const Plant cheap_plant = build_plant(g.b.sc);
  Broker cheap(cheap_plant);
  cheap.begin_segment(in, 0.0);
  CHECK(cheap.order(0) == std::vector<int>{3, 1, 2, 0});
  cheap.evaluate(0.0, std::vector<double>(4, 0.0), service_order(cheap_plant), out);
  CHECK(out.fluid_gpus_by_cluster == std::vector<double>{1000.0, 1000.0, 500.0, 1000.0});
  CHECK(served_by_workload(cheap_plant, service_order(cheap_plant), out) == std::vector<double>{2500.0, 1000.0});
}

TEST_CASE("placement: single_vendor uses only the vendor's capacity") {
  FourClusters f(Placement::single_vendor, "use");
  f.b.inference("all", Curve::make_constant(0), {"od", "use", "res"})
      .inference("no-use", Curve::make_constant(0), {"od", "res"});
  const Plant plant = build_plant(f.b.sc);
  Broker broker(plant);
  SegmentInputs in = FourClusters::inputs(2);
  in.demand_gpus = {{3000.0, 0.0}, {100.0, 0.0}};
  broker.begin_segment(in, 0.0);
  // Only use's clusters, by cost: gb200 (1, $4) then h100 (2, $5). The
  // reserved cluster, though free to use, belongs to another vendor.
  CHECK(broker.order(0) == std::vector<int>{1, 2});
  // A workload not eligible for the vendor has nowhere to go.
  CHECK(broker.order(1).empty());
  Allocation out;
  broker.evaluate(0.0, std::vector<double>(4, 0.0), service_order(plant), out);
  // 3000 asked, 2000 there is.
  CHECK(out.fluid_gpus_by_cluster == std::vector<double>{0.0, 1000.0, 1000.0, 0.0});
  CHECK(served_by_workload(plant, service_order(plant), out) == std::vector<double>{2000.0, 0.0});
}

TEST_CASE("placement: lower priority numbers are served first, ties in file order") {
  // One reserved cluster of 1000; three workloads of 400 each:
  //   a (priority 1), b (priority 0), c (priority 0)  -> service order b, c, a.
  ScenarioBuilder b(kHorizon);
  b.cluster("p", "r", "c", "H100", Curve::make_constant(1000))
      .contract("k", "p", {"p/r/c"}, Billing::reserved, Curve::make_constant(1.0), 0, kHorizon)
      .inference("a", Curve::make_constant(400), {"p"}, 1)
      .inference("b", Curve::make_constant(400), {"p"}, 0)
      .inference("c", Curve::make_constant(400), {"p"}, 0);
  const Plant plant = build_plant(b.sc);
  Broker broker(plant);
  SegmentInputs in = blank_inputs(1, 3);
  in.available_gpus[0] = {1000.0, 0.0};
  in.demand_gpus = {{400.0, 0.0}, {400.0, 0.0}, {400.0, 0.0}};
  broker.begin_segment(in, 0.0);
  const std::vector<ServiceItem> items = service_order(plant);
  REQUIRE(items.size() == 3);
  CHECK(items[0].workload == 1);
  CHECK(items[1].workload == 2);
  CHECK(items[2].workload == 0);
  Allocation out;
  broker.evaluate(0.0, {0.0}, items, out);
  // b: 400 (600 left), c: 400 (200 left), a: the last 200.
  CHECK(out.served_gpus_by_item == std::vector<double>{400.0, 400.0, 200.0});  // items b, c, a
  CHECK(served_by_workload(plant, items, out) == std::vector<double>{200.0, 400.0, 400.0});
  // The broker serves in the order it is handed: reversed, a comes first.
  std::vector<ServiceItem> reversed(items.rbegin(), items.rend());
  broker.evaluate(0.0, {0.0}, reversed, out);
  CHECK(served_by_workload(plant, reversed, out) == std::vector<double>{400.0, 200.0, 400.0});
}

TEST_CASE("placement: a waiting training job fits the cheapest cluster with room after earlier items") {
  // Clusters: 0 reserved (marginal 0), 1 usage at $3, 2 on-demand at $6; each 1000.
  ScenarioBuilder b(kHorizon);
  b.provider("od", {{"H100", 6.0}})
      .cluster("res", "r", "c", "H100", Curve::make_constant(1000))
      .cluster("use", "r", "c", "H100", Curve::make_constant(1000))
      .cluster("od", "r", "c", "H100", Curve::make_constant(1000))
      .contract("k-res", "res", {"res/r/c"}, Billing::reserved, Curve::make_constant(2.0), 0, kHorizon)
      .contract("k-use", "use", {"use/r/c"}, Billing::usage, Curve::make_constant(3.0), 0, kHorizon)
      .inference("chat", Curve::make_constant(600), {"res", "use", "od"}, 0)
      .training("train", 500, {"res", "use", "od"}, 1);
  const Plant plant = build_plant(b.sc);
  Broker broker(plant);
  SegmentInputs in = blank_inputs(3, 2);
  for (auto& a : in.available_gpus) a = {1000.0, 0.0};
  in.marginal_usd_per_gpu_hour = {{0.0, 0}, {3.0, 0}, {6.0, 0}};
  in.demand_gpus[0] = {600.0, 0.0};  // training: 0
  broker.begin_segment(in, 0.0);
  CHECK(broker.order(1) == std::vector<int>{0, 1, 2});

  SUBCASE("after higher-priority inference, the reserved cluster is too full") {
    const std::vector<ServiceItem> items = service_order(plant, {1});
    REQUIRE(items.size() == 2);
    CHECK(items[1].job == 0);
    CHECK(items[1].gpus == 500.0);
    Allocation out;
    broker.evaluate(0.0, {0.0, 0.0, 0.0}, items, out);
    // chat takes 600 of cluster 0 (400 left); the job needs 500:
    //   cluster 0: 400 - 500 + 1e-6 < 0 (no), cluster 1: 1000 - 500 + 1e-6 >= 0 (fits).
    CHECK(out.fits_cluster_by_item == std::vector<int>{-1, 1});
    // A waiting job takes nothing yet.
    CHECK(out.fluid_gpus_by_cluster == std::vector<double>{600.0, 0.0, 0.0});
    CHECK(out.served_gpus_by_item == std::vector<double>{600.0, 0.0});
    REQUIRE(out.trace.size() == 4);
    CHECK(out.trace[0].quantity == 600.0);  // chat's demand
    CHECK(out.trace[1].quantity == 400.0);  // chat on cluster 0: 1000 - 600
    CHECK_FALSE(out.trace[1].is_event);
    CHECK(out.trace[2].is_event);
    CHECK_FALSE(out.trace[2].outcome);
    CHECK(out.trace[2].quantity == doctest::Approx(400.0 - 500.0 + kFitTolGpus).epsilon(1e-15));
    CHECK(out.trace[3].is_event);
    CHECK(out.trace[3].outcome);
    CHECK(out.trace[3].quantity == doctest::Approx(500.0 + kFitTolGpus).epsilon(1e-15));
  }
  SUBCASE("running training holds GPUs: the job goes to the next cluster with room") {
    Allocation out;
    // 600 held on cluster 1 (another run): 400 free there too -> on-demand, cluster 2.
    broker.evaluate(0.0, {0.0, 600.0, 0.0}, service_order(plant, {1}), out);
    CHECK(out.fits_cluster_by_item == std::vector<int>{-1, 2});
    CHECK(out.overloaded_clusters.empty());
  }
  SUBCASE("nowhere with room: the job keeps waiting") {
    Allocation out;
    broker.evaluate(0.0, {0.0, 600.0, 501.0}, service_order(plant, {1}), out);
    // Cluster 2: 1000 - 501 = 499 free < 500.
    CHECK(out.fits_cluster_by_item == std::vector<int>{-1, -1});
  }
  SUBCASE("a job that exactly fills the free capacity fits") {
    Allocation out;
    broker.evaluate(0.0, {0.0, 500.0, 1000.0}, service_order(plant, {1}), out);
    // Cluster 1: 1000 - 500 = 500 free = gpus: fits (tolerance 1e-6 GPU).
    CHECK(out.fits_cluster_by_item == std::vector<int>{-1, 1});
  }
  SUBCASE("a job served before the inference fits the reserved cluster and does not take its room") {
    std::vector<ServiceItem> items = service_order(plant, {1});
    std::swap(items[0], items[1]);
    Allocation out;
    broker.evaluate(0.0, {0.0, 0.0, 0.0}, items, out);
    CHECK(out.fits_cluster_by_item == std::vector<int>{0, -1});
    CHECK(out.fluid_gpus_by_cluster == std::vector<double>{600.0, 0.0, 0.0});
  }
}

TEST_CASE("placement: held training above what is available overloads the cluster") {
  ScenarioBuilder b(kHorizon);
  b.cluster("p", "r", "a", "H100", Curve::make_constant(1000))
      .cluster("p", "r", "b", "H100", Curve::make_constant(1000))
      .contract("k", "p", {"p/r/a", "p/r/b"}, Billing::reserved, Curve::make_constant(1.0), 0, kHorizon)
      .inference("chat", Curve::make_constant(0), {"p"});
  const Plant plant = build_plant(b.sc);
  Broker broker(plant);
  SegmentInputs in = blank_inputs(2, 1);
  // An outage left 500 of cluster a; cluster b whole.
  in.available_gpus = {{500.0, 0.0}, {1000.0, 0.0}};
  in.demand_gpus[0] = {300.0, 0.0};
  broker.begin_segment(in, 0.0);
  Allocation out;
  // 800 held on a (> 500 available), 1000 on b (= available: not overloaded).
  broker.evaluate(0.0, {800.0, 1000.0}, service_order(plant), out);
  CHECK(out.overloaded_clusters == std::vector<int>{0});
  // Trace starts with one event per cluster holding training:
  //   a: 500 - 800 + 1e-6 < 0 (overloaded), b: 1000 - 1000 + 1e-6 >= 0.
  REQUIRE(out.trace.size() >= 2);
  CHECK(out.trace[0].is_event);
  CHECK_FALSE(out.trace[0].outcome);
  CHECK(out.trace[0].quantity == doctest::Approx(-300.0 + kFitTolGpus).epsilon(1e-15));
  CHECK(out.trace[1].is_event);
  CHECK(out.trace[1].outcome);
  // Nothing is free for inference anywhere: free = max(0, avail - held) = 0.
  CHECK(served_by_workload(plant, service_order(plant), out)[0] == 0.0);

  // An unusable cluster counts as 0 available: any held training overloads it.
  in.usable[1] = 0;
  broker.begin_segment(in, 0.0);
  broker.evaluate(0.0, {0.0, 10.0}, service_order(plant), out);
  CHECK(out.overloaded_clusters == std::vector<int>{1});
  // ... and held 0 on a is not a decision: one trace entry for b, then chat on a.
  CHECK(served_by_workload(plant, service_order(plant), out)[0] == 300.0);
}

TEST_CASE("placement: a decision flips exactly where its affine quantity crosses zero") {
  // Cluster 0 (reserved, 1000) then cluster 1 (on-demand, 1000). Demand grows
  // 400 + 1 GPU/s: cluster 0 covers it while 1000 - (400 + dt) >= 0, i.e.
  // until dt = 600 s; after that a second decision (cluster 1) appears.
  const ReservedThenOnDemand f;
  const Plant& plant = f.plant;
  Broker broker(plant);
  const SegmentInputs in = f.inputs({400.0, 1.0});  // the broker keeps a pointer to it
  broker.begin_segment(in, 500.0);
  CHECK(broker.order(0) == std::vector<int>{0, 1});
  const std::vector<ServiceItem> items = service_order(plant);
  const std::vector<double> held{0.0, 0.0};

  Allocation lo, hi, at;
  broker.evaluate(0.0, held, items, lo);
  broker.evaluate(1000.0, held, items, hi);
  REQUIRE(lo.trace.size() >= 2);
  REQUIRE(hi.trace.size() >= 2);
  // Entry 0 is whether there is demand: at both ends, so the same outcome.
  CHECK(lo.trace[0].outcome);
  CHECK(hi.trace[0].outcome);
  CHECK(lo.trace[1].outcome);
  CHECK_FALSE(hi.trace[1].outcome);
  // The quantity is affine in dt: 600 at dt=0, -400 at dt=1000; its root,
  // found from the two ends alone, is dt = 600 exactly.
  CHECK(lo.trace[1].quantity == 600.0);
  CHECK(hi.trace[1].quantity == -400.0);
  const double root = lo.trace[1].quantity * 1000.0 / (lo.trace[1].quantity - hi.trace[1].quantity);
  CHECK(root == 600.0);  // 600000 / 1000
  // At the root the outcome still holds (q = 0 >= 0); just after, it flips.
  broker.evaluate(600.0, held, items, at);
  CHECK(at.trace.size() == 2);
  CHECK(at.trace[1].quantity == 0.0);
  CHECK(at.trace[1].outcome);
  CHECK(at.fluid_gpus_by_cluster == std::vector<double>{1000.0, 0.0});
  broker.evaluate(600.001, held, items, at);
  REQUIRE(at.trace.size() == 3);
  CHECK_FALSE(at.trace[1].outcome);
  CHECK(at.fluid_gpus_by_cluster[0] == 1000.0);
  CHECK(at.fluid_gpus_by_cluster[1] == doctest::Approx(0.001).epsilon(1e-9));
  broker.evaluate(599.999, held, items, at);
  CHECK(at.trace.size() == 2);
  CHECK(at.trace[1].outcome);
  // The allocation is affine on each side of the root: on cluster 1 it is
  // 0 before 600 and dt - 600 after (e.g. 300 at dt = 900).
  broker.evaluate(900.0, held, items, at);
  CHECK(at.fluid_gpus_by_cluster == std::vector<double>{1000.0, 300.0});
}

TEST_CASE("placement: a demand of 0 is a decision too, so both ends of a ramp from 0 line up") {
  // Demand 0 + 1 GPU/s: at dt = 0 there is none, and the loop over
  // clusters records nothing; at dt = 1000 the reserved cluster covers it
  // exactly. Entry 0 (demand > 0) differs first, so the replay splits there
  // and compares like with like after it.
  const ReservedThenOnDemand f;
  Broker broker(f.plant);
  const SegmentInputs in = f.inputs({0.0, 1.0});  // the broker keeps a pointer to it
  broker.begin_segment(in, 1000.0);
  Allocation at0, at1;
  broker.evaluate(0.0, {0.0, 0.0}, service_order(f.plant), at0);
  broker.evaluate(1000.0, {0.0, 0.0}, service_order(f.plant), at1);
  REQUIRE(at0.trace.size() == 1);
  CHECK_FALSE(at0.trace[0].outcome);
  CHECK(at0.trace[0].quantity == 0.0);
  REQUIRE(at1.trace.size() == 2);
  CHECK(at1.trace[0].outcome);
  CHECK(at1.trace[0].quantity == 1000.0);
  CHECK(at1.trace[1].quantity == 0.0);  // 1000 free - 1000 wanted
}

TEST_CASE("placement: a waiting job's fit flips where falling capacity crosses its size") {
  // One cluster losing capacity at 2 GPU/s from 1000; a waiting job of 700
  // fits while 1000 - 2 dt - 700 + 1e-6 >= 0, i.e. until dt = 150 + 5e-7 s.
  ScenarioBuilder b(kHorizon);
  b.cluster("p", "r", "c", "H100", Curve::make_constant(1000))
      .contract("k", "p", {"p/r/c"}, Billing::reserved, Curve::make_constant(1.0), 0, kHorizon)
      .training("train", 700, {"p"});
  const Plant plant = build_plant(b.sc);
  Broker broker(plant);
  SegmentInputs in = blank_inputs(1, 1);
  in.available_gpus[0] = {1000.0, -2.0};
  broker.begin_segment(in, 0.0);
  const std::vector<ServiceItem> items = service_order(plant, {0});
  REQUIRE(items.size() == 1);
  Allocation a, z;
  broker.evaluate(0.0, {0.0}, items, a);
  broker.evaluate(300.0, {0.0}, items, z);
  REQUIRE(a.trace.size() == 1);
  REQUIRE(z.trace.size() == 1);
  CHECK(a.trace[0].is_event);
  CHECK(a.trace[0].outcome);
  CHECK(a.fits_cluster_by_item == std::vector<int>{0});
  CHECK_FALSE(z.trace[0].outcome);
  CHECK(z.fits_cluster_by_item == std::vector<int>{-1});
  // q(0) = 300 + 1e-6, q(300) = -300 + 1e-6: root = 300 q(0) / (q(0) - q(300)) = 150 + 5e-7.
  const double root = 300.0 * a.trace[0].quantity / (a.trace[0].quantity - z.trace[0].quantity);
  CHECK(root == doctest::Approx(150.0 + 0.5 * kFitTolGpus).epsilon(1e-14));
  Allocation m;
  broker.evaluate(149.9, {0.0}, items, m);
  CHECK(m.fits_cluster_by_item == std::vector<int>{0});
  broker.evaluate(150.1, {0.0}, items, m);
  CHECK(m.fits_cluster_by_item == std::vector<int>{-1});
}

TEST_CASE("placement: the cost order is taken at the segment's middle; crossings are reported") {
  // Cluster 0's on-demand price falls from $5 at 1/1024 $ per second (a
  // slope exact in binary); cluster 1 costs a flat $4. They cross where
  // 5 - t/1024 = 4: t = 1024 s.
  ScenarioBuilder b(kHorizon);
  b.provider("p", {{"H100", 5.0}})
      .cluster("p", "r", "a", "H100", Curve::make_constant(1000))
      .cluster("p", "r", "b", "H100", Curve::make_constant(1000))
      .inference("chat", Curve::make_constant(0), {"p"});
  const Plant plant = build_plant(b.sc);
  Broker broker(plant);
  SegmentInputs in = blank_inputs(2, 1);
  in.available_gpus = {{1000.0, 0.0}, {1000.0, 0.0}};
  in.marginal_usd_per_gpu_hour = {{5.0, -1.0 / 1024.0}, {4.0, 0.0}};
  std::vector<double> cross;
  cost_crossings(in, 2048.0, cross);
  CHECK(cross == std::vector<double>{1024.0});
  cross.clear();
  cost_crossings(in, 1024.0, cross);  // the crossing is the segment's end: not inside
  CHECK(cross.empty());
  cost_crossings(in, 800.0, cross);
  CHECK(cross.empty());
  // Before the crossing cluster 1 ($4) is cheaper; after it cluster 0.
  broker.begin_segment(in, 512.0);  // 5 - 0.5 = 4.5 vs 4
  CHECK(broker.order(0) == std::vector<int>{1, 0});
  broker.begin_segment(in, 1536.0);  // 5 - 1.5 = 3.5 vs 4
  CHECK(broker.order(0) == std::vector<int>{0, 1});
  // An unusable cluster crosses nothing.
  in.usable[1] = 0;
  cost_crossings(in, 2048.0, cross);
  CHECK(cross.empty());
}

TEST_CASE("placement: workloads listing the same providers in another order share the cheapest order, not primary's") {
  // Two workloads eligible for both providers, listed [x, y] and [y, x]:
  // cluster 0 (x, $6) and cluster 1 (y, $3).
  for (const Placement policy : {Placement::cheapest, Placement::primary}) {
    ScenarioBuilder b(kHorizon);
    b.provider("x", {{"H100", 6.0}})
        .provider("y", {{"H100", 3.0}})
        .cluster("x", "r", "c", "H100", Curve::make_constant(100))
        .cluster("y", "r", "c", "H100", Curve::make_constant(100))
        .inference("xy", Curve::make_constant(0), {"x", "y"})
        .inference("yx", Curve::make_constant(0), {"y", "x"})
        .placement(policy);
    const Plant plant = build_plant(b.sc);
    Broker broker(plant);
    SegmentInputs in = blank_inputs(2, 2);
    in.available_gpus = {{100.0, 0.0}, {100.0, 0.0}};
    in.marginal_usd_per_gpu_hour = {{6.0, 0.0}, {3.0, 0.0}};
    broker.begin_segment(in, 0.0);
    if (policy == Placement::cheapest) {
      // Cost alone: y ($3) before x ($6) for both.
      CHECK(broker.order(0) == std::vector<int>{1, 0});
      CHECK(broker.order(1) == std::vector<int>{1, 0});
    } else {
      // Each its own list order.
      CHECK(broker.order(0) == std::vector<int>{0, 1});
      CHECK(broker.order(1) == std::vector<int>{1, 0});
    }
  }
}

// The rule both engines fill inference by (src/rules/placement.hpp): the
// walk of the Monte Carlo kernel branches on the first, the replay takes the
// second.
TEST_CASE("placement: inference takes what it still needs, or all that is free when that is less") {
  CHECK(rules::fluid_takes_all_free(5.0, 3.0));
  CHECK(rules::fluid_take_gpus(5.0, 3.0) == 3.0);
  CHECK_FALSE(rules::fluid_takes_all_free(3.0, 5.0));
  CHECK(rules::fluid_take_gpus(3.0, 5.0) == 3.0);
  // Exactly enough: the demand is met, and the cluster is left with 0.
  CHECK_FALSE(rules::fluid_takes_all_free(4.0, 4.0));
  CHECK(rules::fluid_take_gpus(4.0, 4.0) == 4.0);
  // Nothing free: all of it, a take of 0.
  CHECK(rules::fluid_takes_all_free(2.0, 0.0));
  CHECK(rules::fluid_take_gpus(2.0, 0.0) == 0.0);
}
