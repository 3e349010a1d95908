// Commitments and take-or-pay (SPEC 2.3). Pure.
#pragma once

#include <cstdint>
#include <vector>

namespace cloudpact {

struct ContractYear {
  std::int64_t start_epoch_s = 0, end_epoch_s = 0;
  double min_spend_usd = 0.0;  // pro-rated for a last partial year
};

// Contract-years from `start` at each anniversary, cut at `end`. A last
// partial year owes the minimum pro-rated by its length over the full year's.
std::vector<ContractYear> contract_years(std::int64_t start_epoch_s, std::int64_t end_epoch_s,
                                         double min_spend_usd_per_year);

// What is still owed: max(0, minimum − paid).
inline double shortfall_usd(double minimum_usd, double paid_usd) {
  return paid_usd >= minimum_usd ? 0.0 : minimum_usd - paid_usd;
}

}  // namespace cloudpact
