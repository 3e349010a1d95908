// Limits that protect the machine and the arithmetic (docs/reference.md
// §9.3, where each has its message): every input's cost in time and memory
// is bounded by these, checked before the work they bound starts, and every
// number an output can hold stays finite. Each is far above any realistic
// input and well below what would exhaust a workstation. One line each says
// why it is what it is.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace cloudpact::limits {

// ---- files and JSON text ----

// The 100,000-job stress scenario is 21 MB: 64 MiB leaves three times that, and parsing holds ~20x the text.
constexpr std::uint64_t max_scenario_bytes = 64ull << 20;
// A sweep file is written by hand or a script: 1 MiB is thousands of grid values.
constexpr std::uint64_t max_sweep_bytes = 1ull << 20;
// A baseline (summary.json, risk.json) of the largest scenario is a few MB: 64 MiB, as for scenarios.
constexpr std::uint64_t max_baseline_bytes = 64ull << 20;
// One `--set` value (or a sweep value set like one): 1 MiB, as a whole sweep file.
constexpr std::uint64_t max_override_bytes = 1ull << 20;
// Arrays and objects inside each other: a scenario needs 10 levels; 64 leaves free `x-` keys room, and keeps
// the parser's and the duplicate-key pass's work linear in the text (each level copies its JSON pointer).
constexpr int max_json_depth = 64;
// Ids and names become file and folder names (out/<name>/, results/<name>/, variant folders): 100 characters
// fits every file system's 255-byte name with room for the suffixes cloudpact adds.
constexpr std::size_t max_id_length = 100;

// ---- sizes of a scenario ----

// Clusters become SimGrid hosts with capacity timelines and accounting: 100,000 is SimGrid's comfortable range.
constexpr std::size_t max_clusters = 100'000;
// A cluster's GPUs become the cores of its host (an int inside SimGrid); per-GPU sums stay exact in a double.
constexpr double max_gpus_per_cluster = 1e9;
// Workloads carry curves, job state and report rows (the stress target is 100,000 jobs).
constexpr std::size_t max_workloads = 2'000'000;
// timeseries.csv holds one row per provider per output interval, built in memory before the atomic write (~1 GB).
constexpr double max_timeseries_rows = 1e7;
// A curve is held as a vector of points and walked at every breakpoint.
constexpr std::size_t max_curve_points = 1'000'000;
// Contracts and events become timers in the simulation.
constexpr std::size_t max_contracts = 1'000'000;
constexpr std::size_t max_events = 1'000'000;
// The horizon: 100 years (36,525 days) bounds every per-day table of `risk` and the replay's calendar.
constexpr double max_horizon_days = 36'525;
// A contract's term may start at most 100 years before the horizon: both engines walk its contract-years
// from its start (take-or-pay), so an earlier start would cost a step per year for nothing.
constexpr double max_term_before_horizon_days = 36'525;

// ---- numbers (ranges in scenario/fields.cpp use these; derived checks in validate_bounds.cpp) ----

