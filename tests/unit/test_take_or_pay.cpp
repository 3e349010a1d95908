// Take-or-pay contract-years and shortfalls (docs/reference.md §2.3): the
// rules layer's take_or_pay_periods, which both engines take their periods
// from. Pure: no SimGrid.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "rules/billing.hpp"
#include "rules/take_or_pay.hpp"
#include "scenario/dates.hpp"

using cloudpact::rules::shortfall_usd;

namespace {
constexpr std::int64_t kDay = 86400;

struct Year {
  std::int64_t start_epoch_s, end_epoch_s;
  double min_spend_usd;
};

// Every contract-year of [start, end) for a horizon that holds them all, or
// only those ending in (horizon_start, horizon_end].
std::vector<Year> contract_years(std::int64_t start, std::int64_t end, double min_per_year,
                                 std::int64_t horizon_start = std::numeric_limits<std::int64_t>::min() / 2,
                                 std::int64_t horizon_end = std::numeric_limits<std::int64_t>::max() / 2) {
  std::vector<Year> ys;
  cloudpact::rules::take_or_pay_periods(start, end, min_per_year, horizon_start, horizon_end, cloudpact::add_years,
                                        [&](std::int64_t a, std::int64_t b, double m) { ys.push_back({a, b, m}); });
  return ys;
}

std::int64_t at(const std::string& date) {
  const auto e = cloudpact::parse_utc_date(date);
  REQUIRE(e.has_value());
  return *e;
}
}  // namespace

TEST_CASE("take-or-pay: whole contract-years start on each anniversary") {
  // 2025-01-01 .. 2028-01-01: three years of 365 days each (2025, 2026 and
  // 2027 are common years), each owing the full $10M.
  const auto ys = contract_years(at("2025-01-01"), at("2028-01-01"), 10e6);
  REQUIRE(ys.size() == 3);
  CHECK(ys[0].start_epoch_s == at("2025-01-01"));
  CHECK(ys[0].end_epoch_s == at("2026-01-01"));
  CHECK(ys[1].start_epoch_s == at("2026-01-01"));
  CHECK(ys[1].end_epoch_s == at("2027-01-01"));
  CHECK(ys[2].start_epoch_s == at("2027-01-01"));
  CHECK(ys[2].end_epoch_s == at("2028-01-01"));
  for (const auto& y : ys) {
    CHECK(y.end_epoch_s - y.start_epoch_s == 365 * kDay);
    CHECK(y.min_spend_usd == 10e6);
  }
}

TEST_CASE("take-or-pay: a leap year is still one contract-year") {
  // 2027-06-01 .. 2029-06-01: the first year holds 2028-02-29 (366 days), the
  // second does not (365 days); both owe the full minimum.
  const auto ys = contract_years(at("2027-06-01"), at("2029-06-01"), 5e6);
  REQUIRE(ys.size() == 2);
  CHECK(ys[0].end_epoch_s - ys[0].start_epoch_s == 366 * kDay);
  CHECK(ys[1].end_epoch_s - ys[1].start_epoch_s == 365 * kDay);
  CHECK(ys[0].min_spend_usd == 5e6);
  CHECK(ys[1].min_spend_usd == 5e6);
}

TEST_CASE("take-or-pay: a Feb 29 start has its anniversaries on Feb 28 in common years") {
  // Start 2024-02-29, end 2028-03-15. Anniversaries: 2025-02-28, 2026-02-28,
  // 2027-02-28, then 2028-02-29 (leap again). Lengths:
  //   2024-02-29 -> 2025-02-28: 365 d (2024-03-01 + 365 d = 2025-03-01, one day less)
  //   2025-02-28 -> 2026-02-28: 365 d
  //   2026-02-28 -> 2027-02-28: 365 d
  //   2027-02-28 -> 2028-02-29: 366 d (spans 2028-02-29)
  //   2028-02-29 -> 2028-03-15: 15 d, of a full year 2028-02-29 -> 2029-02-28 = 365 d
  // so the last year owes 15/365 of the $1M minimum.
  const auto ys = contract_years(at("2024-02-29"), at("2028-03-15"), 1e6);
  REQUIRE(ys.size() == 5);
  CHECK(ys[0].start_epoch_s == at("2024-02-29"));
  CHECK(ys[0].end_epoch_s == at("2025-02-28"));
  CHECK(ys[1].end_epoch_s == at("2026-02-28"));
  CHECK(ys[2].end_epoch_s == at("2027-02-28"));
  CHECK(ys[3].end_epoch_s == at("2028-02-29"));
  CHECK(ys[4].start_epoch_s == at("2028-02-29"));
  CHECK(ys[4].end_epoch_s == at("2028-03-15"));
  CHECK(ys[0].end_epoch_s - ys[0].start_epoch_s == 365 * kDay);
  CHECK(ys[3].end_epoch_s - ys[3].start_epoch_s == 366 * kDay);
  CHECK(ys[4].end_epoch_s - ys[4].start_epoch_s == 15 * kDay);
  for (size_t i = 0; i < 4; ++i) CHECK(ys[i].min_spend_usd == 1e6);
  CHECK(ys[4].min_spend_usd == doctest::Approx(1e6 * 15.0 / 365.0).epsilon(1e-14));
}

