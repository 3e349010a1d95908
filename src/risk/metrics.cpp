#include "risk/metrics.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <functional>
#include <limits>
#include <stdexcept>

#include <boost/sort/spreadsort/integer_sort.hpp>

#include "rules/concentration.hpp"

namespace cloudpact::risk {

namespace {

using i128 = FixedSum;
using boost::multiprecision::cpp_int;
using boost::multiprecision::int256_t;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kBp = 10000;  // basis points in 1
constexpr i128 kScale = 100;  // kFixedScale as an integer: divide once, in ratio()

// num / den as a double, without first rounding num to 53 bits: the whole
// part is exact, only the fraction is rounded.
double ratio(i128 num, i128 den) {
  const i128 q = num / den, r = num % den;
  return static_cast<double>(q) + static_cast<double>(r) / static_cast<double>(den);
}

// Per-path fixed-point values in path order (path i at index i whatever the
// batching or thread count: a canonical order for double sums).
std::vector<std::int64_t> fixed_values(std::span<const double> values) {
  std::vector<std::int64_t> f;
  f.reserve(values.size());
  for (const double v : values) f.push_back(to_fixed(v));
  return f;
}

// Sorted by Boost's spreadsort (radix passes on the integers' bits, about
// twice std::sort's speed on a run's values): integers have one sorted order,
// so which algorithm sorts them changes nothing downstream.
std::vector<std::int64_t> sorted(std::vector<std::int64_t> f) {
  boost::sort::spreadsort::integer_sort(f.begin(), f.end());
  return f;
}

std::vector<std::int64_t> sorted_fixed(std::span<const double> values) { return sorted(fixed_values(values)); }

i128 fixed_sum_of(std::span<const double> values) {
  i128 s = 0;
  for (const double v : values) s += to_fixed(v);
  return s;
}

// a / b for two fixed-point sums (a ratio of means over the same paths).
double ratio_of(i128 a, i128 b) { return static_cast<double>(a) / static_cast<double>(b); }

i128 fixed_sum(const std::vector<std::int64_t>& f) {
  i128 s = 0;
  for (const std::int64_t x : f) s += x;
  return s;
}

// 1-based rank ⌈α·N⌉ with α = alpha_bp / 10000, at least 1.
std::int64_t rank_bp(std::int64_t n, int alpha_bp) {
  const i128 k = (static_cast<i128>(alpha_bp) * n + (kBp - 1)) / kBp;
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(k));
}

std::int64_t order_stat_fixed(const std::vector<std::int64_t>& sorted, int alpha_bp) {
  return sorted[static_cast<size_t>(rank_bp(static_cast<std::int64_t>(sorted.size()), alpha_bp) - 1)];
}
double order_stat(const std::vector<std::int64_t>& sorted, int alpha_bp) {
  return static_cast<double>(order_stat_fixed(sorted, alpha_bp)) / kFixedScale;
}

// CVaR_95's denominator over N paths, in hundredths (summarize_sorted).
constexpr int kCvarAlphaBp = 9500;
i128 cvar95_denominator(std::int64_t n) { return static_cast<i128>(kBp - kCvarAlphaBp) * n * kScale; }

// The running moments of fixed-point values.
FixedMoments moments_of(const std::vector<std::int64_t>& f) {
  FixedMoments m;
  for (const std::int64_t x : f) m.add_fixed(x);
  return m;
}

void summarize_sorted(const std::vector<std::int64_t>& f, Summary& s) {
  const auto n = static_cast<std::int64_t>(f.size());
  // The mean and its standard error, from one pass of exact moments.
  const MeanSe mean = moments_of(f).mean_se();
  s.mean = mean.mean;
  s.se_mean = mean.se_mean;
  s.p50 = order_stat(f, 5000);
  s.p95_fixed = order_stat_fixed(f, kCvarAlphaBp);  // also CVaR_95's VaR (below)
  s.p95 = static_cast<double>(s.p95_fixed) / kFixedScale;
  s.p99 = order_stat(f, 9900);

  // CVaR_95 = [10000·Σ_{i>k} L_(i) + (10000·k − 9500·N)·L_(k)] / (500·N), k = ⌈0.95·N⌉:
  // the tail mean with the boundary path's fractional weight, all in integers.
  constexpr int a = kCvarAlphaBp;
  const std::int64_t k = rank_bp(n, a);
  const std::int64_t var = s.p95_fixed;  // L_(k): the p95 path
  i128 tail = 0;
  for (std::int64_t i = k; i < n; ++i) tail += f[static_cast<size_t>(i)];
  const i128 num = static_cast<i128>(kBp) * tail + (static_cast<i128>(kBp) * k - static_cast<i128>(a) * n) * var;
  s.cvar95_numerator = num;
  s.cvar95 = ratio(num, cvar95_denominator(n));

  // CVaR's standard error: that of the mean excess over the VaR, over (1 − α).
  FixedMoments excess;
  for (const std::int64_t x : f) excess.add_fixed(x > var ? x - var : 0);
  const double one_minus_alpha = static_cast<double>(kBp - a) / kBp;
  s.se_cvar95 = excess.mean_se().se_mean / one_minus_alpha;
  s.se_p50 = quantile_se_bp(f, 5000);
  s.se_p95 = quantile_se_bp(f, 9500);
  s.se_p99 = quantile_se_bp(f, 9900);
}

// A summary of values sorted by sorted_fixed; throws on an empty sample.
Summary summarize_fixed(const std::vector<std::int64_t>& sorted_values) {
  if (sorted_values.empty()) throw std::invalid_argument("summary of an empty sample");
  Summary s;
  summarize_sorted(sorted_values, s);
  return s;
}

// Standard error of the mean of fixed-point values, in the values' unit.
double fixed_se_mean(const std::vector<std::int64_t>& f) { return moments_of(f).mean_se().se_mean; }

// A summary that only has a mean and its standard error (the rest NaN).
Summary summarize_mean_only(const FixedMoments& m) {
  Summary s;
  s.p50 = s.p95 = s.p99 = s.cvar95 = s.se_cvar95 = s.se_p50 = s.se_p95 = s.se_p99 = kNaN;
  const MeanSe ms = m.mean_se();
  s.mean = ms.mean;
  s.se_mean = ms.se_mean;
  return s;
}

// The histogram of sorted fixed-point values (histogram(), and compute_metrics,
// which sorts a portfolio's costs once for their summary and histogram).
Histogram histogram_sorted(const std::vector<std::int64_t>& f, int bins) {
  const std::int64_t lo = f.front(), hi = f.back();
  Histogram h;
  if (lo == hi) {
    h.edges = {static_cast<double>(lo) / kFixedScale, static_cast<double>(hi) / kFixedScale};
    h.counts = {static_cast<std::int64_t>(f.size())};
    return h;
  }
  const i128 span = static_cast<i128>(hi) - lo, nb = bins;
  h.edges.reserve(static_cast<size_t>(bins) + 1);
  for (int i = 0; i <= bins; ++i) h.edges.push_back(ratio(static_cast<i128>(lo) * nb + span * i, nb * kScale));
  h.counts.assign(static_cast<size_t>(bins), 0);
  // v is in bin i exactly when (v − lo)·bins / span rounds down to i (the
  // same integers as the edges), the maximum in the last bin.
  for (const std::int64_t x : f) {
    const i128 b = std::min<i128>(nb - 1, ((static_cast<i128>(x) - lo) * nb) / span);
    ++h.counts[static_cast<size_t>(b)];
  }
  return h;
}

// Runs every task on up to `threads` OpenMP threads (0: OpenMP's default,
// all cores). Each task writes only its own results, so none depends on
// which thread ran it; an exception is rethrown after all tasks end, the
// one of the first task in the list, which is the one a loop in order
// would have thrown first.
void run_tasks(const std::vector<std::function<void()>>& tasks, int threads) {
  std::vector<std::exception_ptr> errors(tasks.size());
  const auto count = static_cast<std::int64_t>(tasks.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads > 0 ? threads : omp_get_max_threads())
  for (std::int64_t k = 0; k < count; ++k) {
    try {
      tasks[static_cast<std::size_t>(k)]();
    } catch (...) {
      errors[static_cast<std::size_t>(k)] = std::current_exception();
    }
  }
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
}

std::optional<size_t> find_name(const std::vector<std::string>& names, const std::string& name) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) return std::nullopt;
  return static_cast<size_t>(it - names.begin());
}

}  // namespace

