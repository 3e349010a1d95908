#include "risk/risk_run.hpp"

#include <algorithm>
#include <chrono>

#include "risk/metrics.hpp"
#include "risk/risk_json.hpp"

namespace cloudpact {

double risk_result_bytes(const RiskSetup& setup, std::int64_t paths) {
  // Per path: cost, unmet and spend per portfolio; spend, used GPU-hours and
  // exit cost per provider; the contracted portfolio's spend items and its
  // contracts' items; four scalars (metrics.hpp PathResults).
  const size_t n_portfolios = setup.portfolio_names.size(), n_providers = setup.provider_ids.size();
  const size_t n_contracts = setup.contract_ids.size();
  const double per_path_bytes = 8.0 * static_cast<double>(3 * n_portfolios + 3 * n_providers + risk::kSpendItems +
                                                          risk::kContractItems * n_contracts + 4);
  return per_path_bytes * static_cast<double>(paths);
}

std::string run_risk(const Scenario& sc, const RiskSetup& setup, const RiskRunOptions& o,
                     const std::function<void(std::int64_t)>& on_progress) {
  // Batches: a fixed size when asked. By default they grow from 1024 paths to
  // what takes ~0.5 s (steady progress), capped at 16384 paths on the CPU and
  // 262144 on CUDA.
  const bool fixed_batches = o.batch > 0;
  const std::int64_t max_batch =
      fixed_batches ? o.batch : (o.backend == risk::Backend::cuda ? std::int64_t{262144} : std::int64_t{16384});
  risk::PathResults results(setup.portfolio_names, setup.provider_ids, setup.contract_ids);
  results.reserve(o.paths);
  risk::BatchResults b;
  std::int64_t batch = fixed_batches ? max_batch : std::min<std::int64_t>(1024, max_batch);
  for (std::int64_t first = 0; first < o.paths;) {
    const std::int64_t count = std::min(batch, o.paths - first);
    const auto t0 = std::chrono::steady_clock::now();
    risk::evaluate_paths(setup.problem, o.seed, first, count, o.backend, o.threads, b);
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    results.append(b);
    first += count;
    if (on_progress) on_progress(first);
    if (!fixed_batches) {
      const double per_half_second = took > 0 ? 0.5 * static_cast<double>(count) / took : 1e18;
      const double grown =
          std::min({per_half_second, 4.0 * static_cast<double>(count), static_cast<double>(max_batch)});
      batch = std::max<std::int64_t>(256, static_cast<std::int64_t>(grown));
    }
  }
  const risk::NegotiationTerms terms{sc.negotiation.buyer_power, sc.negotiation.seller_floor_usd_per_gpu_hour};
  const risk::RiskMetrics metrics = risk::compute_metrics(results, terms);
  const risk::RiskProblem& pb = setup.problem;
  const std::string backend_name = o.backend == risk::Backend::cuda ? "cuda" : "cpu-omp";
  const risk::RiskRunInfo info{sc.name,   sc.sha256,     o.paths,     o.seed,        backend_name,
                               o.uncertainty_off, pb.n_days, pb.n_clusters, pb.n_steps, pb.n_providers};
  return risk::risk_json(info, metrics);
}

}  // namespace cloudpact
