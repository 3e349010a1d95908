// Concentration (docs/reference.md §5, §6): providers' shares of spend or
// capacity, the Herfindahl–Hirschman index on shares in percent (0–10000)
// and the effective number of providers. summary.json (the replay) and
// risk.json (per path) use these.
#pragma once

#include "rules/hd.hpp"

namespace cloudpact::rules {

// The total the shares are taken of: every value clamped at 0 (a provider
// can end with credits above its bill: it has no negative share).
CP_HD inline double share_total(const double* values, int n) {
  double total = 0.0;
  for (int i = 0; i < n; ++i) total += values[i] > 0.0 ? values[i] : 0.0;
  return total;
}

// A value's share (0–1) of that total; 0 when the total is not positive.
CP_HD inline double share_of(double value, double total) { return total > 0.0 && value > 0.0 ? value / total : 0.0; }

// HHI on shares in percent: Σ (100·share)², 0 when nothing was spent.
CP_HD inline double hhi_percent(const double* values, int n) {
  const double total = share_total(values, n);
  double h = 0.0;
  for (int i = 0; i < n; ++i) {
    const double pct = 100.0 * share_of(values[i], total);
    h += pct * pct;
  }
  return h;
}

// 1 / Σ share²; 0 when nothing was spent.
CP_HD inline double effective_providers(const double* values, int n) {
  const double total = share_total(values, n);
  double sum_sq = 0.0;
  for (int i = 0; i < n; ++i) sum_sq += share_of(values[i], total) * share_of(values[i], total);
  return sum_sq > 0.0 ? 1.0 / sum_sq : 0.0;
}

}  // namespace cloudpact::rules
