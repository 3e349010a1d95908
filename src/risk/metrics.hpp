// Risk metrics over sampled paths (docs/reference.md §6): distribution summaries, the
// probability of unmet demand, spend concentration (HHI), lock-in and
// negotiating leverage. Pure functions of the per-path results: no kernel,
// no I/O.
//
// Determinism. Every mean and tail sum is taken in FIXED POINT: each value
// becomes an int64 count of hundredths (cents, hundredths of a GPU-hour,
// hundredths of an HHI point) via llround(x * 100), sums are exact in a
// 128-bit integer and divided once at the end. Quantiles are read from the
// sorted fixed-point values. The results therefore depend only on the
// multiset of per-path values, never on summation order, thread count or
// backend; and per-path differences below half a hundredth (an ulp between
// CPU and GPU) vanish in the rounding. Second moments (standard errors) are
// exact integer sums too (FixedMoments, RatioMoments), rounded once when
// the variance is formed, so a figure reported only as a mean and its
// standard error keeps no per-path values at all.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/multiprecision/cpp_int.hpp>

#include "risk_api.hpp"

namespace cloudpact::risk {

// Hundredths: the fixed-point resolution of every reported number.
inline constexpr double kFixedScale = 100.0;

// llround(x * 100). Throws std::domain_error for a non-finite value or one
// beyond the int64 range of hundredths (|x| > ~9.2e16).
std::int64_t to_fixed(double x);

// A sum of fixed-point values: at most 1e8 paths (limits::max_paths) of
// |x| < 2^63 hundredths, so |sum| < 2^90.
__extension__ typedef __int128 FixedSum;  // __extension__: no -Wpedantic warning

// A mean and its standard error (sample SD / √N).
struct MeanSe {
  double mean = 0.0, se_mean = 0.0;
};

// The running moments of one per-path figure in fixed point: the count,
// Σx and Σx², exact in integers. A mean and its standard error need nothing
// more, so a figure reported only so keeps no per-path values; and integer
// sums do not depend on the order the values came in.
class FixedMoments {
 public:
  void add(double x) { add_fixed(to_fixed(x)); }
  void add_fixed(std::int64_t x) {
    ++n_;
    sum_ += x;
    // x² < 2^126 fits 128 unsigned bits; the carries out of them are
    // counted apart (1e8 values carry fewer than 2^27 times).
    const auto magnitude = static_cast<UnsignedSum>(x < 0 ? -static_cast<FixedSum>(x) : x);
    const UnsignedSum square = magnitude * magnitude;
    sum_sq_low_ += square;
    if (sum_sq_low_ < square) ++sum_sq_carries_;
  }
  // Adds another set's values (a batch's): exact, so the same as adding them one by one.
  FixedMoments& operator+=(const FixedMoments& o) {
    n_ += o.n_;
    sum_ += o.sum_;
    sum_sq_low_ += o.sum_sq_low_;
    sum_sq_carries_ += o.sum_sq_carries_ + (sum_sq_low_ < o.sum_sq_low_ ? 1 : 0);
    return *this;
  }
  std::int64_t count() const { return n_; }
  FixedSum sum() const { return sum_; }  // hundredths
  // The mean, exact to the last bit of its rounding (NaN with no values),
  // and the standard error of the mean from the exact variance
  //   s² = (N·Σx² − (Σx)²) / (N·(N − 1)),   se = √(s² / N)
  // (NaN with fewer than 2 values), in the values' unit.
  MeanSe mean_se() const;
  bool operator==(const FixedMoments&) const = default;

