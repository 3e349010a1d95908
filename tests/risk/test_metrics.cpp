// Risk metrics (docs/reference.md §6): quantiles, CVaR, fixed-point determinism, p_unmet,
// HHI, lock-in, BATNA and Nash prices, risk.json shape. Pure: no kernels.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "risk/metrics.hpp"
#include "risk/risk_json.hpp"

using namespace cloudpact;
using namespace cloudpact::risk;

namespace {

std::vector<double> one_to(int n) {
  std::vector<double> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 1.0);
  return v;
}

// Paths [first, first + count) of a deterministic two-provider result set:
// path k's figures are functions of k alone.
BatchResults two_provider_batch(std::int64_t first, std::int64_t count) {
  BatchResults b;
  b.first_path = first;
  b.count = count;
  b.n_portfolios = 5;
  b.n_providers = 2;
  const auto N = static_cast<size_t>(count);
  b.cost_usd.resize(5 * N);
  b.spend_usd.resize(5 * N);
  b.unmet_gpu_hours.resize(5 * N);
  b.provider_spend_usd.resize(2 * N);
  b.provider_used_gpu_hours.resize(2 * N);
  b.provider_exit_cost_usd.resize(2 * N);
  for (size_t i = 0; i < N; ++i) {
    const auto k = static_cast<size_t>(first) + i;
    for (size_t p = 0; p < 5; ++p) {
      b.cost_usd[p * N + i] = 1000.0 * static_cast<double>(p + 1) + static_cast<double>(k) * 0.37;
      b.spend_usd[p * N + i] = 900.0 * static_cast<double>(p + 1) + static_cast<double>(k) * 0.11;
      b.unmet_gpu_hours[p * N + i] = (k % 4 == 0) ? 2.5 * static_cast<double>(p) : 0.0;
    }
    b.provider_spend_usd[i] = 600.0 + static_cast<double>(k);
    b.provider_spend_usd[N + i] = 300.0;
    b.provider_used_gpu_hours[i] = 100.0;
    b.provider_used_gpu_hours[N + i] = 50.0;
    b.provider_exit_cost_usd[i] = 10.0 * static_cast<double>(k);
    b.provider_exit_cost_usd[N + i] = 0.0;
  }
  return b;
}

// The set's first n paths, in one batch.
PathResults make_results(int n) {
  PathResults r({"contracted", "without:a", "single:a", "without:b", "single:b"}, {"a", "b"});
  r.append(two_provider_batch(0, n));
  return r;
}

}  // namespace

TEST_CASE("quantiles are the ceil(alpha N)-th order statistic") {
  const std::vector<double> v = one_to(100);
  CHECK(quantile_bp(v, 5000) == 50.0);
  CHECK(quantile_bp(v, 9500) == 95.0);  // ⌈0.95·100⌉ = 95 exactly, no float slip to 96
  CHECK(quantile_bp(v, 9900) == 99.0);
  CHECK(quantile_bp(v, 10000) == 100.0);
  CHECK(quantile_bp(v, 1) == 1.0);
  const std::vector<double> ten = one_to(10);
  CHECK(quantile_bp(ten, 9500) == 10.0);  // ⌈9.5⌉ = 10
  CHECK(quantile_bp(ten, 5000) == 5.0);
  CHECK(quantile_bp(std::vector<double>{7.0}, 9900) == 7.0);
  CHECK_THROWS_AS(quantile_bp(std::vector<double>{}, 9500), std::invalid_argument);
}

