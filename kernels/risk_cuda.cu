// The CUDA backend: the same path model as the CPU build, one thread a
// (group of portfolios, path).
#include <cuda_runtime.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
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

// Portfolios a CUDA thread walks together on one path (kernel::PathFunctor):
// up to five, the flagship's all, so that they share each step's capacity,
// order and reserved ledger as on the CPU. On an H200, with every path in
// one batch, whole commands of the flagship took 0.64-0.73 of the time of
// one portfolio a thread (100,000 paths 1.74-1.93 s against 2.65-2.72 s;
// 262,144 3.90-4.06 s against 6.13-6.38 s; 10^6 13.7-14.3 s against 21.8 s;
// docs/performance-log.md, 2026-12-04 17:49 and 17:59), the same bytes
// out. The price is local memory: the frame of a thread grows with the
// group (walk_paths), and the driver backs it for every thread slot of the
// card, so a card with little memory may need a build with one
// (-DCLOUDPACT_CUDA_GROUP=1, meson -Dcuda_args=...; the error says so).
// Results do not depend on it.
#ifndef CLOUDPACT_CUDA_GROUP
#define CLOUDPACT_CUDA_GROUP 5
#endif
constexpr int kCudaGroup = CLOUDPACT_CUDA_GROUP;

// The registers a thread of the path kernel may use: 80 is what the
// compiler chose for the measured runs above (37.5% occupancy on an H200,
// register-bound); fewer allow more warps, which hide more of the latency
// of the frames' local memory, at the price of spills into that memory.
// A speed knob only (-DCLOUDPACT_CUDA_MAX_REGISTERS=N; scripts/gpu-check
// --also-registers builds and times it): the same instructions compute
// the same bits whatever registers hold them.
#ifndef CLOUDPACT_CUDA_MAX_REGISTERS
#define CLOUDPACT_CUDA_MAX_REGISTERS 80
#endif
constexpr int kCudaMaxRegisters = CLOUDPACT_CUDA_MAX_REGISTERS;
static_assert(kCudaMaxRegisters >= 24 && kCudaMaxRegisters <= 255, "CLOUDPACT_CUDA_MAX_REGISTERS: 24..255");

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
// A batch's time by stage, on stderr, when CLOUDPACT_CUDA_TIMING is set
// (scripts/gpu-check sets it and adds the stages up): what the whole
// command's time holds beside the kernels, which a profiler that times
// kernels alone does not show. Each stage ends with a synchronisation,
// which a run without the variable skips (it changes the order of nothing
// on the one stream, so no result).
class StageClock {
 public:
  StageClock() : on_(std::getenv("CLOUDPACT_CUDA_TIMING") != nullptr), last_(std::chrono::steady_clock::now()) {}
  // Ends the current stage: its seconds, once the device has done its work.
  void lap(double& seconds) {
    if (!on_) return;
    check(cudaDeviceSynchronize(), "kernel");
    const auto now = std::chrono::steady_clock::now();
    seconds = std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }
  bool on() const { return on_; }

 private:
  bool on_;
  std::chrono::steady_clock::time_point last_;
};

// The path kernel: one (group, path) a thread, the walk inlined once.
// thrust::for_each, which the sampling keeps, runs CUB's kernel: two items
// a thread, its loop compiled for full and for partial tiles, so the walk
// was inlined several times over, each copy with locals of its own. ptxas
// gave that kernel a frame of 232,256 bytes a thread (five portfolios, 80
// registers), against 116,064 here (nvcc 13.0, sm_90, -Xptxas -v), and the
// driver reserves the frame for every thread slot of the card.
constexpr int kWalkBlock = 256;
__global__ void __maxnreg__(kCudaMaxRegisters) walk_paths(const kernel::PathFunctor<kCudaGroup> run, std::int64_t n) {
  const std::int64_t k = static_cast<std::int64_t>(blockIdx.x) * kWalkBlock + threadIdx.x;
  if (k < n) run(k);
}

