// Backend choice and the known-answer entry point (plain C++, no Thrust).
#include <stdexcept>

#include "philox_draws.hpp"
#include "risk_api.hpp"
#include "risk_backends.hpp"

namespace cloudpact::risk {

bool cuda_compiled() {
#if defined(CLOUDPACT_HAVE_CUDA)
  return true;
#else
  return false;
#endif
}

bool cuda_device_present() {
#if defined(CLOUDPACT_HAVE_CUDA)
  return cuda_device_present_impl();
#else
  return false;
#endif
}

std::string cuda_device_description() {
#if defined(CLOUDPACT_HAVE_CUDA)
  return cuda_device_description_impl();
#else
  return "";
#endif
}

void evaluate_paths(const RiskProblem& problem, std::uint64_t seed, std::int64_t first_path, std::int64_t count,
                    Backend backend, int threads, BatchResults& out, int portfolios_per_thread) {
  if (backend == Backend::cpu) {
    evaluate_paths_cpu(problem, seed, first_path, count, threads, out, portfolios_per_thread);
    return;
  }
#if defined(CLOUDPACT_HAVE_CUDA)
  evaluate_paths_cuda(problem, seed, first_path, count, out);
#else
  throw std::runtime_error("this build has no CUDA backend (configure with -Dcuda=enabled)");
#endif
}

void philox4x32_10(const std::uint32_t ctr[4], const std::uint32_t key[2], std::uint32_t out[4]) {
  r123::Philox4x32 rng;
  const r123::Philox4x32::ctr_type c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
  const r123::Philox4x32::key_type k = {{key[0], key[1]}};
  const r123::Philox4x32::ctr_type r = rng(c, k);
  for (int i = 0; i < 4; ++i) out[i] = r[i];
}

}  // namespace cloudpact::risk
