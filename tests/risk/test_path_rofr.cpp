// The right of first refusal in the path model (docs/reference.md §14), on
// the teaching scenario 06 whose costs are worked out by hand in its x-story:
// spend $44,280,800 whatever the match; unmet value $9,062,400 when azure
// matches the whole deal, $9,152,000 when it matches none, $9,096,000 at 50%.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "path_fixture.hpp"

using namespace cloudpact::test;
using Json = nlohmann::json;

namespace {

constexpr double kCostFull = 44280800.0 + 9062400.0;  // matched in full
constexpr double kCostNone = 44280800.0 + 9152000.0;  // not matched
constexpr double kCostHalf = 44280800.0 + 9096000.0;  // match_pct 50

std::string scenario06(const std::function<void(Json&)>& edit) {
  std::ifstream in(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/06-exclusivity-and-rofr.json");
  Json doc = Json::parse(in);
  edit(doc);
  return doc.dump();
}

}  // namespace

TEST_CASE("match_probability: each path matches the deal in full or not at all, with that frequency") {
  const double p = 0.3;
  const std::int64_t n = 2000;
  const PathRun run = run_paths(scenario06([&](Json& d) { d["policy"]["rofr"]["match_probability"] = p; }), n);
  const int none = run.portfolio("no_rofr"), holder = static_cast<int>(run.setup.problem.rofr_holder);
  REQUIRE(none >= 0);
  REQUIRE(run.setup.provider_ids[static_cast<size_t>(holder)] == "azure");
  std::int64_t matched = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double cost = run.cost("contracted", i);
    const bool full = std::abs(cost - kCostFull) < 1e-3, not_at_all = std::abs(cost - kCostNone) < 1e-3;
    CHECK((full || not_at_all));
    matched += full ? 1 : 0;
    // The holder's spend follows the draw: $41.9M with the deal, $21.9M without; no_rofr never has it.
    CHECK(run.r.holder_spend_usd[static_cast<size_t>(i)] == doctest::Approx(full ? 41.9e6 : 21.9e6).epsilon(1e-12));
    CHECK(run.cost("no_rofr", i) == doctest::Approx(kCostNone).epsilon(1e-12));
    CHECK(run.r.holder_spend_usd[static_cast<size_t>(none * n + i)] == doctest::Approx(21.9e6).epsilon(1e-12));
  }
  const double freq = static_cast<double>(matched) / static_cast<double>(n);
  const double se = std::sqrt(p * (1 - p) / static_cast<double>(n));
  INFO("matched " << matched << " of " << n);
  CHECK(std::abs(freq - p) < 4.0 * se);
}

TEST_CASE("the same paths draw the same matches in every portfolio and batch") {
  const std::string text = scenario06([](Json&) {});
  const PathRun a = run_paths(text, 64), b = run_paths(text, 64);
  CHECK(a.r.cost_usd == b.r.cost_usd);
  // without:aws keeps azure's part of a matched deal: its cost tells the draw apart as contracted's does.
  for (std::int64_t i = 0; i < 64; ++i) {
    const bool full = std::abs(a.cost("contracted", i) - kCostFull) < 1e-3;
    CHECK((a.r.holder_spend_usd[static_cast<size_t>(a.portfolio("without:aws") * 64 + i)] > 30e6) == full);
  }
}

TEST_CASE("without match_probability, or with the uncertainty off, every path applies match_pct as the replay does") {
  const PathRun fixed = run_paths(scenario06([](Json& d) { d["policy"]["rofr"].erase("match_probability"); }), 16);
  const PathRun off = run_paths(scenario06([](Json&) {}), 16, true);
  for (std::int64_t i = 0; i < 16; ++i) {
    CHECK(fixed.cost("contracted", i) == doctest::Approx(kCostHalf).epsilon(1e-12));
    CHECK(off.cost("contracted", i) == doctest::Approx(kCostHalf).epsilon(1e-12));
    CHECK(fixed.cost("no_rofr", i) == doctest::Approx(kCostNone).epsilon(1e-12));
  }
  CHECK(off.setup.rofr_match_probability == std::nullopt);
}

