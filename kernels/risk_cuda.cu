// The CUDA backend: the same path model as the CPU build, one thread a path.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>
#include <vector>

#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include "risk_api.hpp"
#include "risk_backends.hpp"
#include "view_builder.inl"

namespace cloudpact::risk {

namespace {
void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string("CUDA: ") + what + ": " + cudaGetErrorString(e));
}

// Keeps the device copies of the problem's arrays alive for one call.
struct DeviceArrays {
  std::vector<void*> blocks;
  ~DeviceArrays() {
    for (void* b : blocks) cudaFree(b);
  }
  template <class T>
  const T* place(const std::vector<T>& v) {
    if (v.empty()) return nullptr;
    void* d = nullptr;
    check(cudaMalloc(&d, v.size() * sizeof(T)), "cudaMalloc");
    blocks.push_back(d);
    check(cudaMemcpy(d, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice), "cudaMemcpy");
    return static_cast<const T*>(d);
  }
};
}  // namespace

bool cuda_device_present_impl() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
}

std::string cuda_device_description_impl() {
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return "";
  int driver = 0;
  cudaDriverGetVersion(&driver);
  return std::string(prop.name) + " (driver API " + std::to_string(driver / 1000) + "." +
         std::to_string((driver % 1000) / 10) + ", sm_" + std::to_string(prop.major) + std::to_string(prop.minor) + ")";
}

void evaluate_paths_cuda(const RiskProblem& pb, std::uint64_t seed, std::int64_t first_path, std::int64_t count,
                         BatchResults& out) {
  kernel::size_results(out, pb, first_path, count);
  DeviceArrays arrays;
  const kernel::View v = kernel::make_view(pb, [&](const auto& vec) { return arrays.place(vec); });
  const kernel::ScratchLayout layout = kernel::scratch_layout(v);
  const auto n = static_cast<size_t>(count);
  thrust::device_vector<float> sf(n * static_cast<size_t>(layout.floats_per_path));
  thrust::device_vector<double> sd(n * static_cast<size_t>(layout.doubles_per_path));
  thrust::device_vector<int> si(n * static_cast<size_t>(std::max<std::int64_t>(1, layout.ints_per_path)));
  const size_t np = out.cost_usd.size(), nq = out.provider_spend_usd.size();
  thrust::device_vector<double> cost(np), spend(np), unmet(np), pspend(nq), pused(nq), pexit(nq);
  kernel::OutView o{count,
                    thrust::raw_pointer_cast(cost.data()),
                    thrust::raw_pointer_cast(spend.data()),
                    thrust::raw_pointer_cast(unmet.data()),
                    thrust::raw_pointer_cast(pspend.data()),
                    thrust::raw_pointer_cast(pused.data()),
                    thrust::raw_pointer_cast(pexit.data())};
  const kernel::SampleFunctor sample{v, seed, first_path, thrust::raw_pointer_cast(sf.data()),
                                     thrust::raw_pointer_cast(sd.data()), thrust::raw_pointer_cast(si.data()), layout};
  thrust::for_each(thrust::device, thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(count), sample);
  const kernel::PortfolioFunctor run{v, o, thrust::raw_pointer_cast(sf.data()), thrust::raw_pointer_cast(sd.data()),
                                     thrust::raw_pointer_cast(si.data()), layout};
  thrust::for_each(thrust::device, thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(count * v.n_portfolios), run);
  check(cudaDeviceSynchronize(), "kernel");
  thrust::copy(cost.begin(), cost.end(), out.cost_usd.begin());
  thrust::copy(spend.begin(), spend.end(), out.spend_usd.begin());
  thrust::copy(unmet.begin(), unmet.end(), out.unmet_gpu_hours.begin());
  thrust::copy(pspend.begin(), pspend.end(), out.provider_spend_usd.begin());
  thrust::copy(pused.begin(), pused.end(), out.provider_used_gpu_hours.begin());
  thrust::copy(pexit.begin(), pexit.end(), out.provider_exit_cost_usd.begin());
}

}  // namespace cloudpact::risk
