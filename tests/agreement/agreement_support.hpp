// What the engine-agreement suites share: both engines on one scenario text,
// and the figures they must agree on, named as in summary.json.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace cloudpact::test {

// An integer from the environment (CLOUDPACT_AGREEMENT_CASES, _SEED: how many
// generated scenarios a suite runs, and from which seed), else `fallback`.
std::int64_t env_int(const char* name, std::int64_t fallback);

// Whether two engines' figures agree: within `relative` of the larger, plus
// `absolute` (in the figure's unit) for figures that are 0 in one engine and
// rounding noise in the other.
bool agree(double a, double b, double relative, double absolute);

// Figures by dotted summary.json path ("totals.spend_usd",
// "providers.P.spend_usd", "contracts.K.shortfall_usd", ...).
using Figures = std::map<std::string, double>;

// The replay's figures (run in a forked child: one SimGrid engine per process).
Figures replay_figures(const std::string& scenario_text);

// The Monte Carlo path model's figures for one path with every uncertainty
// off (`risk --uncertainty-off --paths 1`), straight from the kernel: no
// fixed-point rounding.
Figures risk_figures(const std::string& scenario_text);

// Every portfolio's figures of the same run (docs/reference.md §6.1), by
// portfolio name: "cost_usd", "spend_usd", "unmet_gpu_hours",
// "npv_cost_usd" and, with a right of first refusal, the holder's
// "holder_spend_usd" and "holder_npv_spend_usd".
std::map<std::string, Figures> risk_portfolio_figures(const std::string& scenario_text);

// The same figures read from summary.json and from risk.json's breakdown
// (means rounded to hundredths by risk's fixed-point sums).
Figures summary_figures(const nlohmann::json& summary);
Figures risk_json_figures(const nlohmann::json& risk);

}  // namespace cloudpact::test
