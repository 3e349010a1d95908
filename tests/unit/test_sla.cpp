// SLA credit tiers and monthly availability (docs/reference.md §2.3): the
// rules layer's, which both engines call. Pure: no SimGrid.
#include <doctest/doctest.h>

#include <initializer_list>
#include <vector>

#include "rules/sla.hpp"

using cloudpact::rules::availability_pct;
using cloudpact::rules::SlaTier;

namespace {
double sla_credit_pct(const std::vector<SlaTier>& tiers, double availability) {
  return cloudpact::rules::sla_credit_pct(tiers.data(), static_cast<int>(tiers.size()), availability);
}

// The tiers of docs/reference.md §2.3's example contract.
const std::vector<SlaTier> spec_tiers{{99.99, 10}, {99.0, 30}, {95.0, 100}};
}  // namespace

TEST_CASE("sla: the tier with the lowest below_pct that availability is strictly below wins") {
  // 100% is below no tier: no credit.
  CHECK(sla_credit_pct(spec_tiers, 100.0) == 0.0);
  // 99.995 < 99.99? no. Below nothing: 0.
  CHECK(sla_credit_pct(spec_tiers, 99.995) == 0.0);
  // 99.5 is below 99.99 only -> 10%.
  CHECK(sla_credit_pct(spec_tiers, 99.5) == 10.0);
  // 98.61 is below 99.99 and 99.0; the lowest of those is 99.0 -> 30%.
  CHECK(sla_credit_pct(spec_tiers, 98.61) == 30.0);
  // 90 is below all three; the lowest below_pct is 95.0 -> 100%.
  CHECK(sla_credit_pct(spec_tiers, 90.0) == 100.0);
  // 0% availability (the whole month down) is below every tier -> 100%.
  CHECK(sla_credit_pct(spec_tiers, 0.0) == 100.0);
}

TEST_CASE("sla: availability exactly at a boundary is not below it") {
  // 99.99 is not strictly below 99.99: no tier applies.
  CHECK(sla_credit_pct(spec_tiers, 99.99) == 0.0);
  // 99.0 is below 99.99 but not below 99.0 -> the 99.99 tier, 10%.
  CHECK(sla_credit_pct(spec_tiers, 99.0) == 10.0);
  // 95.0 is below 99.99 and 99.0 but not 95.0 -> the 99.0 tier, 30%.
  CHECK(sla_credit_pct(spec_tiers, 95.0) == 30.0);
}

TEST_CASE("sla: tier order in the file does not matter") {
  // Same three tiers, shuffled: the rule picks by below_pct, not position.
  const std::vector<SlaTier> shuffled{{95.0, 100}, {99.99, 10}, {99.0, 30}};
  const std::vector<SlaTier> reversed{{95.0, 100}, {99.0, 30}, {99.99, 10}};
  for (const auto* tiers : {&shuffled, &reversed}) {
    CHECK(sla_credit_pct(*tiers, 100.0) == 0.0);
    CHECK(sla_credit_pct(*tiers, 99.5) == 10.0);
    CHECK(sla_credit_pct(*tiers, 98.0) == 30.0);
    CHECK(sla_credit_pct(*tiers, 94.0) == 100.0);
    CHECK(sla_credit_pct(*tiers, 95.0) == 30.0);
  }
  // A tier list whose credits do not grow as availability falls: still the
  // lowest below_pct that applies (99.0 -> 5%), not the largest credit.
  const std::vector<SlaTier> odd{{99.9, 50}, {99.0, 5}};
  CHECK(sla_credit_pct(odd, 98.0) == 5.0);
  CHECK(sla_credit_pct(odd, 99.5) == 50.0);
}

TEST_CASE("sla: no tiers, no credit") {
  CHECK(sla_credit_pct({}, 0.0) == 0.0);
  CHECK(sla_credit_pct({}, 50.0) == 0.0);
  CHECK(sla_credit_pct({}, 100.0) == 0.0);
}

TEST_CASE("sla: availability from outage and delivered capacity-seconds") {
  // 10 h outage of 1000 GPUs in a 720 h month of 1000 GPUs:
  // 100 * (1 - 10*1000 / (720*1000)) = 100 * (1 - 1/72) = 98.6111...%
  CHECK(availability_pct(10.0 * 3600 * 1000, 720.0 * 3600 * 1000) == doctest::Approx(100.0 * 71.0 / 72.0).epsilon(1e-14));
  // Half the capacity lost for the whole period: 50%.
  CHECK(availability_pct(500.0, 1000.0) == doctest::Approx(50.0));
  // No outage: 100%.
  CHECK(availability_pct(0.0, 1000.0) == 100.0);
  // Everything lost: 0%.
  CHECK(availability_pct(1000.0, 1000.0) == 0.0);
  // Nothing delivered (no capacity yet): 100%, no breach.
  CHECK(availability_pct(0.0, 0.0) == 100.0);
  CHECK(availability_pct(5.0, 0.0) == 100.0);
}

TEST_CASE("sla: outages of minutes against a 30-day month") {
  // 14 h 32 min = 14 + 32/60 = 14.5333 h; of 720 h: availability
  // 100 * (1 - 14.5333/720) = 97.981...%: below 99.99 and 99.0, not 95 -> 30%.
  const double a = availability_pct((14.0 + 32.0 / 60.0) * 3600.0, 720.0 * 3600.0);
  CHECK(a == doctest::Approx(100.0 * (1.0 - (14.0 + 32.0 / 60.0) / 720.0)).epsilon(1e-14));
  CHECK(sla_credit_pct(spec_tiers, a) == 30.0);
  // The 99.99 tier allows 0.01% of 720 h = 0.072 h = 4.32 min of outage.
  // 4 min: 100 * (1 - 240/2592000) = 99.99074%: not below 99.99 -> 0%.
  const double four = availability_pct(4.0 * 60.0, 720.0 * 3600.0);
  CHECK(four == doctest::Approx(100.0 * (1.0 - 240.0 / 2592000.0)).epsilon(1e-14));
  CHECK(sla_credit_pct(spec_tiers, four) == 0.0);
  // 5 min: 100 * (1 - 300/2592000) = 99.98843%: below 99.99 -> 10%.
  const double five = availability_pct(5.0 * 60.0, 720.0 * 3600.0);
  CHECK(five == doctest::Approx(100.0 * (1.0 - 300.0 / 2592000.0)).epsilon(1e-14));
  CHECK(sla_credit_pct(spec_tiers, five) == 10.0);
}
