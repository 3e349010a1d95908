// How `risk` cuts its paths into batches (docs/reference.md §4.4): on the
// CPU they start small and grow toward ~0.5 s each, for steady progress;
// on CUDA, and with --batch, every batch is the largest allowed, because a
// GPU's batch costs at least one path's walk and needs a deep grid.
// Results never depend on batching (risk_kernels checks that); this is
// about which sizes are asked for, and about a stop asked between batches
// (optimize's answer to a signal, docs/reference.md §1.10).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "../scenario/scenario_fixture.hpp"
#include "risk/problem.hpp"
#include "risk/risk_run.hpp"
#include "scenario/limits.hpp"

using cloudpact::RiskRunOptions;
using cloudpact::risk::Backend;
using cloudpact::test::base_scenario;

namespace {
cloudpact::RiskSetup base_setup() {
  return cloudpact::build_risk_problem(cloudpact::parse_scenario(base_scenario().dump(), "base.json"), false);
}
// The largest batch by hand: the backend's cap, or what keeps a batch's
// sampled futures within the scratch budget, whichever is smaller.
std::int64_t cap(const cloudpact::RiskSetup& setup, std::int64_t backend_cap, double budget_bytes) {
  const double fits = std::floor(budget_bytes / cloudpact::risk_scratch_bytes_per_path(setup));
  return std::min(backend_cap, static_cast<std::int64_t>(fits));
}
}  // namespace

TEST_CASE("risk batches on CUDA are all the largest, whatever a batch took") {
  const cloudpact::RiskSetup setup = base_setup();
  const RiskRunOptions o{1000000, 1, Backend::cuda, 0, -1, false};
  const std::int64_t largest = cap(setup, 262144, cloudpact::limits::max_risk_device_scratch_bytes);
  REQUIRE(largest > 1024);
  CHECK(cloudpact::risk_first_batch(setup, o) == largest);
  // A slow batch does not shrink the next, a fast one cannot grow it.
  CHECK(cloudpact::risk_next_batch(setup, o, largest, 30.0) == largest);
  CHECK(cloudpact::risk_next_batch(setup, o, 1000, 0.001) == largest);
  CHECK(cloudpact::risk_next_batch(setup, o, 1000, 0.0) == largest);
}

TEST_CASE("risk batches on the CPU start at 1024 and move toward half a second each") {
  const cloudpact::RiskSetup setup = base_setup();
  const RiskRunOptions o{1000000, 1, Backend::cpu, 0, -1, false};
  REQUIRE(cap(setup, 16384, cloudpact::limits::max_risk_scratch_bytes) == 16384);
  CHECK(cloudpact::risk_first_batch(setup, o) == 1024);
  // 1024 paths in 0.5 s: the pace is right, the size stays.
  CHECK(cloudpact::risk_next_batch(setup, o, 1024, 0.5) == 1024);
  // In 0.25 s: 2048 would take 0.5 s.
  CHECK(cloudpact::risk_next_batch(setup, o, 1024, 0.25) == 2048);
  // In 0.01 s: 51,200 would, but a batch grows at most 4x.
  CHECK(cloudpact::risk_next_batch(setup, o, 1024, 0.01) == 4096);
  // Never past the CPU's cap, never below 256.
  CHECK(cloudpact::risk_next_batch(setup, o, 16384, 0.01) == 16384);
  CHECK(cloudpact::risk_next_batch(setup, o, 1024, 1.0) == 512);
  CHECK(cloudpact::risk_next_batch(setup, o, 1024, 100.0) == 256);
  // A batch that took no measurable time grows by the most allowed.
  CHECK(cloudpact::risk_next_batch(setup, o, 300, 0.0) == 1200);
}

TEST_CASE("risk batches with --batch are that size on either backend") {
  const cloudpact::RiskSetup setup = base_setup();
  for (const Backend backend : {Backend::cpu, Backend::cuda}) {
    const RiskRunOptions o{1000000, 1, backend, 0, 5000, false};
    CHECK(cloudpact::risk_first_batch(setup, o) == 5000);
    CHECK(cloudpact::risk_next_batch(setup, o, 5000, 100.0) == 5000);
    CHECK(cloudpact::risk_next_batch(setup, o, 5000, 0.0) == 5000);
  }
}

TEST_CASE("a stop asked between batches abandons the run; one never asked changes nothing") {
  const cloudpact::RiskSetup setup = base_setup();
  const RiskRunOptions o{1000, 3, Backend::cpu, 1, 300, false};  // batches of 300, 300, 300, 100
  const cloudpact::risk::PathResults whole = cloudpact::run_risk_paths(setup, o);
  std::vector<std::int64_t> done;
  int asked = 0;
  const auto record = [&](std::int64_t d) { done.push_back(d); };
  // Asked before each batch but the first; answering false runs them all,
  // to the same results.
  const cloudpact::risk::PathResults again = cloudpact::run_risk_paths(setup, o, record, [&] {
    ++asked;
    return false;
  });
  CHECK(asked == 3);
  CHECK(done == std::vector<std::int64_t>{300, 600, 900, 1000});
  CHECK(again.paths == whole.paths);
  CHECK(again.paths == 1000);
  CHECK(again.cost_usd == whole.cost_usd);
  // Answering true before the third batch: two batches ran, then the run
  // ends by RunStopped, with no results to read.
  done.clear();
  asked = 0;
  CHECK_THROWS_AS(cloudpact::run_risk_paths(setup, o, record, [&] { return ++asked == 2; }), cloudpact::RunStopped);
  CHECK(asked == 2);
  CHECK(done == std::vector<std::int64_t>{300, 600});
}