std::int64_t to_fixed(double x) {
  const double scaled = x * kFixedScale;
  // 9.2e18 < 2^63 ≈ 9.223e18: the conversion below stays defined.
  if (!std::isfinite(scaled) || std::fabs(scaled) >= 9.2e18) {
    throw std::domain_error("risk metrics: per-path value " + std::to_string(x) +
                            " is not finite or beyond the fixed-point range (|x| < 9.2e16)");
  }
  // llround(scaled), without the library call (a fifth of the metrics'
  // time, once per value and figure): the conversion truncates toward zero,
  // and the part it drops, scaled − trunc(scaled), is exact in double (it
  // needs none of the bits above the units), so comparing it with ±0.5
  // rounds halves away from zero as llround does, to the same integer.
  const auto whole = static_cast<std::int64_t>(scaled);
  const double part = scaled - static_cast<double>(whole);
  return whole + (part >= 0.5 ? 1 : 0) - (part <= -0.5 ? 1 : 0);
}

double fixed_mean(std::span<const double> values) {
  if (values.empty()) return kNaN;
  return ratio(fixed_sum_of(values), static_cast<i128>(values.size()) * kScale);
}

double quantile_bp(std::span<const double> values, int alpha_bp) {
  if (values.empty()) throw std::invalid_argument("quantile of an empty sample");
  if (alpha_bp < 1 || alpha_bp > kBp) throw std::invalid_argument("quantile level outside (0, 1]");
  return order_stat(sorted_fixed(values), alpha_bp);
}