 private:
  __extension__ typedef unsigned __int128 UnsignedSum;
  std::int64_t n_ = 0;
  FixedSum sum_ = 0;
  UnsignedSum sum_sq_low_ = 0;           // Σx² modulo 2^128
  std::uint64_t sum_sq_carries_ = 0;     // Σx² / 2^128
};

// Exact mean of to_fixed(values), in the values' unit; NaN for no values.
double fixed_mean(std::span<const double> values);

// Empirical quantile VaR_α = the ⌈α·N⌉-th order statistic (1-based) of the
// values, α given in basis points (9500 = 0.95), rounded to hundredths.
// ⌈α·N⌉ is computed in integers (no floating-point surprise at α·N = 95).
double quantile_bp(std::span<const double> values, int alpha_bp);

// Standard error of the empirical quantile VaR_α of sorted values, free of
// any distribution: the number of values below the true quantile is
// Binomial(N, α), standard deviation s = √(N·α(1 − α)) ranks, so the
// estimate wanders about s ranks either side of k = ⌈α·N⌉. The value per
// rank is read off the order statistics over the ~95% distribution-free
// interval, d = round(2s) ranks either side (fewer ranks are too noisy):
//   se ≈ s · (L_(k+d) − L_(k−d)) / (2d),   ranks clipped to [1, N].
// A heavy or skewed tail shows up here where a normal approximation would
// miss it. NaN with fewer than 2 values. `sorted` in hundredths, result in
// units.
double quantile_se_bp(std::span<const std::int64_t> sorted, int alpha_bp);

struct Summary {
  double mean = 0.0;
  double p50 = 0.0, p95 = 0.0, p99 = 0.0;
  // CVaR_95, Rockafellar–Uryasev on the empirical distribution:
  //   CVaR_α = VaR_α + Σ (L_i − VaR_α)⁺ / ((1 − α)·N),   VaR_α = L_(⌈αN⌉).
  // Equivalently the mean of the worst (1 − α)·N paths, the path at the VaR
  // boundary counting with the fraction ⌈αN⌉ − αN of its weight, so that the
  // tail always holds exactly 5% of the probability mass. With N = 100 it is
  // the plain mean of the 5 largest values; with N = 1 it is the value;
  // with N = 30 it is (2·L_(30) + 1·L_(29)) / 3.
  double cvar95 = 0.0;
  // Monte Carlo standard errors, for regression tolerances (docs/reference.md §8):
  //   se_mean   = sample standard deviation / √N,
  //   se_cvar95 ≈ √( Var[(L − VaR)⁺] / ((1 − α)²·N) )   (docs/reference.md §6.3).
  // NaN (null in JSON) with fewer than 2 values.
  double se_mean = 0.0, se_cvar95 = 0.0;
  // Standard errors of p50, p95, p99 from the order statistics, with no
  // assumption on the distribution (quantile_se_bp).
  double se_p50 = 0.0, se_p95 = 0.0, se_p99 = 0.0;
  // Not reported: the exact figures behind p95 and cvar95 (the p95 path's
  // value in hundredths; CVaR's numerator over 500·N hundredths), so that
  // two summaries of the same paths differ exactly, with one rounding
  // (the sensitivity's deltas, docs/reference.md §12.2).
  std::int64_t p95_fixed = 0;
  FixedSum cvar95_numerator = 0;
};

// Throws std::invalid_argument on an empty sample.
Summary summarize(std::span<const double> values);

// A fixed-bin histogram of a sample, for plots of the distribution (risk.json
// `cost_usd.histogram`). `bins` equal-width bins span [min, max] of the
// fixed-point values: edges[i] = min + (max − min)·i / bins (hundredths,
// computed in integers, so the edges and counts depend only on the multiset of
// values, like every other number here). Bin i holds the values v with
// edges[i] ≤ v < edges[i + 1]; the last bin also holds max. When every value
// is the same there is one bin, edges [v, v], holding all of them.
inline constexpr int kHistogramBins = 40;

struct Histogram {
  std::vector<double> edges;          // bins + 1 values, ascending
  std::vector<std::int64_t> counts;   // bins values, summing to the sample size
};

// Throws std::invalid_argument on an empty sample or bins < 1.
Histogram histogram(std::span<const double> values, int bins = kHistogramBins);

// A path "has unmet demand" above this many GPU-hours.
inline constexpr double kUnmetEpsilonGpuHours = 1e-6;

// Number of paths with unmet_gpu_hours > kUnmetEpsilonGpuHours.
std::int64_t count_unmet(std::span<const double> unmet_gpu_hours);

// HHI of one path's provider spends: shares of the total, each spend clamped
// at 0 (a provider can end with credits above its bill), in percent, so
// 0–10000. 0 when the clamped total is not positive (as the replay does).
double hhi_percent(std::span<const double> provider_spend_usd);

// Generalised Nash bargaining (docs/reference.md §6): p* = (1 − β)·R_B + β·r when r ≤ R_B,
// else no deal beats the buyer's alternative (nullopt).
std::optional<double> nash_price(double batna, double buyer_power, double seller_floor);

// BATNA per H100-eq hour that P delivers in `contracted`:
//   R_B = (E[cost without:P] − (E[cost contracted] − E[spend with P])) / E[GPU-h used on P],
// nullopt when P is not used (E[GPU-h used on P] ≤ 1e-9).
std::optional<double> batna(double mean_cost_without, double mean_cost_contracted, double mean_spend_with,
                            double mean_used_gpu_hours);

// Standard error of a ratio of means over the same paths, R = ΣD / ΣU, by the
// first-order delta method (the linearised ratio estimator):
//   se(R) ≈ √( Σ (D_i − R·U_i)² / (N·(N − 1)) ) / Ū,   Ū = ΣU / N.
// `d` and `u` are per-path values in any common fixed-point unit (they cancel
// in R; se is in R's unit). NaN with fewer than 2 paths or Ū = 0.
double ratio_se(std::span<const std::int64_t> d, std::span<const std::int64_t> u);

// The running sums ratio_se needs, path by path: ΣD, ΣU, ΣD², ΣD·U, ΣU²,
// exact in integers. The sum of squared residuals is then exact too,
//   Σ (D_i − R·U_i)² = (ΣD²·(ΣU)² − 2·ΣD·ΣU·ΣDU + (ΣD)²·ΣU²) / (ΣU)²,
// rounded once.
class RatioMoments {
 public:
  void add_fixed(FixedSum d, std::int64_t u) {
    const boost::multiprecision::int256_t dd(d), uu(u);
    ++n_;
    sum_d_ += d;
    sum_u_ += u;
    sum_dd_ += dd * dd;
    sum_du_ += dd * uu;
    sum_uu_ += uu * uu;
  }
  RatioMoments& operator+=(const RatioMoments& o) {
    n_ += o.n_;
    sum_d_ += o.sum_d_;
    sum_u_ += o.sum_u_;
    sum_dd_ += o.sum_dd_;
    sum_du_ += o.sum_du_;
    sum_uu_ += o.sum_uu_;
    return *this;
  }
  std::int64_t count() const { return n_; }
  FixedSum sum_d() const { return sum_d_; }
  FixedSum sum_u() const { return sum_u_; }
  double se() const;  // ratio_se of the values added
  bool operator==(const RatioMoments&) const = default;

