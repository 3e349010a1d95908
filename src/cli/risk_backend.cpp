#include "cli/risk_backend.hpp"

#include <iostream>
#include <stdexcept>

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

}  // namespace cloudpact
