#include "model/price_schedule.hpp"

namespace cloudpact {

double PriceSchedule::at(double t_s) const {
  double price = base.at(t_s);
  for (const PriceChange& ch : changes) {
    if (ch.date_s > t_s) break;
    // A `set` replaces whatever came before (base curve and earlier factors).
    if (ch.is_set) {
      price = ch.value;
    } else {
      price *= ch.value;
    }
  }
  return price;
}

bool PriceSchedule::constant_on(double a_s, double b_s) const {
  // The changes applied are the same on all of [a, b) when none is dated
  // strictly inside it (one dated a applies from a on).
  for (const PriceChange& ch : changes)
    if (ch.date_s > a_s && ch.date_s < b_s) return false;
  return base.constant_on(a_s, b_s);
}

void PriceSchedule::breakpoints(double a_s, double b_s, std::vector<double>& out) const {
  base.breakpoints(a_s, b_s, out);
  for (const PriceChange& ch : changes)
    if (ch.date_s > a_s && ch.date_s < b_s) out.push_back(ch.date_s);
}

}  // namespace cloudpact
