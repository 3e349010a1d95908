// UTC dates of the scenario format: the two accepted forms, impossible dates
// refused, and the calendar steps billing relies on (docs/reference.md §2, §2.3).
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "scenario/dates.hpp"

using cloudpact::add_years;
using cloudpact::format_utc;
using cloudpact::next_month_start;
using cloudpact::parse_utc_date;

namespace {
std::int64_t at(const std::string& text) {
  const auto t = parse_utc_date(text);
  REQUIRE_MESSAGE(t.has_value(), text);
  return *t;
}
}  // namespace

TEST_CASE("known epochs, both forms") {
  CHECK(at("1970-01-01") == 0);
  CHECK(at("1970-01-01T00:00:01Z") == 1);
  CHECK(at("2025-01-01") == 1735689600);
  CHECK(at("2025-01-01T00:00:00Z") == 1735689600);
  CHECK(at("2025-10-20T06:48:00Z") == 1760942880);
  CHECK(at("1969-12-31") == -86400);
  CHECK(at("1969-12-31T23:59:59Z") == -1);
  CHECK(at("9999-12-31T23:59:59Z") == 253402300799);
  CHECK(at("2025-10-20T21:20:00Z") - at("2025-10-20T06:48:00Z") == 14 * 3600 + 32 * 60);
}

TEST_CASE("leap years: every 4th year, not centuries, except every 400th") {
  CHECK(at("2024-02-29") == 1709164800);
  CHECK(at("2000-02-29") == 951782400);
  CHECK(at("2024-03-01") - at("2024-02-28") == 2 * 86400);
  CHECK(at("2025-03-01") - at("2025-02-28") == 86400);
  CHECK_FALSE(parse_utc_date("2025-02-29"));
  CHECK_FALSE(parse_utc_date("1900-02-29"));
  CHECK_FALSE(parse_utc_date("2100-02-29"));
  CHECK(at("2029-01-01") - at("2025-01-01") == (365 + 365 + 365 + 366) * 86400);
}

TEST_CASE("impossible dates and other forms are refused") {
  for (const char* bad : {"2025-02-30",
                          "2025-04-31",
                          "2025-13-01",
                          "2025-00-10",
                          "2025-01-00",
                          "2025-01-32",
                          "2025-1-01",
                          "2025-01-1",
                          "25-01-01",
                          "2025/01/01",
                          "2025-01-01T24:00:00Z",
                          "2025-01-01T23:60:00Z",
                          "2025-01-01T23:59:60Z",
                          "2025-01-01T00:00:00",
                          "2025-01-01t00:00:00z",
                          "2025-01-01 00:00:00Z",
                          "2025-01-01T00:00:00+00:00",
                          "2025-01-01T00:00:00.000Z",
                          "2025-01-01T00:00Z",
                          " 2025-01-01",
                          "2025-01-01 ",
                          "",
                          "+025-01-01",
                          "2O25-01-01",
                          "2025-01-01Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_utc_date(bad).has_value());
  }
}

TEST_CASE("a refused date of the right form says which part does not exist") {
  using cloudpact::date_problem;
  auto said = [](const char* text) {
    const cloudpact::DateProblem p = date_problem(text);
    return p.problem + " (expected " + p.expected + ")";
  };
  CHECK(said("2025-02-29") == "no such day \"2025-02-29\" (expected a day from 01 to 28: February 2025 has 28 days)");
  CHECK(said("2024-02-30") == "no such day \"2024-02-30\" (expected a day from 01 to 29: February 2024 has 29 days)");
  CHECK(said("2100-02-29T00:00:00Z") ==
        "no such day \"2100-02-29T00:00:00Z\" (expected a day from 01 to 28: February 2100 has 28 days)");
  CHECK(said("0099-02-29") == "no such day \"0099-02-29\" (expected a day from 01 to 28: February 0099 has 28 days)");
  CHECK(said("2025-04-31") == "no such day \"2025-04-31\" (expected a day from 01 to 30: April 2025 has 30 days)");
  CHECK(said("2025-12-00") == "no such day \"2025-12-00\" (expected a day from 01 to 31: December 2025 has 31 days)");
  CHECK(said("2025-13-01") == "no such month \"2025-13-01\" (expected a month from 01 to 12)");
  CHECK(said("2025-00-01") == "no such month \"2025-00-01\" (expected a month from 01 to 12)");
  CHECK(said("2025-01-01T24:00:00Z") ==
        "no such time of day \"2025-01-01T24:00:00Z\" (expected hours from 00 to 23, minutes and seconds from 00 to 59)");
  CHECK(said("2025-01-01T23:59:60Z") ==
        "no such time of day \"2025-01-01T23:59:60Z\" (expected hours from 00 to 23, minutes and seconds from 00 to 59)");
  // Of neither form, or a date: nothing to name beyond the forms.
  for (const char* text : {"2025-02-30 ", "2025/02/30", "2025-01-01T00:00Z", "2025-02-28", "2025-01-01T23:59:59Z"})
    CHECK(date_problem(text).problem.empty());
}

TEST_CASE("month lengths") {
  CHECK(at("2025-01-31") + 86400 == at("2025-02-01"));
  CHECK(at("2025-04-30") + 86400 == at("2025-05-01"));
  CHECK(at("2025-12-31") + 86400 == at("2026-01-01"));
  CHECK(at("2024-02-29") + 86400 == at("2024-03-01"));
}

TEST_CASE("format_utc is the long form and reads back") {
  CHECK(format_utc(0) == "1970-01-01T00:00:00Z");
  CHECK(format_utc(1760942880) == "2025-10-20T06:48:00Z");
  CHECK(format_utc(-1) == "1969-12-31T23:59:59Z");
  CHECK(format_utc(at("2024-02-29T12:34:56Z")) == "2024-02-29T12:34:56Z");
  for (std::int64_t t : {std::int64_t{-86401}, std::int64_t{951782399}, std::int64_t{253402300799}})
    CHECK(at(format_utc(t)) == t);
}

TEST_CASE("next_month_start: midnight of the first of the next month") {
  CHECK(next_month_start(at("2025-01-31T12:00:00Z")) == at("2025-02-01"));
  CHECK(next_month_start(at("2025-01-01")) == at("2025-02-01"));  // a month start goes to the next one
  CHECK(next_month_start(at("2025-02-28T23:59:59Z")) == at("2025-03-01"));
  CHECK(next_month_start(at("2024-02-10")) == at("2024-03-01"));
  CHECK(next_month_start(at("2025-12-15")) == at("2026-01-01"));
  CHECK(next_month_start(at("1969-12-31T23:59:59Z")) == at("1970-01-01"));
}

TEST_CASE("add_years: same calendar date, Feb 29 becomes Feb 28 in a common year") {
  CHECK(add_years(at("2025-11-03"), 7) == at("2032-11-03"));
  CHECK(add_years(at("2025-11-03T06:30:00Z"), 1) == at("2026-11-03T06:30:00Z"));
  CHECK(add_years(at("2024-02-29"), 1) == at("2025-02-28"));
  CHECK(add_years(at("2024-02-29T08:00:00Z"), 4) == at("2028-02-29T08:00:00Z"));
  CHECK(add_years(at("2024-02-29"), 76) == at("2100-02-28"));
  CHECK(add_years(at("2026-03-01"), -1) == at("2025-03-01"));
  CHECK(add_years(at("2025-01-01"), 0) == at("2025-01-01"));
}