TEST_CASE("summary of 1..100: mean, quantiles, CVaR as the mean of the worst 5") {
  std::vector<double> v = one_to(100);
  std::shuffle(v.begin(), v.end(), std::mt19937(7));
  const Summary s = summarize(v);
  CHECK(s.mean == 50.5);
  CHECK(s.p50 == 50.0);
  CHECK(s.p95 == 95.0);
  CHECK(s.p99 == 99.0);
  CHECK(s.cvar95 == doctest::Approx((96 + 97 + 98 + 99 + 100) / 5.0).epsilon(1e-15));
  // sample std of 1..100 = sqrt(100·101/12) = 29.011...
  CHECK(s.se_mean == doctest::Approx(std::sqrt(100.0 * 101.0 / 12.0) / 10.0).epsilon(1e-12));
  // (L − 95)⁺ = 0 ×95, then 1..5: mean 0.15, sample variance (55 − 100·0.15²)/99.
  const double var_excess = (55.0 - 100.0 * 0.15 * 0.15) / 99.0;
  CHECK(s.se_cvar95 == doctest::Approx(std::sqrt(var_excess / (0.05 * 0.05 * 100.0))).epsilon(1e-12));
  // Order-statistic SEs: one value per rank, so se = s = √(N·α(1 − α)) ranks:
  //   p50: s = 5, d = 10: (60 − 40)/20 · 5 = 5
  //   p95: s = √4.75 = 2.179, d = 4: (99 − 91)/8 · 2.179
  //   p99: s = √0.99 = 0.995, d = 2, ranks 97..100 (clipped): (100 − 97)/3 · 0.995
  CHECK(s.se_p50 == doctest::Approx(5.0).epsilon(1e-12));
  CHECK(s.se_p95 == doctest::Approx(std::sqrt(4.75)).epsilon(1e-12));
  CHECK(s.se_p99 == doctest::Approx(std::sqrt(0.99)).epsilon(1e-12));
}

TEST_CASE("order-statistic SE of a quantile: the spread per rank, no distribution assumed") {
  // Values 0, 2, 4, ... (2 per rank): twice the SE of 1..N.
  std::vector<std::int64_t> twice(100);
  for (size_t i = 0; i < twice.size(); ++i) twice[i] = static_cast<std::int64_t>(200 * i);  // hundredths
  CHECK(quantile_se_bp(twice, 9500) == doctest::Approx(2.0 * std::sqrt(4.75)).epsilon(1e-12));
  // An atom at the quantile: no spread there.
  const std::vector<std::int64_t> atom(100, 700);
  CHECK(quantile_se_bp(atom, 9500) == 0.0);
  // A long right tail widens p95's SE where the bulk is tight: ranks 91..99 hold 100..900.
  std::vector<std::int64_t> tail(100, 0);
  for (size_t i = 90; i < 100; ++i) tail[i] = static_cast<std::int64_t>(100 * 100 * (i - 89));  // 100, 200, ... units
  CHECK(quantile_se_bp(tail, 9500) == doctest::Approx((900.0 - 100.0) / 8.0 * std::sqrt(4.75)).epsilon(1e-12));
  CHECK(std::isnan(quantile_se_bp(std::vector<std::int64_t>{5}, 9500)));
  CHECK_THROWS_AS(quantile_se_bp(atom, 0), std::invalid_argument);
}

TEST_CASE("CVaR weighs the boundary path so the tail holds exactly 5% of the paths") {
  // N = 30: ⌈28.5⌉ = 29, tail = 1.5 paths: L(30) whole and half of L(29).
  const std::vector<double> v = one_to(30);
  CHECK(summarize(v).cvar95 == doctest::Approx((2.0 * 30 + 1.0 * 29) / 3.0).epsilon(1e-15));
  // N = 1: the value itself.
  const Summary one = summarize(std::vector<double>{12.34});
  CHECK(one.cvar95 == doctest::Approx(12.34));
  CHECK(one.p50 == doctest::Approx(12.34));
  CHECK(std::isnan(one.se_mean));  // no spread from one path
  // N = 10: ⌈9.5⌉ = 10, the tail is half a path: the largest value.
  CHECK(summarize(one_to(10)).cvar95 == 10.0);
  // N = 200: ⌈190⌉ = 190, the 10 largest values: 191..200.
  CHECK(summarize(one_to(200)).cvar95 == doctest::Approx(195.5).epsilon(1e-15));
  // CVaR >= VaR >= mean for any sample.
  std::vector<double> r(997);
  std::mt19937_64 g(3);
  std::lognormal_distribution<double> ln(0.0, 1.0);
  for (double& x : r) x = 1e6 * ln(g);
  const Summary s = summarize(r);
  CHECK(s.cvar95 >= s.p95);
  CHECK(s.p95 >= s.p50);
  CHECK(s.p99 >= s.p95);
}