 private:
  std::int64_t n_ = 0;
  FixedSum sum_d_ = 0, sum_u_ = 0;
  boost::multiprecision::int256_t sum_dd_ = 0, sum_du_ = 0, sum_uu_ = 0;
};

// The bargaining inputs (docs/reference.md §2.7): the buyer's power β and
// each seller's floor r per H100-equivalent hour (a provider without one is
// given r = 0 and marked `floor_assumed`).
struct NegotiationTerms {
  double buyer_power = 0.5;
  std::map<std::string, double> seller_floor_usd_per_gpu_hour;
};

// The contracted portfolio's spend item by item (docs/reference.md §5:
// spend = billed + shortfall − credits + egress), in this order.
// Then the present values of spend and of unmet value (docs/reference.md §13).
inline constexpr int kSpendItems = 7;
inline constexpr const char* kSpendItemNames[kSpendItems] = {"billed_usd",      "shortfall_usd",   "sla_credits_usd",
                                                              "egress_usd",      "unmet_value_usd", "npv_spend_usd",
                                                              "npv_unmet_value_usd"};
// Per contract of the contracted portfolio, in this order.
inline constexpr int kContractItems = 5;
inline constexpr const char* kContractItemNames[kContractItems] = {"billed_usd", "shortfall_usd", "sla_credits_usd",
                                                                    "commitment_remaining_usd", "npv_billed_usd"};

// Every path's results, accumulated batch after batch. What a summary
// reads order statistics of is kept path by path (path i at index i,
// whatever the batching); what is reported only as a mean and its standard
// error is kept as running moments (FixedMoments, RatioMoments), so memory
// grows with the paths by only 3 values a portfolio and 1 a path.
struct PathResults {
  std::vector<std::string> portfolio_names;  // problem order ("contracted" first)
  std::vector<std::string> provider_ids;     // provider order
  std::vector<std::string> contract_ids;     // contract order
  std::int64_t paths = 0;
  // Per path: each portfolio's cost, unmet GPU-hours and present value of
  // cost; the HHI of the contracted portfolio's spend (hhi_percent of its
  // provider spends).
  std::vector<std::vector<double>> cost_usd, unmet_gpu_hours, npv_cost_usd;  // [portfolio][path]
  std::vector<double> hhi_spend;                                             // [path]
  // Running moments: each portfolio's spend; the contracted portfolio's
  // spend, used GPU-hours, exit cost and present value of spend per
  // provider, its spend items and its contracts' items.
  std::vector<FixedMoments> spend_usd;  // [portfolio]
  std::vector<FixedMoments> provider_spend_usd, provider_used_gpu_hours, provider_exit_cost_usd,
      provider_npv_spend_usd;                           // [provider]
  std::vector<FixedMoments> spend_items;                // [kSpendItems]
  std::vector<std::vector<FixedMoments>> contract_items;  // [kContractItems][contract]
  // Leverage per provider P (compute_metrics): R_B's per-path numerator,
  // cost(without:P) − cost(contracted) + spend with P, over the GPU-hours
  // used on P (empty moments without a "without:P" portfolio); and the
  // spend with P over those GPU-hours.
  std::vector<RatioMoments> batna_ratio, contract_price_ratio;  // [provider]
  // The rofr holder's spend (docs/reference.md §14), nominal with the
  // clause and without it ("contracted" and "no_rofr"), and the per-path
  // difference, nominal and at present value; empty without "no_rofr".
  FixedMoments holder_spend_on, holder_spend_off, holder_spend_gain, holder_npv_spend_gain;
  std::int64_t clamped_multiplier_days = 0;  // over all paths: days a sampled multiplier met its bound

