// What one optimize evaluation measures: the contracted portfolio's metrics
// that an objective or a constraint may name (docs/reference.md §15), with
// their Monte Carlo standard errors, and the objective and feasibility
// read from them. Pure: no kernel, no I/O.
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "risk/metrics.hpp"
#include "scenario/optimize_spec.hpp"

namespace cloudpact::optimize {

// The metrics in constraint_metric_names() order.
inline constexpr std::size_t kMetricCount = 7;

struct Figures {
  std::array<double, kMetricCount> value{};
  std::array<double, kMetricCount> se{};  // NaN with fewer than 2 paths
  // The metric named as in risk.json ("cost_usd.cvar95"); throws std::out_of_range on another name.
  [[nodiscard]] double metric(std::string_view name) const;
  [[nodiscard]] double se_of(std::string_view name) const;
};

// From risk's own metrics (risk/metrics.hpp), so every figure is the very
// number risk.json reports for the same scenario, seed and paths.
Figures contracted_figures(const risk::RiskMetrics& metrics);

// The objective at these figures: a metric, or mean + λ·CVaR95 of cost.
double objective_value(const Objective& objective, const Figures& figures);

// By how much a constraint is exceeded (its metric − its max; ≤ 0 when it holds).
double excess(const OptimizeConstraint& constraint, const Figures& figures);

bool feasible(std::span<const OptimizeConstraint> constraints, const Figures& figures);

}  // namespace cloudpact::optimize