TEST_CASE("values are rounded to hundredths (cents) before anything else") {
  CHECK(to_fixed(1.234) == 123);
  CHECK(to_fixed(1.235) == 124);  // llround: half away from zero (1.235·100 = 123.50000000000001)
  CHECK(to_fixed(-2.5) == -250);
  CHECK(to_fixed(0.004) == 0);
  CHECK_THROWS_AS(to_fixed(std::numeric_limits<double>::infinity()), std::domain_error);
  CHECK_THROWS_AS(to_fixed(std::nan("")), std::domain_error);
  CHECK_THROWS_AS(to_fixed(1e17), std::domain_error);
  CHECK(fixed_mean(std::vector<double>{0.001, 0.002, 0.004}) == 0.0);
  CHECK(quantile_bp(std::vector<double>{1.0000001}, 5000) == 1.0);
}

TEST_CASE("to_fixed rounds as llround does: halves away from zero, to the same integer") {
  // Values around every kind of boundary: exact halves of a cent and their
  // neighbours either side, integers, both signs, up to the range's end.
  std::vector<double> xs;
  for (const double cents : {0.0, 0.5, 1.5, 2.5, 123.5, 1e6 + 0.5, 4503599627370495.5, 4503599627370496.0,
                             9007199254740993.0, 9.1e18}) {
    for (const double sign : {1.0, -1.0}) {
      const double scaled = sign * cents;
      xs.push_back(scaled / 100.0);
      xs.push_back(std::nextafter(scaled, 1e300) / 100.0);
      xs.push_back(std::nextafter(scaled, -1e300) / 100.0);
    }
  }
  std::mt19937_64 g(5);
  std::uniform_real_distribution<double> u(-18.0, 16.9);
  std::uniform_int_distribution<int> half(0, 1);
  for (int i = 0; i < 200000; ++i) {
    const double x = std::pow(10.0, u(g)) * (half(g) ? -1.0 : 1.0);
    xs.push_back(x);
    xs.push_back(std::round(x * 200.0) / 200.0);  // often an exact half cent
  }
  int mismatches = 0;
  for (const double x : xs) mismatches += to_fixed(x) == std::llround(x * kFixedScale) ? 0 : 1;
  CHECK(mismatches == 0);
}

TEST_CASE("fixed-point sums do not depend on the order of the paths") {
  // Values whose double sum does depend on the order.
  std::vector<double> v;
  std::mt19937_64 g(11);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int i = 0; i < 20000; ++i) v.push_back(std::pow(10.0, 12.0 * u(g)) * (u(g) < 0.1 ? -1.0 : 1.0));
  const Summary ref = summarize(v);
  const double ref_mean = fixed_mean(v);
  bool double_sum_moved = false;
  const double naive = std::accumulate(v.begin(), v.end(), 0.0);
  for (unsigned seed = 1; seed <= 5; ++seed) {
    std::vector<double> w = v;
    std::shuffle(w.begin(), w.end(), std::mt19937(seed));
    if (std::accumulate(w.begin(), w.end(), 0.0) != naive) double_sum_moved = true;
    const Summary s = summarize(w);
    // Bit-identical, not approximately equal.
    CHECK(std::memcmp(&s, &ref, sizeof s) == 0);
    CHECK(fixed_mean(w) == ref_mean);
  }
  CHECK(double_sum_moved);  // the test data would have caught an order-dependent sum
}

TEST_CASE("p_unmet counts paths with unmet demand above 1e-6 GPU-hours") {
  CHECK(count_unmet(std::vector<double>{0.0, 1e-7, 1e-6, 2e-6, 5.0}) == 2);
  CHECK(count_unmet(std::vector<double>{}) == 0);
  const PathResults r = make_results(8);  // unmet on paths 0 and 4 (i % 4 == 0) except in portfolio 0
  const RiskMetrics m = compute_metrics(r, NegotiationTerms{});
  CHECK(m.portfolios[0].unmet_paths == 0);
  CHECK(m.portfolios[0].p_unmet == 0.0);
  CHECK(m.portfolios[1].unmet_paths == 2);
  CHECK(m.portfolios[1].p_unmet == 0.25);
  CHECK(m.portfolios[1].se_p_unmet == doctest::Approx(std::sqrt(0.25 * 0.75 / 8)));
}