Summary summarize(std::span<const double> values) { return summarize_fixed(sorted_fixed(values)); }

Histogram histogram(std::span<const double> values, int bins) {
  if (values.empty()) throw std::invalid_argument("histogram of an empty sample");
  if (bins < 1) throw std::invalid_argument("histogram needs at least one bin");
  return histogram_sorted(sorted_fixed(values), bins);
}

double quantile_se_bp(std::span<const std::int64_t> sorted, int alpha_bp) {
  const auto n = static_cast<std::int64_t>(sorted.size());
  if (n < 2) return kNaN;
  if (alpha_bp < 1 || alpha_bp > kBp) throw std::invalid_argument("quantile level outside (0, 1]");
  const double a = static_cast<double>(alpha_bp) / kBp;
  const double sd_rank = std::sqrt(static_cast<double>(n) * a * (1.0 - a));
  const std::int64_t d = std::max<std::int64_t>(1, std::llround(2.0 * sd_rank));
  const std::int64_t k = rank_bp(n, alpha_bp);
  const std::int64_t lo = std::max<std::int64_t>(1, k - d), hi = std::min<std::int64_t>(n, k + d);
  const auto spread = static_cast<double>(sorted[static_cast<size_t>(hi - 1)] - sorted[static_cast<size_t>(lo - 1)]);
  return spread / static_cast<double>(hi - lo) * sd_rank / kFixedScale;
}

MeanSe FixedMoments::mean_se() const {
  if (n_ == 0) return {kNaN, kNaN};
  const double mean = ratio(sum_, static_cast<i128>(n_) * kScale);
  if (n_ < 2) return {mean, kNaN};
  // N·Σx² − (Σx)² = N·Σ(x − x̄)² ≥ 0, exact: Σx² < 2^153 (1e8 values of
  // x² < 2^126), so each term is below 2^27 · 2^153.
  const int256_t sum(sum_);
  const int256_t sum_sq = (int256_t(sum_sq_carries_) << 128) + int256_t(sum_sq_low_);
  const int256_t spread = int256_t(n_) * sum_sq - sum * sum;
  const auto n = static_cast<double>(n_);
  const double variance = static_cast<double>(spread) / (n * (n - 1.0));  // hundredths²
  return {mean, std::sqrt(variance / n) / kFixedScale};
}

double RatioMoments::se() const {
  if (n_ < 2 || sum_u_ == 0) return kNaN;
  // (ΣU)²·Σ(D − R·U)² in integers (up to ~2^340: cpp_int), ≥ 0 by
  // Cauchy–Schwarz, then one division in double.
  const cpp_int sd{int256_t(sum_d_)}, su{int256_t(sum_u_)};
  const cpp_int residual =
      cpp_int(sum_dd_) * su * su - 2 * sd * su * cpp_int(sum_du_) + sd * sd * cpp_int(sum_uu_);
  const double ss = residual.convert_to<double>() / cpp_int(su * su).convert_to<double>();
  const auto n = static_cast<double>(n_);
  return std::sqrt(ss / (n * (n - 1.0))) / ratio(sum_u_, static_cast<i128>(n_));
}

double ratio_se(std::span<const std::int64_t> d, std::span<const std::int64_t> u) {
  if (d.size() != u.size()) throw std::invalid_argument("ratio_se: numerator and denominator differ in length");
  RatioMoments m;
  for (size_t i = 0; i < d.size(); ++i) m.add_fixed(d[i], u[i]);
  return m.se();
}

