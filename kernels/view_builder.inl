// Builds a kernel::View from a RiskProblem, mapping every array through
// `place` (identity on the CPU, a copy to device memory for CUDA).
#pragma once

#include <cstring>
#include <utility>
#include <vector>

#include "path_model.inl"

namespace cloudpact::risk::kernel {

// What the kernels derive from a problem once, whatever the path: per step
// and cluster the GPUs available and the marginal price (none moved by a
// path: no delivery delay, rofr share or price multiplier), and per step
// the clusters sold, sold under a reserved contract, and sold on demand
// (bit c); and the discount factor of what falls due at each step's start
// and at the horizon (due_discount_at: a power a month per portfolio
// otherwise). Derived here, not kept in RiskProblem, so that they always
// follow its arrays (tests edit a problem).
struct StepTables {
  std::vector<double> avail_step, marginal_step;                        // [step * n_clusters + cluster]
  std::vector<std::uint64_t> sold_step, reserved_step, on_demand_step;  // [step]
  std::vector<std::uint64_t> empty_step;  // [step]: bit c, cluster c is sold with no physical GPUs
  std::vector<std::uint8_t> marginal_kept_step;  // [step]: View::marginal_kept_step
  std::vector<double> due_discount_step;                                // [step], then the horizon
  std::vector<int> inference_items;  // View::inference_items
};

inline StepTables step_tables(const RiskProblem& pb) {
  StepTables t;
  const auto n_steps = static_cast<size_t>(pb.n_steps), n_clusters = static_cast<size_t>(pb.n_clusters);
  t.avail_step.assign(n_steps * n_clusters, 0.0);
  t.marginal_step.assign(n_steps * n_clusters, 0.0);
  t.sold_step.assign(n_steps, 0);
  t.reserved_step.assign(n_steps, 0);
  t.on_demand_step.assign(n_steps, 0);
  t.empty_step.assign(n_steps, 0);
  for (size_t s = 0; s < n_steps; ++s)
    for (size_t c = 0; c < n_clusters; ++c) {
      const size_t ci = s * n_clusters + c;
      const auto seller = static_cast<rules::Seller>(pb.seller_step[ci]);
      if (seller == rules::Seller::none) continue;
      const std::uint64_t bit = std::uint64_t{1} << c;
      const double eq = pb.cluster_h100_equiv[c];
      t.avail_step[ci] = rules::available_gpus(pb.cap_step[ci], eq, pb.loss_step[ci]);
      t.sold_step[s] |= bit;
      if (pb.cap_step[ci] == 0.0) t.empty_step[s] |= bit;
      if (seller == rules::Seller::reserved_contract) t.reserved_step[s] |= bit;
      if (seller == rules::Seller::on_demand)
        t.on_demand_step[s] |= bit;  // the path's multiplier moves it (PortfolioRun::share_step)
      else
        t.marginal_step[ci] = rules::marginal_usd_per_gpu_hour(seller, pb.seller_price_step[ci], eq);
    }
  // Bitwise equality (memcmp): a price that changed only its sign of zero
  // counts as changed, which at worst checks the whole order.
  t.marginal_kept_step.assign(n_steps, 0);
  for (size_t s = 1; s < n_steps; ++s)
    t.marginal_kept_step[s] = t.sold_step[s] == t.sold_step[s - 1] && t.on_demand_step[s] == t.on_demand_step[s - 1] &&
                              std::memcmp(&t.marginal_step[s * n_clusters], &t.marginal_step[(s - 1) * n_clusters],
                                          n_clusters * sizeof(double)) == 0;
  for (size_t it = 0; it < pb.service_items.size(); ++it)
    if (pb.service_items[it] >= 0) t.inference_items.push_back(static_cast<int>(it));
  t.due_discount_step.resize(n_steps + 1);
  for (size_t s = 0; s <= n_steps; ++s)
    t.due_discount_step[s] = due_discount_at(s == n_steps ? pb.horizon_s : pb.step_start_s[s], pb.discount_rate_per_year);
  return t;
}

template <class Place>
View make_view(const RiskProblem& pb, const StepTables& tables, Place&& place) {
  View v{};
  v.n_steps = pb.n_steps;
  v.n_days = pb.n_days;
  v.n_months = pb.n_months;
  v.n_clusters = pb.n_clusters;
  v.n_providers = pb.n_providers;
  v.n_regions = pb.n_regions;
  v.n_contracts = pb.n_contracts;
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
  v.cap_first_day = pb.cap_first_day;
  v.n_cap_days = pb.n_cap_days;
  v.seller_step = place(pb.seller_step);
  v.contract_step = place(pb.contract_step);
  v.seller_price_step = place(pb.seller_price_step);
  v.avail_step = place(tables.avail_step);
  v.due_discount_step = place(tables.due_discount_step);
  v.marginal_step = place(tables.marginal_step);
  v.sold_step = place(tables.sold_step);
  v.reserved_step = place(tables.reserved_step);
  v.on_demand_step = place(tables.on_demand_step);
  v.empty_step = place(tables.empty_step);
  v.marginal_kept_step = place(tables.marginal_kept_step);
  v.jobs_fit_empty = 0;
  for (const double gpus : pb.job_gpus)
    if (rules::fits(0.0, gpus)) v.jobs_fit_empty = 1;
  v.contract_provider = place(pb.contract_provider);
  v.contract_end_step = place(pb.contract_end_step);
  v.contract_n_tiers = place(pb.contract_n_tiers);
  v.contract_tiers = place(pb.contract_tiers);
  v.contract_commitment_usd = place(pb.contract_commitment_usd);
  v.contract_exit_fee_pct = place(pb.contract_exit_fee_pct);
  v.contract_reserved = place(pb.contract_reserved);
  v.contract_first_period = place(pb.contract_first_period);
  v.contract_n_periods = place(pb.contract_n_periods);
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
  v.inference_items = place(tables.inference_items);
  v.placement = pb.placement;
  v.vendor = pb.vendor;
  v.track_contracted_use = pb.track_contracted_use ? 1 : 0;
  v.inference_provider_rank = place(pb.inference_provider_rank);
  v.job_provider_rank = place(pb.job_provider_rank);
  v.region_outages = place(pb.region_outages);
  v.provider_prices = place(pb.provider_prices);
  v.demand_vol_per_year = pb.demand_vol_per_year;
  v.demand_log_multiplier_bound = pb.demand_log_multiplier_bound;
  v.delivery_p_on_time = pb.delivery_p_on_time;
  v.delivery_clusters = pb.delivery_clusters;
  v.delay_lognormal = pb.delay_lognormal;
  v.delay_median_days = pb.delay_median_days;
  v.delay_sigma = pb.delay_sigma;
  v.delay_fixed_days = pb.delay_fixed_days;
  v.portfolio_providers = place(pb.portfolio_providers);
  v.portfolio_off = place(pb.portfolio_off);
  v.region_provider = place(pb.region_provider);
  v.prices_correlated = pb.prices_correlated;
  v.price_loadings = place(pb.price_loadings);
  v.delivery_copula = pb.delivery_copula;
  v.delivery_common = pb.delivery_common;
  v.delivery_late_threshold = pb.delivery_late_threshold;
  v.delay_normal_bound = pb.delay_normal_bound;
  v.n_zones = static_cast<int>(pb.zone_outages.size());
  v.zone_outages = place(pb.zone_outages);
  v.region_zones = place(pb.region_zones);
  v.discount_rate_per_year = pb.discount_rate_per_year;
  v.n_offers = pb.n_offers;
  v.rofr_holder = pb.rofr_holder;
  v.rofr_match_share = pb.rofr_match_share;
  v.rofr_match_probability = pb.rofr_match_probability;
  v.cluster_offer = place(pb.cluster_offer);
  v.contract_offer = place(pb.contract_offer);
  v.offer_start_step = place(pb.offer_start_step);
  v.cluster_holder_part = place(pb.cluster_holder_part);
  v.contract_holder_part = place(pb.contract_holder_part);
  v.portfolio_no_rofr = place(pb.portfolio_no_rofr);
  v.portfolio_lifted = place(pb.portfolio_lifted);
  v.lifted_until_step = pb.lifted_until_step;
  v.regions_with_clusters = 0;
  for (const int r : pb.cluster_region) v.regions_with_clusters |= std::uint64_t{1} << r;
  const std::uint64_t all_regions = pb.n_regions >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << pb.n_regions) - 1;
  v.regions_without_clusters = all_regions & ~v.regions_with_clusters;
  // fork_step's input: where each provider first sells a cluster or first
  // closes a bill of a contract billed for use (a reserved contract's
  // accounts are the variant's ledger's, the same for every portfolio).
  for (int p = 0; p < kMaxProviders; ++p) v.provider_first_change_step[p] = pb.n_steps;
  auto change_at = [&](int p, int s) {
    if (s < v.provider_first_change_step[p]) v.provider_first_change_step[p] = s;
  };
  for (int s = 0; s < pb.n_steps; ++s)
    for (int c = 0; c < pb.n_clusters; ++c)
      if (static_cast<rules::Seller>(pb.seller_step[static_cast<size_t>(s) * static_cast<size_t>(pb.n_clusters) +
                                                    static_cast<size_t>(c)]) != rules::Seller::none)
        change_at(pb.cluster_provider[static_cast<size_t>(c)], s);
  for (int k = 0; k < pb.n_contracts; ++k) {
    const auto kk = static_cast<size_t>(k);
    if (pb.contract_reserved[kk]) continue;
    change_at(pb.contract_provider[kk], pb.contract_end_step[kk]);  // n_steps + 1: after the horizon
    for (int i = 0; i < pb.contract_n_periods[kk]; ++i)
      change_at(pb.contract_provider[kk], pb.period_end_step[static_cast<size_t>(pb.contract_first_period[kk] + i)]);
  }
  return v;
}

