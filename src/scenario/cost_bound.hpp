// How large a scenario's numbers can get (docs/reference.md §9.3): the
// quantities that the validator bounds because several fields make them
// together (a training job's running time, overlapping demand shocks, a
// price after its price changes, the sampled multipliers, the longest
// sampled delay, sampled outages per region), and the worst case of one
// Monte Carlo path, which `risk` must be able to total in fixed point
// (limits::max_path_value). Pure functions of a validated Scenario.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace cloudpact {

inline constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

// The horizon in years of 365.25 days, and in hours.
double horizon_years(const Scenario& sc);
double horizon_hours(const Scenario& sc);

// A training job's uninterrupted running time, flops / (gpus × 989e12 × mfu), in years.
double training_years(const Workload& w);

// The highest a price (per physical GPU-hour) reaches: its base (the curve's
// maximum, or the on-demand price; 0 when not for sale) through every price
// change in date order (a new price replaces it, a factor multiplies it).
// `first_over`: the index in sc.price_changes of the first change that takes
// it above `cap`, kNone when none does.
struct PriceReach {
  double max_usd_per_gpu_hour = 0.0;
  std::size_t first_over = kNone;
};
// Per contract, in file order.
std::vector<PriceReach> contract_price_reaches(const Scenario& sc, double cap);
// Per provider (file order), per accelerator its clusters use or it prices.
std::vector<std::map<std::string, PriceReach>> on_demand_price_reaches(const Scenario& sc, double cap);

// The largest product of the demand shocks of one inference workload that
// hold at one instant (overlapping shocks multiply), and the index in
// sc.demand_shocks of the first shock whose start takes it above `cap`.
struct ShockReach {
  double max_product = 1.0;
  std::size_t first_over = kNone;
  double product_over = 0.0;  // the product from that shock's start, multiplied out exactly
};
// Per workload, in file order (a training workload has none: product 1).
std::vector<ShockReach> demand_shock_reaches(const Scenario& sc, double cap);

// The natural log of a bound that the sampled multiplier exceeds, on any
// day of a horizon of `years`, with probability below
// e^-limits::multiplier_tail_log (1e-23): the Chernoff bound of the log
// multiplier, whose distribution is exact (docs/reference.md §4.2):
//   prices: (μ − σ²/2 − λk)·t + σ·W_t + Poisson(λt) jumps ~ N(m, s²), m = ln(1 + jump_mean_pct/100),
//           s = jump_sd_pct/100, k = e^(m + s²/2) − 1;
//   demand: −σ²t/2 + σ·W_t.
// A path beyond it is never seen in practice; a clamp of the kernels' log
// multipliers at it would make it certain (see the report of issue 8).
double price_log_multiplier_bound(const PriceModel& m, double years);
double demand_log_multiplier_bound(double vol_per_year, double years);

// The longest delivery delay any path can draw, in days: `value` (fixed) or
// median·exp(sigma·limits::max_abs_normal) (lognormal; no normal draw of the
// kernels is larger, the delivery copula's mix included: it is clamped
// there); 0 when every delivery is on time.
double max_sampled_delay_days(const Uncertainty& u);

// The JSON pointer of the field a bound term comes from, and how the term
// is made ("1e+09 GPUs for 26280 h at up to 12 USD per GPU-hour").
struct BoundText {
  std::string pointer, detail;
};
// One contribution to the worst case of a path: its size, and its text,
// written only for the term a message names (a large scenario has a term
// per workload, and formatting each one's numbers took a tenth of loading
// it).
struct BoundTerm {
  double value = 0.0;
  std::function<BoundText()> text;
};

// The worst case of one Monte Carlo path, in every portfolio (docs/reference.md §9.3):
//   money (USD): every cluster's peak physical capacity over the whole horizon at the highest price it can be
//     billed at (its contracts' prices after price changes, its on-demand price after price changes times the
//     price multiplier bound), plus every contract's commitment and yearly minimum over the years the horizon
//     touches, plus each training job's dataset egress at its providers' highest egress price on every restart
//     a path can have, plus the value of every inference workload's peak demand (times its shock product and
//     the demand multiplier bound) going unmet all the time;
//   GPU-hours (H100-equivalent): every cluster's peak capacity over the horizon (what can be used), or every
//     inference workload's peak demand as above (what can go unmet), whichever is larger.
// Spend, cost, unmet demand and every per-provider and per-contract figure of
// a path lie below these. Requires the derived bounds above to hold (they are
// checked first).
struct PathBound {
  double money_usd = 0.0;
  double used_gpu_hours = 0.0, unmet_gpu_hours = 0.0;  // the GPU-hour bound is the larger
  std::vector<BoundTerm> money_terms, used_terms, unmet_terms;
};
PathBound worst_case_path(const Scenario& sc);

}  // namespace cloudpact
