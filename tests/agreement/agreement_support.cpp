#include "agreement_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "../sim/replay_in_child.hpp"
#include "risk/problem.hpp"
#include "risk_api.hpp"
#include "scenario/load.hpp"

namespace cloudpact::test {

bool agree(double a, double b, double relative, double absolute) {
  return std::abs(a - b) <= relative * std::max(std::abs(a), std::abs(b)) + absolute;
}

std::int64_t env_int(const char* name, std::int64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoll(v, nullptr, 10) : fallback;
}

Figures summary_figures(const nlohmann::json& s) {
  Figures f;
  for (const char* k : {"spend_usd", "billed_usd", "shortfall_usd", "sla_credits_usd", "egress_usd", "used_gpu_hours",
                        "unmet_gpu_hours", "unmet_value_usd", "npv_spend_usd", "npv_unmet_value_usd"})
    f[std::string("totals.") + k] = s["totals"][k].get<double>();
  // What risk.json reports per portfolio as npv_cost_usd (docs/reference.md §13).
  f["totals.npv_cost_usd"] = f["totals.npv_spend_usd"] + f["totals.npv_unmet_value_usd"];
  for (const auto& [p, v] : s["providers"].items()) {
    f["providers." + p + ".spend_usd"] = v["spend_usd"].get<double>();
    f["providers." + p + ".used_gpu_hours"] = v["used_gpu_hours"].get<double>();
    f["providers." + p + ".npv_spend_usd"] = v["npv_spend_usd"].get<double>();
  }
  for (const auto& [k, v] : s["contracts"].items())
    for (const char* item : {"billed_usd", "shortfall_usd", "sla_credits_usd", "commitment_remaining_usd", "npv_billed_usd"})
      f["contracts." + k + "." + item] = v[item].get<double>();
  return f;
}

Figures replay_figures(const std::string& scenario_text) { return summary_figures(replay_in_child(scenario_text).summary_json()); }

Figures risk_figures(const std::string& scenario_text) {
  const Scenario sc = parse_scenario(scenario_text, "generated.json");
  const RiskSetup setup = build_risk_problem(sc, true);
  risk::BatchResults r;
  risk::evaluate_paths(setup.problem, 1, 0, 1, risk::Backend::cpu, 1, r);
  Figures f;
  f["totals.spend_usd"] = r.spend_usd[0];
  f["totals.billed_usd"] = r.billed_usd[0];
  f["totals.shortfall_usd"] = r.shortfall_usd[0];
  f["totals.sla_credits_usd"] = r.sla_credits_usd[0];
  f["totals.egress_usd"] = r.egress_usd[0];
  f["totals.unmet_gpu_hours"] = r.unmet_gpu_hours[0];
  f["totals.unmet_value_usd"] = r.unmet_value_usd[0];
  f["totals.npv_spend_usd"] = r.npv_spend_usd[0];
  f["totals.npv_unmet_value_usd"] = r.npv_unmet_value_usd[0];
  f["totals.npv_cost_usd"] = r.npv_cost_usd[0];
  double used = 0.0;
  for (size_t p = 0; p < setup.provider_ids.size(); ++p) {
    f["providers." + setup.provider_ids[p] + ".spend_usd"] = r.provider_spend_usd[p];
    f["providers." + setup.provider_ids[p] + ".used_gpu_hours"] = r.provider_used_gpu_hours[p];
    f["providers." + setup.provider_ids[p] + ".npv_spend_usd"] = r.provider_npv_spend_usd[p];
    used += r.provider_used_gpu_hours[p];
  }
  f["totals.used_gpu_hours"] = used;
  for (size_t k = 0; k < setup.contract_ids.size(); ++k) {
    const std::string at = "contracts." + setup.contract_ids[k] + ".";
    f[at + "billed_usd"] = r.contract_billed_usd[k];
    f[at + "shortfall_usd"] = r.contract_shortfall_usd[k];
    f[at + "sla_credits_usd"] = r.contract_sla_credits_usd[k];
    f[at + "commitment_remaining_usd"] = r.contract_commitment_remaining_usd[k];
    f[at + "npv_billed_usd"] = r.contract_npv_billed_usd[k];
  }
  return f;
}

std::map<std::string, Figures> risk_portfolio_figures(const std::string& scenario_text) {
  const Scenario sc = parse_scenario(scenario_text, "generated.json");
  const RiskSetup setup = build_risk_problem(sc, true);
  risk::BatchResults r;
  risk::evaluate_paths(setup.problem, 1, 0, 1, risk::Backend::cpu, 1, r);
  std::map<std::string, Figures> by_portfolio;
  for (size_t q = 0; q < setup.portfolio_names.size(); ++q) {
    Figures& f = by_portfolio[setup.portfolio_names[q]];
    f["cost_usd"] = r.cost_usd[q];
    f["spend_usd"] = r.spend_usd[q];
    f["unmet_gpu_hours"] = r.unmet_gpu_hours[q];
    f["npv_cost_usd"] = r.npv_cost_usd[q];
    if (!setup.rofr_holder.empty()) {
      f["holder_spend_usd"] = r.holder_spend_usd[q];
      f["holder_npv_spend_usd"] = r.holder_npv_spend_usd[q];
    }
  }
  return by_portfolio;
}

Figures risk_json_figures(const nlohmann::json& j) {
  const nlohmann::json& b = j["breakdown"];
  Figures f;
  for (const auto& [k, v] : b["totals"].items()) f["totals." + k] = v["mean"].get<double>();
  f["totals.spend_usd"] = j["portfolios"]["contracted"]["spend_usd"]["mean"].get<double>();
  f["totals.unmet_gpu_hours"] = j["portfolios"]["contracted"]["unmet_gpu_hours"]["mean"].get<double>();
  f["totals.npv_cost_usd"] = j["portfolios"]["contracted"]["npv_cost_usd"]["mean"].get<double>();
  double used = 0.0;
  for (const auto& [p, v] : b["providers"].items()) {
    f["providers." + p + ".spend_usd"] = v["spend_usd"]["mean"].get<double>();
    f["providers." + p + ".used_gpu_hours"] = v["used_gpu_hours"]["mean"].get<double>();
    f["providers." + p + ".npv_spend_usd"] = v["npv_spend_usd"]["mean"].get<double>();
    used += v["used_gpu_hours"]["mean"].get<double>();
  }
  f["totals.used_gpu_hours"] = used;
  for (const auto& [k, v] : b["contracts"].items())
    for (const auto& [item, x] : v.items()) f["contracts." + k + "." + item] = x["mean"].get<double>();
  return f;
}

}  // namespace cloudpact::test