inline void size_results(BatchResults& out, const RiskProblem& pb, std::int64_t first_path, std::int64_t count) {
  out.first_path = first_path;
  out.count = count;
  out.n_portfolios = static_cast<int>(pb.portfolio_providers.size());
  out.n_providers = pb.n_providers;
  out.n_contracts = pb.n_contracts;
  const auto n = static_cast<size_t>(count);
  const auto np = static_cast<size_t>(out.n_portfolios) * n;
  const auto nq = static_cast<size_t>(pb.n_providers) * n;
  const auto nk = static_cast<size_t>(pb.n_contracts) * n;
  for (auto* v : {&out.cost_usd, &out.spend_usd, &out.unmet_gpu_hours, &out.npv_cost_usd, &out.holder_spend_usd,
                  &out.holder_npv_spend_usd})
    v->assign(np, 0.0);
  for (auto* v : {&out.provider_spend_usd, &out.provider_used_gpu_hours, &out.provider_exit_cost_usd,
                  &out.provider_npv_spend_usd})
    v->assign(nq, 0.0);
  for (auto* v : {&out.billed_usd, &out.shortfall_usd, &out.sla_credits_usd, &out.egress_usd, &out.unmet_value_usd,
                  &out.clamped_multiplier_days, &out.npv_spend_usd, &out.npv_unmet_value_usd})
    v->assign(n, 0.0);
  for (auto* v : {&out.contract_billed_usd, &out.contract_shortfall_usd, &out.contract_sla_credits_usd,
                  &out.contract_commitment_remaining_usd, &out.contract_npv_billed_usd})
    v->assign(nk, 0.0);
}

