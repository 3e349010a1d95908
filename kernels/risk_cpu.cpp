// The CPU backend: Thrust with its OpenMP device system, compiled by g++
// (never by nvcc: CCCL's OMP backend does not build under nvcc).
#include <omp.h>

#include <algorithm>

#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/system/omp/execution_policy.h>

#include "risk_api.hpp"
#include "risk_backends.hpp"
#include "view_builder.inl"

namespace cloudpact::risk {

// Portfolios a CPU thread walks together on one path (kernel::PathFunctor):
// all of a usual scenario's (contracted, without:P and single:P of a few
// providers, no_rofr), so each variant's per-step work is done once a path.
constexpr int kCpuGroup = 16;

void evaluate_paths_cpu(const RiskProblem& pb, std::uint64_t seed, std::int64_t first_path, std::int64_t count,
                        int threads, BatchResults& out, int portfolios_per_thread) {
  kernel::size_results(out, pb, first_path, count);
  const kernel::StepTables tables = kernel::step_tables(pb);
  const kernel::View v = kernel::make_view(pb, tables, [](const auto& vec) { return vec.data(); });
  const kernel::ScratchLayout layout = kernel::scratch_layout(v);
  const kernel::PortfolioGroups groups = kernel::portfolio_groups(
      v.n_portfolios, portfolios_per_thread > 0 && portfolios_per_thread < kCpuGroup ? portfolios_per_thread : kCpuGroup);
  // Paths in chunks so the scratch (the sampled futures) stays small
  // whatever the batch: results do not depend on the chunking.
  const std::int64_t chunk = 4096;
  std::vector<float> sf(static_cast<size_t>(std::min(chunk, count) * layout.floats_per_path));
  std::vector<int> si(static_cast<size_t>(std::min(chunk, count) * std::max<std::int64_t>(1, layout.ints_per_path)));
  // Chunk results land in a chunk-shaped batch, then move to their rows.
  BatchResults chunk_out;
  kernel::size_results(chunk_out, pb, 0, std::min(chunk, count));
  const auto rows_out = kernel::result_rows(out);
  const auto rows_chunk = kernel::result_rows(chunk_out);
  if (threads > 0) omp_set_num_threads(threads);
  for (std::int64_t done = 0; done < count; done += chunk) {
    const std::int64_t n = std::min(chunk, count - done);
    const kernel::SampleFunctor sample{v, seed, first_path + done, sf.data(), si.data(), layout};
    thrust::for_each(thrust::omp::par, thrust::counting_iterator<std::int64_t>(0),
                     thrust::counting_iterator<std::int64_t>(n), sample);
    std::vector<double*> ptrs;
    for (const auto& [vec, rows] : rows_chunk) ptrs.push_back(vec->data());
    const kernel::PathFunctor<kCpuGroup> run{v, kernel::out_view(n, ptrs), seed, first_path + done, sf.data(), si.data(), layout, groups};
    thrust::for_each(thrust::omp::par, thrust::counting_iterator<std::int64_t>(0),
                     thrust::counting_iterator<std::int64_t>(n * groups.n_groups), run);
    // Rows of the chunk (stride n) move to their place in the batch (stride count).
    for (size_t a = 0; a < rows_out.size(); ++a)
      for (int r = 0; r < rows_out[a].second; ++r)
        std::copy_n(rows_chunk[a].first->begin() + r * n, n, rows_out[a].first->begin() + r * count + done);
  }
}

}  // namespace cloudpact::risk