std::int64_t count_unmet(std::span<const double> unmet_gpu_hours) {
  std::int64_t n = 0;
  for (const double u : unmet_gpu_hours) n += u > kUnmetEpsilonGpuHours ? 1 : 0;
  return n;
}

double hhi_percent(std::span<const double> provider_spend_usd) {
  return rules::hhi_percent(provider_spend_usd.data(), static_cast<int>(provider_spend_usd.size()));
}

std::optional<double> nash_price(double batna_value, double buyer_power, double seller_floor) {
  if (!std::isfinite(batna_value) || !(seller_floor <= batna_value)) return std::nullopt;
  return (1.0 - buyer_power) * batna_value + buyer_power * seller_floor;
}

std::optional<double> batna(double mean_cost_without, double mean_cost_contracted, double mean_spend_with,
                            double mean_used_gpu_hours) {
  if (!(mean_used_gpu_hours > 1e-9)) return std::nullopt;
  return (mean_cost_without - (mean_cost_contracted - mean_spend_with)) / mean_used_gpu_hours;
}

PathResults::PathResults(std::vector<std::string> portfolios, std::vector<std::string> providers,
                         std::vector<std::string> contracts)
    : portfolio_names(std::move(portfolios)), provider_ids(std::move(providers)), contract_ids(std::move(contracts)) {
  const size_t np = portfolio_names.size(), nq = provider_ids.size();
  for (auto* group : {&cost_usd, &unmet_gpu_hours, &npv_cost_usd}) group->resize(np);
  spend_usd.resize(np);
  for (auto* group : {&provider_spend_usd, &provider_used_gpu_hours, &provider_exit_cost_usd, &provider_npv_spend_usd})
    group->resize(nq);
  batna_ratio.resize(nq);
  contract_price_ratio.resize(nq);
  spend_items.resize(kSpendItems);
  contract_items.assign(kContractItems, std::vector<FixedMoments>(contract_ids.size()));
}

void PathResults::reserve(std::int64_t n) {
  const auto un = static_cast<size_t>(std::max<std::int64_t>(0, n));
  for (auto* group : {&cost_usd, &unmet_gpu_hours, &npv_cost_usd})
    for (auto& v : *group) v.reserve(un);
  hhi_spend.reserve(un);
}

