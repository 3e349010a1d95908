// Billing: reserved vs usage, commitment shortfall, yearly take-or-pay, SLA
// tiers, price changes (docs/reference.md §2.3, §2.6). Expected values worked out by hand.
#include <doctest/doctest.h>

#include <sstream>

#include "replay_in_child.hpp"

using cloudpact::test::events_of_type;
using cloudpact::test::ledger_sum;
using cloudpact::test::replay_in_child;

namespace {
// April 2025 = 720 h. One cluster of 1000 H100; 600 GPUs of demand; $3/GPU-h.
std::string april(const std::string& billing, const std::string& contract_extra = "",
                  const std::string& end = "2025-05-01", const std::string& horizon_end = "2025-05-01") {
  return R"({ "name": "billing-test", "start": "2025-04-01", "end": ")" + horizon_end + R"(",
  "providers": [ { "id": "p", "regions": [ { "id": "r", "clusters": [
      { "id": "c", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] } ],
  "contracts": [ { "id": "k", "provider": "p", "start": "2025-04-01", "end": ")" + end + R"(",
                   "clusters": ["p/r/c"], "billing": ")" + billing + R"(",
                   "price_usd_per_gpu_hour": 3 )" + contract_extra + R"( } ],
  "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 600 } ] })";
}
}  // namespace

TEST_CASE("reserved bills every delivered GPU-hour, usage only the used ones") {
  const auto reserved = replay_in_child(april("reserved")).summary_json();
  const auto usage = replay_in_child(april("usage")).summary_json();
  CHECK(reserved["totals"]["billed_usd"].get<double>() == doctest::Approx(1000 * 720 * 3.0).epsilon(1e-12));
  CHECK(usage["totals"]["billed_usd"].get<double>() == doctest::Approx(600 * 720 * 3.0).epsilon(1e-12));
  CHECK(reserved["totals"]["used_gpu_hours"].get<double>() == doctest::Approx(600 * 720.0));
  CHECK(usage["totals"]["used_gpu_hours"].get<double>() == doctest::Approx(600 * 720.0));
}

TEST_CASE("a commitment not met by the end of the term is billed on the end date") {
  // Usage billed 600 x 720 x 3 = $1,296,000 against a $2,000,000 commitment:
  // $704,000 shortfall, billed on 2025-05-01 (the term ends inside the horizon).
  const auto out = replay_in_child(april("usage", R"(, "commitment_usd": 2000000)", "2025-05-01", "2025-06-01"));
  const auto s = out.summary_json();
  CHECK(s["contracts"]["k"]["shortfall_usd"].get<double>() == doctest::Approx(704000.0).epsilon(1e-12));
  CHECK(s["contracts"]["k"]["commitment_remaining_usd"].get<double>() == 0.0);
  CHECK(s["totals"]["spend_usd"].get<double>() == doctest::Approx(2000000.0).epsilon(1e-12));
  CHECK(out.ledger.find("2025-05-01T00:00:00Z,k,shortfall,704000,p") != std::string::npos);
}

TEST_CASE("a commitment whose term runs past the horizon reports what remains") {
  const auto s = replay_in_child(april("usage", R"(, "commitment_usd": 2000000)", "2026-04-01")).summary_json();
  CHECK(s["contracts"]["k"]["shortfall_usd"].get<double>() == 0.0);
  CHECK(s["contracts"]["k"]["commitment_remaining_usd"].get<double>() == doctest::Approx(704000.0).epsilon(1e-12));
}

TEST_CASE("yearly take-or-pay bills the shortfall of each contract-year that ends inside the horizon") {
  // 2-year usage contract from 2025-01-01, $10M minimum per year; 100 GPUs at
  // $2 bill 100 x 8760 x 2 = $1,752,000 in 2025: $8,248,000 due on
  // 2026-01-01. The second year ends after the horizon (2026-07-01): nothing.
  const std::string text = R"({ "name": "top", "start": "2025-01-01", "end": "2026-07-01",
    "providers": [ { "id": "p", "regions": [ { "id": "r", "clusters": [
        { "id": "c", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] } ],
    "contracts": [ { "id": "k", "provider": "p", "start": "2025-01-01", "end": "2027-01-01",
                     "clusters": ["p/r/c"], "billing": "usage", "price_usd_per_gpu_hour": 2,
                     "min_spend_usd_per_year": 10000000 } ],
    "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 100 } ] })";
  const auto out = replay_in_child(text);
  const auto s = out.summary_json();
  CHECK(s["contracts"]["k"]["shortfall_usd"].get<double>() == doctest::Approx(8248000.0).epsilon(1e-12));
  CHECK(out.ledger.find("2026-01-01T00:00:00Z,k,shortfall,8248000,p") != std::string::npos);
}

TEST_CASE("an SLA credit uses the lowest tier the month's availability is below") {
  // A 10 h outage of 1000 reserved GPUs in April (720 h): availability
  // 1 - 10/720 = 98.61%: below 99.99 and 99.0, not 95.0 -> the 99.0 tier, 30%
  // of April's bill (1000 x 720 x $3 = $2,160,000) = $648,000.
  std::string text = april("reserved", R"(, "sla": { "credits": [
      { "below_pct": 99.99, "credit_pct": 10 }, { "below_pct": 99.0, "credit_pct": 30 },
      { "below_pct": 95.0, "credit_pct": 100 } ] })");
  text.insert(text.rfind('}'), R"(, "events": [ { "type": "outage", "target": "p", "start": "2025-04-10T00:00:00Z",
      "end": "2025-04-10T10:00:00Z" } ])");
  const auto out = replay_in_child(text);
  const auto s = out.summary_json();
  CHECK(s["contracts"]["k"]["sla_credits_usd"].get<double>() == doctest::Approx(648000.0).epsilon(1e-12));
  CHECK(ledger_sum(out.ledger, "sla_credit", "k") == doctest::Approx(-648000.0).epsilon(1e-12));
  CHECK(s["totals"]["spend_usd"].get<double>() == doctest::Approx(2160000.0 - 648000.0).epsilon(1e-12));
  const auto credits = events_of_type(out.events, "sla_credit");
  REQUIRE(credits.size() == 1);
  CHECK(credits[0]["time"] == "2025-05-01T00:00:00Z");
}

TEST_CASE("a short outage earns the 10% tier only") {
  // 1 h out of 720: 99.861% availability, below 99.99 only -> 10%.
  std::string text = april("reserved", R"(, "sla": { "credits": [
      { "below_pct": 99.99, "credit_pct": 10 }, { "below_pct": 99.0, "credit_pct": 30 } ] })");
  text.insert(text.rfind('}'), R"(, "events": [ { "type": "outage", "target": "p/r", "start": "2025-04-10T00:00:00Z",
      "end": "2025-04-10T01:00:00Z" } ])");
  const auto s = replay_in_child(text).summary_json();
  CHECK(s["contracts"]["k"]["sla_credits_usd"].get<double>() == doctest::Approx(216000.0).epsilon(1e-12));
}

