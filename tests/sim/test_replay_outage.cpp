// Outages: exact to the minute, failover to a dearer provider, single vendor
// (docs/reference.md §2.5, §2.6). All figures below are worked out by hand in the comments.
#include <doctest/doctest.h>

#include "replay_in_child.hpp"

using cloudpact::test::events_of_type;
using cloudpact::test::ledger_sum;
using cloudpact::test::replay_in_child;

namespace {
// October 2025 (744 h). AWS: 1000 H100 reserved at $2/GPU-h. Azure: 1000
// H100 on demand at $10/GPU-h. Inference needs 800 GPUs all month. The
// us-east-1 outage of 2025-10-20 lasts 06:48 -> 21:20 = 14 h 32 min.
std::string two_vendor_scenario(const std::string& policy) {
  return R"({
  "name": "outage-test", "start": "2025-10-01", "end": "2025-11-01",
  "providers": [
    { "id": "aws", "regions": [ { "id": "us-east-1", "clusters": [
        { "id": "h100-a", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] },
    { "id": "azure", "on_demand_usd_per_gpu_hour": { "H100": 10 },
      "regions": [ { "id": "eastus", "clusters": [
        { "id": "h100-z", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] } ],
  "contracts": [ { "id": "aws-r", "provider": "aws", "start": "2025-10-01", "end": "2025-11-01",
                   "clusters": ["aws/us-east-1/h100-a"], "billing": "reserved",
                   "price_usd_per_gpu_hour": 2 } ],
  "workloads": [ { "id": "chat", "kind": "inference", "demand_gpus": 800,
                   "value_usd_per_gpu_hour": 10, "providers": ["aws", "azure"] } ],
  "policy": )" + policy + R"(,
  "events": [ { "type": "outage", "target": "aws/us-east-1",
                "start": "2025-10-20T06:48:00Z", "end": "2025-10-20T21:20:00Z" } ]
})";
}
constexpr double kOutageHours = 14.0 + 32.0 / 60.0;  // 14.5333 h, not 15
}  // namespace

TEST_CASE("an outage is accounted to the minute (single vendor: the demand goes unmet)") {
  const auto out = replay_in_child(two_vendor_scenario(R"({"placement": "single_vendor", "vendor": "aws"})"));
  const auto s = out.summary_json();
  // 800 GPUs unserved for 14 h 32 min.
  CHECK(s["totals"]["unmet_gpu_hours"].get<double>() == doctest::Approx(800 * kOutageHours).epsilon(1e-9));
  CHECK(s["totals"]["unmet_value_usd"].get<double>() == doctest::Approx(800 * kOutageHours * 10).epsilon(1e-9));
  // Reserved capacity is billed through the outage: 1000 x 744 h x $2.
  CHECK(s["contracts"]["aws-r"]["billed_usd"].get<double>() == doctest::Approx(1000 * 744 * 2.0).epsilon(1e-12));
  CHECK(s["providers"]["aws"]["outage_gpu_hours"].get<double>() == doctest::Approx(1000 * kOutageHours).epsilon(1e-9));
  CHECK(s["providers"]["aws"]["available_gpu_hours"].get<double>() ==
        doctest::Approx(1000 * (744 - kOutageHours)).epsilon(1e-9));
  CHECK(s["providers"]["azure"]["spend_usd"].get<double>() == 0.0);
  CHECK(events_of_type(out.events, "outage_start").at(0)["time"] == "2025-10-20T06:48:00Z");
}

TEST_CASE("failover moves demand to the dearer provider for exactly the outage") {
  const auto out = replay_in_child(two_vendor_scenario(R"({"placement": "cheapest"})"));
  const auto s = out.summary_json();
  CHECK(s["totals"]["unmet_gpu_hours"].get<double>() == doctest::Approx(0.0));
  // 800 GPUs on Azure on demand for 14.5333 h at $10.
  const double on_demand = 800 * kOutageHours * 10;
  CHECK(s["providers"]["azure"]["spend_usd"].get<double>() == doctest::Approx(on_demand).epsilon(1e-9));
  CHECK(ledger_sum(out.ledger, "on_demand") == doctest::Approx(on_demand).epsilon(1e-9));
  CHECK(s["providers"]["azure"]["used_gpu_hours"].get<double>() == doctest::Approx(800 * kOutageHours).epsilon(1e-9));
  CHECK(s["totals"]["spend_usd"].get<double>() == doctest::Approx(1000 * 744 * 2.0 + on_demand).epsilon(1e-12));
  const auto failovers = events_of_type(out.events, "failover");
  REQUIRE(failovers.size() == 1);
  CHECK(failovers[0]["change_gpus_by_provider"]["aws"].get<double>() == doctest::Approx(-800));
  CHECK(failovers[0]["change_gpus_by_provider"]["azure"].get<double>() == doctest::Approx(800));
}

TEST_CASE("a partial outage removes only its share; overlapping outages count once, the larger loss") {
  std::string text = two_vendor_scenario(R"({"placement": "single_vendor", "vendor": "aws"})");
  // Replace the outage by two overlapping ones: 30% for 10 h and 50% for the
  // last 4 of those hours. Loss: 300 GPUs for 6 h, 500 GPUs for 4 h.
  const std::string from = R"([ { "type": "outage", "target": "aws/us-east-1",
                "start": "2025-10-20T06:48:00Z", "end": "2025-10-20T21:20:00Z" } ])";
  const std::string to = R"([ { "type": "outage", "target": "aws", "start": "2025-10-10T00:00:00Z",
                  "end": "2025-10-10T10:00:00Z", "capacity_lost_pct": 30 },
                { "type": "outage", "target": "aws/us-east-1/h100-a", "start": "2025-10-10T06:00:00Z",
                  "end": "2025-10-10T10:00:00Z", "capacity_lost_pct": 50 } ])";
  text.replace(text.find(from), from.size(), to);
  const auto s = replay_in_child(text).summary_json();
  CHECK(s["providers"]["aws"]["outage_gpu_hours"].get<double>() == doctest::Approx(300 * 6 + 500 * 4));
  // Demand 800 vs 700 available for 6 h, 500 for 4 h: unmet 100*6 + 300*4.
  CHECK(s["totals"]["unmet_gpu_hours"].get<double>() == doctest::Approx(100 * 6 + 300 * 4));
}