  PathResults() = default;
  PathResults(std::vector<std::string> portfolios, std::vector<std::string> providers,
              std::vector<std::string> contracts = {});
  // Reserves room for `n` paths in every per-path vector.
  void reserve(std::int64_t n);
  // Appends one batch; throws std::invalid_argument when its shape does not
  // match or it does not start where the previous batch ended, and
  // std::domain_error as to_fixed does (nothing of the batch is kept then).
  void append(const BatchResults& batch);
};

struct PortfolioMetrics {
  std::string name;
  Summary cost_usd;
  Histogram cost_histogram;  // of cost_usd, kHistogramBins bins
  Summary unmet_gpu_hours;
  Summary spend_usd;
  Summary npv_cost_usd;          // present value of cost_usd at the start (docs/reference.md §13)
  std::int64_t unmet_paths = 0;  // paths with unmet demand
  double p_unmet = 0.0;          // unmet_paths / N
  double se_p_unmet = 0.0;       // √(p(1 − p)/N)
};

struct LockInMetrics {
  std::string provider;
  double exit_cost_usd = 0.0;                  // E[exit cost of P's contracts at the horizon]
  std::optional<double> cost_of_lock_in_usd;   // E[cost single:P] − E[cost contracted]; nullopt without single:P
  // Monte Carlo standard errors (regression tolerances, docs/reference.md §8). Lock-in is
  // a mean of PAIRED differences (both portfolios see the same future), so
  // its SE is that of the per-path difference, usually far below
  // √(se_single² + se_contracted²). NaN with fewer than 2 paths.
  double se_exit_cost_usd = 0.0;
  std::optional<double> se_cost_of_lock_in_usd;
};

struct LeverageMetrics {
  std::string provider;
  std::optional<double> batna_usd_per_gpu_hour;           // R_B, nullopt when P is not used
  std::optional<double> nash_price_usd_per_gpu_hour;      // p*, nullopt when r > R_B or no R_B
  std::optional<double> contract_price_usd_per_gpu_hour;  // E[spend with P] / E[GPU-h used on P]
  double seller_floor_usd_per_gpu_hour = 0.0;
  bool floor_assumed = false;  // negotiation gave no floor for P: 0 assumed
  // Standard errors of the ratios above (ratio_se, first-order delta method);
  // se of p* = (1 − β)·se of R_B (r and β are inputs). Absent with the value,
  // NaN with fewer than 2 paths.
  std::optional<double> se_batna_usd_per_gpu_hour;
  std::optional<double> se_nash_price_usd_per_gpu_hour;
  std::optional<double> se_contract_price_usd_per_gpu_hour;
};

// The contracted portfolio's figures that summary.json reports for the
// replay, as means over paths: with every uncertainty off they are the
// replay's own (the engine-agreement tests compare them item by item).
struct ProviderBreakdown {
  std::string id;
  MeanSe spend_usd, used_gpu_hours, npv_spend_usd;
};
struct ContractBreakdown {
  std::string id;
  MeanSe items[kContractItems];  // kContractItemNames
};
struct Breakdown {
  MeanSe items[kSpendItems];  // kSpendItemNames
  std::vector<ProviderBreakdown> providers;
  std::vector<ContractBreakdown> contracts;
};

// What each source of uncertainty contributes to the contracted portfolio's
// cost (docs/reference.md §12): X(all sources on) − X(that source off), on
// the same paths; se_mean_delta_usd is the SE of the per-path difference.
// The prefix of the sensitivity portfolios' names ("off:prices:aws"), which
// the problem builder gives them and compute_metrics recognises them by.
inline constexpr std::string_view kSourceOffPrefix = "off:";

struct SourceSensitivity {
  std::string source;  // "outages:P", "zone:ID", "prices:P", "demand", "delivery"
  double mean_delta_usd = 0.0, p95_delta_usd = 0.0, cvar95_delta_usd = 0.0, se_mean_delta_usd = 0.0;
};

// What a right of first refusal is worth (docs/reference.md §14): the
// contracted portfolio against "no_rofr" (the scenario without the clause)
// on the same paths. Means over paths; the values are means of paired
// per-path differences, with their standard errors.
struct RofrTerms {
  std::string holder;                         // empty: no clause
  int contracts_offered = 0;
  std::optional<double> match_probability;   // nullopt: match_pct on every path
};
struct RofrMetrics {
  RofrTerms terms;
  double holder_spend_usd = 0.0, holder_spend_no_rofr_usd = 0.0, value_to_holder_usd = 0.0;
  double buyer_cost_usd = 0.0, buyer_cost_no_rofr_usd = 0.0, cost_to_buyer_usd = 0.0;
  double se_value_to_holder_usd = 0.0, se_cost_to_buyer_usd = 0.0;
  // The same two differences in present values at the start (§13).
  double npv_value_to_holder_usd = 0.0, npv_cost_to_buyer_usd = 0.0;
  double se_npv_value_to_holder_usd = 0.0, se_npv_cost_to_buyer_usd = 0.0;
};

struct RiskMetrics {
  std::int64_t paths = 0;
  bool sensitivity = false;                    // write the sources (risk --sensitivity)
  std::vector<SourceSensitivity> sources;      // by |cvar95_delta_usd| descending, ties by name
  std::int64_t clamped_multiplier_days = 0;  // PathResults::clamped_multiplier_days
  Breakdown breakdown;
  std::vector<PortfolioMetrics> portfolios;  // problem order
  Summary hhi_spend;                         // per-path HHI of the contracted portfolio's spend
  std::vector<LockInMetrics> lock_in;        // provider order
  std::vector<LeverageMetrics> leverage;     // provider order
  double buyer_power = 0.5;
  std::optional<RofrMetrics> rofr;           // only with a rofr clause
};

// Everything above from the accumulated paths. Portfolios are found by name:
// "contracted", "without:P", "single:P"; "off:SOURCE" ones (with
// --sensitivity) give `sources` and are not reported as portfolios. Throws std::invalid_argument when
// there are no paths or "contracted" is missing. `threads`: how many OpenMP
// threads sort and sum the columns (0: all cores); the result is the same
// for any number.
RiskMetrics compute_metrics(const PathResults& r, const NegotiationTerms& negotiation, int threads = 1);

// The rofr block from the "contracted" and "no_rofr" portfolios; nullopt
// without a holder. Throws std::invalid_argument when "no_rofr" is missing.
std::optional<RofrMetrics> rofr_metrics(const PathResults& r, const RofrTerms& terms);

}  // namespace cloudpact::risk
