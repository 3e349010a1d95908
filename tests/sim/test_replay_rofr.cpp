// The matched capacity of a right of first refusal, before, in and after
// the offered contract's term (docs/reference.md §14.2): from the contract's
// start the holder's cluster holds its share of the curve, reserved in the
// term and on demand at the holder's prices after it; before the start the
// deal is not made and the original provider's cluster is whole. Worked out
// by hand below; the path model with every uncertainty off must agree.
#include <doctest/doctest.h>

#include <string>

#include "../agreement/agreement_support.hpp"
#include "replay_in_child.hpp"

using cloudpact::test::replay_in_child;
using cloudpact::test::risk_figures;

namespace {

double num(const nlohmann::json& j) { return j.get<double>(); }

// January 2025 (30 days from the 1st to the 31st, 720 h). b's cluster holds
// 100 H100s; b sells them on demand at $5. b's contract k reserves them at $2
// for the ten days from the 11th to the 21st, inside a's right of first
// refusal; a matches 25%. a sells H100s on demand at $3, $4 from the 26th.
// 100 H100-equivalents are wanted, worth $100 an hour: all are served.
const std::string kScenario = R"({ "name": "rofr-after-term", "start": "2025-01-01", "end": "2025-01-31",
  "providers": [
    { "id": "a", "on_demand_usd_per_gpu_hour": { "H100": 3 },
      "regions": [ { "id": "home", "clusters": [ { "id": "x", "accelerator": "H100", "capacity_gpus": 0 } ] } ] },
    { "id": "b", "on_demand_usd_per_gpu_hour": { "H100": 5 },
      "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 100 } ] } ] } ],
  "contracts": [ { "id": "k", "provider": "b", "start": "2025-01-11", "end": "2025-01-21",
                   "clusters": ["b/r/c"], "billing": "reserved", "price_usd_per_gpu_hour": 2 } ],
  "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 100, "value_usd_per_gpu_hour": 100 } ],
  "policy": { "placement": "cheapest",
              "rofr": { "holder": "a", "until": "2025-06-01", "region": "home", "match_pct": 25 } },
  "events": [ { "type": "price_change", "date": "2025-01-26", "target": "a", "accelerator": "H100",
                "on_demand_usd_per_gpu_hour": 4 } ] })";

}  // namespace

TEST_CASE("a matched part is the holder's from the offered contract's start: reserved in the term, on demand after it") {
  // 1st-11th (240 h), before k starts: b's 100 on demand, 100 x 240 x $5 = 120,000.
  // 11th-21st (240 h), the term: k reserves 75 (75 x 240 x $2 = 36,000) and
  //   k@a 25 (25 x 240 x $2 = 12,000).
  // 21st-31st (240 h), after it: a's 25 on demand are the cheapest,
  //   25 x 120 x $3 = 9,000 to the 26th and 25 x 120 x $4 = 12,000 after;
  //   b's 75 on demand serve the rest, 75 x 240 x $5 = 90,000.
  const double a_usd = 12000.0 + 9000.0 + 12000.0;
  const double b_usd = 120000.0 + 36000.0 + 90000.0;
  const auto s = replay_in_child(kScenario).summary_json();
  CHECK(num(s["contracts"]["k"]["billed_usd"]) == doctest::Approx(36000.0).epsilon(1e-12));
  CHECK(num(s["contracts"]["k@a"]["billed_usd"]) == doctest::Approx(12000.0).epsilon(1e-12));
  CHECK(num(s["providers"]["a"]["spend_usd"]) == doctest::Approx(a_usd).epsilon(1e-12));
  CHECK(num(s["providers"]["b"]["spend_usd"]) == doctest::Approx(b_usd).epsilon(1e-12));
  CHECK(num(s["totals"]["spend_usd"]) == doctest::Approx(a_usd + b_usd).epsilon(1e-12));
  CHECK(num(s["totals"]["unmet_gpu_hours"]) == 0.0);
  // The path model, which scales the parts itself, gives the same.
  const auto r = risk_figures(kScenario);
  CHECK(r.at("providers.a.spend_usd") == doctest::Approx(a_usd).epsilon(1e-12));
  CHECK(r.at("providers.b.spend_usd") == doctest::Approx(b_usd).epsilon(1e-12));
  CHECK(r.at("totals.unmet_gpu_hours") == 0.0);
}
