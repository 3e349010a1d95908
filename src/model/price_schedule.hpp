// A price over time: a base curve, then dated changes applied in date order
// (`set` replaces the price from its date on, `factor` multiplies it).
// Piecewise linear, so usage × price integrates exactly with Simpson's rule.
#pragma once

#include <vector>

#include "scenario/curve.hpp"

namespace cloudpact {

struct PriceChange {
  double date_s = 0.0;
  bool is_set = false;  // true: value replaces; false: value multiplies
  double value = 0.0;
};

struct PriceSchedule {
  bool for_sale = false;  // false: no price at all (not usable on demand)
  double on_sale_from_s = -1e300;  // a price set later puts the item on sale from its date
  Curve base;
  std::vector<PriceChange> changes;  // sorted by date (stable: file order on ties)

  [[nodiscard]] bool sells_at(double t_s) const { return for_sale && t_s >= on_sale_from_s; }
  [[nodiscard]] double at(double t_s) const;
  // Whether at(t) returns the same bits for every t in [a_s, b_s).
  [[nodiscard]] bool constant_on(double a_s, double b_s) const;
  void breakpoints(double a_s, double b_s, std::vector<double>& out) const;
};

}  // namespace cloudpact
