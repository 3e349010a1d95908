// Builds a kernel::View from a RiskProblem, mapping every array through
// `place` (identity on the CPU, a copy to device memory for CUDA).
#pragma once

#include "path_model.inl"

namespace cloudpact::risk::kernel {

template <class Place>
View make_view(const RiskProblem& pb, Place&& place) {
  View v{};
  v.n_steps = pb.n_steps;
  v.n_days = pb.n_days;
  v.n_months = pb.n_months;
  v.n_clusters = pb.n_clusters;
  v.n_providers = pb.n_providers;
  v.n_regions = pb.n_regions;
  v.n_contracts = pb.n_contracts;
  v.n_periods = static_cast<int>(pb.period_contract.size());
  v.n_inference = pb.n_inference;
  v.n_jobs = pb.n_jobs;
  v.n_items = static_cast<int>(pb.service_items.size());
  v.n_portfolios = static_cast<int>(pb.portfolio_providers.size());
  v.horizon_s = pb.horizon_s;
  v.step_start_s = place(pb.step_start_s);
  v.step_len_s = place(pb.step_len_s);
  v.step_day = place(pb.step_day);
  v.step_month = place(pb.step_month);
  v.cluster_provider = place(pb.cluster_provider);
  v.cluster_region = place(pb.cluster_region);
  v.cluster_h100_equiv = place(pb.cluster_h100_equiv);
  v.provider_egress_usd_per_gb = place(pb.provider_egress_usd_per_gb);
  v.cap_step = place(pb.cap_step);
  v.cap_day = place(pb.cap_day);
  v.loss_step = place(pb.loss_step);
  v.contract_step = place(pb.contract_step);
  v.on_demand_price_step = place(pb.on_demand_price_step);
  v.contract_provider = place(pb.contract_provider);
  v.contract_reserved = place(pb.contract_reserved);
  v.contract_end_step = place(pb.contract_end_step);
  v.contract_n_tiers = place(pb.contract_n_tiers);
  v.contract_price_step = place(pb.contract_price_step);
  v.contract_commitment_usd = place(pb.contract_commitment_usd);
  v.tier_below_pct = place(pb.tier_below_pct);
  v.tier_credit_pct = place(pb.tier_credit_pct);
  v.contract_exit_fee_pct = place(pb.contract_exit_fee_pct);
  v.period_contract = place(pb.period_contract);
  v.period_end_step = place(pb.period_end_step);
  v.period_min_usd = place(pb.period_min_usd);
  v.step_closes = place(pb.step_closes);
  v.inference_providers = place(pb.inference_providers);
  v.inference_value_usd_per_gpu_hour = place(pb.inference_value_usd_per_gpu_hour);
  v.demand_step = place(pb.demand_step);
  v.job_providers = place(pb.job_providers);
  v.job_submit_s = place(pb.job_submit_s);
  v.job_gpus = place(pb.job_gpus);
  v.job_work_s = place(pb.job_work_s);
  v.job_checkpoint_s = place(pb.job_checkpoint_s);
  v.job_restart_s = place(pb.job_restart_s);
  v.job_dataset_gb = place(pb.job_dataset_gb);
  v.service_items = place(pb.service_items);
  v.placement = pb.placement;
  v.vendor = pb.vendor;
  v.inference_provider_rank = place(pb.inference_provider_rank);
  v.job_provider_rank = place(pb.job_provider_rank);
  v.region_outages = place(pb.region_outages);
  v.provider_prices = place(pb.provider_prices);
  v.demand_vol_per_year = pb.demand_vol_per_year;
  v.delivery_p_on_time = pb.delivery_p_on_time;
  v.delay_lognormal = pb.delay_lognormal;
  v.delay_median_days = pb.delay_median_days;
  v.delay_sigma = pb.delay_sigma;
  v.delay_fixed_days = pb.delay_fixed_days;
  v.portfolio_providers = place(pb.portfolio_providers);
  return v;
}

inline void size_results(BatchResults& out, const RiskProblem& pb, std::int64_t first_path, std::int64_t count) {
  out.first_path = first_path;
  out.count = count;
  out.n_portfolios = static_cast<int>(pb.portfolio_providers.size());
  out.n_providers = pb.n_providers;
  const auto np = static_cast<size_t>(out.n_portfolios) * static_cast<size_t>(count);
  const auto nq = static_cast<size_t>(pb.n_providers) * static_cast<size_t>(count);
  out.cost_usd.assign(np, 0.0);
  out.spend_usd.assign(np, 0.0);
  out.unmet_gpu_hours.assign(np, 0.0);
  out.provider_spend_usd.assign(nq, 0.0);
  out.provider_used_gpu_hours.assign(nq, 0.0);
  out.provider_exit_cost_usd.assign(nq, 0.0);
}

}  // namespace cloudpact::risk::kernel