// Every result array of a batch with the number of rows of `count` paths it
// holds, in one fixed order: backends move them as a list.
inline std::vector<std::pair<std::vector<double>*, int>> result_rows(BatchResults& out) {
  return {{&out.cost_usd, out.n_portfolios},
          {&out.spend_usd, out.n_portfolios},
          {&out.unmet_gpu_hours, out.n_portfolios},
          {&out.provider_spend_usd, out.n_providers},
          {&out.provider_used_gpu_hours, out.n_providers},
          {&out.provider_exit_cost_usd, out.n_providers},
          {&out.billed_usd, 1},
          {&out.shortfall_usd, 1},
          {&out.sla_credits_usd, 1},
          {&out.egress_usd, 1},
          {&out.unmet_value_usd, 1},
          {&out.clamped_multiplier_days, 1},
          {&out.contract_billed_usd, out.n_contracts},
          {&out.contract_shortfall_usd, out.n_contracts},
          {&out.contract_sla_credits_usd, out.n_contracts},
          {&out.contract_commitment_remaining_usd, out.n_contracts},
          {&out.npv_cost_usd, out.n_portfolios},
          {&out.provider_npv_spend_usd, out.n_providers},
          {&out.npv_spend_usd, 1},
          {&out.npv_unmet_value_usd, 1},
          {&out.contract_npv_billed_usd, out.n_contracts},
          {&out.holder_spend_usd, out.n_portfolios},
          {&out.holder_npv_spend_usd, out.n_portfolios}};
}

// An OutView over the arrays in result_rows order (host or device memory).
inline OutView out_view(std::int64_t count, const std::vector<double*>& a) {
  return {count, a[0],  a[1],  a[2],  a[3],  a[4],  a[5],  a[6],  a[7],  a[8],  a[9], a[10],
          a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21], a[22]};
}

}  // namespace cloudpact::risk::kernel
