#include "risk/risk_run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <unistd.h>

#include "risk/metrics.hpp"
#include "risk/risk_json.hpp"
#include "scenario/input_error.hpp"
#include "scenario/limits.hpp"
#include "scenario/message_text.hpp"

namespace cloudpact {

namespace {

// Every metric of risk.json from the accumulated paths.
// `threads` as the cpu backend's (0: all cores).
risk::RiskMetrics metrics_of(const risk::PathResults& results, const Scenario& sc, const RiskSetup& setup,
                             int threads) {
  const risk::NegotiationTerms terms{sc.negotiation.buyer_power, sc.negotiation.seller_floor_usd_per_gpu_hour};
  risk::RiskMetrics metrics = risk::compute_metrics(results, terms, threads);
  metrics.sensitivity = setup.sensitivity;
  metrics.rofr = risk::rofr_metrics(results, {setup.rofr_holder, static_cast<int>(setup.rofr_offered.size()),
                                              setup.rofr_match_probability});
  return metrics;
}

}  // namespace

double risk_result_bytes(const RiskSetup& setup, std::int64_t paths) {
  // Per path: cost, unmet GPU-hours and present value of cost per
  // portfolio, and the HHI of the contracted portfolio's spend
  // (metrics.hpp PathResults); the rest are running moments, whose size
  // does not grow with the paths.
  const double per_path_bytes = 8.0 * static_cast<double>(3 * setup.portfolio_names.size() + 1);
  return per_path_bytes * static_cast<double>(paths);
}

double risk_batch_result_bytes(const RiskSetup& setup, std::int64_t paths) {
  // Per path: cost, unmet, spend, present value of cost and the rofr
  // holder's spend (nominal and present) per portfolio; spend, used
  // GPU-hours, exit cost and present value of spend per provider; the
  // contracted portfolio's spend items and its contracts' items; four
  // scalars (risk_api.hpp BatchResults).
  const size_t n_portfolios = setup.portfolio_names.size(), n_providers = setup.provider_ids.size();
  const size_t n_contracts = setup.contract_ids.size();
  const double per_path_bytes = 8.0 * static_cast<double>(6 * n_portfolios + 4 * n_providers + risk::kSpendItems +
                                                          risk::kContractItems * n_contracts + 4);
  return per_path_bytes * static_cast<double>(paths);
}

double physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0.0;
}

std::string risk_json_shape(const Scenario& sc, const RiskSetup& setup) {
  // Two paths of zeros, shaped as the kernels shape a batch.
  constexpr std::int64_t n = 2;
  risk::BatchResults b;
  b.first_path = 0;
  b.count = n;
  b.n_portfolios = static_cast<int>(setup.portfolio_names.size());
  b.n_providers = static_cast<int>(setup.provider_ids.size());
  b.n_contracts = static_cast<int>(setup.contract_ids.size());
  const auto rows = [](std::size_t k) { return std::vector<double>(k * static_cast<std::size_t>(n), 0.0); };
  b.cost_usd = b.spend_usd = b.unmet_gpu_hours = rows(setup.portfolio_names.size());
  b.provider_spend_usd = b.provider_used_gpu_hours = b.provider_exit_cost_usd = rows(setup.provider_ids.size());
  b.billed_usd = b.shortfall_usd = b.sla_credits_usd = b.egress_usd = b.unmet_value_usd = rows(1);
  b.contract_billed_usd = b.contract_shortfall_usd = b.contract_sla_credits_usd =
      b.contract_commitment_remaining_usd = rows(setup.contract_ids.size());
  risk::PathResults results(setup.portfolio_names, setup.provider_ids, setup.contract_ids);
  results.append(b);
  const risk::RiskProblem& pb = setup.problem;
  const risk::RiskRunInfo info{sc.name, sc.sha256, n, 0, "cpu-omp", false, pb.n_days, pb.n_clusters, pb.n_steps,
                               pb.n_providers};
  return risk::risk_json(info, metrics_of(results, sc, setup, 1));
}

double risk_scratch_bytes_per_path(const RiskSetup& setup) {
  // The sampled future of a path: a float per day and provider (price
  // multipliers) and per day (demand), an int per cluster (delays).
  const risk::RiskProblem& pb = setup.problem;
  return 4.0 * static_cast<double>(pb.n_days) * static_cast<double>(pb.n_providers + 1) +
         4.0 * static_cast<double>(pb.n_clusters);
}

double risk_scratch_budget_bytes(risk::Backend backend) {
  return backend == risk::Backend::cuda ? limits::max_risk_device_scratch_bytes : limits::max_risk_scratch_bytes;
}

std::int64_t risk_max_batch(const RiskSetup& setup, const RiskRunOptions& o) {
  // A fixed size when asked, else at most 16384 paths on the CPU (batches
  // grow to it) and 262144 on CUDA; either way no larger than what keeps a batch's
  // sampled futures within the backend's budget (results do not depend on
  // batching).
  const std::int64_t wanted =
      o.batch > 0 ? o.batch : (o.backend == risk::Backend::cuda ? std::int64_t{262144} : std::int64_t{16384});
  const double fits = std::floor(risk_scratch_budget_bytes(o.backend) / risk_scratch_bytes_per_path(setup));
  return std::max<std::int64_t>(1, std::min(wanted, static_cast<std::int64_t>(std::min(fits, 1e15))));
}

