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

void PriceSchedule::breakpoints(double a_s, double b_s, std::vector<double>& out) const {
  base.breakpoints(a_s, b_s, out);
  for (const PriceChange& ch : changes)
    if (ch.date_s > a_s && ch.date_s < b_s) out.push_back(ch.date_s);
}

}  // namespace cloudpact
