#include "billing/sla.hpp"

namespace cloudpact {

double sla_credit_pct(const std::vector<SlaTier>& tiers, double availability_pct) {
  double best_below = 0.0, credit = 0.0;
  bool found = false;
  for (const SlaTier& tier : tiers) {
    if (availability_pct < tier.below_pct && (!found || tier.below_pct < best_below)) {
      best_below = tier.below_pct;
      credit = tier.credit_pct;
      found = true;
    }
  }
  return credit;
}

double availability_pct(double outage_gpu_s, double delivered_gpu_s) {
  if (delivered_gpu_s <= 0.0) return 100.0;
  return 100.0 * (1.0 - outage_gpu_s / delivered_gpu_s);
}

}  // namespace cloudpact
