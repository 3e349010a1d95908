// The two engines agree item by item (docs/reference.md §4.5). On random
// scenarios of the class where the Monte Carlo step grid is exact
// (scenario_generator.hpp), the replay (`run`) and the path model with every
// uncertainty off (`risk --uncertainty-off --paths 1`) must give the same
// spend, unmet GPU-hours and value, and the same billed, shortfall and
// credit figures for every provider and every contract, and the same present
// values of each (docs/reference.md §13), to 1e-9 relative; with exclusivity
// and rights of first refusal (§14) among the scenarios.
// They share every contract rule (src/rules), so a disagreement is a rule
// applied differently: the scenario that shows it is printed.
//
// CLOUDPACT_AGREEMENT_CASES and CLOUDPACT_AGREEMENT_SEED change how many
// scenarios and which (for long local soaks); CI runs the defaults.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "agreement_support.hpp"
#include "scenario_generator.hpp"

using namespace cloudpact::test;
namespace fs = std::filesystem;

namespace {

// Every figure of `expected` is in `got` and agrees; returns how many were compared.
int compare(const Figures& expected, const Figures& got, double relative, double absolute) {
  int n = 0;
  for (const auto& [key, a] : expected) {
    INFO(key);
    const auto it = got.find(key);
    REQUIRE(it != got.end());
    CHECK_MESSAGE(agree(a, it->second, relative, absolute), key << ": replay " << a << ", risk " << it->second);
    ++n;
  }
  CHECK(got.size() == expected.size());
  return n;
}

std::string read(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int run_binary(const std::string& args) {
  const char* bin = std::getenv("CLOUDPACT_BIN");
  REQUIRE(bin != nullptr);
  return std::system((std::string(bin) + " " + args + " >/dev/null 2>&1").c_str());
}

}  // namespace

TEST_CASE("replay and risk --uncertainty-off agree item by item on random scenarios of the exact class") {
  const std::int64_t cases = env_int("CLOUDPACT_AGREEMENT_CASES", 240);
  const std::uint64_t seed0 = static_cast<std::uint64_t>(env_int("CLOUDPACT_AGREEMENT_SEED", 20251103));
  std::int64_t figures = 0;
  // How many scenarios exercise each rule: agreement on scenarios where
  // nothing happens would prove nothing.
  std::map<std::string, int> exercised;
  for (std::int64_t i = 0; i < cases; ++i) {
    const std::uint64_t seed = seed0 + static_cast<std::uint64_t>(i);
    const std::string text = random_scenario(seed, ScenarioClass::exact).dump(1);
    INFO("seed " << seed << ", scenario:\n" << text);
    const Figures replay = replay_figures(text);
    figures += compare(replay, risk_figures(text), 1e-9, 1e-6);
    for (const char* item : {"billed_usd", "shortfall_usd", "sla_credits_usd", "egress_usd", "unmet_gpu_hours"})
      if (replay.at(std::string("totals.") + item) > 0.0) ++exercised[item];
    const nlohmann::json doc = nlohmann::json::parse(text);
    if (doc["policy"].contains("exclusivity")) ++exercised["exclusivity"];
    for (const auto& [key, v] : replay)
      if (key.find('@') != std::string::npos && key.ends_with(".billed_usd") && v > 0.0) {
        ++exercised["rofr_matched_billed"];
        break;
      }
    // Present values that differ from their nominal figures: a discount at work.
    if (replay.at("totals.npv_spend_usd") < replay.at("totals.spend_usd") * (1.0 - 1e-6)) ++exercised["npv_spend_usd"];
    if (replay.at("totals.npv_unmet_value_usd") < replay.at("totals.unmet_value_usd") * (1.0 - 1e-6))
      ++exercised["npv_unmet_value_usd"];
    for (const auto& [key, v] : replay)
      if (key.ends_with(".commitment_remaining_usd") && v > 0.0) {
        ++exercised["commitment_remaining_usd"];
        break;
      }
  }
  std::string summary;
  for (const auto& [item, n] : exercised) summary += " " + item + "=" + std::to_string(n);
  MESSAGE(cases << " scenarios, " << figures << " figures compared; scenarios with a non-zero" << summary);
  // Each rule in at least a twentieth of the scenarios; egress (a training
  // job restarting at another provider) in at least one in a hundred.
  for (const char* item : {"billed_usd", "shortfall_usd", "sla_credits_usd", "unmet_gpu_hours", "commitment_remaining_usd",
                           "npv_spend_usd", "npv_unmet_value_usd", "exclusivity", "rofr_matched_billed"}) {
    INFO(item);
    CHECK(exercised[item] * 20 >= cases);
  }
  CHECK(exercised["egress_usd"] * 100 >= cases);
}

TEST_CASE("a training run whose work ends on the instant capacity goes finishes in both engines") {
  // 100 GPUs for 240 h (2.2216896e22 FLOP at 26%, whose quotient in doubles
  // overshot 240 h by 1e-10 s), and the cluster's capacity drops to 0 at
  // exactly 240 h: the run finishes there, 24,000 GPU-hours at $1, no rollback.
  const std::string text = R"({"name": "tie", "start": "2025-01-01", "end": "2025-01-20",
    "providers": [{"id": "p", "on_demand_usd_per_gpu_hour": {"H100": 1}, "regions": [{"id": "r", "clusters": [
      {"id": "c", "accelerator": "H100", "capacity_gpus": {"shape": "step",
        "points": [["2025-01-01", 100], ["2025-01-11", 0], ["2025-01-13", 100]]}}]}]}],
    "workloads": [{"id": "t", "kind": "training", "submit": "2025-01-01", "flops": 2.2216896e+22, "gpus": 100,
                   "mfu": 0.26, "checkpoint_hours": 7}]})";
  const Figures replay = replay_figures(text), risk = risk_figures(text);
  CHECK(replay.at("totals.used_gpu_hours") == doctest::Approx(24000.0).epsilon(1e-12));
  CHECK(replay.at("totals.spend_usd") == doctest::Approx(24000.0).epsilon(1e-12));
  compare(replay, risk, 1e-9, 1e-6);
}

