#include "regression/tolerances.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <optional>

namespace cloudpact::regression {

namespace {

using json = nlohmann::json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Standard normal CDF.
double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// A finite number at `path` of `doc`, if there is one.
std::optional<double> number_at(const json& doc, const std::vector<std::string>& path) {
  const json* j = &doc;
  for (const std::string& key : path) {
    if (!j->is_object()) return std::nullopt;
    const auto it = j->find(key);
    if (it == j->end()) return std::nullopt;
    j = &*it;
  }
  if (!j->is_number()) return std::nullopt;
  const double v = j->get<double>();
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

// A standard error (finite, ≥ 0) from the baseline, else from the new run.
std::optional<double> se_at(const json& baseline, const json& now, const std::vector<std::string>& path) {
  for (const json* doc : {&baseline, &now}) {
    const auto v = number_at(*doc, path);
    if (v && *v >= 0.0) return v;
  }
  return std::nullopt;
}

Tolerance with(double abs_tolerance, std::string basis) {
  Tolerance t;
  t.abs_tolerance = abs_tolerance;
  t.basis = std::move(basis);
  return t;
}

// The replay tolerance, saying which standard error was missing.
Tolerance without_se(const std::string& se_name) {
  Tolerance t = replay_tolerance();
  t.basis += " (no " + se_name + ")";
  return t;
}

std::vector<std::string> with_leaf(std::vector<std::string> prefix, const std::string& leaf) {
  prefix.push_back(leaf);
  return prefix;
}

}  // namespace

double normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi); }

