#include "billing/commitment.hpp"

#include "scenario/dates.hpp"

namespace cloudpact {

std::vector<ContractYear> contract_years(std::int64_t start_epoch_s, std::int64_t end_epoch_s,
                                         double min_spend_usd_per_year) {
  std::vector<ContractYear> years;
  for (int k = 0;; ++k) {
    const std::int64_t a = add_years(start_epoch_s, k);
    if (a >= end_epoch_s) break;
    const std::int64_t full_end = add_years(start_epoch_s, k + 1);
    const std::int64_t b = full_end < end_epoch_s ? full_end : end_epoch_s;
    const double share = static_cast<double>(b - a) / static_cast<double>(full_end - a);
    years.push_back({a, b, min_spend_usd_per_year * share});
  }
  return years;
}

}  // namespace cloudpact
