// Capacity and demand over time: linear ramps integrated exactly, delivery
// delays, demand shocks, priorities, H100-equivalents (docs/reference.md §2.2, §2.4, §2.6).
#include <doctest/doctest.h>

#include "replay_in_child.hpp"

using cloudpact::test::replay_in_child;

namespace {
std::string scenario(const std::string& capacity, const std::string& workloads, const std::string& extra = "",
                     const std::string& accel = "H100", const std::string& billing = "reserved", double price = 1.0) {
  return R"({ "name": "cap", "start": "2025-01-01", "end": "2025-01-21",
    "accelerators": { "H100": { "h100_equiv": 1 }, "GB200": { "h100_equiv": 2.5, "kw": 1.2 } },
    "providers": [ { "id": "p", "regions": [ { "id": "r", "clusters": [
        { "id": "c", "accelerator": ")" + accel + R"(", "capacity_gpus": )" + capacity + R"( } ] } ] } ],
    "contracts": [ { "id": "k", "provider": "p", "start": "2025-01-01", "end": "2025-02-01",
                     "clusters": ["p/r/c"], "billing": ")" + billing + R"(", "price_usd_per_gpu_hour": )" +
         std::to_string(price) + R"( } ],
    "workloads": )" + workloads + extra + " }";
}
const std::string kDemand500 = R"([ { "id": "w", "kind": "inference", "demand_gpus": 500 } ])";
}  // namespace

TEST_CASE("a linear ramp is integrated exactly, and unmet demand kinks where the ramp crosses it") {
  // Capacity 0 -> 1000 GPUs linearly over 10 days, then flat; 20 days.
  // Delivered: 0.5 x 1000 x 240 + 1000 x 240 = 360,000 GPU-h ($1 each).
  // Demand 500: the ramp reaches it on day 5 (120 h). Served:
  // 0.5 x 500 x 120 + 500 x 360 = 210,000; unmet 500 x 480 - 210,000 = 30,000.
  const auto s = replay_in_child(scenario(R"({ "shape": "linear", "points": [["2025-01-01", 0], ["2025-01-11", 1000]] })",
                                          kDemand500))
                     .summary_json();
  CHECK(s["contracts"]["k"]["billed_usd"].get<double>() == doctest::Approx(360000.0).epsilon(1e-12));
  CHECK(s["providers"]["p"]["available_gpu_hours"].get<double>() == doctest::Approx(360000.0).epsilon(1e-12));
  CHECK(s["totals"]["used_gpu_hours"].get<double>() == doctest::Approx(210000.0).epsilon(1e-9));
  CHECK(s["totals"]["unmet_gpu_hours"].get<double>() == doctest::Approx(30000.0).epsilon(1e-9));
}

TEST_CASE("a step curve holds each value from its date") {
  // 200 GPUs from day 0, 800 from day 10: delivered 200 x 240 + 800 x 240.
  const auto s = replay_in_child(scenario(R"({ "shape": "step", "points": [["2025-01-01", 200], ["2025-01-11", 800]] })",
                                          kDemand500))
                     .summary_json();
  CHECK(s["contracts"]["k"]["billed_usd"].get<double>() == doctest::Approx(240000.0));
  CHECK(s["totals"]["unmet_gpu_hours"].get<double>() == doctest::Approx(300 * 240.0));
}

TEST_CASE("a delivery delay shifts a constant capacity to start `days` later") {
  // 1000 GPUs from the start, delayed 5 days: delivered 1000 x 15 x 24 =
  // 360,000 GPU-h; demand 500 unmet for the first 120 h = 60,000 GPU-h.
  const auto s = replay_in_child(scenario("1000", kDemand500,
                                          R"(, "events": [ { "type": "delivery_delay", "target": "p/r/c", "days": 5 } ])"))
                     .summary_json();
  CHECK(s["contracts"]["k"]["billed_usd"].get<double>() == doctest::Approx(360000.0));
  CHECK(s["totals"]["unmet_gpu_hours"].get<double>() == doctest::Approx(60000.0));
}

TEST_CASE("a demand shock multiplies demand inside its window only") {
  // 800 GPUs; demand 500 doubled for 2 days -> 1000: unmet 200 x 48 = 9,600.
  const auto s = replay_in_child(scenario("800", kDemand500,
                                          R"(, "events": [ { "type": "demand_shock", "workload": "w",
                                              "start": "2025-01-05", "end": "2025-01-07", "factor": 2 } ])"))
                     .summary_json();
  CHECK(s["totals"]["unmet_gpu_hours"].get<double>() == doctest::Approx(9600.0));
  CHECK(s["workloads"]["w"]["served_gpu_hours"].get<double>() == doctest::Approx(500 * 480.0 + 300 * 48.0));
}

TEST_CASE("priority: the lower number is served first, ties in file order") {
  // 1000 GPUs, three workloads of 600: "low" (priority 1) first in the file,
  // then "high" (0), then "tie" (0). high takes 600, tie 400, low nothing.
  const auto s = replay_in_child(scenario("1000", R"([
      { "id": "low", "kind": "inference", "demand_gpus": 600, "priority": 1 },
      { "id": "high", "kind": "inference", "demand_gpus": 600, "priority": 0 },
      { "id": "tie", "kind": "inference", "demand_gpus": 600 } ])"))
                     .summary_json();
  CHECK(s["workloads"]["high"]["unmet_gpu_hours"].get<double>() == 0.0);
  CHECK(s["workloads"]["tie"]["served_gpu_hours"].get<double>() == doctest::Approx(400 * 480.0));
  CHECK(s["workloads"]["low"]["served_gpu_hours"].get<double>() == 0.0);
  CHECK(s["workloads"]["low"]["unmet_gpu_hours"].get<double>() == doctest::Approx(600 * 480.0));
}

