// The finance section (docs/reference.md §13): its one number, its range and
// its shape; each case asserts the exact lines of the message.
#include <doctest/doctest.h>

#include "scenario/load.hpp"
#include "scenario_fixture.hpp"

using namespace cloudpact::test;

namespace {

Lines with_finance(const Json& finance) {
  Json doc = base_scenario();
  doc["finance"] = finance;
  return problems_of_doc(doc);
}

}  // namespace

TEST_CASE("a discount rate in [0, 1] is accepted, and absent means 0") {
  CHECK(with_finance({{"discount_rate_per_year", 0}}) == Lines{});
  CHECK(with_finance({{"discount_rate_per_year", 0.08}}) == Lines{});
  CHECK(with_finance({{"discount_rate_per_year", 1}}) == Lines{});
  CHECK(with_finance(Json::object()) == Lines{});
  const cloudpact::Scenario sc = cloudpact::parse_scenario(base_scenario().dump(), "base.json");
  CHECK(sc.finance.discount_rate_per_year == 0.0);
  Json doc = base_scenario();
  doc["finance"] = {{"discount_rate_per_year", 0.08}};
  CHECK(cloudpact::parse_scenario(doc.dump(), "base.json").finance.discount_rate_per_year == 0.08);
}

TEST_CASE("a rate outside [0, 1], or not a number, is refused with its pointer") {
  CHECK(with_finance({{"discount_rate_per_year", -0.01}}) ==
        Lines{"bad.json: /finance/discount_rate_per_year: negative: -0.01 (expected a number in [0, 1])"});
  CHECK(with_finance({{"discount_rate_per_year", 1.5}}) ==
        Lines{"bad.json: /finance/discount_rate_per_year: out of range: 1.5 (expected a number in [0, 1])"});
  CHECK(with_finance({{"discount_rate_per_year", "8%"}}) ==
        Lines{"bad.json: /finance/discount_rate_per_year: is a string (expected a number in [0, 1])"});
  CHECK(with_finance({{"discount_rate_per_year", nullptr}}) ==
        Lines{"bad.json: /finance/discount_rate_per_year: is null (expected a number in [0, 1])"});
}

TEST_CASE("the section is an object of known keys") {
  CHECK(with_finance({{"rate", 0.08}}) ==
        Lines{"bad.json: /finance/rate: unknown key (expected one of: discount_rate_per_year)"});
  CHECK(with_finance(0.08) ==
        Lines{"bad.json: /finance: is a number (expected a finance object {discount_rate_per_year})"});
  CHECK(with_finance({{"x-source", "assumption: a lab's cost of capital"}, {"discount_rate_per_year", 0.1}}) ==
        Lines{});
}
