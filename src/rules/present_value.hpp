// Money over time (docs/reference.md §13): what an amount due at a dated
// instant is worth at the scenario's start. The replay discounts its ledger
// rows, the path model the same amounts at the same instants (a month's
// invoices and on-demand bill at its end, a term's last invoice at its end,
// shortfalls and credits when they close, egress when the data moves, a
// month's unmet demand at its end): both call these.
#pragma once

#include <math.h>

#include "rules/hd.hpp"

namespace cloudpact::rules {

// The year of the discounting, as of interest rates: 365.25 days.
inline constexpr double kDiscountYear_s = 365.25 * 86400.0;

// The ledger's time of an instant: to the second (a ledger row's epoch is
// the instant rounded to the nearest second, halves away from zero; every
// instant here is ≥ 0).
CP_HD inline double ledger_seconds(double t_s) { return floor(t_s + 0.5); }

// (1 + r)^(−t/year), t seconds after the start. Exactly 1 at r = 0, so every
// present value then equals its nominal sum to the bit.
CP_HD inline double discount_factor(double seconds_after_start, double discount_rate_per_year) {
  if (discount_rate_per_year == 0.0) return 1.0;
  return pow(1.0 + discount_rate_per_year, -seconds_after_start / kDiscountYear_s);
}

// Present value of `usd` due at instant t_s (seconds after the start).
CP_HD inline double present_value_usd(double usd, double t_s, double discount_rate_per_year) {
  return usd * discount_factor(ledger_seconds(t_s), discount_rate_per_year);
}

// What is reported for a present value: at r = 0 the nominal figure itself,
// so that the two are equal to the bit, not merely to the rounding of two
// summation orders (a present value sums invoices, a nominal figure charges).
CP_HD inline double reported_present_value(double present_value_usd, double nominal_usd, double discount_rate_per_year) {
  return discount_rate_per_year == 0.0 ? nominal_usd : present_value_usd;
}

}  // namespace cloudpact::rules
