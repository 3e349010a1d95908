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
