// Present values (docs/reference.md §13): every ledger row discounted to the
// start at its own second, a month's unmet demand at the month's end. The
// expected values are worked out here from the calendar and std::pow, not
// from the rule the simulator uses.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "replay_in_child.hpp"

using cloudpact::test::replay_in_child;

namespace {

constexpr double kYearDays = 365.25;

// (1 + r)^(−days/365.25).
double factor(double rate, double days) { return std::pow(1.0 + rate, -days / kYearDays); }

double num(const nlohmann::json& j) { return j.get<double>(); }

std::string with_finance(const std::string& scenario, double rate) {
  std::string s = scenario;
  s.insert(s.rfind('}'), R"(, "finance": { "discount_rate_per_year": )" + std::to_string(rate) + " }");
  return s;
}

// One reserved cluster of 100 H100 at $2 per GPU-hour for two years,
// 2025-01-01 to 2027-01-01: an invoice at every month's end.
const std::string two_years = R"({ "name": "pv", "start": "2025-01-01", "end": "2027-01-01",
  "providers": [ { "id": "p", "regions": [ { "id": "r", "clusters": [
      { "id": "c", "accelerator": "H100", "capacity_gpus": 100 } ] } ] } ],
  "contracts": [ { "id": "k", "provider": "p", "start": "2025-01-01", "end": "2027-01-01",
                   "clusters": ["p/r/c"], "billing": "reserved", "price_usd_per_gpu_hour": 2 } ],
  "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 50 } ] })";

}  // namespace

TEST_CASE("the discounted ledger of a two-year reserved contract: 24 invoices, each at its month's end") {
  const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};  // 2025 and 2026: no leap day
  const double rate = 0.10;
  double expected = 0.0, nominal = 0.0, days = 0.0;
  for (int m = 0; m < 24; ++m) {
    const double invoice = 100 * 24.0 * month_days[m % 12] * 2.0;  // GPUs x hours x $
    days += month_days[m % 12];
    expected += invoice * factor(rate, days);
    nominal += invoice;
  }
  // About $3.50M nominal, $3.18M at 10%: the last invoice (day 730) is worth 1.1^-1.9986.
  CHECK(nominal == doctest::Approx(3504000.0).epsilon(1e-15));
  const auto s = replay_in_child(with_finance(two_years, rate)).summary_json();
  CHECK(num(s["totals"]["spend_usd"]) == doctest::Approx(nominal).epsilon(1e-12));
  CHECK(num(s["totals"]["npv_spend_usd"]) == doctest::Approx(expected).epsilon(1e-12));
  CHECK(num(s["providers"]["p"]["npv_spend_usd"]) == doctest::Approx(expected).epsilon(1e-12));
  CHECK(num(s["contracts"]["k"]["npv_billed_usd"]) == doctest::Approx(expected).epsilon(1e-12));
  CHECK(num(s["contracts"]["k"]["billed_usd"]) == doctest::Approx(nominal).epsilon(1e-12));
  CHECK(num(s["totals"]["npv_unmet_value_usd"]) == 0.0);
}

TEST_CASE("at a discount rate of 0 every present value is its nominal figure, to the bit") {
  for (const std::string& text : {two_years, with_finance(two_years, 0.0)}) {
    const auto s = replay_in_child(text).summary_json();
    CHECK(num(s["totals"]["npv_spend_usd"]) == num(s["totals"]["spend_usd"]));
    CHECK(num(s["totals"]["npv_unmet_value_usd"]) == num(s["totals"]["unmet_value_usd"]));
    CHECK(num(s["providers"]["p"]["npv_spend_usd"]) == num(s["providers"]["p"]["spend_usd"]));
    CHECK(num(s["contracts"]["k"]["npv_billed_usd"]) == num(s["contracts"]["k"]["billed_usd"]));
  }
}

TEST_CASE("a shortfall is discounted at the instant it is billed, the last invoice at the term's end, to the second") {
  // Usage contract from 2025-04-01 to 2025-04-15T12:00:00Z (14.5 days), 600
  // of 1000 GPUs used at $3: 600 x 348 h x 3 = $626,400 billed, a $2,000,000
  // commitment, so $1,373,600 of shortfall; both due at the term's end.
  const std::string text = R"({ "name": "pv", "start": "2025-04-01", "end": "2025-06-01",
    "providers": [ { "id": "p", "regions": [ { "id": "r", "clusters": [
        { "id": "c", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] } ],
    "contracts": [ { "id": "k", "provider": "p", "start": "2025-04-01", "end": "2025-04-15T12:00:00Z",
                     "clusters": ["p/r/c"], "billing": "usage", "price_usd_per_gpu_hour": 3,
                     "commitment_usd": 2000000 } ],
    "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 600,
                     "value_usd_per_gpu_hour": 0 } ],
    "finance": { "discount_rate_per_year": 0.08 } })";
  const auto s = replay_in_child(text).summary_json();
  const double f = factor(0.08, 14.5);
  CHECK(num(s["contracts"]["k"]["billed_usd"]) == doctest::Approx(626400.0).epsilon(1e-12));
  CHECK(num(s["contracts"]["k"]["shortfall_usd"]) == doctest::Approx(1373600.0).epsilon(1e-12));
  CHECK(num(s["contracts"]["k"]["npv_billed_usd"]) == doctest::Approx(626400.0 * f).epsilon(1e-12));
  CHECK(num(s["totals"]["npv_spend_usd"]) == doctest::Approx(2000000.0 * f).epsilon(1e-12));
}

TEST_CASE("unmet demand is valued per calendar month, discounted at the month's end or the horizon") {
  // 10 GPUs of demand worth $5 an hour, 4 served on demand at $2: 6 unmet.
  // January: 744 h; 1-15 February (horizon): 336 h.
  const std::string text = R"({ "name": "pv", "start": "2025-01-01", "end": "2025-02-15",
    "providers": [ { "id": "p", "on_demand_usd_per_gpu_hour": { "H100": 2 }, "regions": [ { "id": "r",
        "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 4 } ] } ] } ],
    "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 10, "value_usd_per_gpu_hour": 5 } ],
    "finance": { "discount_rate_per_year": 0.2 } })";
  const auto s = replay_in_child(text).summary_json();
  const double jan = factor(0.2, 31), feb = factor(0.2, 45);
  CHECK(num(s["totals"]["unmet_value_usd"]) == doctest::Approx(6 * 5.0 * (744 + 336)).epsilon(1e-12));
  CHECK(num(s["totals"]["npv_unmet_value_usd"]) ==
        doctest::Approx(6 * 5.0 * 744 * jan + 6 * 5.0 * 336 * feb).epsilon(1e-12));
  // The on-demand bill is invoiced at the same two instants.
  CHECK(num(s["totals"]["npv_spend_usd"]) == doctest::Approx(4 * 2.0 * 744 * jan + 4 * 2.0 * 336 * feb).epsilon(1e-12));
}
