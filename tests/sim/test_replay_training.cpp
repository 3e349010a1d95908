// Training jobs: rollback to the last checkpoint, restart, egress when the
// dataset moves to another provider (docs/reference.md §2.4). Worked out by hand.
#include <doctest/doctest.h>

#include "replay_in_child.hpp"

using cloudpact::test::events_of_type;
using cloudpact::test::ledger_sum;
using cloudpact::test::replay_in_child;

namespace {
// 1000 GPUs at mfu 0.5 need 100 h for 1000 x 989e12 x 0.5 x 360,000 FLOP.
const std::string kFlops100h = "1.7802e23";

std::string training(const std::string& providers_extra, const std::string& job_providers, const std::string& events) {
  return R"({ "name": "train", "start": "2025-01-01", "end": "2025-01-11",
    "providers": [ { "id": "aws", "egress_usd_per_gb": 0.09, "on_demand_usd_per_gpu_hour": { "H100": 4 },
                     "regions": [ { "id": "r", "clusters": [
        { "id": "c", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] } )" + providers_extra + R"( ],
    "workloads": [ { "id": "run", "kind": "training", "submit": "2025-01-01", "flops": )" + kFlops100h + R"(,
                     "gpus": 1000, "mfu": 0.5, "checkpoint_hours": 4, "restart_hours": 2, "dataset_tb": 100,
                     "providers": )" + job_providers + R"( } ],
    "events": )" + events + " }";
}
}  // namespace

TEST_CASE("uninterrupted training lasts flops / (gpus x 989e12 x mfu)") {
  const auto s = replay_in_child(training("", R"(["aws"])", "[]")).summary_json();
  CHECK(s["workloads"]["run"]["start"] == "2025-01-01T00:00:00Z");
  CHECK(s["workloads"]["run"]["finish"] == "2025-01-05T04:00:00Z");  // +100 h
  CHECK(s["workloads"]["run"]["served_gpu_hours"].get<double>() == doctest::Approx(100000.0).epsilon(1e-9));
  CHECK(s["totals"]["billed_usd"].get<double>() == doctest::Approx(100000.0 * 4).epsilon(1e-9));
}

TEST_CASE("an outage rolls training back to its last checkpoint; it restarts when capacity returns") {
  // Outage 10:00 -> 13:00 on day 1. At 10 h the last checkpoint is 8 h: 2 h of
  // 1000 GPUs lost. Restart at max(10 + 2 h restart, 13 h back) = 13 h, 92 h
  // left: finish at 105 h = 2025-01-05T09:00:00Z. Served = 1000 x (10 + 92).
  const auto out = replay_in_child(training("", R"(["aws"])", R"([ { "type": "outage", "target": "aws",
      "start": "2025-01-01T10:00:00Z", "end": "2025-01-01T13:00:00Z" } ])"));
  const auto s = out.summary_json();
  CHECK(s["workloads"]["run"]["interruptions"] == 1);
  // Exact: the loss is the time since the checkpoint, in whole seconds, not
  // read back from SimGrid's remaining work (which rounds).
  CHECK(s["workloads"]["run"]["lost_gpu_hours"].get<double>() == 2000.0);
  CHECK(s["workloads"]["run"]["finish"] == "2025-01-05T09:00:00Z");
  CHECK(s["workloads"]["run"]["served_gpu_hours"].get<double>() == doctest::Approx(102000.0).epsilon(1e-9));
  CHECK(events_of_type(out.events, "job_interrupted").size() == 1);
  CHECK(events_of_type(out.events, "job_restart").at(0)["time"] == "2025-01-01T13:00:00Z");
}

TEST_CASE("restart waits restart_hours even when capacity is back sooner") {
  // A 30-minute outage at 10:00: restart at 10 + 2 = 12 h; 92 h left -> 104 h.
  const auto s = replay_in_child(training("", R"(["aws"])", R"([ { "type": "outage", "target": "aws/r/c",
      "start": "2025-01-01T10:00:00Z", "end": "2025-01-01T10:30:00Z" } ])"))
                     .summary_json();
  CHECK(s["workloads"]["run"]["finish"] == "2025-01-05T08:00:00Z");
}

TEST_CASE("a job that moves to another provider pays egress on its dataset at the source") {
  // AWS fails at 10 h for 3 days; the job restarts at 12 h on Azure. Its
  // 100 TB = 100,000 GB leave AWS at $0.09/GB = $9,000.
  const auto out = replay_in_child(training(R"(, { "id": "azure", "on_demand_usd_per_gpu_hour": { "H100": 6 },
      "regions": [ { "id": "z", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] })",
                                            R"(["aws", "azure"])", R"([ { "type": "outage", "target": "aws",
      "start": "2025-01-01T10:00:00Z", "end": "2025-01-04T10:00:00Z" } ])"));
  const auto s = out.summary_json();
  CHECK(s["totals"]["egress_usd"].get<double>() == doctest::Approx(9000.0));
  CHECK(ledger_sum(out.ledger, "egress") == doctest::Approx(9000.0));
  CHECK(s["providers"]["aws"]["spend_usd"].get<double>() == doctest::Approx(10 * 1000 * 4.0 + 9000.0));
  // 92 h on Azure from 12 h: finish at 104 h.
  CHECK(s["workloads"]["run"]["finish"] == "2025-01-05T08:00:00Z");
  CHECK(s["providers"]["azure"]["spend_usd"].get<double>() == doctest::Approx(92 * 1000 * 6.0));
}

