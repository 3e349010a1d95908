// Contract-years for take-or-pay and shortfalls (SPEC 2.3). Pure: no SimGrid.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "billing/commitment.hpp"
#include "scenario/dates.hpp"

using cloudpact::contract_years;
using cloudpact::shortfall_usd;

namespace {
constexpr std::int64_t kDay = 86400;

std::int64_t at(const std::string& date) {
  const auto e = cloudpact::parse_utc_date(date);
  REQUIRE(e.has_value());
  return *e;
}
}  // namespace

TEST_CASE("commitment: whole contract-years start on each anniversary") {
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

TEST_CASE("commitment: a leap year is still one contract-year") {
  // 2027-06-01 .. 2029-06-01: the first year holds 2028-02-29 (366 days), the
  // second does not (365 days); both owe the full minimum.
  const auto ys = contract_years(at("2027-06-01"), at("2029-06-01"), 5e6);
  REQUIRE(ys.size() == 2);
  CHECK(ys[0].end_epoch_s - ys[0].start_epoch_s == 366 * kDay);
  CHECK(ys[1].end_epoch_s - ys[1].start_epoch_s == 365 * kDay);
  CHECK(ys[0].min_spend_usd == 5e6);
  CHECK(ys[1].min_spend_usd == 5e6);
}

TEST_CASE("commitment: a Feb 29 start has its anniversaries on Feb 28 in common years") {
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

TEST_CASE("commitment: the last partial year is pro-rated by its length") {
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

TEST_CASE("commitment: a partial year keeps the time of day and is pro-rated to the second") {
  // Start 2025-03-15T12:00:00Z, end 2025-09-15T00:00:00Z: one partial year of
  // (2025-03-15 .. 2025-09-15 = 17+30+31+30+31+31+14 = 184 days) minus 12 h,
  // out of a full year to 2026-03-15T12:00:00Z (365 days).
  const auto ys = contract_years(at("2025-03-15T12:00:00Z"), at("2025-09-15"), 365.0);
  REQUIRE(ys.size() == 1);
  CHECK(ys[0].end_epoch_s - ys[0].start_epoch_s == 184 * kDay - 12 * 3600);
  // $365/year over 183.5 days = $183.5.
  CHECK(ys[0].min_spend_usd == doctest::Approx(183.5).epsilon(1e-14));
}

TEST_CASE("commitment: a term ending on an anniversary has no empty last year; no term, no years") {
  const auto ys = contract_years(at("2025-11-03"), at("2027-11-03"), 1.0);
  REQUIRE(ys.size() == 2);
  CHECK(ys[1].end_epoch_s == at("2027-11-03"));
  CHECK(ys[1].min_spend_usd == 1.0);
  CHECK(contract_years(at("2025-01-01"), at("2025-01-01"), 1e6).empty());
  CHECK(contract_years(at("2025-01-02"), at("2025-01-01"), 1e6).empty());
  // Without a minimum the periods still exist (they close the yearly books), owing 0.
  const auto zero = contract_years(at("2025-01-01"), at("2026-07-01"), 0.0);
  REQUIRE(zero.size() == 2);
  CHECK(zero[0].min_spend_usd == 0.0);
  CHECK(zero[1].min_spend_usd == 0.0);
}

TEST_CASE("commitment: shortfall is what the minimum exceeds the paid amount by, never negative") {
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
