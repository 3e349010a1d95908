// Capacity (docs/reference.md §2.2, §2.6, §2.7): what a cluster offers the
// buyer at an instant, given its physical GPUs, its accelerator and the
// outages that hit it; and where a delivery delay moves its deliveries.
// Shared by the replay (src/model/plant.cpp, src/sim) and the path model.
#pragma once

#include "rules/hd.hpp"

namespace cloudpact::rules {

// Overlapping outages on one cluster count once, with the larger loss.
CP_HD inline double combined_loss(double lost_fraction_a, double lost_fraction_b) {
  return lost_fraction_a < lost_fraction_b ? lost_fraction_b : lost_fraction_a;
}

// H100-equivalent GPUs the cluster delivers (before outages).
CP_HD inline double delivered_gpus(double physical_gpus, double h100_equiv) { return physical_gpus * h100_equiv; }

// H100-equivalent GPUs the buyer can use after outages.
CP_HD inline double available_gpus(double physical_gpus, double h100_equiv, double lost_fraction) {
  return physical_gpus * h100_equiv * (1.0 - lost_fraction);
}

// A delivery delay shifts every point of a capacity curve later, and a
// constant capacity counts as one step point at the scenario start (so it
// too arrives `delay` later: Curve::shifted applies this to curves). On a
// table of daily capacities that starts at day `first_day` (relative to the
// scenario start) and already holds the curve written that way (0 before
// its first point, and 0 before the start for a constant), the capacity on
// `day` under a delay of `delay_days` whole days is the table's entry for
// day − delay, and 0 before the table (no curve delivers before its first
// point).
CP_HD inline double delayed_capacity(const double* day_table, int first_day, int n_days, int day, int delay_days) {
  const int d = day - delay_days - first_day;
  if (d < 0) return 0.0;
  return day_table[d < n_days ? d : n_days - 1];
}

}  // namespace cloudpact::rules
