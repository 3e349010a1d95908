// How far a re-run number may move from its committed baseline before
// `cloudpact check` calls it a regression (docs/reference.md §8). Pure functions: no I/O.
//
// Replay (summary.json) is deterministic: every number within 1e-9 relative,
//   |now − baseline| ≤ 1e-9 · max(|now|, |baseline|).
//
// Risk (risk.json) is Monte Carlo. With the same seed and path count an
// unchanged implementation reproduces it exactly; a changed one (another
// draw order, a fixed bug in the path model) gives another sample of the
// same distributions, and its numbers move by sampling noise. The allowed
// move is z standard errors (z = 5 by default), the SEs taken from the
// baseline's own risk.json (else from the new one). Baseline and re-run are
// two independent estimates, so their difference has SD √2·se: z = 5 allows
// 3.5 of those.
//   mean                       z · se_mean
//   empirical quantile p_q     z · max(se_pq, se_mean · √(q(1 − q)) / φ(Φ⁻¹(q)))
//       se_pq: the order-statistic SE in risk.json (risk/metrics.hpp
//       quantile_se_bp), which sees skewed and heavy tails; the second term
//       is the SE of a sample quantile, √(q(1 − q)/N) / f(x_q), for a normal
//       distribution (f(x_q) = φ(Φ⁻¹(q)) / σ and σ/√N = se_mean), which
//       still holds where the sample has an atom at the quantile (se_pq = 0).
//       The normal term alone proved too tight: on the flagship at 1000 paths
//       p95 moved 10–15% between seeds against a normal SE of 2%.
//   cvar95                     z · se_cvar95
//   p_unmet                    z · max(se_p_unmet, 1/paths)   (se is 0 at p = 0 or 1)
//   unmet_paths                paths · (tolerance of p_unmet)
//   cost_of_lock_in_usd        z · se_cost_of_lock_in_usd (paired differences);
//                              baselines without it: z · √(se_single² + se_contracted²)
//   exit_cost_usd, batna, nash, contract price
//                              z · their se_* (delta method, risk/metrics.hpp);
//                              nash without its se: z · (1 − β) · se_batna
//   rofr.value_to_holder_usd, cost_to_buyer_usd (and npv_*)
//                              z · their se_* (paired differences);
//                              buyer_cost_usd, _no_rofr_usd: z · the portfolio's se_mean;
//                              holder spends: z · max(se_value_to_holder_usd,
//                              the holder's breakdown spend se_mean)
//   se_pq                      as p_q (a spread of order statistics next to
//                              the quantile, in its unit; 0 at an atom)
//   an se_* field itself       z · se · √(6/(n − 1)): the SE of a standard
//                              deviation, s·√((κ − 1)/(4(n − 1))), with kurtosis
//                              κ = 25 assumed (normal: 3; between seeds the SE of
//                              the flagship's contract prices moved 20% at 1000
//                              paths, se_cvar95 of scenario 01 with sampled
//                              demand spread ~2× the normal-theory value);
//                              n = paths, paths·(1 − 0.95) for se_cvar95,
//                              unmet_paths for unmet GPU-hours
//   se_p_unmet                 how far √(p(1 − p)/N) can move while p_unmet
//                              stays within its tolerance
//   cost histogram (a whole)   the two-sample Kolmogorov–Smirnov distance
//                              of the samples the bins picture, at least as
//                              ks_distance_lower_bound finds it, within
//                              c·√(1/n + 1/m), c = √(ln(2/α)/2) with α the
//                              chance of |N(0,1)| > z/√2: the false-alarm
//                              chance of z·se on the difference of two
//                              estimates (c = 2.06 at z = 5; at 1000 paths
//                              a distance of 0.092); counts summing to the
//                              paths, ascending edges: exact
//   paths, seed, problem, negotiation inputs (seller floor, buyer power)
//                              exact (1e-9 relative)
// Every tolerance also allows 1e-9 relative (CPU and CUDA agree to that).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cloudpact::regression {

inline constexpr double kReplayRelTolerance = 1e-9;
inline constexpr double kDefaultZ = 5.0;

// Standard normal density φ(x) and quantile Φ⁻¹(q), q in (0, 1) (NaN outside).
double normal_pdf(double x);
double normal_quantile(double q);

// SE of the empirical q-quantile in units of the SE of the mean, for a normal
// distribution: √(q(1 − q)) / φ(Φ⁻¹(q)). 1.2533 at q = 0.5, 2.1131 at 0.95.
double quantile_se_factor(double q);

// The formulas of the table above, each an absolute tolerance in the unit of
// the number it applies to.
double mean_tolerance(double z, double se_mean);
double quantile_tolerance(double z, double se_mean, double q);
double cvar_tolerance(double z, double se_cvar);
double probability_tolerance(double z, double se_p, std::int64_t paths);
double difference_tolerance(double z, double se_a, double se_b);  // independent a − b
double standard_error_tolerance(double z, double se, double n);
// max |√(p'(1 − p')/N) − √(p(1 − p)/N)| over p' in [p − tol_p, p + tol_p] ∩ [0, 1].
double binomial_se_tolerance(double p, double tol_p, std::int64_t paths);
// The largest Kolmogorov–Smirnov distance two samples of n and m paths of
// one distribution reach with the chance of |N(0,1)| > z/√2 (asymptotic:
// P(D > c·√(1/n + 1/m)) = 2·exp(−2c²)).
double ks_tolerance(double z, std::int64_t n, std::int64_t m);
// Its c: √(ln(2/α)/2), α = erfc(z/2).
double ks_critical_factor(double z);

struct Tolerance {
  double abs_tolerance = 0.0;              // allowed |now − baseline|, in the number's unit
  double rel_tolerance = kReplayRelTolerance;  // also allowed: rel · max(|now|, |baseline|)
  std::string basis;                       // how: "1e-9 relative", "5·se_mean", ...

  // |now − baseline| ≤ max(abs, rel · max(|now|, |baseline|)); equal numbers
  // always pass, non-finite unequal ones never.
  bool allows(double baseline, double now) const;
  // The allowed move relative to max(|now|, |baseline|) (what the table shows).
  double relative_to(double baseline, double now) const;
};

Tolerance replay_tolerance();

// A risk.json's `paths`: the sample size of its every figure (0 when absent).
std::int64_t run_paths(const nlohmann::json& risk);

// The tolerance of the number at `path` (object keys from the root, e.g.
// {"portfolios", "contracted", "cost_usd", "p95"}) of a risk.json, from the
// standard errors in `baseline` (else in `now`). Numbers no rule names get
// the replay tolerance.
Tolerance risk_tolerance(const nlohmann::json& baseline, const nlohmann::json& now,
                         const std::vector<std::string>& path, double z);

}  // namespace cloudpact::regression