TEST_CASE("H100-equivalents: capacity in H100-eq, prices per physical GPU") {
  // 400 GB200 (2.5 H100-eq each) = 1000 H100-eq. Demand 500 H100-eq is 200
  // physical GB200; usage at $5 per physical GPU-hour: 200 x 480 x 5 = $480,000.
  const auto s = replay_in_child(scenario("400", kDemand500, "", "GB200", "usage", 5.0)).summary_json();
  CHECK(s["providers"]["p"]["available_gpu_hours"].get<double>() == doctest::Approx(1000 * 480.0));
  CHECK(s["totals"]["used_gpu_hours"].get<double>() == doctest::Approx(500 * 480.0));
  CHECK(s["totals"]["billed_usd"].get<double>() == doctest::Approx(480000.0).epsilon(1e-12));
}

TEST_CASE("a delivery_delay event delays a constant capacity from the start") {
  // The same two constant clusters as tests/risk/test_path_place.cpp, both
  // delayed 30 days: demand of 1,000 unserved for 720 h.
  const auto s = replay_in_child(R"({ "name": "delay", "start": "2025-01-01", "end": "2026-01-01",
      "providers": [
        { "id": "a", "on_demand_usd_per_gpu_hour": { "H100": 2 },
          "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] },
        { "id": "b", "on_demand_usd_per_gpu_hour": { "H100": 3 },
          "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] } ],
      "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 1000, "value_usd_per_gpu_hour": 10 } ],
      "events": [ { "type": "delivery_delay", "target": "a", "days": 30 },
                  { "type": "delivery_delay", "target": "b", "days": 30 } ] })")
                     .summary_json();
  CHECK(s["totals"]["unmet_gpu_hours"].get<double>() == doctest::Approx(720000.0).epsilon(1e-12));
}

TEST_CASE("demand that ramps down to 0 or up from 0: the kinks inside the ramp are still found") {
  // Reserved capacity 500 GPUs at $1 for 20 days. Demand falls linearly
  // from 1000 GPUs on day 0 to 0 on day 10 (1000 − 100·d GPUs at day d),
  // then stays 0: it meets capacity on day 5. Used: 500 × 120 h full, then
  // ½ × 500 × 120 h = 60,000 + 30,000 = 90,000 GPU-h; unmet ½ × 500 × 120 h =
  // 30,000. A demand of exactly 0 at one end of a piece once left the two
  // ends' decisions out of step, so the piece was integrated whole across
  // the day-5 kink (Simpson's rule on a kinked function: 100,000 used).
  const std::string down = R"([ { "id": "w", "kind": "inference", "value_usd_per_gpu_hour": 10, "demand_gpus":
      { "shape": "linear", "points": [["2025-01-01", 1000], ["2025-01-11", 0]] } } ])";
  const auto s = replay_in_child(scenario("500", down)).summary_json();
  CHECK(s["totals"]["used_gpu_hours"].get<double>() == doctest::Approx(90000.0).epsilon(1e-9));
  CHECK(s["totals"]["unmet_gpu_hours"].get<double>() == doctest::Approx(30000.0).epsilon(1e-9));
  CHECK(s["totals"]["unmet_value_usd"].get<double>() == doctest::Approx(300000.0).epsilon(1e-9));
  // The mirror image: 0 on day 0 up to 1000 on day 10, then flat. Used
  // ½ × 500 × 120 + 500 × 120 + 500 × 240 = 210,000; unmet ½ × 500 × 120 +
  // 500 × 240 = 150,000.
  const std::string up = R"([ { "id": "w", "kind": "inference", "demand_gpus":
      { "shape": "linear", "points": [["2025-01-01", 0], ["2025-01-11", 1000]] } } ])";
  const auto u = replay_in_child(scenario("500", up)).summary_json();
  CHECK(u["totals"]["used_gpu_hours"].get<double>() == doctest::Approx(210000.0).epsilon(1e-9));
  CHECK(u["totals"]["unmet_gpu_hours"].get<double>() == doctest::Approx(150000.0).epsilon(1e-9));
}

TEST_CASE("a waiting job starts at the instant a demand ramping down to 0 leaves it room") {
  // 1000 GPUs; inference demand 800 → 0 over 10 h (80 GPUs an hour) is
  // served first; a 500-GPU job (at the default mfu 0.4, 7.1208e21 FLOP
  // / (500 × 989e12 × 0.4) = 36,000 s = 10 h) fits once demand ≤ 500, at
  // 3.75 h = 03:45, and ends at 13:45. It once waited for the ramp's end.
  const std::string w = R"([ { "id": "w", "kind": "inference", "demand_gpus":
      { "shape": "linear", "points": [["2025-01-01", 800], ["2025-01-01T10:00:00Z", 0]] } },
    { "id": "t", "kind": "training", "submit": "2025-01-01", "flops": 7.1208e21, "gpus": 500, "priority": 1 } ])";
  const auto s = replay_in_child(scenario("1000", w)).summary_json();
  CHECK(s["workloads"]["t"]["start"] == "2025-01-01T03:45:00Z");
  CHECK(s["workloads"]["t"]["finish"] == "2025-01-01T13:45:00Z");
}
