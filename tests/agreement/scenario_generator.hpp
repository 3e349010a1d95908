// Random valid scenarios for the engine-agreement tests: seeded, so a failing
// case is reproduced by its seed alone. Two classes:
//  - exact: whole-GPU capacities and demands; curves, prices, shocks, price
//    changes, delivery delays, contract terms and training submissions on
//    whole days; outages at any minute; reserved and usage contracts with
//    commitments, take-or-pay and SLA tiers; all three placements; training
//    jobs (with checkpoints, restarts and egress) in half the scenarios. On
//    this class the step grid of the Monte Carlo path model is exact, so
//    `risk --uncertainty-off` must give the replay's numbers to rounding.
//  - intraday: the same, but capacity and demand curves may be linear or
//    change at any minute, and training jobs are submitted at any minute:
//    the path model takes such curves as step averages (docs/reference.md
//    §4.3), so the engines are close, not equal.
// Every scenario also carries an `uncertainty` section half of the time, which
// `--uncertainty-off` must switch off completely, and a discount rate
// (docs/reference.md §13) seven times in ten, so present values are compared too.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

namespace cloudpact::test {

enum class ScenarioClass { exact, intraday };

nlohmann::ordered_json random_scenario(std::uint64_t seed, ScenarioClass kind);

}  // namespace cloudpact::test
