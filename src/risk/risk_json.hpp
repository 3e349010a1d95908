// risk.json (docs/reference.md §6): the Monte Carlo metrics as text. Same inputs, same
// bytes: no wall-clock, no device name, no thread count (risk.json must be
// identical for any --threads); only "backend" tells CPU from CUDA.
#pragma once

#include <cstdint>
#include <string>

#include "risk/metrics.hpp"

namespace cloudpact::risk {

struct RiskRunInfo {
  std::string scenario;         // its name
  std::string scenario_sha256;  // of the (overridden) scenario text
  std::int64_t paths = 0;
  std::uint64_t seed = 0;
  std::string backend;           // "cpu-omp" or "cuda"
  bool uncertainty_off = false;  // --uncertainty-off: the replay's own future
  // Problem size (risk_api.hpp RiskProblem), reported so that throughput in
  // cluster-days (paths × days × clusters, docs/reference.md §10) can be computed from the
  // output alone.
  int days = 0, clusters = 0, steps = 0, providers = 0;
};

// Pretty-printed (2 spaces) with a trailing newline. Non-finite numbers and
// absent values are null.
std::string risk_json(const RiskRunInfo& info, const RiskMetrics& m);

}  // namespace cloudpact::risk
