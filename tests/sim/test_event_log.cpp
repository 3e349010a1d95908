// The event log (events.jsonl, docs/reference.md §5.4): every event type the
// replay writes, with exactly the fields the reference lists, in that order,
// and values worked out by hand. One scenario makes every type happen.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "replay_in_child.hpp"

using cloudpact::test::events_of_type;
using cloudpact::test::replay_in_child;

namespace {
// Ten days of January 2025 plus February 1 (a month end inside the horizon).
// AWS: 1000 H100, reserved by `k` (SLA tier below 99.9%: 10%; commitment
// $30M, term ending 2025-01-31) at $1; Azure: 1000 H100 on demand at $6.
// Inference `chat` 500 GPUs on both; training `run` 1000 GPUs for 100 h on
// AWS or Azure (checkpoint 4 h, restart 2 h, 100 TB). AWS fails 10:00 ->
// 13:00 on Jan 1; a price change, a demand shock and a zero-day delivery
// delay add their events.
const std::string kScenario = R"({ "name": "events", "start": "2025-01-01", "end": "2025-02-02",
  "providers": [
    { "id": "aws", "egress_usd_per_gb": 0.09, "on_demand_usd_per_gpu_hour": { "H100": 8 },
      "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 2000 } ] } ] },
    { "id": "azure", "on_demand_usd_per_gpu_hour": { "H100": 6 },
      "regions": [ { "id": "z", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] } ],
  "contracts": [ { "id": "k", "provider": "aws", "start": "2025-01-01", "end": "2025-01-31",
                   "clusters": ["aws/r/c"], "billing": "reserved", "price_usd_per_gpu_hour": 1,
                   "commitment_usd": 30000000,
                   "sla": { "credits": [ { "below_pct": 99.9, "credit_pct": 10 } ] } } ],
  "workloads": [
    { "id": "run", "kind": "training", "submit": "2025-01-01", "flops": 1.7802e23, "gpus": 1000, "mfu": 0.5,
      "checkpoint_hours": 4, "restart_hours": 2, "dataset_tb": 100, "providers": ["aws", "azure"], "priority": 0 },
    { "id": "chat", "kind": "inference", "demand_gpus": 500, "value_usd_per_gpu_hour": 10, "priority": 1 } ],
  "events": [
    { "type": "outage", "target": "aws", "start": "2025-01-01T10:00:00Z", "end": "2025-01-01T13:00:00Z" },
    { "type": "price_change", "target": "azure", "accelerator": "H100", "date": "2025-01-20", "factor": 0.5 },
    { "type": "demand_shock", "workload": "chat", "start": "2025-01-10", "end": "2025-01-12", "factor": 2 },
    { "type": "delivery_delay", "target": "azure/z/c", "days": 0 } ] })";

std::vector<std::string> keys(const nlohmann::json& e) {
  std::vector<std::string> k;
  for (const auto& [key, v] : e.items()) k.push_back(key);
  return k;
}

// The fields of the reference's table, after time, t_hours and type. JSON
// objects parsed by nlohmann::json sort their keys, so the order is checked
// on the raw line instead.
void check_fields(const std::string& events, const std::string& type, const std::vector<std::string>& fields) {
  INFO(type);
  const auto list = events_of_type(events, type);
  REQUIRE_FALSE(list.empty());
  std::vector<std::string> expected{"time", "t_hours", "type"};
  expected.insert(expected.end(), fields.begin(), fields.end());
  std::vector<std::string> sorted = expected;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& e : list) CHECK(keys(e) == sorted);
  // In order on the line: find the first line of this type.
  const std::string tag = "\"type\":\"" + type + "\"";
  const size_t at = events.find(tag);
  REQUIRE(at != std::string::npos);
  const size_t from = events.rfind('\n', at) == std::string::npos ? 0 : events.rfind('\n', at) + 1;
  const std::string line = events.substr(from, events.find('\n', at) - from);
  size_t pos = 0;
  for (const std::string& f : expected) {
    const size_t p = line.find("\"" + f + "\":", pos);
    CHECK_MESSAGE(p != std::string::npos, f << " missing or out of order in " << line);
    if (p != std::string::npos) pos = p;
  }
}
}  // namespace

TEST_CASE("events.jsonl: every type, with the reference's fields in its order") {
  const auto out = replay_in_child(kScenario);
  const std::string& ev = out.events;
  check_fields(ev, "outage_start", {"target", "capacity_lost_pct", "duration_hours"});
  check_fields(ev, "outage_end", {"target"});
  check_fields(ev, "failover", {"workload", "change_gpus_by_provider"});
  check_fields(ev, "price_change", {"target", "accelerator", "factor"});
  check_fields(ev, "demand_shock_start", {"workload", "factor"});
  check_fields(ev, "demand_shock_end", {"workload"});
  check_fields(ev, "delivery_delay", {"target", "days"});
  check_fields(ev, "contract_start", {"contract"});
  check_fields(ev, "contract_end", {"contract"});
  check_fields(ev, "job_start", {"workload", "cluster", "gpus", "progress_hours", "remaining_hours"});
  check_fields(ev, "job_interrupted", {"workload", "cluster", "lost_hours", "restart_at_hours"});
  check_fields(ev, "job_restart", {"workload", "cluster", "gpus", "progress_hours", "remaining_hours"});
  check_fields(ev, "job_finish", {"workload", "cluster"});
  check_fields(ev, "egress", {"workload", "from", "to", "dataset_gb", "amount_usd"});
  check_fields(ev, "sla_credit", {"contract", "availability_pct", "credit_usd"});
  check_fields(ev, "shortfall", {"contract", "kind", "amount_usd"});
}