TEST_CASE("HHI of provider spends in percent, negative spends clamped") {
  CHECK(hhi_percent(std::vector<double>{100.0}) == doctest::Approx(10000.0));
  CHECK(hhi_percent(std::vector<double>{50.0, 50.0}) == doctest::Approx(5000.0));
  CHECK(hhi_percent(std::vector<double>{75.0, 25.0}) == doctest::Approx(75.0 * 75 + 25.0 * 25));
  CHECK(hhi_percent(std::vector<double>{100.0, -20.0}) == doctest::Approx(10000.0));
  CHECK(hhi_percent(std::vector<double>{0.0, 0.0}) == 0.0);
  CHECK(hhi_percent(std::vector<double>{}) == 0.0);
}

TEST_CASE("BATNA and Nash price on a deterministic case") {
  // contracted 100, without:P 160, spend with P 40, 10 GPU-h used on P:
  // R_B = (160 − (100 − 40)) / 10 = 10.
  const auto rb = batna(160.0, 100.0, 40.0, 10.0);
  REQUIRE(rb);
  CHECK(*rb == doctest::Approx(10.0));
  const auto p = nash_price(*rb, 0.5, 4.0);
  REQUIRE(p);
  CHECK(*p == doctest::Approx(7.0));
  CHECK_FALSE(nash_price(*rb, 0.5, 12.0));        // floor above the alternative: no deal
  CHECK(*nash_price(*rb, 0.5, 10.0) == doctest::Approx(10.0));  // r = R_B still reported
  CHECK(*nash_price(*rb, 0.0, 4.0) == doctest::Approx(10.0));   // no buyer power: seller takes R_B
  CHECK(*nash_price(*rb, 1.0, 4.0) == doctest::Approx(4.0));    // all buyer power: the floor
  CHECK_FALSE(batna(160.0, 100.0, 40.0, 0.0));    // P not used
}

TEST_CASE("lock-in and leverage from accumulated paths") {
  // One path, one provider: contracted 100, without:P 160, single:P 130,
  // spend with P 40, 10 GPU-h on P, exit cost 25.
  PathResults r({"contracted", "without:P", "single:P"}, {"P"});
  BatchResults b;
  b.count = 1;
  b.n_portfolios = 3;
  b.n_providers = 1;
  b.cost_usd = {100.0, 160.0, 130.0};
  b.spend_usd = {90.0, 150.0, 120.0};
  b.unmet_gpu_hours = {0.0, 1.0, 0.0};
  b.provider_spend_usd = {40.0};
  b.provider_used_gpu_hours = {10.0};
  b.provider_exit_cost_usd = {25.0};
  r.append(b);

  NegotiationTerms neg;
  neg.buyer_power = 0.5;
  neg.seller_floor_usd_per_gpu_hour["P"] = 4.0;
  RiskMetrics m = compute_metrics(r, neg);
  REQUIRE(m.lock_in.size() == 1);
  CHECK(m.lock_in[0].exit_cost_usd == 25.0);
  REQUIRE(m.lock_in[0].cost_of_lock_in_usd);
  CHECK(*m.lock_in[0].cost_of_lock_in_usd == doctest::Approx(30.0));
  REQUIRE(m.leverage.size() == 1);
  const LeverageMetrics& lv = m.leverage[0];
  CHECK(*lv.batna_usd_per_gpu_hour == doctest::Approx(10.0));
  CHECK(*lv.nash_price_usd_per_gpu_hour == doctest::Approx(7.0));
  CHECK(*lv.contract_price_usd_per_gpu_hour == doctest::Approx(4.0));
  CHECK_FALSE(lv.floor_assumed);

  neg.seller_floor_usd_per_gpu_hour["P"] = 12.0;
  m = compute_metrics(r, neg);
  CHECK_FALSE(m.leverage[0].nash_price_usd_per_gpu_hour);

  // No floor given: 0 assumed, and said so.
  m = compute_metrics(r, NegotiationTerms{});
  CHECK(m.leverage[0].floor_assumed);
  CHECK(*m.leverage[0].nash_price_usd_per_gpu_hour == doctest::Approx(5.0));
}