TEST_CASE("the holder's parts count toward risk's bounds, and the message says so") {
  // 17 contracts of b, all offered to a: 34 contracts and 34 + 1 clusters in the problem.
  Json doc = {{"name", "bounds"}, {"start", "2025-01-01"}, {"end", "2025-02-01"}, {"workloads", Json::array()}};
  Json clusters = Json::array(), contracts = Json::array();
  for (int i = 0; i < 17; ++i) {
    const std::string id = "c" + std::to_string(i);
    clusters.push_back({{"id", id}, {"accelerator", "H100"}, {"capacity_gpus", 10}});
    contracts.push_back({{"id", "k" + std::to_string(i)}, {"provider", "b"}, {"start", "2025-01-01"},
                         {"end", "2025-02-01"}, {"clusters", {"b/r/" + id}}, {"price_usd_per_gpu_hour", 2}});
  }
  doc["providers"] = Json::parse(R"([
      { "id": "a", "regions": [ { "id": "home", "clusters": [ { "id": "x", "accelerator": "H100", "capacity_gpus": 1 } ] } ] },
      { "id": "b", "regions": [ { "id": "r", "clusters": [] } ] } ])");
  doc["providers"][1]["regions"][0]["clusters"] = clusters;
  doc["contracts"] = contracts;
  doc["policy"] = {{"rofr", {{"holder", "a"}, {"until", "2025-06-01"}, {"region", "home"}}}};
  const cloudpact::Scenario sc = cloudpact::parse_scenario(doc.dump(), "bounds.json");
  std::vector<std::string> lines;
  try {
    (void)cloudpact::build_risk_problem(sc);
  } catch (const cloudpact::InputError& e) {
    lines = e.lines();
  }
  CHECK(lines == std::vector<std::string>{
                     "bounds.json: /contracts: 34 contracts (with the holder's parts of the offered contracts, "
                     "/policy/rofr) is more than `risk` handles (expected at most 32; `run` has no such bound)"});
}

TEST_CASE("delivery targets reach a holder's part through its original (the same build-out) or the holder") {
  // Scenario 06's clusters after the split: azure's h100, the holder's part
  // gb200@aws-deal (in azure's eastus2) and aws's gb200.
  auto late_clusters = [](const Json& targets) {
    const PathRun run = run_paths(scenario06([&](Json& d) {
                                    d["uncertainty"] = {{"delivery",
                                                         {{"p_on_time", 0.5},
                                                          {"delay_days", {{"dist", "fixed"}, {"value", 10}}}}}};
                                    if (!targets.is_null()) d["uncertainty"]["delivery"]["targets"] = targets;
                                  }),
                                  1);
    REQUIRE(run.setup.problem.n_clusters == 3);
    return run.setup.problem.delivery_clusters;
  };
  const std::uint64_t h100 = late_clusters(Json::array({"azure/eastus2/h100"}));
  const std::uint64_t aws = late_clusters(Json::array({"aws"}));
  const std::uint64_t deal = late_clusters(Json::array({"aws/us-east-1/gb200"}));
  const std::uint64_t azure = late_clusters(Json::array({"azure"}));
  CHECK(std::popcount(h100) == 1);
  CHECK(std::popcount(aws) == 2);  // aws's gb200 and the part matched from it
  CHECK((aws & h100) == 0);
  CHECK((aws | h100) == 0b111);
  CHECK(deal == aws);                               // the offered cluster by name: both parts
  CHECK(late_clusters(Json::array({"aws/us-east-1"})) == aws);  // the original's region: both too
  CHECK(std::popcount(azure) == 2);                 // the holder: its own cluster and the part in its region
  CHECK((azure & aws) == (azure & ~h100));          // ... which is the part aws's targets reach
  CHECK(late_clusters(Json()) == ~std::uint64_t{0});  // no targets: every cluster
}