// The local memory the path kernel's frames take on device 0: its frame a
// thread times every thread slot of the card (0 when unknown), for the
// out-of-memory error.
double walk_frames_gib() {
  cudaFuncAttributes attr{};
  cudaDeviceProp prop{};
  if (cudaFuncGetAttributes(&attr, walk_paths) != cudaSuccess || cudaGetDeviceProperties(&prop, 0) != cudaSuccess)
    return 0.0;
  return static_cast<double>(attr.localSizeBytes) * prop.multiProcessorCount * prop.maxThreadsPerMultiProcessor /
         (1024.0 * 1024.0 * 1024.0);
}
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
  StageClock clock;
  double setup_s = 0, sample_s = 0, walk_s = 0, copy_s = 0;
  kernel::size_results(out, pb, first_path, count);
  DeviceArrays arrays;
  const kernel::View v = kernel::make_view(pb, kernel::step_tables(pb), [&](const auto& vec) { return arrays.place(vec); });
  // The problem without the exclusivity, for the portfolios free of it.
  const kernel::View lifted =
      pb.lifted ? kernel::make_view(*pb.lifted, kernel::step_tables(*pb.lifted),
                                    [&](const auto& vec) { return arrays.place(vec); })
                : v;
  const kernel::ScratchLayout layout = kernel::scratch_layout(v);
  const kernel::PortfolioGroups groups = kernel::portfolio_groups(v.n_portfolios, kCudaGroup);
  const auto n = static_cast<size_t>(count);
  thrust::device_vector<float> sf(n * static_cast<size_t>(layout.floats_per_path));
  thrust::device_vector<int> si(n * static_cast<size_t>(std::max<std::int64_t>(1, layout.ints_per_path)));
  // One device array per result array, in result_rows order.
  const auto rows = kernel::result_rows(out);
  std::vector<thrust::device_vector<double>> device_rows;
  std::vector<double*> ptrs;
  device_rows.reserve(rows.size());
  for (const auto& [vec, n_rows] : rows) {
    device_rows.emplace_back(vec->size());
    ptrs.push_back(thrust::raw_pointer_cast(device_rows.back().data()));
  }
  const kernel::OutView o = kernel::out_view(count, ptrs);
  clock.lap(setup_s);
  const kernel::SampleFunctor<> sample{v, seed, first_path, thrust::raw_pointer_cast(sf.data()),
                                     thrust::raw_pointer_cast(si.data()), layout};
  thrust::for_each(thrust::device, thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(count), sample);
  clock.lap(sample_s);
  const kernel::PathFunctor<kCudaGroup> run{v, lifted, o, seed, first_path, thrust::raw_pointer_cast(sf.data()),
                                     thrust::raw_pointer_cast(si.data()), layout, groups};
  try {
    const std::int64_t n_walks = count * groups.n_groups;
    // The walk keeps no shared memory and waits on its frames' local
    // memory, which L1 caches: the whole carveout goes to L1. A hint the
    // driver may round; it orders nothing and so changes no result.
    check(cudaFuncSetAttribute(walk_paths, cudaFuncAttributePreferredSharedMemoryCarveout, cudaSharedmemCarveoutMaxL1),
          "path kernel carveout");
    if (n_walks > 0) {
      walk_paths<<<static_cast<unsigned>((n_walks + kWalkBlock - 1) / kWalkBlock), kWalkBlock>>>(run, n_walks);
      check(cudaGetLastError(), "path kernel launch");
    }
    check(cudaDeviceSynchronize(), "kernel");
  } catch (const std::exception& e) {
    // The likeliest way a card refuses the path kernel: too little memory
    // for the frames of its thread slots (kCudaGroup), before any path ran.
    // A build of one a thread has no smaller grouping to suggest.
    const std::string what = e.what();
    if (kCudaGroup == 1 || what.find("memory") == std::string::npos) throw;
    char frames[64] = "";
    if (const double gib = walk_frames_gib(); gib > 0.0) std::snprintf(frames, sizeof frames, ", %.1f GiB on this card", gib);
    throw std::runtime_error(what + " (this build walks up to " + std::to_string(kCudaGroup) +
                             " portfolios a CUDA thread, whose frames the card reserves for every thread slot" +
                             frames + "; a build with -Dcuda_args=-DCLOUDPACT_CUDA_GROUP=1 has the smallest frames)");
  }
  clock.lap(walk_s);
  for (size_t a = 0; a < rows.size(); ++a) thrust::copy(device_rows[a].begin(), device_rows[a].end(), rows[a].first->begin());
  clock.lap(copy_s);
  if (clock.on())
    std::fprintf(stderr, "risk: cuda batch of %lld paths: setup %.6f s, sample %.6f s, walk %.6f s, copy %.6f s\n",
                 static_cast<long long>(count), setup_s, sample_s, walk_s, copy_s);
}

}  // namespace cloudpact::risk
