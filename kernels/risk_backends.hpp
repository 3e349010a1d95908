// The two backends behind risk_api.hpp's evaluate_paths (internal header).
#pragma once

#include "risk_api.hpp"

namespace cloudpact::risk {

void evaluate_paths_cpu(const RiskProblem& pb, std::uint64_t seed, std::int64_t first_path, std::int64_t count,
                        int threads, BatchResults& out, int portfolios_per_thread);

#if defined(CLOUDPACT_HAVE_CUDA)
void evaluate_paths_cuda(const RiskProblem& pb, std::uint64_t seed, std::int64_t first_path, std::int64_t count,
                         BatchResults& out);
bool cuda_device_present_impl();
std::string cuda_device_description_impl();
#endif

}  // namespace cloudpact::risk
