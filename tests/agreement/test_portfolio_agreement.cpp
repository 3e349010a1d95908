// Every portfolio agrees with the replay of the scenario it stands for
// (docs/reference.md §6.1, §4.5). `risk` walks `without:P`, `single:P` and
// `no_rofr` as provider masks, forks from the contracted walk where they part
// (and, free of a holder's clauses, on the grid without its exclusivity):
// none of that exists in the replay. So on generated scenarios of the exact
// class each portfolio's cost, spend, unmet GPU-hours and present value of
// cost, and the right holder's spend, must be what `run` gives for the
// scenario written as that portfolio: the providers it lacks sell nothing (no
// capacity, no contracts), and the clauses of a holder it lacks are gone.
//
// CLOUDPACT_AGREEMENT_CASES and CLOUDPACT_AGREEMENT_SEED change how many
// scenarios and which, as in test_engine_agreement.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "../sim/replay_in_child.hpp"
#include "agreement_support.hpp"
#include "policy/rofr.hpp"
#include "scenario/load.hpp"
#include "scenario_generator.hpp"

using namespace cloudpact::test;
using ojson = nlohmann::ordered_json;

namespace {

// The scenario a portfolio stands for, as the replay runs it. A clause
// (exclusivity, right of first refusal) goes with its holder: a portfolio
// without the holder is free of it, and `no_rofr` is the scenario without
// its right of first refusal. With the right kept, the offered contracts are
// split as the replay splits them, and the holder's parts are the holder's
// contracts (§14.2): a portfolio that keeps the holder keeps them, whatever
// becomes of the original providers' parts. A provider the portfolio lacks
// keeps its place (workloads' lists, events and the placement policy still
// name it) but sells nothing: every cluster of it has capacity 0, and its
// contracts are gone, with the price changes that name them. The scenario
// is built in memory because a file cannot hold a split without its clause.
struct Written {
  cloudpact::Scenario scenario;
  bool freed = false;  // free of a clause that binds the contracted portfolio
  // Keeps the holder's parts of offers whose original parts it lacks.
  bool keeps_parts_of_lacked = false;
};
Written portfolio_scenario(const cloudpact::Scenario& contracted, const std::string& portfolio) {
  using namespace cloudpact;
  Scenario sc = contracted;
  const auto colon = portfolio.find(':');
  const std::string kind = portfolio.substr(0, colon);
  const std::string who = colon == std::string::npos ? "" : portfolio.substr(colon + 1);
  auto holds = [&](const std::string& p) { return kind == "without" ? p != who : kind == "single" ? p == who : true; };
  Policy& policy = sc.policy;
  if (kind == "no_rofr") policy.rofr.reset();
  const bool free_of_exclusivity = policy.exclusivity && !holds(policy.exclusivity->provider);
  const bool free_of_rofr = policy.rofr && !holds(policy.rofr->holder);
  if (free_of_exclusivity) policy.exclusivity.reset();
  if (free_of_rofr) policy.rofr.reset();
  std::vector<std::string> offered;
  if (policy.rofr) {
    RofrSplit split = split_for_rofr(sc, policy.rofr->match_pct / 100.0);
    split.scenario.policy.rofr.reset();  // split once: the replay would split it again
    sc = std::move(split.scenario);
    offered = split.offered;
  }
  for (Provider& prov : sc.providers)
    if (!holds(prov.id))
      for (Region& region : prov.regions)
        for (Cluster& cluster : region.clusters) cluster.capacity_gpus = Curve::make_constant(0.0);
  std::set<std::string> gone;
  std::vector<Contract> kept;
  for (const Contract& c : sc.contracts) {
    if (holds(c.provider)) kept.push_back(c);
    else gone.insert(c.id);
  }
  sc.contracts = kept;
  std::erase_if(sc.price_changes, [&](const PriceChangeEvent& e) { return gone.count(e.contract) > 0; });
  const bool keeps_parts = std::any_of(offered.begin(), offered.end(), [&](const std::string& id) { return gone.count(id) > 0; });
  return {std::move(sc), free_of_exclusivity || free_of_rofr, keeps_parts};
}

}  // namespace

TEST_CASE("every portfolio of risk --uncertainty-off is the replay of the scenario written as that portfolio") {
  const std::int64_t cases = env_int("CLOUDPACT_AGREEMENT_CASES", 240);
  const std::uint64_t seed0 = static_cast<std::uint64_t>(env_int("CLOUDPACT_AGREEMENT_SEED", 20251103));
  std::int64_t compared = 0;
  // Portfolios that differ from the contracted one in cost, and those free
  // of a clause their contracted portfolio is bound by: agreement where
  // every portfolio is the contracted one would prove little.
  int differ = 0, freed = 0, freed_differ = 0, keeps_parts = 0;
  for (std::int64_t i = 0; i < cases; ++i) {
    const std::uint64_t seed = seed0 + static_cast<std::uint64_t>(i);
    const ojson doc = random_scenario(seed, ScenarioClass::exact);
    INFO("seed " << seed << ", scenario:\n" << doc.dump(1));
    const std::string text = doc.dump();
    const auto risk = risk_portfolio_figures(text);
    const cloudpact::Scenario contracted = cloudpact::parse_scenario(text, "generated.json");
    const double contracted_cost = risk.at("contracted").at("cost_usd");
    const ojson& policy = doc["policy"];
    const std::string holder = policy.contains("rofr") ? policy["rofr"]["holder"].get<std::string>() : "";
    for (const auto& [name, figures] : risk) {
      INFO("portfolio " << name);
      const Written written = portfolio_scenario(contracted, name);
      const nlohmann::json summary = replay_in_child(written.scenario).summary_json();
      const nlohmann::json& totals = summary["totals"];
      Figures replay;
      replay["spend_usd"] = totals["spend_usd"].get<double>();
      replay["cost_usd"] = replay["spend_usd"] + totals["unmet_value_usd"].get<double>();
      replay["unmet_gpu_hours"] = totals["unmet_gpu_hours"].get<double>();
      replay["npv_cost_usd"] = totals["npv_spend_usd"].get<double>() + totals["npv_unmet_value_usd"].get<double>();
      if (!holder.empty()) {
        // The holder's spend, whether or not this portfolio holds the right
        // (risk reports it for every portfolio, §14.3).
        replay["holder_spend_usd"] = summary["providers"][holder]["spend_usd"].get<double>();
        replay["holder_npv_spend_usd"] = summary["providers"][holder]["npv_spend_usd"].get<double>();
      }
      CHECK(figures.size() == replay.size());
      for (const auto& [key, a] : replay) {
        INFO(key);
        REQUIRE(figures.count(key) == 1);
        CHECK_MESSAGE(agree(a, figures.at(key), 1e-9, 1e-6), key << ": replay " << a << ", risk " << figures.at(key));
        ++compared;
      }
      const bool different = !agree(contracted_cost, figures.at("cost_usd"), 1e-9, 1e-6);
      differ += different ? 1 : 0;
      keeps_parts += written.keeps_parts_of_lacked ? 1 : 0;
      if (written.freed) {
        ++freed;
        freed_differ += different ? 1 : 0;
      }
    }
  }
  MESSAGE(cases << " scenarios, " << compared << " figures compared; " << differ
                << " portfolios cost other than the contracted one; " << freed << " free of a holder's clause ("
                << freed_differ << " of them costing otherwise); " << keeps_parts
                << " keeping the holder's parts of offers from a provider they lack");
  CHECK(differ * 2 >= cases);
  CHECK(freed * 20 >= cases);
  CHECK(keeps_parts * 20 >= cases);
}