TEST_CASE("the same through the binary: summary.json against risk.json's breakdown") {
  // risk.json's means are fixed-point hundredths: half a hundredth more slack.
  const fs::path dir = fs::temp_directory_path() / ("cloudpact-agreement-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::uint64_t seed0 = static_cast<std::uint64_t>(env_int("CLOUDPACT_AGREEMENT_SEED", 20251103)) + 100000;
  for (std::uint64_t i = 0; i < 12; ++i) {
    const std::string text = random_scenario(seed0 + i, ScenarioClass::exact).dump(1);
    INFO("seed " << seed0 + i << ", scenario:\n" << text);
    const fs::path file = dir / "s.json";
    std::ofstream(file) << text;
    REQUIRE(run_binary("run " + file.string() + " --out " + (dir / "run").string()) == 0);
    REQUIRE(run_binary("risk " + file.string() + " --uncertainty-off --paths 1 --out " + (dir / "risk").string()) == 0);
    Figures replay = summary_figures(nlohmann::json::parse(read(dir / "run" / "summary.json")));
    Figures risk = risk_json_figures(nlohmann::json::parse(read(dir / "risk" / "risk.json")));
    // risk.json has no total of GPU-hours used: its sum of the providers'
    // figures, each rounded to a hundredth, may be off by half a hundredth
    // per provider, so the total gets that much slack (each provider's own
    // figure is compared with half a hundredth).
    const double used_slack = 0.005 * static_cast<double>(nlohmann::json::parse(text)["providers"].size());
    CHECK_MESSAGE(agree(replay.at("totals.used_gpu_hours"), risk.at("totals.used_gpu_hours"), 1e-9, used_slack),
                  "totals.used_gpu_hours: replay " << replay.at("totals.used_gpu_hours") << ", risk "
                                                   << risk.at("totals.used_gpu_hours"));
    replay.erase("totals.used_gpu_hours");
    risk.erase("totals.used_gpu_hours");
    compare(replay, risk, 1e-9, 0.005);
  }
  fs::remove_all(dir);
}