TEST_CASE("standard errors of lock-in and leverage (regression tolerances)") {
  // Two paths, one provider P.
  //   contracted 100, 120; single:P 130, 160  -> paired differences 30, 40:
  //     mean 35, sample variance 50, se = √(50/2) = 5.
  //   without:P 160, 200; spend with P 40, 40; used on P 10, 10
  //     -> R_B numerators 100, 120, R_B = 220/20 = 11, residuals −10, +10:
  //     se = √(200 / (2·1)) / 10 = 1.
  //   contract price 80/20 = 4 with zero residuals: se 0.
  //   exit cost 20, 30: se of the mean = 5.
  PathResults r({"contracted", "without:P", "single:P"}, {"P"});
  BatchResults b;
  b.count = 2;
  b.n_portfolios = 3;
  b.n_providers = 1;
  b.cost_usd = {100.0, 120.0, 160.0, 200.0, 130.0, 160.0};
  b.spend_usd = {90.0, 110.0, 150.0, 190.0, 120.0, 150.0};
  b.unmet_gpu_hours = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
  b.provider_spend_usd = {40.0, 40.0};
  b.provider_used_gpu_hours = {10.0, 10.0};
  b.provider_exit_cost_usd = {20.0, 30.0};
  r.append(b);
  NegotiationTerms neg;
  neg.buyer_power = 0.25;
  neg.seller_floor_usd_per_gpu_hour["P"] = 4.0;
  const RiskMetrics m = compute_metrics(r, neg);
  const LockInMetrics& li = m.lock_in[0];
  CHECK(*li.cost_of_lock_in_usd == doctest::Approx(35.0));
  CHECK(*li.se_cost_of_lock_in_usd == doctest::Approx(5.0));
  CHECK(li.se_exit_cost_usd == doctest::Approx(5.0));
  const LeverageMetrics& lv = m.leverage[0];
  CHECK(*lv.batna_usd_per_gpu_hour == doctest::Approx(11.0));
  CHECK(*lv.se_batna_usd_per_gpu_hour == doctest::Approx(1.0));
  CHECK(*lv.nash_price_usd_per_gpu_hour == doctest::Approx(0.75 * 11.0 + 0.25 * 4.0));
  CHECK(*lv.se_nash_price_usd_per_gpu_hour == doctest::Approx(0.75));  // (1 − β)·se(R_B)
  CHECK(*lv.se_contract_price_usd_per_gpu_hour == doctest::Approx(0.0));

  // ratio_se by hand: D = 3, 5, 4; U = 1, 2, 1: R = 3, residuals 0, −1, 1,
  // se = √(2 / (3·2)) / (4/3) = 0.433013.
  const std::vector<std::int64_t> d{3, 5, 4}, u{1, 2, 1};
  CHECK(ratio_se(d, u) == doctest::Approx(std::sqrt(2.0 / 6.0) * 0.75));
  CHECK(std::isnan(ratio_se(std::vector<std::int64_t>{3}, std::vector<std::int64_t>{1})));  // one path
  CHECK(std::isnan(ratio_se(d, std::vector<std::int64_t>{0, 0, 0})));                       // Ū = 0
  CHECK_THROWS_AS(ratio_se(d, std::vector<std::int64_t>{1}), std::invalid_argument);
}

TEST_CASE("running moments give the exact variance, far from zero too") {
  // 9e13 USD + 0, 1, 2: hundredths 9e15 + 0, 100, 200, whose squares
  // (8.1e31) no 64- or 128-bit sum of many paths holds. Sample variance
  // (100² + 0 + 100²) / 2 = 10,000 hundredths², so se = √(10,000 / 3) / 100.
  FixedMoments m;
  for (const double x : {9e13, 9e13 + 1.0, 9e13 + 2.0}) m.add(x);
  const MeanSe ms = m.mean_se();
  CHECK(ms.mean == 9e13 + 1.0);
  CHECK(ms.se_mean == doctest::Approx(std::sqrt(10000.0 / 3.0) / 100.0).epsilon(1e-15));
  // Added in another order, or in two parts merged, the same integers.
  FixedMoments a, b;
  a.add(9e13 + 2.0);
  b.add(9e13);
  b.add(9e13 + 1.0);
  a += b;
  CHECK(a == m);
  FixedMoments one;
  one.add(5.0);
  CHECK(one.mean_se().mean == 5.0);
  CHECK(std::isnan(one.mean_se().se_mean));
  CHECK(std::isnan(FixedMoments{}.mean_se().mean));
}

