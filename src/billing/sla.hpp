// SLA credit tiers (SPEC 2.3). Pure.
#pragma once

#include <vector>

#include "scenario/scenario.hpp"

namespace cloudpact {

// Credit in % of the month's bill: the tier with the lowest `below_pct` that
// the availability (in %) is strictly below; 0 when no tier applies.
double sla_credit_pct(const std::vector<SlaTier>& tiers, double availability_pct);

// Availability in % from outage and delivered capacity-seconds; 100 when
// nothing was delivered (no capacity, no breach).
double availability_pct(double outage_gpu_s, double delivered_gpu_s);

}  // namespace cloudpact
