// Correlated futures and sensitivity (docs/reference.md §11, §12) against
// answers derived here: the covariance of two providers' correlated lognormal
// price paths, Sheppard's formula for two clusters late together under the
// copula, the covered time of a Poisson outage process shared by two
// providers' regions, and the identities a sensitivity must meet.
//
// The world of every case: two providers a and b, one region and one cluster
// of 500 H100 each at $2 per GPU-hour on demand, a demand of 1,000 GPUs all
// of 2025 (365 days, 8,760 h). Demand equals capacity, so both clusters run
// full whenever they can and every lost GPU-hour of either is unmet.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "path_fixture.hpp"
#include "risk/metrics.hpp"

using namespace cloudpact;
using cloudpact::test::PathRun;

namespace {

constexpr double kHours = 8760.0;
constexpr double kDayYears = 1.0 / 365.25;
// Tolerances are 4 standard errors of this many paths. Under the sanitizers
// (5 times slower, and there to find memory errors, not to sharpen
// estimates) the same checks run on a quarter of the paths.
#if defined(__SANITIZE_ADDRESS__)
constexpr std::int64_t kPaths = 2000;
#else
constexpr std::int64_t kPaths = 8000;
#endif

// `uncertainty` spliced in; b's on-demand price `price_b`.
std::string two_providers(const std::string& uncertainty, double price_b = 2.0) {
  const auto provider = [](const std::string& id, double price) {
    return R"({ "id": ")" + id + R"(", "on_demand_usd_per_gpu_hour": { "H100": )" + std::to_string(price) +
           R"( }, "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 500 } ] } ] })";
  };
  return R"({ "name": "correlated", "start": "2025-01-01", "end": "2026-01-01",
    "providers": [ )" + provider("a", 2.0) + ", " + provider("b", price_b) + R"( ],
    "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 1000, "value_usd_per_gpu_hour": 10 } ],
    "uncertainty": )" + uncertainty + " }";
}

PathRun run(const std::string& text, bool sensitivity = false, std::int64_t paths = kPaths) {
  PathRun r{build_risk_problem(parse_scenario(text, "corr.json"), false, sensitivity), {}};
  risk::evaluate_paths(r.setup.problem, 5, 0, paths, risk::Backend::cpu, 0, r.r);
  return r;
}

// Row q of a [q * count + i] result.
std::vector<double> row(const std::vector<double>& v, int q, std::int64_t count) {
  return {v.begin() + q * count, v.begin() + (q + 1) * count};
}

double mean(const std::vector<double>& x) { return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size()); }

double covariance(const std::vector<double>& x, const std::vector<double>& y) {
  const double mx = mean(x), my = mean(y);
  double s = 0.0;
  for (size_t i = 0; i < x.size(); ++i) s += (x[i] - mx) * (y[i] - my);
  return s / static_cast<double>(x.size() - 1);
}

// The standard error of the sample variance of x: √((m4 − s⁴)/n).
double variance_se(const std::vector<double>& x) {
  const double m = mean(x), s2 = covariance(x, x);
  double m4 = 0.0;
  for (const double v : x) m4 += std::pow(v - m, 4);
  m4 /= static_cast<double>(x.size());
  return std::sqrt((m4 - s2 * s2) / static_cast<double>(x.size()));
}

// Σ over day pairs (s, t) of 0..364 of e^(c·min(s, t)·dt) − 1: the number of
// pairs whose minimum is k is 2·(364 − k) + 1.
double pair_sum(double c) {
  double s = 0.0;
  for (int k = 0; k < 365; ++k) s += (2.0 * (364 - k) + 1.0) * std::expm1(c * k * kDayYears);
  return s;
}