void PathResults::append(const BatchResults& b) {
  const size_t np = portfolio_names.size(), nq = provider_ids.size(), nk = contract_ids.size();
  if (b.first_path != paths) throw std::invalid_argument("risk batch does not continue the previous one");
  if (b.count < 0 || static_cast<size_t>(b.n_portfolios) != np || static_cast<size_t>(b.n_providers) != nq) {
    throw std::invalid_argument("risk batch has the wrong shape");
  }
  const auto c = static_cast<size_t>(b.count);
  if (b.cost_usd.size() < np * c || b.spend_usd.size() < np * c || b.unmet_gpu_hours.size() < np * c ||
      b.provider_spend_usd.size() < nq * c || b.provider_used_gpu_hours.size() < nq * c ||
      b.provider_exit_cost_usd.size() < nq * c) {
    throw std::invalid_argument("risk batch has fewer results than paths");
  }
  if (nk > 0 && static_cast<size_t>(b.n_contracts) != nk) throw std::invalid_argument("risk batch has the wrong shape");
  // Present values: a batch made by hand for a test may leave them out; then
  // they are the nominal figures (a discount rate of 0). So may it the rofr
  // holder's spend (then 0) and the contracted portfolio's breakdown.
  const std::vector<double>& npv_cost = b.npv_cost_usd.size() >= np * c ? b.npv_cost_usd : b.cost_usd;
  const std::vector<double>& provider_npv =
      b.provider_npv_spend_usd.size() >= nq * c ? b.provider_npv_spend_usd : b.provider_spend_usd;
  const bool holder = b.holder_spend_usd.size() >= np * c && b.holder_npv_spend_usd.size() >= np * c;
  const bool items = b.billed_usd.size() >= c;
  const bool npv_items = b.npv_spend_usd.size() >= c && b.npv_unmet_value_usd.size() >= c;
  const std::vector<double>* contract_rows[kContractItems] = {
      &b.contract_billed_usd, &b.contract_shortfall_usd, &b.contract_sla_credits_usd,
      &b.contract_commitment_remaining_usd,
      b.contract_npv_billed_usd.size() >= nk * c ? &b.contract_npv_billed_usd : &b.contract_billed_usd};
  if (nk > 0)
    for (const auto* row : contract_rows)
      if (row->size() < nk * c) throw std::invalid_argument("risk batch has fewer results than paths");
  const auto contracted = find_name(portfolio_names, "contracted");
  const auto no_rofr = find_name(portfolio_names, "no_rofr");
  std::vector<std::optional<size_t>> without(nq);
  for (size_t q = 0; q < nq; ++q) without[q] = find_name(portfolio_names, "without:" + provider_ids[q]);

  // The batch's moments first, merged once all of its values converted:
  // a value beyond the fixed-point range then leaves the results as they
  // were, and the merged sums are exact, the same as adding path by path.
  PathResults add(portfolio_names, provider_ids, contract_ids);
  auto at = [c](const std::vector<double>& row, size_t k, size_t i) { return row[k * c + i]; };
  for (size_t i = 0; i < c; ++i) {
    for (size_t p = 0; p < np; ++p) add.spend_usd[p].add(at(b.spend_usd, p, i));
    const std::int64_t contracted_cost = contracted ? to_fixed(at(b.cost_usd, *contracted, i)) : 0;
    for (size_t q = 0; q < nq; ++q) {
      const std::int64_t spend = to_fixed(at(b.provider_spend_usd, q, i));
      const std::int64_t used = to_fixed(at(b.provider_used_gpu_hours, q, i));
      add.provider_spend_usd[q].add_fixed(spend);
      add.provider_used_gpu_hours[q].add_fixed(used);
      add.provider_exit_cost_usd[q].add(at(b.provider_exit_cost_usd, q, i));
      add.provider_npv_spend_usd[q].add(at(provider_npv, q, i));
      add.contract_price_ratio[q].add_fixed(spend, used);
      if (contracted && without[q]) {
        const i128 batna_numerator =
            static_cast<i128>(to_fixed(at(b.cost_usd, *without[q], i))) + spend - contracted_cost;
        add.batna_ratio[q].add_fixed(batna_numerator, used);
      }
    }
    if (items) {
      const double values[kSpendItems] = {
          b.billed_usd[i],      b.shortfall_usd[i],
          b.sla_credits_usd[i], b.egress_usd[i],
          b.unmet_value_usd[i], npv_items ? b.npv_spend_usd[i] : b.spend_usd[i],  // the contracted portfolio's (index 0)
          npv_items ? b.npv_unmet_value_usd[i] : b.unmet_value_usd[i]};
      for (int k = 0; k < kSpendItems; ++k) add.spend_items[static_cast<size_t>(k)].add(values[k]);
    }
    for (int k = 0; k < kContractItems && nk > 0; ++k)
      for (size_t j = 0; j < nk; ++j) add.contract_items[static_cast<size_t>(k)][j].add(at(*contract_rows[k], j, i));
    if (contracted && no_rofr) {
      const std::int64_t on = holder ? to_fixed(at(b.holder_spend_usd, *contracted, i)) : 0;
      const std::int64_t off = holder ? to_fixed(at(b.holder_spend_usd, *no_rofr, i)) : 0;
      add.holder_spend_on.add_fixed(on);
      add.holder_spend_off.add_fixed(off);
      add.holder_spend_gain.add_fixed(on - off);
      add.holder_npv_spend_gain.add_fixed(holder ? to_fixed(at(b.holder_npv_spend_usd, *contracted, i)) -
                                                       to_fixed(at(b.holder_npv_spend_usd, *no_rofr, i))
                                                 : 0);
    }
  }
  std::int64_t clamped = 0;
  for (size_t i = 0; i < c && i < b.clamped_multiplier_days.size(); ++i)
    clamped += static_cast<std::int64_t>(b.clamped_multiplier_days[i]);

  // Nothing below throws but for memory.
  auto keep = [c](std::vector<std::vector<double>>& dst, const std::vector<double>& src) {
    for (size_t j = 0; j < dst.size(); ++j) {
      const auto first = src.begin() + static_cast<std::ptrdiff_t>(j * c);
      dst[j].insert(dst[j].end(), first, first + static_cast<std::ptrdiff_t>(c));
    }
  };
  keep(cost_usd, b.cost_usd);
  keep(unmet_gpu_hours, b.unmet_gpu_hours);
  keep(npv_cost_usd, npv_cost);
  // Concentration of the contracted portfolio's spend, path by path.
  std::vector<double> spends(nq);
  for (size_t i = 0; i < c; ++i) {
    for (size_t q = 0; q < nq; ++q) spends[q] = at(b.provider_spend_usd, q, i);
    hhi_spend.push_back(hhi_percent(spends));
  }
  auto merge = [](auto& into, const auto& from) {
    for (size_t j = 0; j < into.size(); ++j) into[j] += from[j];
  };
  merge(spend_usd, add.spend_usd);
  merge(provider_spend_usd, add.provider_spend_usd);
  merge(provider_used_gpu_hours, add.provider_used_gpu_hours);
  merge(provider_exit_cost_usd, add.provider_exit_cost_usd);
  merge(provider_npv_spend_usd, add.provider_npv_spend_usd);
  merge(batna_ratio, add.batna_ratio);
  merge(contract_price_ratio, add.contract_price_ratio);
  merge(spend_items, add.spend_items);
  for (size_t k = 0; k < contract_items.size(); ++k) merge(contract_items[k], add.contract_items[k]);
  holder_spend_on += add.holder_spend_on;
  holder_spend_off += add.holder_spend_off;
  holder_spend_gain += add.holder_spend_gain;
  holder_npv_spend_gain += add.holder_npv_spend_gain;
  clamped_multiplier_days += clamped;
  paths += b.count;
}