TEST_CASE("events.jsonl: values worked out by hand") {
  const auto out = replay_in_child(kScenario);
  const std::string& ev = out.events;
  // The outage: 3 h, all capacity, 10:00 on Jan 1 = 10 h after the start.
  const auto outage = events_of_type(ev, "outage_start").at(0);
  CHECK(outage["time"] == "2025-01-01T10:00:00Z");
  CHECK(outage["t_hours"] == 10);
  CHECK(outage["duration_hours"] == 3);
  CHECK(outage["capacity_lost_pct"] == 100);
  // The job ran on AWS (reserved: marginal cost 0) from 0 h; at 10 h its last
  // checkpoint was 8 h: 2 h lost; it asks again at 10 + 2 = 12 h and restarts
  // on Azure (AWS is down until 13 h), moving 100 TB = 100,000 GB out of AWS at
  // $0.09/GB = $9,000.
  const auto stop = events_of_type(ev, "job_interrupted").at(0);
  CHECK(stop["cluster"] == "aws/r/c");
  CHECK(stop["lost_hours"].get<double>() == doctest::Approx(2.0).epsilon(1e-9));
  CHECK(stop["restart_at_hours"] == 12);
  const auto restart = events_of_type(ev, "job_restart").at(0);
  CHECK(restart["time"] == "2025-01-01T12:00:00Z");
  CHECK(restart["cluster"] == "azure/z/c");
  CHECK(restart["progress_hours"].get<double>() == doctest::Approx(8.0).epsilon(1e-9));
  CHECK(restart["remaining_hours"].get<double>() == doctest::Approx(92.0).epsilon(1e-9));
  const auto egress = events_of_type(ev, "egress").at(0);
  CHECK(egress["from"] == "aws");
  CHECK(egress["to"] == "azure");
  CHECK(egress["dataset_gb"] == 100000);
  CHECK(egress["amount_usd"].get<double>() == doctest::Approx(9000.0));
  // 92 h on Azure from 12 h: finish at 104 h = Jan 5 08:00.
  CHECK(events_of_type(ev, "job_finish").at(0)["time"] == "2025-01-05T08:00:00Z");
  // Failover at 10:00: chat's 500 GPUs leave AWS for Azure (Azure is free
  // until the job restarts there at 12 h).
  const auto failover = events_of_type(ev, "failover").at(0);
  CHECK(failover["workload"] == "chat");
  CHECK(failover["change_gpus_by_provider"]["aws"] == -500);
  CHECK(failover["change_gpus_by_provider"]["azure"] == 500);
  // January's SLA: 3 h of 2000 GPUs lost in a 30-day term (720 h):
  // availability 100 x (1 − 3/720) = 99.583% < 99.9 -> 10% of the month's
  // bill (2000 x 720 h x $1 = $1.44M): $144,000, at the term's end (Jan 31).
  const auto credit = events_of_type(ev, "sla_credit").at(0);
  CHECK(credit["time"] == "2025-01-31T00:00:00Z");
  CHECK(credit["availability_pct"].get<double>() == doctest::Approx(100.0 * (1.0 - 3.0 / 720.0)).epsilon(1e-12));
  CHECK(credit["credit_usd"].get<double>() == doctest::Approx(144000.0).epsilon(1e-12));
  // Commitment $30M against $1.44M billed: $28.56M at the term's end.
  const auto shortfall = events_of_type(ev, "shortfall").at(0);
  CHECK(shortfall["kind"] == "commitment");
  CHECK(shortfall["amount_usd"].get<double>() == doctest::Approx(28.56e6).epsilon(1e-12));
  CHECK(events_of_type(ev, "contract_end").at(0)["time"] == "2025-01-31T00:00:00Z");
  CHECK(events_of_type(ev, "demand_shock_end").at(0)["time"] == "2025-01-12T00:00:00Z");
}

TEST_CASE("events.jsonl is in time order") {
  const auto out = replay_in_child(kScenario);
  double last = -1.0;
  size_t pos = 0;
  while (pos < out.events.size()) {
    const size_t end = out.events.find('\n', pos);
    const auto e = nlohmann::json::parse(out.events.substr(pos, end - pos));
    CHECK(e["t_hours"].get<double>() >= last);
    last = e["t_hours"].get<double>();
    pos = end + 1;
  }
  CHECK(last > 0.0);
}