std::string prices(double rho) {
  return R"({ "prices": { "a": { "vol_per_year": 0.3 }, "b": { "vol_per_year": 0.2 } },
    "correlation": { "prices": { "providers": ["a", "b"], "matrix": [[1, )" + std::to_string(rho) + "], [" +
         std::to_string(rho) + ", 1]] } } }";
}

}  // namespace

TEST_CASE("correlated prices: the variance of the two providers' spend follows the lognormal covariance") {
  // Day d's multiplier is M(d) = exp(−σ²·d·dt/2 + σ·W(d·dt)) (no drift, no
  // jumps), E[M] = 1, and with Corr(W_a, W_b) = ρ:
  //   Cov(M_a(s), M_b(t)) = exp(ρ·σ_a·σ_b·min(s, t)·dt) − 1.
  // Each provider spends 500 GPUs × 24 h × $2 × M(d) = 24,000·M(d) a day, so
  //   Var(spend_a + spend_b) = 24,000² · Σ_{s,t} [Cov_aa + Cov_bb + 2·Cov_ab].
  const double sa = 0.3, sb = 0.2, day_usd = 24000.0;
  for (const double rho : {-0.5, 0.0, 0.8}) {
    CAPTURE(rho);
    const PathRun r = run(two_providers(prices(rho)));
    const std::vector<double> a = row(r.r.provider_spend_usd, 0, kPaths), b = row(r.r.provider_spend_usd, 1, kPaths);
    std::vector<double> total(a.size());
    for (size_t i = 0; i < a.size(); ++i) total[i] = a[i] + b[i];
    const double expected =
        day_usd * day_usd * (pair_sum(sa * sa) + pair_sum(sb * sb) + 2.0 * pair_sum(rho * sa * sb));
    const double got = covariance(total, total), se = variance_se(total);
    INFO("Var " << got << " expected " << expected << " se " << se);
    CHECK(std::abs(got - expected) < 4.0 * se);
    // Each provider's own path keeps its distribution: mean 365 days × 24,000.
    CHECK(std::abs(mean(a) - 365.0 * day_usd) < 4.0 * std::sqrt(covariance(a, a) / kPaths));
    const double var_a = day_usd * day_usd * pair_sum(sa * sa);
    CHECK(std::abs(covariance(a, a) - var_a) < 4.0 * variance_se(a));
  }
}

TEST_CASE("correlated prices: a correlation of 1 between equal volatilities is one path") {
  const std::string u = R"({ "prices": { "a": { "vol_per_year": 0.3 }, "b": { "vol_per_year": 0.3 } },
    "correlation": { "prices": { "providers": ["a", "b"], "matrix": [[1, 1], [1, 1]] } } })";
  const PathRun r = run(two_providers(u), false, 500);
  for (std::int64_t i = 0; i < 500; ++i)
    CHECK(r.r.provider_spend_usd[static_cast<size_t>(i)] ==
          doctest::Approx(r.r.provider_spend_usd[static_cast<size_t>(500 + i)]).epsilon(1e-12));
}

namespace {
// Fixed 30-day delays, late with probability 1/2, under the copula of ρ.
std::string late(double rho, const std::string& delay = R"({ "dist": "fixed", "value": 30 })", double p = 0.5) {
  return R"({ "delivery": { "p_on_time": )" + std::to_string(p) + R"(, "delay_days": )" + delay +
         R"( }, "correlation": { "delivery": { "common": )" + std::to_string(rho) + " } } }";
}
}  // namespace

