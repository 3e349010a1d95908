// SLA credits (docs/reference.md §2.3): monthly availability of a contract's
// reserved clusters and the credit tier it earns. Shared by the replay's
// accountant and the path model through ContractBook (contract_book.hpp).
#pragma once

#include "rules/hd.hpp"

namespace cloudpact::rules {

struct SlaTier {
  double below_pct = 0.0;   // availability strictly below this (in %) ...
  double credit_pct = 0.0;  // ... earns this share of the month's bill back
};

// Availability in % from outage and delivered capacity-seconds; 100 when
// nothing was delivered (no capacity, no breach).
CP_HD inline double availability_pct(double outage_gpu_s, double delivered_gpu_s) {
  if (delivered_gpu_s <= 0.0) return 100.0;
  return 100.0 * (1.0 - outage_gpu_s / delivered_gpu_s);
}

// Credit in % of the month's bill: the tier with the lowest `below_pct` that
// the availability (in %) is strictly below; 0 when no tier applies. Tiers
// may come in any order.
CP_HD inline double sla_credit_pct(const SlaTier* tiers, int n_tiers, double availability) {
  double best_below = 0.0, credit = 0.0;
  bool found = false;
  for (int i = 0; i < n_tiers; ++i) {
    const SlaTier& t = tiers[i];
    if (availability < t.below_pct && (!found || t.below_pct < best_below)) {
      best_below = t.below_pct;
      credit = t.credit_pct;
      found = true;
    }
  }
  return credit;
}

}  // namespace cloudpact::rules