RiskMetrics compute_metrics(const PathResults& r, const NegotiationTerms& negotiation, int threads) {
  if (r.paths <= 0) throw std::invalid_argument("risk metrics need at least one path");
  const auto contracted = find_name(r.portfolio_names, "contracted");
  if (!contracted) throw std::invalid_argument("risk metrics need the \"contracted\" portfolio");

  RiskMetrics m;
  m.paths = r.paths;
  m.clamped_multiplier_days = r.clamped_multiplier_days;
  m.buyer_power = negotiation.buyer_power;
  const auto n = static_cast<double>(r.paths);
  const size_t np = r.portfolio_names.size(), nq = r.provider_ids.size(), nk = r.contract_ids.size();
  auto is_source_off = [&](size_t p) { return r.portfolio_names[p].rfind(kSourceOffPrefix, 0) == 0; };

  // Every figure below is a function of its own per-path columns, computed
  // as a task of its own: the sorts and conversions of a large run take a
  // noticeable share of its time on one thread, and the tasks write only
  // their own slots, so the figures do not depend on `threads`.
  // Per-path values of the contracted portfolio's cost, in path order, for
  // the standard errors of paired differences.
  const std::vector<std::int64_t> contracted_fixed = fixed_values(r.cost_usd[*contracted]);
  const auto n_rows = contracted_fixed.size();

  // Phase 1: the portfolios (each column converted and sorted once; a
  // portfolio's costs serve its summary, histogram and sum), the
  // sensitivity portfolios, the HHI, and the breakdown. Portfolios first,
  // then the sources switched off, as they are reported.
  std::vector<PortfolioMetrics> per(np);
  std::vector<i128> cost_sum(np);
  std::vector<double> se_delta(np, kNaN);  // a source's SE of the per-path difference to contracted
  std::vector<ProviderBreakdown> provider_breakdown(nq);
  std::vector<ContractBreakdown> contract_breakdown(nk);
  std::vector<std::function<void()>> tasks;
  for (size_t p = 0; p < np; ++p) {
    if (is_source_off(p)) continue;
    tasks.emplace_back([&, p] {
      PortfolioMetrics& pm = per[p];
      pm.name = r.portfolio_names[p];
      const std::vector<std::int64_t> cost = sorted_fixed(r.cost_usd[p]);
      pm.cost_usd = summarize_fixed(cost);
      pm.cost_histogram = histogram_sorted(cost, kHistogramBins);
      cost_sum[p] = fixed_sum(cost);
      pm.unmet_gpu_hours = summarize(r.unmet_gpu_hours[p]);
      pm.spend_usd = summarize_mean_only(r.spend_usd[p]);
      pm.npv_cost_usd = summarize(r.npv_cost_usd[p]);
      pm.unmet_paths = count_unmet(r.unmet_gpu_hours[p]);
      pm.p_unmet = static_cast<double>(pm.unmet_paths) / n;
      pm.se_p_unmet = std::sqrt(pm.p_unmet * (1.0 - pm.p_unmet) / n);
    });
  }
  for (size_t p = 0; p < np; ++p) {
    if (!is_source_off(p)) continue;
    tasks.emplace_back([&, p] {
      const std::vector<std::int64_t> cost = fixed_values(r.cost_usd[p]);
      const std::vector<std::int64_t> cost_sorted = sorted(cost);
      per[p].cost_usd = summarize_fixed(cost_sorted);
      cost_sum[p] = fixed_sum(cost_sorted);
      // The paired difference on and off, path by path.
      std::vector<std::int64_t> diff(cost.size());
      for (size_t i = 0; i < diff.size(); ++i) diff[i] = contracted_fixed[i] - cost[i];
      se_delta[p] = fixed_se_mean(diff);
    });
  }
  // Concentration of the contracted portfolio's spend, path by path.
  tasks.emplace_back([&] { m.hhi_spend = summarize(r.hhi_spend); });
  run_tasks(tasks, threads);
  // The breakdown: means and standard errors of running moments.
  for (size_t i = 0; i < kSpendItems; ++i) m.breakdown.items[i] = r.spend_items[i].mean_se();
  for (size_t q = 0; q < nq; ++q)
    provider_breakdown[q] = {r.provider_ids[q], r.provider_spend_usd[q].mean_se(),
                             r.provider_used_gpu_hours[q].mean_se(), r.provider_npv_spend_usd[q].mean_se()};
  for (size_t c = 0; c < nk; ++c) {
    ContractBreakdown& cb = contract_breakdown[c];
    cb.id = r.contract_ids[c];
    for (int i = 0; i < kContractItems; ++i) cb.items[i] = r.contract_items[static_cast<size_t>(i)][c].mean_se();
  }
  for (size_t p = 0; p < np; ++p)
    if (!is_source_off(p)) m.portfolios.push_back(std::move(per[p]));
  m.breakdown.providers = std::move(provider_breakdown);
  m.breakdown.contracts = std::move(contract_breakdown);

  // Sensitivity: the contracted portfolio against each source switched off,
  // on the same paths. Means from the exact fixed-point sums; p95 and CVaR95
  // from the same summaries as the portfolios'; the SE from the paired
  // per-path differences. A source that changes no path gives exact zeros.
  // The p95 and CVaR95 deltas are taken on the summaries' exact figures:
  // both are in hundredths over the same N paths, so each delta is rounded
  // once, as the mean's is (a difference of the two rounded doubles would
  // add a rounding of its own: ...151.55005 for an exact ...151.55).
  const Summary& on = std::find_if(m.portfolios.begin(), m.portfolios.end(), [](const PortfolioMetrics& pm) {
                         return pm.name == "contracted";
                       })->cost_usd;
  const i128 on_sum = cost_sum[*contracted];
  for (size_t p = 0; p < np; ++p) {
    if (!is_source_off(p)) continue;
    const Summary& off = per[p].cost_usd;
    SourceSensitivity ss;
    ss.source = r.portfolio_names[p].substr(kSourceOffPrefix.size());
    ss.mean_delta_usd = ratio(on_sum - cost_sum[p], static_cast<i128>(r.paths) * kScale);
    ss.p95_delta_usd = static_cast<double>(static_cast<i128>(on.p95_fixed) - off.p95_fixed) / kFixedScale;
    ss.cvar95_delta_usd = ratio(on.cvar95_numerator - off.cvar95_numerator, cvar95_denominator(r.paths));
    ss.se_mean_delta_usd = se_delta[p];
    m.sources.push_back(std::move(ss));
  }
  std::stable_sort(m.sources.begin(), m.sources.end(), [](const SourceSensitivity& a, const SourceSensitivity& b) {
    const double x = std::fabs(a.cvar95_delta_usd), y = std::fabs(b.cvar95_delta_usd);
    return x != y ? x > y : a.source < b.source;
  });

  // Phase 2: lock-in and leverage, a task per provider. Differences and
  // ratios of means are taken on the exact fixed-point sums (all over the
  // same N paths), so they carry no cancellation noise.
  const i128 contracted_sum = cost_sum[*contracted];
  const i128 n_paths = r.paths;
  m.lock_in.resize(nq);
  m.leverage.resize(nq);
  tasks.clear();
  for (size_t q = 0; q < nq; ++q) tasks.emplace_back([&, q] {
    const std::string& id = r.provider_ids[q];
    const i128 spend_with = r.provider_spend_usd[q].sum(), used_on = r.provider_used_gpu_hours[q].sum();

    LockInMetrics& li = m.lock_in[q];
    li.provider = id;
    const MeanSe exit_cost = r.provider_exit_cost_usd[q].mean_se();
    li.exit_cost_usd = exit_cost.mean;
    li.se_exit_cost_usd = exit_cost.se_mean;
    if (const auto single = find_name(r.portfolio_names, "single:" + id)) {
      li.cost_of_lock_in_usd = ratio(cost_sum[*single] - contracted_sum, n_paths * kScale);
      std::vector<std::int64_t> diff = fixed_values(r.cost_usd[*single]);
      for (size_t i = 0; i < n_rows; ++i) diff[i] -= contracted_fixed[i];
      li.se_cost_of_lock_in_usd = fixed_se_mean(diff);
    }

    LeverageMetrics& lv = m.leverage[q];
    lv.provider = id;
    const auto floor_it = negotiation.seller_floor_usd_per_gpu_hour.find(id);
    lv.floor_assumed = floor_it == negotiation.seller_floor_usd_per_gpu_hour.end();
    lv.seller_floor_usd_per_gpu_hour = lv.floor_assumed ? 0.0 : floor_it->second;
    // Mean GPU-hours used on P, in hundredths per path: "used" above 1e-9 h
    // means a positive fixed-point sum.
    if (used_on > 0) {
      const auto without = find_name(r.portfolio_names, "without:" + id);
      if (without) {
        // R_B = (E[without] − (E[contracted] − E[spend P])) / E[used P]; the N's cancel.
        lv.batna_usd_per_gpu_hour = ratio_of(cost_sum[*without] - contracted_sum + spend_with, used_on);
        lv.nash_price_usd_per_gpu_hour =
            nash_price(*lv.batna_usd_per_gpu_hour, negotiation.buyer_power, lv.seller_floor_usd_per_gpu_hour);
        // Its per-path numerator's moments (PathResults::batna_ratio).
        lv.se_batna_usd_per_gpu_hour = r.batna_ratio[q].se();
        if (lv.nash_price_usd_per_gpu_hour) {
          lv.se_nash_price_usd_per_gpu_hour = (1.0 - negotiation.buyer_power) * *lv.se_batna_usd_per_gpu_hour;
        }
      }
      lv.contract_price_usd_per_gpu_hour = ratio_of(spend_with, used_on);
      lv.se_contract_price_usd_per_gpu_hour = r.contract_price_ratio[q].se();
    }
  });
  run_tasks(tasks, threads);
  return m;
}

}  // namespace cloudpact::risk