TEST_CASE("batches append in order; results do not depend on the batching") {
  const PathResults whole = make_results(10);
  PathResults parts(whole.portfolio_names, whole.provider_ids);
  for (std::int64_t first = 0; first < 10; first += 3) parts.append(two_provider_batch(first, std::min<std::int64_t>(3, 10 - first)));
  CHECK(parts.paths == 10);
  // Per-path figures in path order, running moments with the same sums.
  CHECK(parts.cost_usd == whole.cost_usd);
  CHECK(parts.unmet_gpu_hours == whole.unmet_gpu_hours);
  CHECK(parts.npv_cost_usd == whole.npv_cost_usd);
  CHECK(parts.hhi_spend == whole.hhi_spend);
  CHECK(parts.spend_usd == whole.spend_usd);
  CHECK(parts.provider_spend_usd == whole.provider_spend_usd);
  CHECK(parts.provider_exit_cost_usd == whole.provider_exit_cost_usd);
  CHECK(parts.batna_ratio == whole.batna_ratio);
  CHECK(parts.contract_price_ratio == whole.contract_price_ratio);
  // Provider a's exit cost is 10·k on path k: its moments are Σ and Σ² of 1000·k hundredths.
  CHECK(parts.provider_exit_cost_usd[0].count() == 10);
  CHECK(parts.provider_exit_cost_usd[0].sum() == 45000);
  const NegotiationTerms neg;
  const RiskRunInfo info{"unit", "", 10, 0, "cpu-omp", false, 1, 1, 1, 2};
  CHECK(risk_json(info, compute_metrics(parts, neg)) == risk_json(info, compute_metrics(whole, neg)));

  // A value beyond the fixed-point range leaves the results as they were.
  BatchResults too_large = two_provider_batch(10, 2);
  too_large.provider_exit_cost_usd[1] = 1e18;
  PathResults kept = parts;
  CHECK_THROWS_AS(kept.append(too_large), std::domain_error);
  CHECK(kept.paths == 10);
  CHECK(kept.cost_usd == parts.cost_usd);
  CHECK(kept.hhi_spend == parts.hhi_spend);
  CHECK(kept.provider_exit_cost_usd == parts.provider_exit_cost_usd);
  CHECK(kept.spend_usd == parts.spend_usd);

  BatchResults gap;
  gap.first_path = 12;
  gap.n_portfolios = 5;
  gap.n_providers = 2;
  CHECK_THROWS_AS(parts.append(gap), std::invalid_argument);
  BatchResults wrong;
  wrong.first_path = 10;
  wrong.n_portfolios = 4;
  wrong.n_providers = 2;
  CHECK_THROWS_AS(parts.append(wrong), std::invalid_argument);
}

TEST_CASE("histogram: fixed bins over [min, max], counts sum to N, order-independent") {
  std::vector<double> v = one_to(100);  // 1..100
  const Histogram h = histogram(v, 4);
  REQUIRE(h.edges.size() == 5);
  REQUIRE(h.counts.size() == 4);
  CHECK(h.edges.front() == 1.0);
  CHECK(h.edges.back() == 100.0);
  CHECK(h.edges[1] == 25.75);  // 1 + 99/4
  CHECK(h.edges[2] == 50.5);
  // [1, 25.75): 1..25; [25.75, 50.5): 26..50; [50.5, 75.25): 51..75; [75.25, 100]: 76..100
  CHECK(h.counts == std::vector<std::int64_t>{25, 25, 25, 25});
  std::reverse(v.begin(), v.end());
  const Histogram r = histogram(v, 4);
  CHECK(r.edges == h.edges);
  CHECK(r.counts == h.counts);

  const Histogram d = histogram(one_to(1000));
  CHECK(d.counts.size() == static_cast<size_t>(kHistogramBins));
  CHECK(std::accumulate(d.counts.begin(), d.counts.end(), std::int64_t{0}) == 1000);
  CHECK(std::is_sorted(d.edges.begin(), d.edges.end()));

  const Histogram same = histogram(std::vector<double>{3.5, 3.5, 3.5});
  CHECK(same.edges == std::vector<double>{3.5, 3.5});
  CHECK(same.counts == std::vector<std::int64_t>{3});
  CHECK_THROWS_AS(histogram(std::vector<double>{}), std::invalid_argument);
  CHECK_THROWS_AS(histogram(v, 0), std::invalid_argument);
}