TEST_CASE("price changes: on-demand set from a date, contract price multiplied from a date") {
  // On demand at $4 for the first 10 days, $2 after; 100 GPUs for 20 days:
  // 100 x 240 x 4 + 100 x 240 x 2 = $144,000.
  const std::string on_demand = R"({ "name": "pc", "start": "2025-01-01", "end": "2025-01-21",
    "providers": [ { "id": "p", "on_demand_usd_per_gpu_hour": { "H100": 4 },
                     "regions": [ { "id": "r", "clusters": [
        { "id": "c", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] } ],
    "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 100 } ],
    "events": [ { "type": "price_change", "target": "p", "accelerator": "H100", "date": "2025-01-11",
                  "on_demand_usd_per_gpu_hour": 2 } ] })";
  CHECK(replay_in_child(on_demand).summary_json()["totals"]["spend_usd"].get<double>() ==
        doctest::Approx(144000.0).epsilon(1e-12));

  // A reserved contract at $3 whose price is multiplied by 0.5 from 2025-04-16:
  // 1000 x 360 x 3 + 1000 x 360 x 1.5 = $1,620,000.
  std::string text = april("reserved");
  text.insert(text.rfind('}'), R"(, "events": [ { "type": "price_change", "contract": "k", "date": "2025-04-16",
      "factor": 0.5 } ])");
  CHECK(replay_in_child(text).summary_json()["totals"]["billed_usd"].get<double>() ==
        doctest::Approx(1620000.0).epsilon(1e-12));
}

TEST_CASE("spend adds up: billed + shortfall - credits + egress, per provider and per interval") {
  std::string text = april("usage", R"(, "commitment_usd": 2000000, "sla": { "credits": [
      { "below_pct": 99.99, "credit_pct": 10 } ] })", "2025-05-01", "2025-06-01");
  text.insert(text.rfind('}'), R"(, "events": [ { "type": "outage", "target": "p", "start": "2025-04-10T00:00:00Z",
      "end": "2025-04-10T01:00:00Z" } ])");
  const auto out = replay_in_child(text);
  const auto s = out.summary_json();
  const auto& t = s["totals"];
  const double spend = t["billed_usd"].get<double>() + t["shortfall_usd"].get<double>() -
                       t["sla_credits_usd"].get<double>() + t["egress_usd"].get<double>();
  CHECK(t["spend_usd"].get<double>() == doctest::Approx(spend).epsilon(1e-12));
  CHECK(s["providers"]["p"]["spend_usd"].get<double>() == doctest::Approx(spend).epsilon(1e-12));
  // The time series' spend column sums to the same figure, over every row:
  // one per provider (here p alone) and day of the horizon, nothing else.
  double series = 0.0;
  int rows = 0;
  std::istringstream in(out.timeseries);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    ++rows;
    CHECK(line.substr(line.find(',') + 1, 2) == "p,");
    series += std::stod(line.substr(line.rfind(',') + 1));
  }
  CHECK(rows == 30 + 31);  // daily (the default interval) over April and May
  CHECK(series == doctest::Approx(spend).epsilon(1e-9));
}
