// Limits that protect the machine (docs/reference.md §9: "a scenario that would need more
// memory than the machine has is refused with a clear message, not a
// crash"). Each is far above any realistic scenario and well below what
// would exhaust a workstation:
//
//  - clusters become SimGrid hosts, and each keeps capacity timelines and
//    per-cluster accounting: 100,000 hosts is SimGrid's comfortable range;
//  - a cluster's GPUs become the host's cores (an int inside SimGrid), and
//    per-GPU bookkeeping must stay exact in a double: 1e9 GPUs;
//  - workloads each carry demand curves, job state and report rows
//    (the stress target is 100,000 jobs; 2,000,000 leaves room);
//  - timeseries.csv holds one row per provider per output interval, built in
//    memory before the atomic write: 10,000,000 rows (about 1 GB);
//  - a curve is held as a vector of points and walked at every breakpoint:
//    1,000,000 points per curve;
//  - contracts and events become timers in the simulation: 1,000,000 each;
//  - Monte Carlo keeps one result per path and portfolio for the quantiles:
//    100,000,000 paths;
//  - a sweep keeps its plan in memory and one folder per variant: 1,000,000.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cloudpact::limits {

constexpr std::size_t max_clusters = 100'000;
constexpr double max_gpus_per_cluster = 1e9;
constexpr std::size_t max_workloads = 2'000'000;
constexpr double max_timeseries_rows = 1e7;
constexpr std::size_t max_curve_points = 1'000'000;
constexpr std::size_t max_contracts = 1'000'000;
constexpr std::size_t max_events = 1'000'000;
constexpr std::int64_t max_paths = 100'000'000;
// A sweep's plan (ids and values of every variant) is held in memory and
// each variant gets a folder: 1,000,000 variants.
constexpr std::int64_t max_sweep_variants = 1'000'000;

}  // namespace cloudpact::limits