TEST_CASE("risk.json has the docs/reference.md §6 shape and no run-dependent value") {
  const PathResults r = make_results(40);
  NegotiationTerms neg;
  neg.seller_floor_usd_per_gpu_hour["a"] = 1.0;
  const RiskMetrics m = compute_metrics(r, neg);
  RiskRunInfo info;
  info.scenario = "unit";
  info.scenario_sha256 = "abc";
  info.paths = 40;
  info.seed = 42;
  info.backend = "cpu-omp";
  info.days = 1095;
  info.clusters = 11;
  const std::string text = risk_json(info, m);
  CHECK(text == risk_json(info, compute_metrics(r, neg)));
  CHECK(text.back() == '\n');
  const auto j = nlohmann::json::parse(text);
  CHECK(j["paths"] == 40);
  CHECK(j["seed"] == 42);
  CHECK(j["backend"] == "cpu-omp");
  CHECK(j["scenario"] == "unit");
  CHECK(j.contains("cloudpact_version"));
  CHECK_FALSE(j.contains("threads"));
  CHECK(j["problem"]["days"] == 1095);
  CHECK(j["problem"]["clusters"] == 11);
  const auto& c = j["portfolios"]["contracted"];
  for (const char* k : {"mean", "p50", "p95", "p99", "cvar95", "se_mean", "se_cvar95", "se_p50", "se_p95", "se_p99"}) {
    CHECK(c["cost_usd"][k].is_number());
  }
  // Additive key: the histogram follows the keys of docs/reference.md §6, counts sum to the paths.
  const auto& hist = c["cost_usd"]["histogram"];
  CHECK(hist["edges_usd"].size() == static_cast<size_t>(kHistogramBins) + 1);
  CHECK(hist["counts"].size() == static_cast<size_t>(kHistogramBins));
  CHECK(hist["counts"].get<std::vector<std::int64_t>>() ==
        std::vector<std::int64_t>(m.portfolios[0].cost_histogram.counts));
  std::int64_t total = 0;
  for (const auto& n : hist["counts"]) total += n.get<std::int64_t>();
  CHECK(total == 40);
  CHECK(text.find("\"se_cvar95\"") < text.find("\"histogram\""));
  CHECK(c["unmet_gpu_hours"]["mean"].is_number());
  CHECK(c["unmet_gpu_hours"]["p95"].is_number());
  CHECK(c["spend_usd"]["mean"].is_number());
  CHECK(c["p_unmet"].is_number());
  CHECK(j["portfolios"].size() == 5);
  CHECK(j["hhi_spend"]["mean"].is_number());
  CHECK(j["hhi_spend"]["p95"].is_number());
  CHECK(j["hhi_spend"]["se_p95"].is_number());
  CHECK(c["unmet_gpu_hours"]["se_p95"].is_number());
  CHECK(text.find("\"se_cvar95\"") < text.find("\"se_p50\""));  // new keys after the old ones
  CHECK(j["lock_in"]["a"]["exit_cost_usd"].is_number());
  CHECK(j["lock_in"]["b"]["cost_of_lock_in_usd"].is_number());
  CHECK(j["leverage"]["a"]["batna_usd_per_gpu_hour"].is_number());
  CHECK(j["leverage"]["a"]["floor_assumed"] == false);
  CHECK(j["leverage"]["b"]["floor_assumed"] == true);
  CHECK(j["leverage"]["a"].contains("nash_price_usd_per_gpu_hour"));
  CHECK(j["leverage"]["a"]["contract_price_usd_per_gpu_hour"].is_number());
  // Standard errors for `cloudpact check`, after the keys they qualify.
  CHECK(j["lock_in"]["a"]["se_exit_cost_usd"].is_number());
  CHECK(j["lock_in"]["b"]["se_cost_of_lock_in_usd"].is_number());
  CHECK(j["leverage"]["a"]["se_batna_usd_per_gpu_hour"].is_number());
  CHECK(j["leverage"]["a"]["se_contract_price_usd_per_gpu_hour"].is_number());
  CHECK(j["leverage"]["a"].contains("se_nash_price_usd_per_gpu_hour"));
  CHECK(text.find("\"buyer_power\"") < text.find("\"se_batna_usd_per_gpu_hour\""));
  // Key order is the problem's, not alphabetical.
  CHECK(text.find("\"contracted\"") < text.find("\"without:a\""));
  CHECK(text.find("\"single:a\"") < text.find("\"without:b\""));
}

