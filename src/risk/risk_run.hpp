// One Monte Carlo run from a loaded scenario to the text of risk.json: the
// batch loop shared by `cloudpact risk` and sweep variants. Results depend
// only on the scenario, seed and path count, never on batching or threads.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "risk/metrics.hpp"
#include "risk/problem.hpp"
#include "risk_api.hpp"
#include "scenario/scenario.hpp"

namespace cloudpact {

struct RiskRunOptions {
  std::int64_t paths = 0;
  std::uint64_t seed = 0;
  risk::Backend backend = risk::Backend::cpu;
  int threads = 0;              // OpenMP threads for the cpu backend, 0: all cores
  std::int64_t batch = -1;      // paths per kernel call; -1: adaptive
  bool uncertainty_off = false;
};

// Bytes of the per-path results `paths` paths keep in memory (quantiles need
// them all; the figures reported only as means keep running moments).
double risk_result_bytes(const RiskSetup& setup, std::int64_t paths);
// Bytes of one batch's results of `paths` paths: every figure of each.
double risk_batch_result_bytes(const RiskSetup& setup, std::int64_t paths);

// Bytes of one path's sampled future (the kernels' scratch).
double risk_scratch_bytes_per_path(const RiskSetup& setup);
// What a batch's sampled futures may take on a backend: the host's memory
// on the CPU (limits::max_risk_scratch_bytes), the card's on CUDA
// (limits::max_risk_device_scratch_bytes).
double risk_scratch_budget_bytes(risk::Backend backend);
// The largest batch a run uses: --batch, or the adaptive cap of the backend,
// shrunk so that a batch's sampled futures fit risk_scratch_budget_bytes.
std::int64_t risk_max_batch(const RiskSetup& setup, const RiskRunOptions& o);
// The batches of a run (docs/reference.md §1.5, --batch): the first one's size, and
// the next one's after a batch of `count` paths took `took_s` seconds. With
// --batch, or on CUDA, every batch is risk_max_batch; on the CPU they start
// at 1024 paths and grow (at most 4x a batch) to what takes about 0.5 s.
std::int64_t risk_first_batch(const RiskSetup& setup, const RiskRunOptions& o);
std::int64_t risk_next_batch(const RiskSetup& setup, const RiskRunOptions& o, std::int64_t count, double took_s);
// What a run holds at its peak in the host's memory, in bytes: every path's
// results, one batch's results and, on the CPU, one batch's sampled futures
// (docs/reference.md §1.5).
double risk_memory_bytes(const RiskSetup& setup, const RiskRunOptions& o);

// Bytes of physical memory of this machine, 0 when unknown.
double physical_memory_bytes();

// Whether `need_bytes` is more than a run may take here (80% of the physical
// memory; never when that is unknown), with the machine's bytes in `have`:
// the one rule behind every refusal of a run's memory (docs/reference.md §1.5).
bool beyond_memory(double need_bytes, double& have);

// Throws InputError naming `file` and what asked for the paths (`asked`:
// "--paths N" for risk, "/paths: N paths" for an optimize file) when a run
// of `options.paths` paths would need more than 80% of this machine's memory
// (docs/reference.md §1.5).
void check_risk_memory(const std::string& file, const std::string& asked, const RiskSetup& setup,
                       const RiskRunOptions& options);

// risk.json of a run of `setup` whose every path computed 0: the keys every
// run of it writes, known before running (what a sweep's metrics are
// checked against, docs/reference.md §7.1).
std::string risk_json_shape(const Scenario& sc, const RiskSetup& setup);

// What run_risk_paths throws when `stop_requested` answered true between
// two batches: the run is abandoned and its paths discarded, since a mean
// over the paths done so far is another sample, not this run's figure.
struct RunStopped : std::runtime_error {
  RunStopped() : std::runtime_error("stopped between two batches of paths") {}
};

// Runs every batch and returns every path's results (what optimize reads
// its few metrics from). `on_progress(done)` is called after each batch;
// `stop_requested`, when given, before each batch but the first (a stop
// signal then ends a long run within one batch: on the CPU, about half a
// second; docs/reference.md §1.10).
risk::PathResults run_risk_paths(const RiskSetup& setup, const RiskRunOptions& options,
                                 const std::function<void(std::int64_t)>& on_progress = {},
                                 const std::function<bool()>& stop_requested = {});

// Runs every batch and returns risk.json's text. `on_progress(done)` is called
// after each batch when given.
std::string run_risk(const Scenario& sc, const RiskSetup& setup, const RiskRunOptions& options,
                     const std::function<void(std::int64_t)>& on_progress = {});

}  // namespace cloudpact