namespace cloudpact::risk {

std::optional<RofrMetrics> rofr_metrics(const PathResults& r, const RofrTerms& terms) {
  if (terms.holder.empty()) return std::nullopt;
  const auto on = find_name(r.portfolio_names, "contracted");
  const auto off = find_name(r.portfolio_names, "no_rofr");
  if (!on || !off || r.paths <= 0) throw std::invalid_argument("the rofr block needs \"contracted\" and \"no_rofr\"");
  const i128 n = static_cast<i128>(r.paths);
  // Mean of each side, and the mean and SE of the paired difference, exact in fixed point.
  auto paired = [&](const std::vector<std::vector<double>>& x, double& with, double& without, double& diff, double& se) {
    const i128 a = fixed_sum_of(x[*on]), b = fixed_sum_of(x[*off]);
    with = ratio(a, n * kScale);
    without = ratio(b, n * kScale);
    diff = ratio(a - b, n * kScale);
    std::vector<std::int64_t> d = fixed_values(x[*on]);
    const std::vector<std::int64_t> w = fixed_values(x[*off]);
    for (size_t i = 0; i < d.size(); ++i) d[i] -= w[i];
    se = fixed_se_mean(d);
  };
  RofrMetrics m;
  m.terms = terms;
  // The holder's side from its running moments (PathResults::holder_spend_*).
  m.holder_spend_usd = r.holder_spend_on.mean_se().mean;
  m.holder_spend_no_rofr_usd = r.holder_spend_off.mean_se().mean;
  const MeanSe gain = r.holder_spend_gain.mean_se(), npv_gain = r.holder_npv_spend_gain.mean_se();
  m.value_to_holder_usd = gain.mean;
  m.se_value_to_holder_usd = gain.se_mean;
  m.npv_value_to_holder_usd = npv_gain.mean;
  m.se_npv_value_to_holder_usd = npv_gain.se_mean;
  paired(r.cost_usd, m.buyer_cost_usd, m.buyer_cost_no_rofr_usd, m.cost_to_buyer_usd, m.se_cost_to_buyer_usd);
  double unused_a = 0.0, unused_b = 0.0;
  paired(r.npv_cost_usd, unused_a, unused_b, m.npv_cost_to_buyer_usd, m.se_npv_cost_to_buyer_usd);
  return m;
}

}  // namespace cloudpact::risk