double risk_memory_bytes(const RiskSetup& setup, const RiskRunOptions& o) {
  const std::int64_t batch = std::min(risk_max_batch(setup, o), std::max<std::int64_t>(1, o.paths));
  // Per batch: its results (every figure of every path) and, on the CPU,
  // its sampled futures (CUDA's are in the card's memory); plus every path's
  // results.
  const double scratch_bytes =
      o.backend == risk::Backend::cuda ? 0.0 : risk_scratch_bytes_per_path(setup) * static_cast<double>(batch);
  return risk_result_bytes(setup, o.paths) + risk_batch_result_bytes(setup, batch) + scratch_bytes;
}

bool beyond_memory(double need_bytes, double& have) {
  have = physical_memory_bytes();
  return have > 0 && need_bytes > 0.8 * have;
}

void check_risk_memory(const std::string& file, const std::string& asked, const RiskSetup& setup,
                       const RiskRunOptions& options) {
  // Every path's results (kept for the quantiles) and one batch (its results
  // and sampled futures); nothing else grows with the paths.
  const double need = risk_memory_bytes(setup, options);
  if (double have = 0; beyond_memory(need, have)) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  " would need about %.1f GiB for the per-path results and one batch, more than 80%% "
                  "of this machine's %.1f GiB (expected fewer paths)",
                  need / (1 << 30), have / (1 << 30));
    throw InputError({escape_text(file) + ": " + asked + buf});
  }
}

// Batches of a fixed size: when asked (--batch), and on CUDA. A GPU's batch
// takes at least the time of one path's walk however few its paths, and its
// throughput needs a grid several waves deep: on an H200 the flagship's
// path kernel took 0.16 s for 4,096 paths (0.2 waves) and 1.04 s for 65,536
// (3.2 waves), so batches grown to ~0.5 s of progress stay near 1.5 waves
// (from those two times), and 10^6 paths ran at 0.62 of the kernel's rate
// (docs/performance-log.md, 2026-12-04). The CPU's time grows with its
// paths from the first, so there batches grow for steady progress.
namespace {
bool fixed_risk_batches(const RiskRunOptions& o) { return o.batch > 0 || o.backend == risk::Backend::cuda; }
}  // namespace

std::int64_t risk_first_batch(const RiskSetup& setup, const RiskRunOptions& o) {
  const std::int64_t max_batch = risk_max_batch(setup, o);
  return fixed_risk_batches(o) ? max_batch : std::min<std::int64_t>(1024, max_batch);
}

std::int64_t risk_next_batch(const RiskSetup& setup, const RiskRunOptions& o, std::int64_t count, double took_s) {
  const std::int64_t max_batch = risk_max_batch(setup, o);
  if (fixed_risk_batches(o)) return max_batch;
  // What takes ~0.5 s at this batch's pace, at most 4x it, at least 256.
  const double per_half_second = took_s > 0 ? 0.5 * static_cast<double>(count) / took_s : 1e18;
  const double grown = std::min({per_half_second, 4.0 * static_cast<double>(count), static_cast<double>(max_batch)});
  return std::max<std::int64_t>(std::min<std::int64_t>(256, max_batch), static_cast<std::int64_t>(grown));
}

risk::PathResults run_risk_paths(const RiskSetup& setup, const RiskRunOptions& o,
                                 const std::function<void(std::int64_t)>& on_progress,
                                 const std::function<bool()>& stop_requested) {
  risk::PathResults results(setup.portfolio_names, setup.provider_ids, setup.contract_ids);
  results.reserve(o.paths);
  risk::BatchResults b;
  std::int64_t batch = risk_first_batch(setup, o);
  for (std::int64_t first = 0; first < o.paths;) {
    if (first > 0 && stop_requested && stop_requested()) throw RunStopped();
    const std::int64_t count = std::min(batch, o.paths - first);
    const auto t0 = std::chrono::steady_clock::now();
    risk::evaluate_paths(setup.problem, o.seed, first, count, o.backend, o.threads, b);
    const double took_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    results.append(b);
    first += count;
    if (on_progress) on_progress(first);
    batch = risk_next_batch(setup, o, count, took_s);
  }
  return results;
}

std::string run_risk(const Scenario& sc, const RiskSetup& setup, const RiskRunOptions& o,
                     const std::function<void(std::int64_t)>& on_progress) {
  const risk::PathResults results = run_risk_paths(setup, o, on_progress);
  const risk::RiskMetrics metrics = metrics_of(results, sc, setup, o.threads);
  const risk::RiskProblem& pb = setup.problem;
  const std::string backend_name = o.backend == risk::Backend::cuda ? "cuda" : "cpu-omp";
  const risk::RiskRunInfo info{sc.name,   sc.sha256,     o.paths,     o.seed,        backend_name,
                               o.uncertainty_off, pb.n_days, pb.n_clusters, pb.n_steps, pb.n_providers};
  return risk::risk_json(info, metrics);
}

}  // namespace cloudpact
