// The CPU backend: Thrust with its OpenMP device system, compiled by g++
// (never by nvcc: CCCL's OMP backend does not build under nvcc).
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/system/omp/execution_policy.h>

#include "risk_api.hpp"
#include "risk_backends.hpp"
#include "view_builder.inl"

namespace cloudpact::risk {

namespace {
// The sampling of one path, compiled for three instruction sets, the best
// one this machine runs chosen when the backend first samples: the day
// loops of the draws (kernel::day_normals, day_multipliers) then run
// several days at once in AVX2 or AVX-512 registers. flatten inlines the
// whole sampling into each, so each is compiled for its set. Every variant
// performs the same IEEE operations on each day's values, each rounded on
// its own (no FMA contraction: -ffp-contract=off; a vector lane rounds as a
// scalar does), so every variant, and so every machine, gives the same
// bits (tests/risk/test_draw_math.cpp compares them).
using SampleFn = void (*)(const kernel::View&, std::uint64_t, std::uint64_t, float*, int*);
__attribute__((target("arch=x86-64-v4"), flatten)) void sample_v4(const kernel::View& v, std::uint64_t seed,
                                                                   std::uint64_t path, float* fs, int* is) {
  kernel::sample_future(v, seed, path, fs, is);
}
__attribute__((target("arch=x86-64-v3"), flatten)) void sample_v3(const kernel::View& v, std::uint64_t seed,
                                                                   std::uint64_t path, float* fs, int* is) {
  kernel::sample_future(v, seed, path, fs, is);
}
__attribute__((flatten)) void sample_baseline(const kernel::View& v, std::uint64_t seed, std::uint64_t path, float* fs,
                                              int* is) {
  kernel::sample_future(v, seed, path, fs, is);
}

struct SamplingIsa {
  const char* name;
  SampleFn fn;
};
// The variants this machine runs, best first.
std::vector<SamplingIsa> runnable_isas() {
  __builtin_cpu_init();
  std::vector<SamplingIsa> isas;
  if (__builtin_cpu_supports("x86-64-v4")) isas.push_back({"x86-64-v4", sample_v4});
  if (__builtin_cpu_supports("x86-64-v3")) isas.push_back({"x86-64-v3", sample_v3});
  isas.push_back({"x86-64", sample_baseline});
  return isas;
}

// kernel::SampleFunctor's sampler: one of the variants.
struct CpuSampler {
  SampleFn fn;
  void operator()(const kernel::View& v, std::uint64_t seed, std::uint64_t path, float* fs, int* is) const {
    fn(v, seed, path, fs, is);
  }
};
CpuSampler best_sampler() {
  static const SampleFn best = runnable_isas().front().fn;
  return {best};
}

// Portfolios a CPU thread walks together on one path (kernel::PathFunctor):
// all of a usual scenario's (contracted, without:P and single:P of a few
// providers, no_rofr), so each variant's per-step work is done once a path.
constexpr int kCpuGroup = 16;

// One path on one thread: its future sampled into the thread's own scratch
// (one path's rows: the flagship's 22 KB stay in the core's cache, where a
// batch of sampled futures went out to memory and back), then walked by
// every group of portfolios. Which thread takes a path changes no bit.
struct SampleAndWalk {
  kernel::PathFunctor<kCpuGroup> run;
  CpuSampler sampler;
  float* const* scratch_f;  // per thread
  int* const* scratch_i;
  void operator()(std::int64_t i) const {
    const int t = omp_get_thread_num();
    float* fs = scratch_f[t];
    int* is = scratch_i[t];
    sampler(run.v, run.seed, static_cast<std::uint64_t>(run.first_path + i), fs, is);
    for (int g = 0; g < run.groups.n_groups; ++g) run.walk(g, i, fs, is);
  }
};

// One task a thread, each pulling the next chunk of paths from a shared
// counter until none is left. Thrust's OpenMP for_each splits its range in
// equal static shares, so a thread that runs slower (a busier core, a
// costlier share of paths) kept the others waiting at the end of every
// batch; pulling lets the faster ones take more. Every path is written to
// its own rows, so which thread takes it changes no bit.
struct PullPaths {
  const SampleAndWalk* path;
  std::atomic<std::int64_t>* next;
  std::int64_t count, chunk;
  void operator()(int) const {
    for (;;) {
      const std::int64_t first = next->fetch_add(chunk, std::memory_order_relaxed);
      if (first >= count) return;
      const std::int64_t last = std::min(first + chunk, count);
      for (std::int64_t i = first; i < last; ++i) (*path)(i);
    }
  }
};
}  // namespace

std::vector<std::string> cpu_sampling_isas() {
  std::vector<std::string> names;
  for (const SamplingIsa& isa : runnable_isas()) names.emplace_back(isa.name);
  return names;
}

void sample_paths_cpu(const RiskProblem& pb, const std::string& isa, std::uint64_t seed, std::int64_t first_path,
                      std::int64_t count, std::vector<float>& floats, std::vector<int>& ints) {
  SampleFn fn = nullptr;
  for (const SamplingIsa& candidate : runnable_isas())
    if (isa == candidate.name) fn = candidate.fn;
  if (fn == nullptr) throw std::invalid_argument("sample_paths_cpu: this machine does not run " + isa);
  const kernel::StepTables tables = kernel::step_tables(pb);
  const kernel::View v = kernel::make_view(pb, tables, [](const auto& vec) { return vec.data(); });
  const kernel::ScratchLayout layout = kernel::scratch_layout(v);
  floats.assign(static_cast<size_t>(count * layout.floats_per_path), 0.0f);
  ints.assign(static_cast<size_t>(count * layout.ints_per_path), 0);
  const kernel::SampleFunctor<CpuSampler> sample{v, seed, first_path, floats.data(), ints.data(), layout, {fn}};
  for (std::int64_t i = 0; i < count; ++i) sample(i);
}

void evaluate_paths_cpu(const RiskProblem& pb, std::uint64_t seed, std::int64_t first_path, std::int64_t count,
                        int threads, BatchResults& out, int portfolios_per_thread) {
  kernel::size_results(out, pb, first_path, count);
  const kernel::StepTables tables = kernel::step_tables(pb);
  const kernel::View v = kernel::make_view(pb, tables, [](const auto& vec) { return vec.data(); });
  // The problem without the exclusivity, for the portfolios free of it.
  const kernel::StepTables lifted_tables = pb.lifted ? kernel::step_tables(*pb.lifted) : kernel::StepTables{};
  const kernel::View lifted =
      pb.lifted ? kernel::make_view(*pb.lifted, lifted_tables, [](const auto& vec) { return vec.data(); }) : v;
  const kernel::ScratchLayout layout = kernel::scratch_layout(v);
  const kernel::PortfolioGroups groups = kernel::portfolio_groups(
      v.n_portfolios, portfolios_per_thread > 0 && portfolios_per_thread < kCpuGroup ? portfolios_per_thread : kCpuGroup);
  if (threads > 0) omp_set_num_threads(threads);
  // One path's scratch per thread.
  const int n_threads = omp_get_max_threads();
  std::vector<std::vector<float>> floats(static_cast<size_t>(n_threads),
                                         std::vector<float>(static_cast<size_t>(layout.floats_per_path)));
  std::vector<std::vector<int>> ints(static_cast<size_t>(n_threads),
                                     std::vector<int>(static_cast<size_t>(std::max<std::int64_t>(1, layout.ints_per_path))));
  std::vector<float*> scratch_f;
  std::vector<int*> scratch_i;
  for (int t = 0; t < n_threads; ++t) {
    scratch_f.push_back(floats[static_cast<size_t>(t)].data());
    scratch_i.push_back(ints[static_cast<size_t>(t)].data());
  }
  std::vector<double*> ptrs;
  for (const auto& [vec, rows] : kernel::result_rows(out)) ptrs.push_back(vec->data());
  const SampleAndWalk path{
      {v, lifted, kernel::out_view(count, ptrs), seed, first_path, nullptr, nullptr, layout, groups},
      best_sampler(),
      scratch_f.data(),
      scratch_i.data()};
  // Chunks of about a 64th of a thread's share: the wait at the end is at
  // most one chunk, and the counter is touched rarely enough not to matter.
  std::atomic<std::int64_t> next{0};
  const std::int64_t chunk = std::max<std::int64_t>(1, count / (std::int64_t{64} * n_threads));
  thrust::for_each(thrust::omp::par, thrust::counting_iterator<int>(0), thrust::counting_iterator<int>(n_threads),
                   PullPaths{&path, &next, count, chunk});
}

}  // namespace cloudpact::risk