TEST_CASE("delivery copula: two clusters are late together with Sheppard's probability") {
  // Late iff √ρ·Z + √(1−ρ)·Z_c ≥ Φ⁻¹(1/2) = 0: two standard normals of
  // correlation ρ both ≥ 0, P = 1/4 + arcsin(ρ)/(2π) (Sheppard): 1/4 at
  // ρ = 0, 1/3 at ρ = 1/2, 1/2 at ρ = 1. A late cluster delivers 30 days
  // later: 500 × 24 × 335 GPU-h used in the year instead of 500 × 8,760.
  const double on_time_used = 500.0 * kHours;
  for (const double rho : {0.0, 0.5, 1.0}) {
    CAPTURE(rho);
    const PathRun r = run(two_providers(late(rho)));
    std::int64_t both = 0, late_a = 0, agree = 0;
    for (std::int64_t i = 0; i < kPaths; ++i) {
      const double ua = r.r.provider_used_gpu_hours[static_cast<size_t>(i)];
      const double ub = r.r.provider_used_gpu_hours[static_cast<size_t>(kPaths + i)];
      const bool la = ua < on_time_used, lb = ub < on_time_used;
      if (la) CHECK(ua == doctest::Approx(500.0 * 24.0 * 335.0));
      both += la && lb;
      late_a += la;
      agree += la == lb;
    }
    const double n = static_cast<double>(kPaths), pi = std::acos(-1.0);
    const double p_both = 0.25 + std::asin(rho) / (2.0 * pi);
    CHECK(std::abs(both / n - p_both) < 4.0 * std::sqrt(p_both * (1 - p_both) / n));
    CHECK(std::abs(late_a / n - 0.5) < 4.0 * std::sqrt(0.25 / n));
    if (rho == 1.0) CHECK(agree == kPaths);  // a supply shortage: all late together, or none
  }
}

TEST_CASE("delivery copula: ρ = 0 is the block's absence, the same draws and the same numbers") {
  // Lognormal sizes, so that the size's draw is compared too.
  const std::string delay = R"({ "dist": "lognormal", "median": 30, "sigma": 0.5 })";
  const PathRun zero = run(two_providers(late(0.0, delay)), false, 500);
  const PathRun none = run(two_providers(R"({ "delivery": { "p_on_time": 0.5, "delay_days": )" + delay + " } }"), false, 500);
  CHECK(zero.r.cost_usd == none.r.cost_usd);
  CHECK(zero.r.provider_used_gpu_hours == none.r.provider_used_gpu_hours);
  // Something was late on these paths: the comparison is not of empty years.
  CHECK(std::count_if(none.r.provider_used_gpu_hours.begin(), none.r.provider_used_gpu_hours.end(),
                      [](double u) { return u < 500.0 * kHours; }) > 100);
  // A small ρ is the copula, with draws of its own.
  const PathRun small = run(two_providers(late(0.01, delay)), false, 500);
  CHECK(small.r.provider_used_gpu_hours != none.r.provider_used_gpu_hours);
}

TEST_CASE("delivery copula: the log delay sizes of two clusters have correlation ρ") {
  // Every cluster late (p_on_time 0); delay = median·e^(σ·(√ρ·Z' + √(1−ρ)·Z'_c))
  // rounded to whole days, read back from the GPU-hours used:
  // 500 × 24 × (365 − delay). Rounding adds noise of variance 1/12 day²,
  // ~1e-4 of the log's 0.25 variance: below the tolerance.
  const double rho = 0.6;
  const PathRun r = run(two_providers(late(rho, R"({ "dist": "lognormal", "median": 30, "sigma": 0.5 })", 0.0)));
  std::vector<double> la, lb;
  for (std::int64_t i = 0; i < kPaths; ++i) {
    const double da = 365.0 - r.r.provider_used_gpu_hours[static_cast<size_t>(i)] / 12000.0;
    const double db = 365.0 - r.r.provider_used_gpu_hours[static_cast<size_t>(kPaths + i)] / 12000.0;
    if (da < 1 || db < 1 || da > 364 || db > 364) continue;  // a delay of 0 days or past the year: no log size
    la.push_back(std::log(da));
    lb.push_back(std::log(db));
  }
  REQUIRE(la.size() > static_cast<size_t>(kPaths * 0.99));
  const double corr = covariance(la, lb) / std::sqrt(covariance(la, la) * covariance(lb, lb));
  CHECK(std::abs(corr - rho) < 4.0 * (1 - rho * rho) / std::sqrt(static_cast<double>(la.size())) + 0.01);
  CHECK(std::abs(std::sqrt(covariance(la, la)) - 0.5) < 0.01);  // each size keeps its own σ
}

