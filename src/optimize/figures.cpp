#include "optimize/figures.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace cloudpact::optimize {

namespace {

std::size_t index_of(std::string_view name) {
  const std::vector<std::string>& names = constraint_metric_names();
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) throw std::out_of_range("no optimize metric " + std::string(name));
  return static_cast<std::size_t>(it - names.begin());
}

}  // namespace

double Figures::metric(std::string_view name) const { return value[index_of(name)]; }
double Figures::se_of(std::string_view name) const { return se[index_of(name)]; }

Figures contracted_figures(const risk::RiskMetrics& m) {
  const auto contracted = std::find_if(m.portfolios.begin(), m.portfolios.end(),
                                       [](const risk::PortfolioMetrics& p) { return p.name == "contracted"; });
  if (contracted == m.portfolios.end()) throw std::invalid_argument("optimize needs the \"contracted\" portfolio");
  const risk::PortfolioMetrics& c = *contracted;
  Figures f;
  // constraint_metric_names() order.
  const std::array<std::pair<double, double>, kMetricCount> pairs = {{
      {c.p_unmet, c.se_p_unmet},
      {c.unmet_gpu_hours.mean, c.unmet_gpu_hours.se_mean},
      {c.cost_usd.mean, c.cost_usd.se_mean},
      {c.cost_usd.cvar95, c.cost_usd.se_cvar95},
      {c.npv_cost_usd.mean, c.npv_cost_usd.se_mean},
      {c.npv_cost_usd.cvar95, c.npv_cost_usd.se_cvar95},
      {m.hhi_spend.mean, m.hhi_spend.se_mean},
  }};
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    f.value[i] = pairs[i].first;
    f.se[i] = pairs[i].second;
  }
  return f;
}

double objective_value(const Objective& o, const Figures& f) {
  switch (o.kind) {
    case ObjectiveKind::cost_mean:
      return f.metric("cost_usd.mean");
    case ObjectiveKind::cost_cvar95:
      return f.metric("cost_usd.cvar95");
    case ObjectiveKind::npv_cost_mean:
      return f.metric("npv_cost_usd.mean");
    case ObjectiveKind::npv_cost_cvar95:
      return f.metric("npv_cost_usd.cvar95");
    case ObjectiveKind::mean_plus_cvar95:
      return f.metric("cost_usd.mean") + o.lambda * f.metric("cost_usd.cvar95");
  }
  return 0.0;
}

double excess(const OptimizeConstraint& c, const Figures& f) { return f.metric(c.metric) - c.max; }

bool feasible(std::span<const OptimizeConstraint> constraints, const Figures& f) {
  return std::all_of(constraints.begin(), constraints.end(),
                     [&](const OptimizeConstraint& c) { return excess(c, f) <= 0.0; });
}

}  // namespace cloudpact::optimize
