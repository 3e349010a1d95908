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

void evaluate_paths_cpu(const RiskProblem& pb, std::uint64_t seed, std::int64_t first_path, std::int64_t count,
                        int threads, BatchResults& out) {
  kernel::size_results(out, pb, first_path, count);
  const kernel::View v = kernel::make_view(pb, [](const auto& vec) { return vec.data(); });
  const kernel::ScratchLayout layout = kernel::scratch_layout(v);
  // Paths in chunks so the scratch (the sampled futures) stays small
  // whatever the batch: results do not depend on the chunking.
  const std::int64_t chunk = 4096;
  std::vector<float> sf(static_cast<size_t>(std::min(chunk, count) * layout.floats_per_path));
  std::vector<double> sd(static_cast<size_t>(std::min(chunk, count) * layout.doubles_per_path));
  std::vector<int> si(static_cast<size_t>(std::min(chunk, count) * std::max<std::int64_t>(1, layout.ints_per_path)));
  const size_t cap = static_cast<size_t>(std::min(chunk, count));
  std::vector<double> chunk_cost(cap * static_cast<size_t>(v.n_portfolios)), chunk_spend(chunk_cost.size()),
      chunk_unmet(chunk_cost.size());
  std::vector<double> chunk_pspend(cap * static_cast<size_t>(v.n_providers)), chunk_pused(chunk_pspend.size()),
      chunk_pexit(chunk_pspend.size());
  if (threads > 0) omp_set_num_threads(threads);
  for (std::int64_t done = 0; done < count; done += chunk) {
    const std::int64_t n = std::min(chunk, count - done);
    const kernel::SampleFunctor sample{v, seed, first_path + done, sf.data(), sd.data(), si.data(), layout};
    thrust::for_each(thrust::omp::par, thrust::counting_iterator<std::int64_t>(0),
                     thrust::counting_iterator<std::int64_t>(n), sample);
    // Chunk results land in a chunk-shaped buffer, then move to their rows.
    kernel::OutView co{n, chunk_cost.data(), chunk_spend.data(), chunk_unmet.data(),
                       chunk_pspend.data(), chunk_pused.data(), chunk_pexit.data()};
    const kernel::PortfolioFunctor run{v, co, sf.data(), sd.data(), si.data(), layout};
    thrust::for_each(thrust::omp::par, thrust::counting_iterator<std::int64_t>(0),
                     thrust::counting_iterator<std::int64_t>(n * v.n_portfolios), run);
    // Rows of the chunk (stride n) move to their place in the batch (stride count).
    auto place_rows = [&](const std::vector<double>& from, std::vector<double>& to, int rows) {
      for (int r = 0; r < rows; ++r)
        std::copy_n(from.begin() + r * n, n, to.begin() + r * count + done);
    };
    place_rows(chunk_cost, out.cost_usd, v.n_portfolios);
    place_rows(chunk_spend, out.spend_usd, v.n_portfolios);
    place_rows(chunk_unmet, out.unmet_gpu_hours, v.n_portfolios);
    place_rows(chunk_pspend, out.provider_spend_usd, v.n_providers);
    place_rows(chunk_pused, out.provider_used_gpu_hours, v.n_providers);
    place_rows(chunk_pexit, out.provider_exit_cost_usd, v.n_providers);
  }
}

}  // namespace cloudpact::risk