TEST_CASE("a job that cannot finish by the horizon has a null finish") {
  std::string text = training("", R"(["aws"])", "[]");
  text.replace(text.find("2025-01-11"), 10, "2025-01-03");
  const auto s = replay_in_child(text).summary_json();
  CHECK(s["workloads"]["run"]["finish"].is_null());
  CHECK(s["workloads"]["run"]["served_gpu_hours"].get<double>() == doctest::Approx(48000.0));
}

TEST_CASE("a job whose work ends at the instant its cluster loses capacity has finished, not been cut") {
  // The job's 100 h end at 2025-01-05T04:00, when an outage of its cluster
  // starts ([start, end) does not meet the run [0, 100 h)). SimGrid handles
  // the run's end with the clock's stop at that date: it is a finish, before
  // the outage, not an interruption that rolls 4 h back to the checkpoint at
  // 96 h. The risk engine's walk cuts the same way.
  const auto out = replay_in_child(training("", R"(["aws"])", R"([ { "type": "outage", "target": "aws/r/c",
      "start": "2025-01-05T04:00:00Z", "end": "2025-01-05T12:00:00Z" } ])"));
  const auto s = out.summary_json();
  CHECK(s["workloads"]["run"]["finish"] == "2025-01-05T04:00:00Z");
  CHECK(s["workloads"]["run"]["interruptions"] == 0);
  CHECK(s["workloads"]["run"]["lost_gpu_hours"].get<double>() == 0.0);
  CHECK(s["workloads"]["run"]["served_gpu_hours"].get<double>() == doctest::Approx(100000.0).epsilon(1e-9));
  CHECK(events_of_type(out.events, "job_interrupted").empty());
}

TEST_CASE("a job whose work ends at the horizon has finished there") {
  // `finish` is null for a job that has not finished by `end`: this one has.
  std::string text = training("", R"(["aws"])", "[]");
  text.replace(text.find("\"2025-01-11\""), 12, "\"2025-01-05T04:00:00Z\"");
  const auto s = replay_in_child(text).summary_json();
  CHECK(s["workloads"]["run"]["finish"] == "2025-01-05T04:00:00Z");
  CHECK(s["workloads"]["run"]["served_gpu_hours"].get<double>() == doctest::Approx(100000.0).epsilon(1e-9));
}

TEST_CASE("many jobs smaller than one physical GPU each still run at full speed") {
  // One physical GPU of an accelerator worth 1000 H100-eq holds 80 jobs of
  // 1 H100-eq, each rounded up to one thread of the cluster's host. Each
  // needs 1 x 989e12 x 1 x 360,000 s = 3.5604e20 FLOP: 100 h. An outage
  // 10:00-11:00 on day 1 (checkpoints every hour, no restart delay) stops
  // them at 10 h of progress; they restart at 11:00 and finish 90 h later,
  // at 101 h = 2025-01-05T05:00:00Z. With fewer cores than threads the
  // host's cores were shared, every run went slower than 1 s a second and
  // finished hours late.
  std::string jobs;
  for (int i = 0; i < 80; ++i)
    jobs += std::string(i ? ", " : "") + R"({ "id": "j)" + std::to_string(i) +
            R"(", "kind": "training", "submit": "2025-01-01", "flops": 3.5604e20, "gpus": 1, "mfu": 1,
                 "checkpoint_hours": 1, "restart_hours": 0 })";
  const std::string text = R"({ "name": "tiny", "start": "2025-01-01", "end": "2025-01-11",
    "accelerators": { "X": { "h100_equiv": 1000, "kw": 1 } },
    "providers": [ { "id": "p", "on_demand_usd_per_gpu_hour": { "X": 1 }, "regions": [ { "id": "r", "clusters": [
        { "id": "c", "accelerator": "X", "capacity_gpus": 1 } ] } ] } ],
    "workloads": [ )" + jobs + R"( ],
    "events": [ { "type": "outage", "target": "p", "start": "2025-01-01T10:00:00Z", "end": "2025-01-01T11:00:00Z" } ] })";
  const auto s = replay_in_child(text).summary_json();
  for (const char* id : {"j0", "j79"}) {
    CAPTURE(id);
    CHECK(s["workloads"][id]["interruptions"] == 1);
    CHECK(s["workloads"][id]["lost_gpu_hours"].get<double>() == 0.0);
    CHECK(s["workloads"][id]["finish"] == "2025-01-05T05:00:00Z");
  }
}