namespace {
// Expected hours of [0, T] covered by Poisson(λ) intervals of length d that
// start in [0, T] (cut at T): at instant u, covered unless no arrival fell in
// [u − min(u, d), u], so E = ∫₀ᵀ (1 − e^(−λ·min(u, d))) du
//   = (T − d)(1 − e^(−λd)) + d − (1 − e^(−λd))/λ.
double covered_hours(double rate_per_hour, double d, double t) {
  const double q = -std::expm1(-rate_per_hour * d);
  return (t - d) * q + d - q / rate_per_hour;
}
}  // namespace

TEST_CASE("outage zones: one Poisson process takes both providers' regions at once") {
  // Zone over a/r and b/r, 4 a year (a year of 365.25 days: 8,766 h),
  // 10 h each, all capacity: every zone hour leaves the whole 1,000 GPUs of
  // demand unmet, overlapping outages counting once.
  const std::string u = R"({ "correlation": { "zones": [ { "id": "grid", "regions": ["a/r", "b/r"],
      "rate_per_year": 4, "duration_hours": { "dist": "fixed", "value": 10 } } ] } })";
  const PathRun r = run(two_providers(u));
  const std::vector<double> unmet = row(r.r.unmet_gpu_hours, r.portfolio("contracted"), kPaths);
  const double expected = 1000.0 * covered_hours(4.0 / 8766.0, 10.0, kHours);
  const double se = std::sqrt(covariance(unmet, unmet) / kPaths);
  INFO("mean " << mean(unmet) << " expected " << expected << " se " << se);
  CHECK(std::abs(mean(unmet) - expected) < 4.0 * se);
  // Simultaneity, path by path: alone, a leaves 500 GPUs unmet all year plus
  // its 500 in every zone hour, b the same at the same instants.
  const std::vector<double> only_a = row(r.r.unmet_gpu_hours, r.portfolio("single:a"), kPaths);
  const std::vector<double> only_b = row(r.r.unmet_gpu_hours, r.portfolio("single:b"), kPaths);
  for (std::int64_t i = 0; i < kPaths; i += 97) {
    const auto k = static_cast<size_t>(i);
    CHECK(only_a[k] == doctest::Approx(only_b[k]).epsilon(1e-12));
    CHECK(unmet[k] == doctest::Approx(2.0 * (only_a[k] - 500.0 * kHours)).epsilon(1e-9));
  }
}

TEST_CASE("outage zones: a region's own outage under a zone outage counts once, with the larger loss") {
  // a also has its own outages, 6 a year of 20 h taking 50%. At an instant
  // covered by the zone (probability z) a loses all; covered by its own only,
  // half: E[lost GPU-h of a] = 500·∫ (z(u) + ½·o(u)·(1 − z(u))) du, by the
  // independence of the two processes, integrated here minute by minute.
  const std::string u = R"({ "outages": { "a": { "rate_per_year": 6, "capacity_lost_pct": 50,
      "duration_hours": { "dist": "fixed", "value": 20 } } },
    "correlation": { "zones": [ { "id": "grid", "regions": ["a/r", "b/r"],
      "rate_per_year": 4, "duration_hours": { "dist": "fixed", "value": 10 } } ] } })";
  const PathRun r = run(two_providers(u));
  const std::vector<double> only_a = row(r.r.unmet_gpu_hours, r.portfolio("single:a"), kPaths);
  double expected = 500.0 * kHours;  // the other 500 GPUs of demand, all year
  const double lz = 4.0 / 8766.0, lo = 6.0 / 8766.0;
  for (int m = 0; m < 8760 * 60; ++m) {
    const double t = (m + 0.5) / 60.0;
    const double z = -std::expm1(-lz * std::min(t, 10.0)), o = -std::expm1(-lo * std::min(t, 20.0));
    expected += 500.0 * (z + 0.5 * o * (1.0 - z)) / 60.0;
  }
  const double se = std::sqrt(covariance(only_a, only_a) / kPaths);
  INFO("mean " << mean(only_a) << " expected " << expected << " se " << se);
  CHECK(std::abs(mean(only_a) - expected) < 4.0 * se);
}

