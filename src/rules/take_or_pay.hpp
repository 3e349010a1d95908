// Take-or-pay periods (docs/reference.md §2.3): a contract's
// `min_spend_usd_per_year` is owed per contract-year, periods starting at
// its `start` and at each anniversary, cut at its `end`. Both engines get
// their periods, and the minimum each owes, from this one function: the
// replay's accountant closes them at their dates, the path model at the
// step that starts at their end.
#pragma once

#include <cstdint>

#include "rules/hd.hpp"

namespace cloudpact::rules {

// Calls emit(period_start_epoch_s, period_end_epoch_s, minimum_usd) for each
// contract-year of [start, end) that ends inside the horizon
// (horizon_start, horizon_end], in date order. `add_years(epoch_s, n)` is
// the calendar's anniversary (scenario/dates.hpp: Feb 29 becomes Feb 28).
//  - A last partial year owes the minimum pro-rated by its length over the
//    full year's: min · (b − a) / (full_end − a).
//  - A year that began before the horizon owes only for its part inside:
//    what was billed before the start is not known to the simulation, so
//    the minimum is scaled by (b − max(a, horizon_start)) / (b − a).
template <class AddYears, class Emit>
inline void take_or_pay_periods(std::int64_t start_epoch_s, std::int64_t end_epoch_s, double min_spend_usd_per_year,
                                std::int64_t horizon_start_epoch_s, std::int64_t horizon_end_epoch_s,
                                AddYears add_years, Emit emit) {
  if (!(min_spend_usd_per_year > 0.0)) return;
  for (int k = 0;; ++k) {
    const std::int64_t a = add_years(start_epoch_s, k);
    if (a >= end_epoch_s) break;
    const std::int64_t full_end = add_years(start_epoch_s, k + 1);
    const std::int64_t b = full_end < end_epoch_s ? full_end : end_epoch_s;
    if (b <= horizon_start_epoch_s) continue;
    if (b > horizon_end_epoch_s) break;
    const double share = static_cast<double>(b - a) / static_cast<double>(full_end - a);
    const std::int64_t a_in = a > horizon_start_epoch_s ? a : horizon_start_epoch_s;
    const double inside = static_cast<double>(b - a_in) / static_cast<double>(b - a);
    emit(a, b, min_spend_usd_per_year * share * inside);
  }
}

}  // namespace cloudpact::rules