// docs/reference.md §14: a clause goes with its holder. Scenario 06 by hand
// for the buyer that has only aws (single:aws; without:azure is the same
// portfolio here): no exclusivity, so aws's 400 on-demand GB200s (1,000
// H100-eq of the 1,800 wanted) serve from 1 January; no right of first
// refusal, so aws keeps its whole deal from 1 April.
//   1 Jan - 1 Apr (2,160 h): 400 x 2,160 x $10 = $8,640,000 on demand;
//     800 x 2,160 = 1,728,000 GPU-h unmet.
//   1 Apr - 1 Jan (6,600 h): 400 x 6,600 x $6 = $15,840,000 billed, and a
//     shortfall of $20,000,000 - $15,840,000 = $4,160,000; 800 x 6,600 =
//     5,280,000 GPU-h unmet, plus (1,800 - 800) x 14 = 14,000 in the outage.
//   spend $28,640,000; unmet 7,022,000 GPU-h worth $56,176,000.
// The buyer that has only azure keeps both clauses (single:azure): its
// reserved $21,900,000, half the deal ($7,920,000 + $2,080,000), and unmet
// 800 x 2,160 + 300 x 6,600 = 3,708,000 GPU-h worth $29,664,000.
TEST_CASE("portfolios without the holder are free of its exclusivity and its right of first refusal") {
  constexpr double kOnlyAws = 28640000.0 + 56176000.0;
  constexpr double kOnlyAzure = 31900000.0 + 29664000.0;
  const PathRun off = run_paths(scenario06([](Json&) {}), 4, true);
  for (std::int64_t i = 0; i < 4; ++i) {
    CHECK(off.cost("single:aws", i) == doctest::Approx(kOnlyAws).epsilon(1e-12));
    CHECK(off.cost("without:azure", i) == doctest::Approx(kOnlyAws).epsilon(1e-12));
    CHECK(off.unmet("single:aws", i) == doctest::Approx(7022000.0).epsilon(1e-12));
    CHECK(off.cost("single:azure", i) == doctest::Approx(kOnlyAzure).epsilon(1e-12));
    CHECK(off.cost("without:aws", i) == doctest::Approx(kOnlyAzure).epsilon(1e-12));
    CHECK(off.cost("contracted", i) == doctest::Approx(kCostHalf).epsilon(1e-12));
  }
  // With the match drawn: the buyer without azure never sees it.
  const PathRun drawn = run_paths(scenario06([](Json&) {}), 32);
  for (std::int64_t i = 0; i < 32; ++i) CHECK(drawn.cost("single:aws", i) == doctest::Approx(kOnlyAws).epsilon(1e-12));
}

TEST_CASE("the portfolios free of an exclusivity walk the paths of the scenario without it, draw for draw") {
  // Sampled outages and prices on both providers: the spliced portfolios are
  // those of the scenario without the clause, to the bit, on every path.
  const auto edit = [](Json& d) {
    d["uncertainty"] = Json::parse(R"({
        "outages": { "default": { "rate_per_year": 6, "capacity_lost_pct": 60,
                                  "duration_hours": { "dist": "lognormal", "median": 10, "sigma": 1 } } },
        "prices": { "aws": { "model": "gbm", "vol_per_year": 0.4 }, "azure": { "model": "gbm", "vol_per_year": 0.2 } },
        "demand": { "vol_per_year": 0.3 } })");
  };
  const PathRun with = run_paths(scenario06(edit), 48);
  const PathRun without = run_paths(scenario06([&](Json& d) {
                                      edit(d);
                                      d["policy"].erase("exclusivity");
                                    }),
                                    48);
  REQUIRE(with.setup.problem.lifted != nullptr);
  REQUIRE(without.setup.problem.lifted == nullptr);
  for (const char* name : {"without:azure", "single:aws"}) {
    CAPTURE(name);
    for (std::int64_t i = 0; i < 48; ++i) {
      CHECK(with.cost(name, i) == without.cost(name, i));
      CHECK(with.unmet(name, i) == without.unmet(name, i));
    }
  }
  // The portfolios that hold azure keep the exclusivity: cut off aws for two
  // months, they cost more than without it on every path.
  for (std::int64_t i = 0; i < 48; ++i) CHECK(with.cost("contracted", i) > without.cost("contracted", i));
}
