// Charges (docs/reference.md §2.2, §2.3, §6): what a GPU-hour costs under
// each way of selling it, and the one-off amounts (egress, shortfall, exit
// fee). Rates are USD per hour of the instant's GPUs, so the replay
// integrates them exactly over affine pieces (Simpson) and the path model
// multiplies them by a step's length; both call these.
#pragma once

#include "rules/hd.hpp"

namespace cloudpact::rules {

// A reserved contract bills every delivered physical GPU-hour of its
// clusters, used or not, outages included (SLA credits compensate).
CP_HD inline double reserved_usd_per_hour(double physical_gpus, double price_usd_per_gpu_hour) {
  return physical_gpus * price_usd_per_gpu_hour;
}

// Usage contracts and on-demand bill the GPU-hours used. Use is counted in
// H100-equivalents; prices are per physical GPU-hour of the accelerator.
CP_HD inline double usage_usd_per_hour(double used_gpus, double h100_equiv, double price_usd_per_gpu_hour) {
  return used_gpus / h100_equiv * price_usd_per_gpu_hour;
}

// A training job's dataset follows it when it (re)starts on another
// provider than the one holding its data; the source bills the egress.
CP_HD inline bool dataset_moves(int data_provider, int new_provider) {
  return data_provider >= 0 && data_provider != new_provider;
}
CP_HD inline double egress_usd(double dataset_gb, double egress_usd_per_gb) { return dataset_gb * egress_usd_per_gb; }

// What the buyer spends (docs/reference.md §5): charges, plus shortfalls,
// less SLA credits, plus egress.
CP_HD inline double spend_usd(double billed_usd, double shortfall_usd, double sla_credits_usd, double egress_usd) {
  return billed_usd + shortfall_usd - sla_credits_usd + egress_usd;
}

// Demand left unserved costs its value per H100-equivalent hour (reported,
// not billed); a portfolio's cost is its spend plus that value (§6).
CP_HD inline double unmet_value_usd(double unmet_gpu_hours, double value_usd_per_gpu_hour) {
  return unmet_gpu_hours * value_usd_per_gpu_hour;
}
CP_HD inline double cost_usd(double spend, double unmet_value) { return spend + unmet_value; }

// What is still owed against a minimum: max(0, minimum − paid).
CP_HD inline double shortfall_usd(double minimum_usd, double paid_usd) {
  return paid_usd >= minimum_usd ? 0.0 : minimum_usd - paid_usd;
}

// Leaving a provider at the horizon costs the exit fee on what its
// contracts still commit.
CP_HD inline double exit_fee_usd(double commitment_remaining_usd, double exit_fee_pct_of_remaining) {
  return commitment_remaining_usd * exit_fee_pct_of_remaining / 100.0;
}

}  // namespace cloudpact::rules
