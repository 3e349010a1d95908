#include "risk/risk_json.hpp"

#include <cmath>
#include <optional>

#include <nlohmann/json.hpp>

#include "cloudpact_version.h"
#include "report/json_value.hpp"

namespace cloudpact::risk {

namespace {

using ojson = nlohmann::ordered_json;

ojson num(double v) { return json_value(v); }

ojson num(const std::optional<double>& v) { return v ? num(*v) : ojson(nullptr); }

// The se_p* keys come after the earlier ones, which keep their place and bytes.
ojson distribution(const Summary& s) {
  return ojson{{"mean", num(s.mean)},       {"p50", num(s.p50)},         {"p95", num(s.p95)},
               {"p99", num(s.p99)},         {"cvar95", num(s.cvar95)},   {"se_mean", num(s.se_mean)},
               {"se_cvar95", num(s.se_cvar95)}, {"se_p50", num(s.se_p50)}, {"se_p95", num(s.se_p95)},
               {"se_p99", num(s.se_p99)}};
}

// Additive to docs/reference.md §6: the fixed-bin histogram behind the quantiles, for plots.
ojson histogram(const Histogram& h) {
  ojson edges = ojson::array(), counts = ojson::array();
  for (const double e : h.edges) edges.push_back(num(e));
  for (const std::int64_t c : h.counts) counts.push_back(c);
  return ojson{{"edges_usd", edges}, {"counts", counts}};
}

ojson cost_distribution(const PortfolioMetrics& p) {
  ojson d = distribution(p.cost_usd);
  d["histogram"] = histogram(p.cost_histogram);
  return d;
}

ojson mean_se(const MeanSe& v) { return ojson{{"mean", num(v.mean)}, {"se_mean", num(v.se_mean)}}; }

// The contracted portfolio item by item, under the names summary.json uses
// for the replay (additive to the spec's risk.json).
ojson breakdown(const Breakdown& b) {
  ojson totals = ojson::object();
  for (int i = 0; i < kSpendItems; ++i) totals[kSpendItemNames[i]] = mean_se(b.items[i]);
  ojson providers = ojson::object();
  for (const ProviderBreakdown& p : b.providers)
    providers[p.id] = {{"spend_usd", mean_se(p.spend_usd)},
                       {"used_gpu_hours", mean_se(p.used_gpu_hours)},
                       {"npv_spend_usd", mean_se(p.npv_spend_usd)}};
  ojson contracts = ojson::object();
  for (const ContractBreakdown& c : b.contracts) {
    ojson o = ojson::object();
    for (int i = 0; i < kContractItems; ++i) o[kContractItemNames[i]] = mean_se(c.items[i]);
    contracts[c.id] = std::move(o);
  }
  return ojson{{"portfolio", "contracted"}, {"totals", totals}, {"providers", providers}, {"contracts", contracts}};
}

}  // namespace

std::string risk_json(const RiskRunInfo& info, const RiskMetrics& m) {
  ojson j;
  j["scenario"] = info.scenario;
  j["cloudpact_version"] = CLOUDPACT_VERSION;
  j["scenario_sha256"] = info.scenario_sha256;
  j["paths"] = info.paths;
  j["seed"] = info.seed;
  j["backend"] = info.backend;
  j["uncertainty_off"] = info.uncertainty_off;
  j["problem"] = {{"days", info.days}, {"clusters", info.clusters}, {"steps", info.steps}, {"providers", info.providers}};

  ojson portfolios = ojson::object();
  for (const PortfolioMetrics& p : m.portfolios) {
    portfolios[p.name] = {
        {"cost_usd", cost_distribution(p)},
        {"unmet_gpu_hours",
         {{"mean", num(p.unmet_gpu_hours.mean)},
          {"p95", num(p.unmet_gpu_hours.p95)},
          {"se_mean", num(p.unmet_gpu_hours.se_mean)},
          {"se_p95", num(p.unmet_gpu_hours.se_p95)}}},
        {"spend_usd", {{"mean", num(p.spend_usd.mean)}, {"se_mean", num(p.spend_usd.se_mean)}}},
        {"p_unmet", num(p.p_unmet)},
        {"unmet_paths", p.unmet_paths},
        {"se_p_unmet", num(p.se_p_unmet)},
        // docs/reference.md §13: present value at the start, path by path.
        {"npv_cost_usd", distribution(p.npv_cost_usd)},
    };
  }
  j["portfolios"] = portfolios;

  // HHI of the contracted portfolio's spend, per path (0–10000).
  j["hhi_spend"] = {{"mean", num(m.hhi_spend.mean)},
                    {"p50", num(m.hhi_spend.p50)},
                    {"p95", num(m.hhi_spend.p95)},
                    {"se_mean", num(m.hhi_spend.se_mean)},
                    {"se_p50", num(m.hhi_spend.se_p50)},
                    {"se_p95", num(m.hhi_spend.se_p95)}};

  ojson lock_in = ojson::object();
  for (const LockInMetrics& l : m.lock_in) {
    // The se_* keys come last: earlier keys keep their place and bytes.
    lock_in[l.provider] = {{"exit_cost_usd", num(l.exit_cost_usd)},
                           {"cost_of_lock_in_usd", num(l.cost_of_lock_in_usd)},
                           {"se_exit_cost_usd", num(l.se_exit_cost_usd)},
                           {"se_cost_of_lock_in_usd", num(l.se_cost_of_lock_in_usd)}};
  }
  j["lock_in"] = lock_in;

  ojson leverage = ojson::object();
  for (const LeverageMetrics& l : m.leverage) {
    leverage[l.provider] = {{"batna_usd_per_gpu_hour", num(l.batna_usd_per_gpu_hour)},
                            {"nash_price_usd_per_gpu_hour", num(l.nash_price_usd_per_gpu_hour)},
                            {"contract_price_usd_per_gpu_hour", num(l.contract_price_usd_per_gpu_hour)},
                            {"seller_floor_usd_per_gpu_hour", num(l.seller_floor_usd_per_gpu_hour)},
                            {"floor_assumed", l.floor_assumed},
                            {"buyer_power", num(m.buyer_power)},
                            {"se_batna_usd_per_gpu_hour", num(l.se_batna_usd_per_gpu_hour)},
                            {"se_nash_price_usd_per_gpu_hour", num(l.se_nash_price_usd_per_gpu_hour)},
                            {"se_contract_price_usd_per_gpu_hour", num(l.se_contract_price_usd_per_gpu_hour)}};
  }
  j["leverage"] = leverage;
  j["breakdown"] = breakdown(m.breakdown);
  // Sampled price and demand multipliers are capped at the bound validation
  // computes the worst case of a path with (docs/reference.md §4.2, §9.3):
  // how many path-days met it, so that it is never met silently.
  j["multiplier_clamp"] = {{"path_days", m.clamped_multiplier_days}};
  if (m.rofr) {
    // docs/reference.md §14: contracted against no_rofr, paired path by path.
    const RofrMetrics& f = *m.rofr;
    j["rofr"] = {{"holder", f.terms.holder},
                 {"contracts_offered", f.terms.contracts_offered},
                 {"match_probability", num(f.terms.match_probability)},
                 {"holder_spend_usd", num(f.holder_spend_usd)},
                 {"holder_spend_no_rofr_usd", num(f.holder_spend_no_rofr_usd)},
                 {"value_to_holder_usd", num(f.value_to_holder_usd)},
                 {"buyer_cost_usd", num(f.buyer_cost_usd)},
                 {"buyer_cost_no_rofr_usd", num(f.buyer_cost_no_rofr_usd)},
                 {"cost_to_buyer_usd", num(f.cost_to_buyer_usd)},
                 {"se_value_to_holder_usd", num(f.se_value_to_holder_usd)},
                 {"se_cost_to_buyer_usd", num(f.se_cost_to_buyer_usd)},
                 {"npv_value_to_holder_usd", num(f.npv_value_to_holder_usd)},
                 {"npv_cost_to_buyer_usd", num(f.npv_cost_to_buyer_usd)},
                 {"se_npv_value_to_holder_usd", num(f.se_npv_value_to_holder_usd)},
                 {"se_npv_cost_to_buyer_usd", num(f.se_npv_cost_to_buyer_usd)}};
  }
  if (m.sensitivity) {
    // docs/reference.md §12: by |cvar95_delta_usd|, largest first.
    ojson sources = ojson::array();
    for (const SourceSensitivity& s : m.sources)
      sources.push_back({{"source", s.source},
                         {"mean_delta_usd", num(s.mean_delta_usd)},
                         {"p95_delta_usd", num(s.p95_delta_usd)},
                         {"cvar95_delta_usd", num(s.cvar95_delta_usd)},
                         {"se_mean_delta_usd", num(s.se_mean_delta_usd)}});
    j["sensitivity"] = {{"portfolio", "contracted"}, {"sources", sources}};
  }
  return j.dump(2) + "\n";
}

}  // namespace cloudpact::risk
