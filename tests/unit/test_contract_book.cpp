// One contract's account and the order its bills close in (docs/reference.md
// §2.3): rules::ContractBook and rules::close_contract, which the replay's
// accountant and every Monte Carlo path both use. Numbers worked by hand.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "rules/contract_book.hpp"

using cloudpact::rules::Closing;
using cloudpact::rules::close_contract;
using cloudpact::rules::ContractBook;
using cloudpact::rules::ContractTerms;
using cloudpact::rules::SlaTier;

namespace {
const std::vector<SlaTier> kTiers{{99.99, 10}, {99.0, 30}, {95.0, 100}};
constexpr double kMonthGpuS = 720.0 * 3600.0 * 1000.0;  // 1000 GPUs for 720 h

struct Item {
  Closing what;
  double usd;
};

// Closes with the given period minimums ending now; returns what was emitted.
std::vector<Item> close(ContractBook& b, const ContractTerms& t, bool month_end, bool term_end,
                        std::vector<double> minimums = {}) {
  std::vector<Item> out;
  size_t next = 0;
  close_contract(
      b, t, month_end, term_end,
      [&](double& m) {
        if (next >= minimums.size()) return false;
        m = minimums[next++];
        return true;
      },
      [&](Closing what, double usd, double) { out.push_back({what, usd}); });
  return out;
}
}  // namespace

TEST_CASE("contract book: invoice, SLA credit, take-or-pay, then commitment, in that order") {
  const ContractTerms terms{kTiers.data(), 3, true, 1000.0};
  ContractBook b;
  // Month 1: $300 billed; 10 h of the 720 h lost on all capacity:
  // availability 100 x (1 − 10/720) = 98.61% < 99.0 -> the 30% tier: $90.
  b.bill(300.0);
  b.deliver(kMonthGpuS * 710.0 / 720.0, 0.0);
  b.deliver(kMonthGpuS * 10.0 / 720.0, 1.0);
  CHECK(b.commitment_remaining_usd(terms) == 700.0);
  auto items = close(b, terms, true, false, {500.0});
  REQUIRE(items.size() == 3);
  CHECK(items[0].what == Closing::invoice);
  CHECK(items[0].usd == 300.0);
  CHECK(items[1].what == Closing::sla_credit);
  CHECK(items[1].usd == doctest::Approx(90.0).epsilon(1e-14));
  // The year's minimum $500 against $300 billed: $200 shortfall, which
  // counts toward the commitment (credits do not reduce it).
  CHECK(items[2].what == Closing::period_shortfall);
  CHECK(items[2].usd == 200.0);
  CHECK(b.paid_usd == 500.0);
  CHECK(b.month_billed_usd == 0.0);
  CHECK(b.period_billed_usd == 0.0);
  CHECK(b.commitment_remaining_usd(terms) == 500.0);

  // The term ends mid-month: its last partial month closes ($100, nothing
  // delivered: no availability, no credit), then the commitment asks
  // $1000 − $600 = $400.
  b.bill(100.0);
  items = close(b, terms, false, true);
  REQUIRE(items.size() == 2);
  CHECK(items[0].what == Closing::invoice);
  CHECK(items[0].usd == 100.0);
  CHECK(items[1].what == Closing::commitment_shortfall);
  CHECK(items[1].usd == 400.0);
  CHECK(b.closed);
  CHECK(b.commitment_remaining_usd(terms) == 0.0);
  // Closed: a later month end closes an empty month, and the term is not billed twice.
  CHECK(close(b, terms, true, true).empty());
}

TEST_CASE("contract book: no tiers, no commitment, nothing owed: only the invoice") {
  const ContractTerms terms{nullptr, 0, false, 0.0};
  ContractBook b;
  b.bill(50.0);
  b.deliver(kMonthGpuS, 1.0);  // a whole month down: no tiers, no credit
  const auto items = close(b, terms, true, true, {50.0});
  REQUIRE(items.size() == 1);
  CHECK(items[0].what == Closing::invoice);
  CHECK(b.commitment_remaining_usd(terms) == 0.0);
}

TEST_CASE("contract book: a month that is not over and a term that has not ended close nothing") {
  const ContractTerms terms{kTiers.data(), 3, true, 10.0};
  ContractBook b;
  b.bill(4.0);
  CHECK(close(b, terms, false, false).empty());
  CHECK(b.month_billed_usd == 4.0);
  CHECK(b.commitment_remaining_usd(terms) == 6.0);
}

TEST_CASE("contract book: a term that ended before the simulation started bills nothing at its close") {
  // Its commitment's shortfall fell due before the horizon: unknown, not billed, not remaining.
  const ContractTerms terms{kTiers.data(), 3, true, 1e6};
  ContractBook b = cloudpact::rules::opening_book(true);
  CHECK(close(b, terms, true, true).empty());
  CHECK(b.commitment_remaining_usd(terms) == 0.0);
  // One still running at the start owes its commitment as usual.
  ContractBook running = cloudpact::rules::opening_book(false);
  CHECK(running.commitment_remaining_usd(terms) == 1e6);
  const auto items = close(running, terms, false, true);
  REQUIRE(items.size() == 1);
  CHECK(items[0].what == Closing::commitment_shortfall);
  CHECK(items[0].usd == 1e6);
}
