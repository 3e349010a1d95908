#include "cli/risk_backend.hpp"

#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "scenario/input_error.hpp"
#include "scenario/message_text.hpp"

namespace cloudpact {

risk::Backend wanted_backend(const std::string& backend) {
  const bool cuda = backend == "cuda" || (backend == "auto" && risk::cuda_compiled() && risk::cuda_device_present());
  return cuda ? risk::Backend::cuda : risk::Backend::cpu;
}

risk::Backend choose_backend(const std::string& backend, const std::string& command) {
  if (backend == "cuda") {
    if (!risk::cuda_compiled()) {
      throw std::runtime_error("--backend cuda: this build has no CUDA backend (configure with -Dcuda=enabled)");
    }
    if (!risk::cuda_device_present()) {
      throw std::runtime_error("--backend cuda: no CUDA device answers (driver missing or no GPU visible)");
    }
  }
  const bool cuda = wanted_backend(backend) == risk::Backend::cuda;
  // Device information goes to stderr only: the outputs stay byte-stable.
  if (cuda) std::cerr << command << ": backend cuda: " << risk::cuda_device_description() << "\n";
  return cuda ? risk::Backend::cuda : risk::Backend::cpu;
}

void check_risk_memory(const std::string& file, const std::string& asked, const RiskSetup& setup,
                       const RiskRunOptions& options) {
  // Every path's results (kept for the quantiles) and one batch (its results
  // and sampled futures); nothing else grows with the paths.
  const double need = risk_memory_bytes(setup, options);
  const double have = physical_memory_bytes();
  if (have > 0 && need > 0.8 * have) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  " would need about %.1f GiB for the per-path results and one batch, more than 80%% "
                  "of this machine's %.1f GiB (expected fewer paths)",
                  need / (1 << 30), have / (1 << 30));
    throw InputError({escape_text(file) + ": " + asked + buf});
  }
}

}  // namespace cloudpact