namespace {
// A result set with every column compute_metrics reads: portfolios, two
// sources switched off, the contracted breakdown and two contracts;
// pseudo-random values with ties and zeros, so sorts and sums have work.
PathResults make_full_results(int n, std::uint64_t seed) {
  const std::vector<std::string> portfolios = {"contracted", "without:a", "single:a", "off:prices:a", "without:b",
                                               "single:b",   "off:demand"};
  PathResults r(portfolios, {"a", "b"}, {"k1", "k2"});
  const auto N = static_cast<size_t>(n), np = portfolios.size();
  std::mt19937_64 g(seed);
  std::lognormal_distribution<double> cost(20.0, 0.4);
  std::uniform_int_distribution<int> die(0, 5);
  auto column = [&](size_t rows, double scale) {
    std::vector<double> v(rows * N);
    for (double& x : v) x = die(g) == 0 ? 0.0 : scale * cost(g) / 5e8;
    return v;
  };
  BatchResults b;
  b.first_path = 0;
  b.count = n;
  b.n_portfolios = static_cast<int>(np);
  b.n_providers = 2;
  b.n_contracts = 2;
  b.cost_usd = column(np, 1e9);
  b.spend_usd = column(np, 1e9);
  b.unmet_gpu_hours = column(np, 1e3);
  b.npv_cost_usd = column(np, 8e8);
  b.holder_spend_usd = b.holder_npv_spend_usd = column(np, 1e8);
  b.provider_spend_usd = column(2, 5e8);
  b.provider_used_gpu_hours = column(2, 1e7);
  b.provider_exit_cost_usd = column(2, 1e7);
  b.provider_npv_spend_usd = column(2, 4e8);
  b.billed_usd = column(1, 1e9);
  b.shortfall_usd = column(1, 1e6);
  b.sla_credits_usd = column(1, 1e5);
  b.egress_usd = column(1, 1e5);
  b.unmet_value_usd = column(1, 1e7);
  b.npv_spend_usd = column(1, 8e8);
  b.npv_unmet_value_usd = column(1, 8e6);
  b.clamped_multiplier_days.assign(N, 0.0);
  b.contract_billed_usd = column(2, 3e8);
  b.contract_shortfall_usd = column(2, 1e6);
  b.contract_sla_credits_usd = column(2, 1e5);
  b.contract_commitment_remaining_usd = column(2, 1e6);
  b.contract_npv_billed_usd = column(2, 2e8);
  r.append(b);
  return r;
}
}  // namespace

TEST_CASE("the metrics are the same bytes for any number of threads, errors included") {
  const PathResults r = make_full_results(5000, 3);
  NegotiationTerms neg;
  neg.seller_floor_usd_per_gpu_hour["a"] = 1.0;
  RiskRunInfo info;
  info.scenario = "unit";
  info.paths = r.paths;
  RiskMetrics one = compute_metrics(r, neg, 1);
  one.sensitivity = true;  // risk.json then writes the sources too
  REQUIRE(one.sources.size() == 2);
  REQUIRE(one.portfolios.size() == 5);
  REQUIRE(one.breakdown.contracts.size() == 2);
  const std::string serial = risk_json(info, one);
  for (const int threads : {2, 3, 8, 0}) {
    RiskMetrics m = compute_metrics(r, neg, threads);
    m.sensitivity = true;
    CHECK(risk_json(info, m) == serial);
  }
  // Two bad values in two portfolios: the error is the one a loop in order
  // meets first (the portfolio before the other), whichever thread finds it.
  PathResults bad = r;
  bad.cost_usd[1][10] = std::numeric_limits<double>::infinity();
  bad.cost_usd[4][20] = 1e18;
  std::string first;
  try {
    compute_metrics(bad, neg, 1);
  } catch (const std::domain_error& e) {
    first = e.what();
  }
  CHECK(first.find("inf") != std::string::npos);
  for (const int threads : {2, 8}) {
    for (int rep = 0; rep < 5; ++rep) CHECK_THROWS_WITH_AS(compute_metrics(bad, neg, threads), first.c_str(), std::domain_error);
  }
}