TEST_CASE("take-or-pay: the last partial year is pro-rated by its length") {
  // 2025-01-01 .. 2026-07-01: one full year, then 2026-01-01 .. 2026-07-01 =
  // 31+28+31+30+31+30 = 181 days of a 365-day year: $2M x 181/365.
  const auto ys = contract_years(at("2025-01-01"), at("2026-07-01"), 2e6);
  REQUIRE(ys.size() == 2);
  CHECK(ys[0].min_spend_usd == 2e6);
  CHECK(ys[1].start_epoch_s == at("2026-01-01"));
  CHECK(ys[1].end_epoch_s == at("2026-07-01"));
  CHECK(ys[1].end_epoch_s - ys[1].start_epoch_s == 181 * kDay);
  CHECK(ys[1].min_spend_usd == doctest::Approx(2e6 * 181.0 / 365.0).epsilon(1e-14));
}

TEST_CASE("take-or-pay: a partial year keeps the time of day and is pro-rated to the second") {
  // Start 2025-03-15T12:00:00Z, end 2025-09-15T00:00:00Z: one partial year of
  // (2025-03-15 .. 2025-09-15 = 17+30+31+30+31+31+14 = 184 days) minus 12 h,
  // out of a full year to 2026-03-15T12:00:00Z (365 days).
  const auto ys = contract_years(at("2025-03-15T12:00:00Z"), at("2025-09-15"), 365.0);
  REQUIRE(ys.size() == 1);
  CHECK(ys[0].end_epoch_s - ys[0].start_epoch_s == 184 * kDay - 12 * 3600);
  // $365/year over 183.5 days = $183.5.
  CHECK(ys[0].min_spend_usd == doctest::Approx(183.5).epsilon(1e-14));
}

TEST_CASE("take-or-pay: a term ending on an anniversary has no empty last year; no term, no years") {
  const auto ys = contract_years(at("2025-11-03"), at("2027-11-03"), 1.0);
  REQUIRE(ys.size() == 2);
  CHECK(ys[1].end_epoch_s == at("2027-11-03"));
  CHECK(ys[1].min_spend_usd == 1.0);
  CHECK(contract_years(at("2025-01-01"), at("2025-01-01"), 1e6).empty());
  CHECK(contract_years(at("2025-01-02"), at("2025-01-01"), 1e6).empty());
  // Without a minimum there is nothing to close: no periods.
  CHECK(contract_years(at("2025-01-01"), at("2026-07-01"), 0.0).empty());
}

TEST_CASE("take-or-pay: only periods ending inside the horizon, the first pro-rated by its part inside") {
  // Contract 2024-07-01 .. 2027-07-01 at $3.65M a year; horizon 2025-01-01 ..
  // 2027-01-01. Periods end 2025-07-01 (inside), 2026-07-01 (inside),
  // 2027-07-01 (after the horizon: not closed in the simulation).
  // 2024-07-01 .. 2025-07-01 is 365 days, 181 of them in the horizon
  // (2025-01-01 .. 2025-07-01): it owes $3.65M x 181/365 = $1.81M.
  const auto ys = contract_years(at("2024-07-01"), at("2027-07-01"), 3.65e6, at("2025-01-01"), at("2027-01-01"));
  REQUIRE(ys.size() == 2);
  CHECK(ys[0].end_epoch_s == at("2025-07-01"));
  CHECK(ys[0].min_spend_usd == doctest::Approx(1.81e6).epsilon(1e-14));
  CHECK(ys[1].end_epoch_s == at("2026-07-01"));
  CHECK(ys[1].min_spend_usd == 3.65e6);
  // A period ending exactly at the horizon's end is inside; at its start, not.
  CHECK(contract_years(at("2025-01-01"), at("2027-01-01"), 1.0, at("2025-01-01"), at("2026-01-01")).size() == 1);
  CHECK(contract_years(at("2024-01-01"), at("2025-01-01"), 1.0, at("2025-01-01"), at("2026-01-01")).empty());
}

TEST_CASE("shortfall is what the minimum exceeds the paid amount by, never negative") {
  // $2,000,000 committed, $1,296,000 billed: $704,000 owed.
  CHECK(shortfall_usd(2'000'000.0, 1'296'000.0) == 704'000.0);
  // Paid exactly the minimum, or more: nothing owed.
  CHECK(shortfall_usd(2'000'000.0, 2'000'000.0) == 0.0);
  CHECK(shortfall_usd(2'000'000.0, 3'000'000.0) == 0.0);
  // Nothing paid: the whole minimum.
  CHECK(shortfall_usd(10e6, 0.0) == 10e6);
  // No minimum: nothing owed.
  CHECK(shortfall_usd(0.0, 0.0) == 0.0);
  CHECK(shortfall_usd(0.0, 5.0) == 0.0);
}