namespace {
risk::RiskMetrics metrics_of(const PathRun& r) {
  risk::PathResults results(r.setup.portfolio_names, r.setup.provider_ids, r.setup.contract_ids);
  results.append(r.r);
  return risk::compute_metrics(results, risk::NegotiationTerms{});
}
const risk::SourceSensitivity& source(const risk::RiskMetrics& m, const std::string& name) {
  for (const auto& s : m.sources)
    if (s.source == name) return s;
  FAIL("no source " << name);
  return m.sources.front();
}
}  // namespace

TEST_CASE("sensitivity: with one source, switching it off is the uncertainty-off future") {
  // Only a's prices are sampled: with them off, every path is the scenario's
  // own future, so per path cost(off:prices:a) = the --uncertainty-off cost,
  // and the mean delta = mean − that cost.
  const std::string text = two_providers(R"({ "prices": { "a": { "vol_per_year": 0.4, "drift_per_year": 0.1 } } })");
  const PathRun r = run(text, true, 2000);
  const PathRun off = test::run_paths(text, 1, true);
  const double off_cost = off.cost("contracted");
  const int k = r.portfolio("off:prices:a");
  REQUIRE(k >= 0);
  for (std::int64_t i = 0; i < 2000; ++i) CHECK(r.r.cost_usd[static_cast<size_t>(k * 2000 + i)] == off_cost);
  const risk::RiskMetrics m = metrics_of(r);
  REQUIRE(m.sources.size() == 1);
  const double mean_cost = m.portfolios.front().cost_usd.mean;
  CHECK(m.sources[0].mean_delta_usd == doctest::Approx(mean_cost - off_cost).epsilon(1e-12));
  CHECK(m.sources[0].se_mean_delta_usd > 0.0);
  // p95 and CVaR95 deltas from the paths' costs in hundredths (§6.2): the
  // p95 path is the ⌈0.95·N⌉-th, CVaR95 the tail of 100 paths (0.95·2000
  // is whole). Off, every path costs off_cost, so both of its figures are it.
  std::vector<std::int64_t> on_fixed;
  const int c = r.portfolio("contracted");
  for (std::int64_t i = 0; i < 2000; ++i) on_fixed.push_back(risk::to_fixed(r.r.cost_usd[static_cast<size_t>(c * 2000 + i)]));
  std::sort(on_fixed.begin(), on_fixed.end());
  const std::int64_t off_fixed = risk::to_fixed(off_cost);
  // Exact: one integer difference, divided once, as p95 itself is.
  CHECK(m.sources[0].p95_delta_usd == static_cast<double>(on_fixed[1899] - off_fixed) / 100.0);
  risk::FixedSum tail = 0;
  for (size_t i = 1900; i < 2000; ++i) tail += on_fixed[i] - off_fixed;
  const double cvar_delta = static_cast<double>(static_cast<long double>(tail) / 10000.0L);
  CHECK(m.sources[0].cvar95_delta_usd == doctest::Approx(cvar_delta).epsilon(1e-15));
  // Sensitivity portfolios are not reported as portfolios.
  for (const auto& p : m.portfolios) CHECK(p.name.rfind("off:", 0) != 0);
}