double normal_quantile(double q) {
  if (!(q > 0.0 && q < 1.0)) return kNaN;
  // Bisection on Φ: 200 halvings of [−40, 40] reach the closest double.
  double lo = -40.0, hi = 40.0;
  for (int i = 0; i < 200 && lo < hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid == lo || mid == hi) break;
    (normal_cdf(mid) < q ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double quantile_se_factor(double q) { return std::sqrt(q * (1.0 - q)) / normal_pdf(normal_quantile(q)); }

double mean_tolerance(double z, double se_mean) { return z * se_mean; }

double quantile_tolerance(double z, double se_mean, double q) { return z * se_mean * quantile_se_factor(q); }

double cvar_tolerance(double z, double se_cvar) { return z * se_cvar; }

double probability_tolerance(double z, double se_p, std::int64_t paths) {
  // se_p = √(p(1 − p)/N) is 0 at p = 0 and p = 1, where one path more or less
  // is the smallest move: 1/N.
  return z * std::max(se_p, 1.0 / static_cast<double>(std::max<std::int64_t>(paths, 1)));
}

double difference_tolerance(double z, double se_a, double se_b) { return z * std::hypot(se_a, se_b); }

double standard_error_tolerance(double z, double se, double n) {
  // A sample standard deviation s of n values has SE ≈ s·√((κ − 1) / (4(n − 1))),
  // κ the kurtosis: s/√(2(n − 1)) for normal values (κ = 3). Costs with rare
  // outages and price jumps have heavy tails: κ = 25 is assumed, √12 times
  // the normal SE. At least one degree of freedom.
  constexpr double kurtosis = 25.0;
  return z * se * std::sqrt((kurtosis - 1.0) / (4.0 * std::max(n - 1.0, 1.0)));
}

double binomial_se_tolerance(double p, double tol_p, std::int64_t paths) {
  const double n = static_cast<double>(std::max<std::int64_t>(paths, 1));
  auto se = [n](double x) { return std::sqrt(std::max(0.0, x * (1.0 - x)) / n); };
  const double lo = std::max(0.0, p - tol_p), hi = std::min(1.0, p + tol_p);
  // √(x(1 − x)) is concave with its maximum at 1/2: extremes at the ends or there.
  const double top = (lo <= 0.5 && 0.5 <= hi) ? se(0.5) : std::max(se(lo), se(hi));
  const double bottom = std::min(se(lo), se(hi));
  return std::max(top - se(p), se(p) - bottom);
}

double ks_critical_factor(double z) {
  // α = P(|N(0,1)| > z/√2) = erfc(z/2); solving 2·exp(−2c²) = α for c.
  return std::sqrt(std::log(2.0 / std::erfc(0.5 * z)) / 2.0);
}

double ks_tolerance(double z, std::int64_t n, std::int64_t m) {
  const double a = static_cast<double>(std::max<std::int64_t>(n, 1)), b = static_cast<double>(std::max<std::int64_t>(m, 1));
  return ks_critical_factor(z) * std::sqrt(1.0 / a + 1.0 / b);
}

bool Tolerance::allows(double baseline, double now) const {
  if (baseline == now) return true;
  if (!std::isfinite(baseline) || !std::isfinite(now)) return false;
  const double scale = std::max(std::fabs(baseline), std::fabs(now));
  return std::fabs(now - baseline) <= std::max(abs_tolerance, rel_tolerance * scale);
}

double Tolerance::relative_to(double baseline, double now) const {
  const double scale = std::max(std::fabs(baseline), std::fabs(now));
  if (!(scale > 0.0) || !std::isfinite(scale)) return rel_tolerance;
  return std::max(abs_tolerance / scale, rel_tolerance);
}

std::int64_t run_paths(const json& risk) {
  return risk.is_object() && risk.contains("paths") && risk["paths"].is_number_integer()
             ? std::max<std::int64_t>(0, risk["paths"].get<std::int64_t>())
             : 0;
}

Tolerance replay_tolerance() { return with(0.0, "1e-9 relative"); }

Tolerance risk_tolerance(const json& baseline, const json& now, const std::vector<std::string>& path, double z) {
  if (path.empty()) return replay_tolerance();
  const std::string zs = format_number(z);
  std::int64_t paths = run_paths(baseline);
  if (paths == 0) paths = run_paths(now);
  const auto n_paths = static_cast<double>(paths);
  const std::string& leaf = path.back();
  auto se_tolerance = [&](double se, double n, const std::string& n_text) {
    return with(standard_error_tolerance(z, se, n), zs + "·se·√(6/(n−1)), n=" + n_text);
  };

  // Distribution blocks: portfolios.X.{cost_usd,unmet_gpu_hours,spend_usd}.LEAF and hhi_spend.LEAF.
  std::vector<std::string> block;
  if (path.size() == 4 && path[0] == "portfolios") block = {path[0], path[1], path[2]};
  if (path.size() == 2 && path[0] == "hhi_spend") block = {path[0]};
  if (!block.empty()) {
    const auto se_mean = se_at(baseline, now, with_leaf(block, "se_mean"));
    if (leaf == "mean") {
      if (!se_mean) return without_se("se_mean");
      return with(mean_tolerance(z, *se_mean), zs + "·se_mean");
    }
    if (leaf == "p50" || leaf == "p95" || leaf == "p99") {
      // The larger of the order-statistic SE (no assumption on the shape; 0 on
      // an atom) and the normal approximation from se_mean (blind to skew).
      const int q_pct = std::stoi(leaf.substr(1));
      const double q = q_pct / 100.0;
      const auto se_q = se_at(baseline, now, with_leaf(block, "se_" + leaf));
      const double normal = se_mean ? quantile_tolerance(z, *se_mean, q) : 0.0;
      if (se_q && z * *se_q >= normal) return with(z * *se_q, zs + "·se_" + leaf);
      if (!se_mean) return without_se("se_mean");
      char buf[64];
      std::snprintf(buf, sizeof buf, "·se_mean·%.4f (normal p%02d)", quantile_se_factor(q), q_pct);
      return with(normal, zs + buf);
    }
    if (leaf == "cvar95") {
      const auto se_cvar = se_at(baseline, now, with_leaf(block, "se_cvar95"));
      if (!se_cvar) return without_se("se_cvar95");
      return with(cvar_tolerance(z, *se_cvar), zs + "·se_cvar95");
    }
    if (leaf == "se_p50" || leaf == "se_p95" || leaf == "se_p99") {
      // A spread of order statistics next to the quantile, in its unit: it
      // may move as far as the quantile itself (an atom at the quantile makes
      // it 0 on one side and not on the other).
      Tolerance t = risk_tolerance(baseline, now, with_leaf(block, leaf.substr(3)), z);
      t.basis += " (as " + leaf.substr(3) + ")";
      return t;
    }
    const auto own = number_at(baseline, path);
    if (leaf == "se_mean" && own) {
      if (block.size() == 3 && block[2] == "unmet_gpu_hours") {
        // Only the paths with unmet demand carry its variance.
        const double k = number_at(baseline, {block[0], block[1], "unmet_paths"}).value_or(n_paths);
        return se_tolerance(*own, k, format_number(k) + " unmet paths");
      }
      return se_tolerance(*own, n_paths, format_number(n_paths));
    }
    if (leaf == "se_cvar95" && own) {
      const double tail = 0.05 * n_paths;  // the paths beyond VaR_95 carry it
      return se_tolerance(*own, tail, format_number(tail) + " tail paths");
    }
    return replay_tolerance();
  }

  if (path.size() == 3 && path[0] == "portfolios") {
    const std::vector<std::string> pf = {path[0], path[1]};
    const auto se_p = se_at(baseline, now, with_leaf(pf, "se_p_unmet"));
    if (paths < 1 || !se_p) return replay_tolerance();
    const double tol_p = probability_tolerance(z, *se_p, paths);
    if (leaf == "p_unmet") return with(tol_p, zs + "·max(se_p_unmet, 1/paths)");
    if (leaf == "unmet_paths") return with(n_paths * tol_p, "paths·" + zs + "·max(se_p_unmet, 1/paths)");
    if (leaf == "se_p_unmet") {
      const auto p = number_at(baseline, with_leaf(pf, "p_unmet"));
      if (!p) return replay_tolerance();
      return with(binomial_se_tolerance(*p, tol_p, paths), "√(p(1−p)/N) over p_unmet ± its tolerance");
    }
    return replay_tolerance();
  }

  if (path.size() == 3 && (path[0] == "lock_in" || path[0] == "leverage")) {
    const std::vector<std::string> prefix = {path[0], path[1]};
    if (leaf.rfind("se_", 0) == 0) {
      const auto own = number_at(baseline, path);
      if (!own) return replay_tolerance();
      return se_tolerance(*own, n_paths, format_number(n_paths));
    }
    const std::string se_name = "se_" + leaf;
    const auto se = se_at(baseline, now, with_leaf(prefix, se_name));
    if (path[0] == "lock_in" && (leaf == "exit_cost_usd" || leaf == "cost_of_lock_in_usd")) {
      if (se) return with(mean_tolerance(z, *se), zs + "·" + se_name);
      if (leaf == "cost_of_lock_in_usd") {
        // Older baselines: E[single:P] − E[contracted] as if independent (conservative: the
        // two are positively correlated, sampled on the same futures).
        const auto se_single = se_at(baseline, now, {"portfolios", "single:" + path[1], "cost_usd", "se_mean"});
        const auto se_contracted = se_at(baseline, now, {"portfolios", "contracted", "cost_usd", "se_mean"});
        if (se_single && se_contracted) {
          return with(difference_tolerance(z, *se_single, *se_contracted),
                      zs + "·√(se_single² + se_contracted²)");
        }
      }
      return without_se(se_name);
    }
    if (path[0] == "leverage" && (leaf == "batna_usd_per_gpu_hour" || leaf == "nash_price_usd_per_gpu_hour" ||
                                  leaf == "contract_price_usd_per_gpu_hour")) {
      if (se) return with(mean_tolerance(z, *se), zs + "·" + se_name);
      if (leaf == "nash_price_usd_per_gpu_hour") {
        // p* = (1 − β)·R_B + β·r, r and β inputs.
        const auto se_batna = se_at(baseline, now, with_leaf(prefix, "se_batna_usd_per_gpu_hour"));
        const auto beta = number_at(baseline, with_leaf(prefix, "buyer_power"));
        if (se_batna && beta) {
          return with(z * (1.0 - *beta) * *se_batna, zs + "·(1−β)·se_batna_usd_per_gpu_hour");
        }
      }
      return without_se(se_name);
    }
  }

  // The rofr block (docs/reference.md §14.3): each difference with its own
  // paired SE; each side's mean with the SE of its portfolio's mean (the
  // holder's spends: the larger of the difference's SE and the contracted
  // portfolio's holder spend SE in the breakdown).
  if (path.size() == 2 && path[0] == "rofr") {
    if (leaf.rfind("se_", 0) == 0) {
      const auto own = number_at(baseline, path);
      if (!own) return replay_tolerance();
      return se_tolerance(*own, n_paths, format_number(n_paths));
    }
    if (leaf.ends_with("value_to_holder_usd") || leaf.ends_with("cost_to_buyer_usd")) {
      const auto se = se_at(baseline, now, {"rofr", "se_" + leaf});
      if (!se) return without_se("se_" + leaf);
      return with(mean_tolerance(z, *se), zs + "·se_" + leaf);
    }
    if (leaf == "buyer_cost_usd" || leaf == "buyer_cost_no_rofr_usd") {
      const std::string portfolio = leaf == "buyer_cost_usd" ? "contracted" : "no_rofr";
      const auto se = se_at(baseline, now, {"portfolios", portfolio, "cost_usd", "se_mean"});
      if (!se) return without_se("se_mean");
      return with(mean_tolerance(z, *se), zs + "·portfolios." + portfolio + ".cost_usd.se_mean");
    }
    if (leaf == "holder_spend_usd" || leaf == "holder_spend_no_rofr_usd") {
      const auto holder = baseline.is_object() && baseline.contains("rofr") && baseline["rofr"].contains("holder") &&
                                  baseline["rofr"]["holder"].is_string()
                              ? baseline["rofr"]["holder"].get<std::string>()
                              : std::string();
      const double se = std::max(se_at(baseline, now, {"rofr", "se_value_to_holder_usd"}).value_or(0.0),
                                 se_at(baseline, now, {"breakdown", "providers", holder, "spend_usd", "se_mean"})
                                     .value_or(0.0));
      return with(mean_tolerance(z, se), zs + "·max(se_value_to_holder_usd, the holder's spend se_mean)");
    }
    return replay_tolerance();
  }

  // A mean with its standard error beside it, anywhere else (risk.json's
  // breakdown: totals, providers and contracts of the contracted portfolio).
  if (path.size() >= 2 && (leaf == "mean" || leaf == "se_mean")) {
    const std::vector<std::string> block(path.begin(), path.end() - 1);
    if (leaf == "mean") {
      const auto se_mean = se_at(baseline, now, with_leaf(block, "se_mean"));
      if (!se_mean) return without_se("se_mean");
      return with(mean_tolerance(z, *se_mean), zs + "·se_mean");
    }
    if (const auto own = number_at(baseline, path)) return se_tolerance(*own, n_paths, format_number(n_paths));
  }
  return replay_tolerance();
}

}  // namespace cloudpact::regression