// A price per physical GPU-hour (on-demand, contract, after price changes), a value per GPU-hour, a seller
// floor: 100,000 times an H100's list price.
constexpr double max_usd_per_gpu_hour = 1e6;
// Demand in H100-equivalents at one instant (before shocks): ten times every GPU ever made.
constexpr double max_demand_gpus = 1e10;
// Demand shocks that overlap multiply: their product at any instant.
constexpr double max_demand_shock_product = 1e6;
// A commitment or a yearly minimum spend: 1e15 USD, ten times the world's yearly GDP.
constexpr double max_commitment_usd = 1e15;
// A training job's uninterrupted running time, flops / (gpus x 989e12 x mfu): 1,000 years keeps checkpoint and
// rollback arithmetic exact to well under a millisecond in doubles of seconds.
constexpr double max_training_years = 1000;
// Delays, restarts, checkpoint intervals and durations in hours: 100 years.
constexpr double max_duration_hours = 876'600;
// A delivery delay (event or sampled) in days: 100 years; a longer one means never, and `risk`'s daily
// capacity tables reach back that far at most.
constexpr double max_delay_days = 36'525;
// Sampled outages per region over the horizon, rate_per_year x years: each is drawn as a path reaches it.
constexpr double max_outage_arrivals = 10'000;
// A price correlation matrix is checked by an O(n³) eigen-decomposition per
// sweep; `risk` itself takes at most 16 providers.
constexpr std::size_t max_correlated_providers = 64;
// Outage zones: each is a shared arrival stream every path walks.
constexpr std::size_t max_outage_zones = 1'000;
// Normals are Box-Muller of uniforms (w + 0.5)/2^32 (docs/reference.md §4.4): no draw exceeds this in size.
inline const double max_abs_normal = std::sqrt(-2.0 * std::log(0.5 / 4294967296.0));
// Sampled price and demand multipliers: the value they exceed on a day with probability below 1e-23 (Chernoff
// bound of the log multiplier; 1e-23 x 1e8 paths x 36,525 days stays below 1e-10) may not exceed 1e6.
constexpr double multiplier_tail_log = 52.959;  // ln(1e23)
constexpr double max_sampled_multiplier = 1e6;
// `risk` totals each per-path value in cents (or hundredths of a GPU-hour) in 64 bits (docs/reference.md §6.2):
// |value| x 100 < 9.2e18. The worst case of any path (scenario/cost_bound.hpp) must stay below this.
constexpr double max_path_value = 9e16;

// ---- Monte Carlo ----

// Monte Carlo keeps one result per path and portfolio for the quantiles.
constexpr std::int64_t max_paths = 100'000'000;
// A Monte Carlo seed, in a file or on the command line: every integer a file's int64 reading keeps exact
// (integers above 9e18 are refused there), so that any seed `--seed` takes can be written in a file too;
// optimize's out-of-sample check adds 1 to it.
constexpr std::uint64_t max_seed = 9'000'000'000'000'000'000ull;
// `risk`'s step grid: steps x clusters entries in each of five per-step tables (~27 bytes an entry: 270 MB);
// an exclusivity's grid counts twice (the grid without it too).
constexpr double max_risk_grid_cells = 1e7;
// The sampled futures of one batch (4 bytes per path, day and provider): adaptive batches shrink to fit.
constexpr double max_risk_scratch_bytes = double(1ull << 30);
// The same on CUDA, where they lie in the card's memory, not the host's (80 GB or more on the
// H100/H200 of §10): 4 GiB holds 195,000 paths of the flagship, so that its 100,000-path runs are
// one batch, a grid several waves deep, where 1 GiB cut them into three partial ones.
constexpr double max_risk_device_scratch_bytes = double(4ull << 30);

// ---- sweeps ----

// A sweep keeps its plan in memory and gives each variant a folder.
constexpr std::int64_t max_sweep_variants = 1'000'000;
// The plan's list of variants (plan-variants.jsonl: ids and values as JSON text), estimated before expansion.
constexpr double max_sweep_plan_bytes = double(256ull << 20);
// sweep.csv is rebuilt in memory: variants x (parameters + metrics) cells.
constexpr double max_sweep_table_cells = 2e7;

// ---- optimize ----

// Variables of an optimize file: the global stage's cost grows fast with them.
constexpr std::size_t max_optimize_variables = 16;
// Evaluations of one search (each a Monte Carlo run); each is kept in memory and in evaluations.csv.
constexpr std::int64_t max_optimize_evaluations = 100'000;
// Points of the efficient frontier (a search each).
constexpr std::size_t max_frontier_points = 64;
// Paths x evaluations: every evaluation keeps its metrics, not its paths, so this bounds the time asked
// for (1e12 cluster-path evaluations would take days), not the memory.
constexpr double max_optimize_path_evaluations = 1e10;

}  // namespace cloudpact::limits