TEST_CASE("sensitivity: every model in the file is a source; one that changes nothing has deltas exactly 0") {
  // A still price (a), outages and a zone of rate 0, demand of no
  // volatility, deliveries always on time: each is in the file, so each is
  // listed (docs/reference.md §12.1), and switching it off changes no draw.
  // b's moving price is the one source that changes paths.
  const std::string text = two_providers(R"({
      "outages": { "default": { "rate_per_year": 0, "duration_hours": { "dist": "fixed", "value": 5 } } },
      "prices": { "a": { "vol_per_year": 0, "drift_per_year": 0 }, "b": { "vol_per_year": 0.5 } },
      "demand": { "vol_per_year": 0 },
      "delivery": { "p_on_time": 1 },
      "correlation": { "zones": [ { "id": "grid", "regions": ["a/r", "b/r"], "rate_per_year": 0,
        "duration_hours": { "dist": "fixed", "value": 10 } } ] } })");
  const PathRun r = run(text, true, 500);
  const risk::RiskMetrics m = metrics_of(r);
  std::vector<std::string> names;
  for (const auto& x : m.sources) names.push_back(x.source);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"delivery", "demand", "outages:a", "outages:b", "prices:a", "prices:b",
                                          "zone:grid"});
  for (const auto& x : m.sources) {
    CAPTURE(x.source);
    if (x.source == "prices:b") {
      CHECK(x.mean_delta_usd != 0.0);
      continue;
    }
    CHECK(x.mean_delta_usd == 0.0);
    CHECK(x.p95_delta_usd == 0.0);
    CHECK(x.cvar95_delta_usd == 0.0);
    CHECK(x.se_mean_delta_usd == 0.0);
  }
  // Without a model of a kind there is no source of it; --uncertainty-off has none at all.
  const PathRun bare = run(two_providers(R"({ "prices": { "b": { "vol_per_year": 0.5 } } })"), true, 50);
  REQUIRE(metrics_of(bare).sources.size() == 1);
  CHECK(metrics_of(bare).sources[0].source == "prices:b");
  PathRun off{build_risk_problem(parse_scenario(text, "corr.json"), true, true), {}};
  risk::evaluate_paths(off.setup.problem, 5, 0, 10, risk::Backend::cpu, 0, off.r);
  CHECK(metrics_of(off).sources.empty());
}

TEST_CASE("sensitivity: a source that changes no path has every delta exactly 0") {
  // Demand of 500 GPUs, which a alone holds at $2 an hour (a has no
  // outages); b at $50 is never used (a's multiplier would have to grow
  // 25-fold), so switching off b's price path or b's outages changes no
  // path, and every delta is 0 exactly: the same doubles on both sides.
  std::string text = two_providers(R"({ "prices": { "a": { "vol_per_year": 0.4 }, "b": { "vol_per_year": 0.5 } },
      "outages": { "b": { "rate_per_year": 3, "duration_hours": { "dist": "fixed", "value": 12 } } } })", 50.0);
  text.replace(text.find("\"demand_gpus\": 1000"), 19, "\"demand_gpus\": 500 ");
  const PathRun r = run(text, true, 2000);
  const risk::RiskMetrics m = metrics_of(r);
  REQUIRE(m.sources.size() == 3);
  for (const char* name : {"prices:b", "outages:b"}) {
    CAPTURE(name);
    const risk::SourceSensitivity& s = source(m, name);
    CHECK(s.mean_delta_usd == 0.0);
    CHECK(s.p95_delta_usd == 0.0);
    CHECK(s.cvar95_delta_usd == 0.0);
    CHECK(s.se_mean_delta_usd == 0.0);
  }
  CHECK(source(m, "prices:a").mean_delta_usd != 0.0);
  // Sorted by |CVaR95 delta|, ties by name.
  for (size_t i = 1; i < m.sources.size(); ++i) {
    const double x = std::fabs(m.sources[i - 1].cvar95_delta_usd), y = std::fabs(m.sources[i].cvar95_delta_usd);
    CHECK((x > y || (x == y && m.sources[i - 1].source < m.sources[i].source)));
  }
  CHECK(m.sources[1].source == "outages:b");
  CHECK(m.sources[2].source == "prices:b");
}
