// Hardening of the input (docs/reference.md §9): every input's cost is bounded
// by a documented limit checked before the work (nesting, file size, horizon,
// the risk grid), every number has a range that keeps what run and risk
// compute finite (and a derived bound where several fields make a quantity
// together), names fit in a file name, and every message is one line with
// whatever the user wrote escaped. Each case asserts the exact lines.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "risk/problem.hpp"
#include "risk/risk_run.hpp"
#include "scenario/cost_bound.hpp"
#include "scenario/input_file.hpp"
#include "scenario/limits.hpp"
#include "scenario/message_text.hpp"
#include "scenario_fixture.hpp"

using namespace cloudpact::test;
using cloudpact::InputError;
namespace limits = cloudpact::limits;
namespace fs = std::filesystem;

namespace {

template <typename Edit>
Lines with(Edit edit) {
  Json doc = base_scenario();
  edit(doc);
  return problems_of_doc(doc);
}

Json& cluster(Json& doc, int provider, int region, int index) {
  return doc["providers"][provider]["regions"][region]["clusters"][index];
}

std::string nested(int depth) { return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']'); }

std::string zeros_pointer(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += "/0";
  return out;
}

fs::path temp_file(const std::string& name, const std::string& bytes) {
  const fs::path dir = fs::temp_directory_path() / ("cloudpact-test-limits-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

Lines load_lines(const std::string& path) {
  try {
    (void)cloudpact::load_scenario(path);
  } catch (const InputError& e) {
    return e.lines();
  }
  return {};
}

const std::string depth_expected = "(expected at most 64 arrays and objects inside each other)";

}  // namespace

// ---- class 1: what an input may cost ----

TEST_CASE("nesting deeper than 64 levels is refused before it is parsed, in linear time") {
  // 40,000 levels took 8 s and 2 GB; now the first pass stops at level 65.
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(problems_of(nested(40000)) ==
        Lines{"bad.json: " + zeros_pointer(64) + ": nested too deep: more than 64 levels " + depth_expected});
  CHECK(problems_of(nested(1000000)).size() == 1);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
  // Under a free x- key, where nothing else is checked, and in objects.
  Json doc = base_scenario();
  doc["x-deep"] = Json::parse(nested(64));
  CHECK(problems_of_doc(doc) == Lines{"bad.json: /x-deep" + zeros_pointer(63) + ": nested too deep: more than 64 "
                                      "levels " + depth_expected});
  std::string objects;
  for (int i = 0; i < 70; ++i) objects += "{\"a\":";
  objects += "1" + std::string(70, '}');
  CHECK(problems_of(objects) == Lines{"bad.json: /a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/"
                                      "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a: nested too deep: "
                                      "more than 64 levels " + depth_expected});
  // 64 levels are fine (63 under the scenario object).
  doc = base_scenario();
  doc["x-deep"] = Json::parse(nested(63));
  CHECK(problems_of_doc(doc) == Lines{});
}

TEST_CASE("a number too small for a double is refused at its pointer, not read as 0") {
  // strtod rounds 1e-400 to 0, which the file never says; 0 written as 0,
  // and a subnormal (1.5e-320, a double), are read as they are.
  const std::string demand = "\"demand_gpus\": 800";
  REQUIRE(base_scenario_text.find(demand) != std::string::npos);
  std::string text = base_scenario_text;
  text.replace(text.find(demand), demand.size(), "\"demand_gpus\": 1e-400");
  CHECK(problems_of(text) == Lines{"bad.json: /workloads/0/demand_gpus: number too small for a double: 1e-400 "
                                   "(expected 0, or a number of magnitude at least 4.9e-324)"});
  CHECK(problems_of(base_scenario_text, {{"/workloads/0/demand_gpus", "-0.000e-999"}}) == Lines{});
  CHECK(problems_of(base_scenario_text, {{"/workloads/0/demand_gpus", "1.5e-320"}}) == Lines{});
  CHECK(problems_of(base_scenario_text, {{"/workloads/0/demand_gpus", "2.5E-400"}}) ==
        Lines{"bad.json: /workloads/0/demand_gpus: number too small for a double: 2.5E-400 (expected 0, or a number "
              "of magnitude at least 4.9e-324)"});
  CHECK(problems_of(base_scenario_text, {{"/x-a", R"({"k": [0, 7e-999]})"}}) ==
        Lines{"bad.json: /x-a/k/1: number too small for a double: 7e-999 (expected 0, or a number of magnitude at "
              "least 4.9e-324)"});
}

TEST_CASE("a --set value is checked like a file: nesting, size, numbers beyond a double, duplicate keys") {
  CHECK(problems_of(base_scenario_text, {{"/x-a", nested(100)}}) ==
        Lines{"bad.json: /x-a: value nested too deep: more than 64 levels " + depth_expected});
  CHECK(problems_of(base_scenario_text, {{"/workloads/0/demand_gpus", "1e400"}}) ==
        Lines{"bad.json: /workloads/0/demand_gpus: number out of range: 1e400 (expected a number a double can hold)"});
  CHECK(problems_of(base_scenario_text, {{"/x-a", "-2e999"}}) ==
        Lines{"bad.json: /x-a: number out of range: -2e999 (expected a number a double can hold)"});
  // Not JSON at all: a string, as before.
  CHECK(problems_of(base_scenario_text, {{"/x-a", "1e400 apples"}}) == Lines{});
  CHECK(problems_of(base_scenario_text, {{"/x-a", R"({"k": 1, "k": 2})"}}) ==
        Lines{"bad.json: /x-a/k: duplicate key (expected each key once in an object)"});
  try {
    (void)cloudpact::parse_override("/x-a=" + std::string(limits::max_override_bytes + 1, '1'));
    FAIL("expected InputError");
  } catch (const InputError& e) {
    CHECK(e.lines() == Lines{"--set /x-a=" + std::string(95, '1') +
                             "...: value too large: 1048577 bytes (expected a value of at most 1 MiB)"});
  }
}

TEST_CASE("a NUL byte is an error, not the end of the file") {
  Json doc = base_scenario();
  const std::string text = doc.dump();
  CHECK(problems_of(text + std::string(1, '\0') + "{\"garbage\"") ==
        Lines{"bad.json: line 1, column " + std::to_string(text.size() + 1) +
              ": NUL byte (expected JSON text: a NUL byte would end it there)"});
  CHECK(problems_of("{\n  \"name\": \"a" + std::string(1, '\0') + "\"}") ==
        Lines{"bad.json: line 2, column 13: NUL byte (expected JSON text: a NUL byte would end it there)"});
}

TEST_CASE("files are read within their size limit: scenario, sweep, a device that never ends") {
  const fs::path big = temp_file("big.json", std::string(limits::max_scenario_bytes + 1, ' '));
  CHECK(load_lines(big.string()) == Lines{big.string() + ": too large: more than 67108864 bytes (expected a "
                                                         "scenario file of at most 64 MiB)"});
  fs::remove(big);
  CHECK(load_lines("/dev/zero") ==
        Lines{"/dev/zero: too large: more than 67108864 bytes (expected a scenario file of at most 64 MiB)"});
  CHECK(load_lines(fs::temp_directory_path().string()) ==
        Lines{fs::temp_directory_path().string() + ": cannot read: it is a folder (expected a scenario file)"});
  try {
    (void)cloudpact::read_input_file("/dev/zero", limits::max_sweep_bytes, "sweep file");
    FAIL("expected InputError");
  } catch (const InputError& e) {
    CHECK(e.lines() == Lines{"/dev/zero: too large: more than 1048576 bytes (expected a sweep file of at most 1 MiB)"});
  }
  // "an", before a vowel.
  const std::string folder = fs::temp_directory_path().string();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/dev/zero", "/dev/zero: too large: more than 1048576 bytes (expected an optimize file of at most 1 MiB)"},
      {folder, folder + ": cannot read: it is a folder (expected an optimize file)"}};
  for (const auto& [path, line] : cases) {
    try {
      (void)cloudpact::read_input_file(path, limits::max_sweep_bytes, "optimize file");
      FAIL("expected InputError");
    } catch (const InputError& e) {
      CHECK(e.lines() == Lines{line});
    }
  }
}

TEST_CASE("a file's kind is read from its top-level keys, without building the document") {
  using cloudpact::top_level_keys;
  using Keys = std::vector<std::string>;
  const auto keys_of = [](const std::string& text) {
    const fs::path f = temp_file("kind.json", text);
    Keys k = top_level_keys(f.string(), 1024);
    fs::remove(f);
    return k;
  };
  // Depth 1 only, in file order, whatever the values hold.
  CHECK(keys_of(R"({"base": "s.json", "variables": [{"pointer": "/a"}], "x": {"base": 1, "y": [{"z": 2}]}})") ==
        Keys{"base", "variables", "x"});
  CHECK(keys_of(std::string(70, '[') + std::string(70, ']')).empty());  // not an object
  CHECK(keys_of(R"({"base": 1,)").empty());                              // not JSON
  CHECK(keys_of(R"({"a": 1} {"b": 2})").empty());                        // not one document
  CHECK(keys_of("{\"a\": \"" + std::string(2000, 'x') + "\"}").empty());  // beyond the size given
  CHECK(top_level_keys("/nonexistent/kind.json", 1024).empty());
}

TEST_CASE("the horizon is at most 100 years") {
  CHECK(with([](Json& d) {
          d["start"] = "0001-01-01";
          d["end"] = "9999-12-31";
        }) == Lines{"bad.json: /end: horizon too long: 3652058 days (expected at most 36525 days (100 years) after "
                    "/start 0001-01-01)"});
  CHECK(with([](Json& d) {
          d["start"] = "2025-01-01";
          d["end"] = "2125-01-03";
        }) == Lines{"bad.json: /end: horizon too long: 36526 days (expected at most 36525 days (100 years) after "
                    "/start 2025-01-01)"});
  CHECK(with([](Json& d) {  // 36,525 days
          d["end"] = "2125-01-02";
          d["contracts"][0]["end"] = "2125-01-02";
        }) == Lines{});
}

TEST_CASE("a contract's term starts at most 100 years before the horizon (its contract-years are walked)") {
  CHECK(with([](Json& d) {
          d["contracts"][0]["start"] = "0001-01-01";
          d["contracts"][0]["min_spend_usd_per_year"] = 1;
        }) == Lines{"bad.json: /contracts/0/start: term starts 739251 days before the horizon (expected at most 36525 "
                    "days (100 years) before /start 2025-01-01)"});
  CHECK(with([](Json& d) { d["contracts"][0]["start"] = "1925-01-02"; }) == Lines{});
}

TEST_CASE("risk: its daily capacity tables start no earlier than the longest delay a path can draw") {
  Json doc = base_scenario();
  // A capacity curve that starts in year 1: the tables used to start there.
  cluster(doc, 0, 0, 1)["capacity_gpus"]["points"][0][0] = "0001-01-01";
  const cloudpact::Scenario sc = cloudpact::parse_scenario(doc.dump(), "base.json");
  const cloudpact::RiskSetup off = cloudpact::build_risk_problem(sc, true);
  CHECK(off.problem.cap_first_day == -1);
  CHECK(off.problem.n_cap_days == off.problem.n_days + 1);
  doc["uncertainty"] = {{"delivery", {{"p_on_time", 0.5}, {"delay_days", {{"dist", "fixed"}, {"value", 30}}}}}};
  const cloudpact::RiskSetup late =
      cloudpact::build_risk_problem(cloudpact::parse_scenario(doc.dump(), "base.json"), false);
  CHECK(late.problem.cap_first_day == -31);
  doc["uncertainty"]["delivery"]["delay_days"] = {{"dist", "lognormal"}, {"median", 30}, {"sigma", 0.5}};
  const cloudpact::RiskSetup lognormal =
      cloudpact::build_risk_problem(cloudpact::parse_scenario(doc.dump(), "base.json"), false);
  CHECK(lognormal.problem.cap_first_day == -static_cast<int>(std::ceil(30 * std::exp(0.5 * limits::max_abs_normal))) - 1);
}

namespace {

// 64 clusters of aws, one with a capacity curve with a point every hour
// until `end`: about 8,766 steps a year x 64 clusters.
cloudpact::Scenario hourly_grid(const std::string& end) {
  Json doc = base_scenario();
  doc["end"] = end;
  doc["contracts"] = Json::array();
  doc["events"] = Json::array();
  // Built directly: the grid check sits in build_risk_problem.
  cloudpact::Scenario sc = cloudpact::parse_scenario(doc.dump(), "grid.json");
  cloudpact::Provider& p = sc.providers[0];
  p.regions[0].clusters.clear();
  for (int i = 0; i < 64; ++i) {
    cloudpact::Cluster c;
    c.id = "c" + std::to_string(i);
    c.path = "aws/us-east-1/" + c.id;
    c.accelerator = "H100";
    std::vector<std::pair<double, double>> pts;
    if (i == 0)
      for (double t = 0; t < sc.horizon_s; t += 3600.0) pts.emplace_back(t, 10.0 + std::fmod(t, 7200.0) / 3600.0);
    c.capacity_gpus = i == 0 ? cloudpact::Curve::make_step(std::move(pts)) : cloudpact::Curve::make_constant(10);
    p.regions[0].clusters.push_back(std::move(c));
  }
  sc.providers.resize(1);
  for (cloudpact::Workload& w : sc.workloads) w.providers = {"aws"};
  return sc;
}

}  // namespace

TEST_CASE("risk: the step grid is bounded before its tables are built") {
  // 20 years: 175,320 steps x 64 clusters.
  try {
    (void)cloudpact::build_risk_problem(hourly_grid("2045-01-01"), true);
    FAIL("expected InputError");
  } catch (const InputError& e) {
    CHECK(e.lines() == Lines{"grid.json: /: `risk`'s step grid would hold 175320 steps x 64 clusters = 11220480 cells "
                             "(expected at most 10000000: fewer dated changes, fewer clusters or a shorter horizon; "
                             "`run` has no such bound)"});
  }
}

TEST_CASE("risk: with an exclusivity the step grid counts twice (the grid without the clause too)") {
  // 10 years (3,652 days): 87,648 steps x 64 clusters = 5,609,472 cells, within the
  // bound alone and above it twice.
  cloudpact::Scenario sc = hourly_grid("2035-01-01");
  CHECK(cloudpact::build_risk_problem(sc, true).problem.n_steps == 87648);
  sc.policy.exclusivity = cloudpact::Exclusivity{"aws", sc.start_epoch_s + 86400, 86400.0};
  try {
    (void)cloudpact::build_risk_problem(sc, true);
    FAIL("expected InputError");
  } catch (const InputError& e) {
    CHECK(e.lines() == Lines{"grid.json: /: `risk`'s step grid would hold 87648 steps x 64 clusters = 5609472 cells, "
                             "twice with /policy/exclusivity (its grid without the clause too) (expected at most "
                             "10000000: fewer dated changes, fewer clusters or a shorter horizon; `run` has no such "
                             "bound)"});
  }
}

TEST_CASE("risk: a batch's sampled futures stay within 1 GiB of the host's memory, 4 GiB of the card's") {
  Json doc = base_scenario();
  doc["end"] = "2124-01-01";
  const cloudpact::Scenario sc = cloudpact::parse_scenario(doc.dump(), "base.json");
  const cloudpact::RiskSetup setup = cloudpact::build_risk_problem(sc, false);
  // 36,159 days x 3 floats per day (2 providers + demand).
  const double per_path_bytes = cloudpact::risk_scratch_bytes_per_path(setup);
  CHECK(per_path_bytes == 4.0 * setup.problem.n_days * 3 + 4.0 * 3);
  // The CPU: 2,474 paths of 433,920 bytes fit in 1 GiB, adaptive or asked
  // for more; the estimate of the host's memory counts them.
  const cloudpact::RiskRunOptions adaptive{1000000, 1, cloudpact::risk::Backend::cpu, 0, -1, false};
  const std::int64_t batch = cloudpact::risk_max_batch(setup, adaptive);
  CHECK(batch == static_cast<std::int64_t>(std::floor(double(1ull << 30) / per_path_bytes)));
  const cloudpact::RiskRunOptions fixed{1000000, 1, cloudpact::risk::Backend::cpu, 0, 100000000, false};
  CHECK(cloudpact::risk_max_batch(setup, fixed) == batch);
  CHECK(cloudpact::risk_memory_bytes(setup, fixed) ==
        cloudpact::risk_result_bytes(setup, 1000000) + cloudpact::risk_batch_result_bytes(setup, batch) +
            per_path_bytes * static_cast<double>(batch));
  // CUDA: four times as many in the card's memory, which the estimate of
  // the host's leaves out.
  const cloudpact::RiskRunOptions cuda{1000000, 1, cloudpact::risk::Backend::cuda, 0, 100000000, false};
  const std::int64_t cuda_batch = cloudpact::risk_max_batch(setup, cuda);
  CHECK(cuda_batch == static_cast<std::int64_t>(std::floor(double(4ull << 30) / per_path_bytes)));
  CHECK(cloudpact::risk_memory_bytes(setup, cuda) ==
        cloudpact::risk_result_bytes(setup, 1000000) + cloudpact::risk_batch_result_bytes(setup, cuda_batch));
}

// ---- class 2: numbers out of range ----

TEST_CASE("every number has a range that keeps products finite") {
  CHECK(with([](Json& d) {
          d["accelerators"]["GB200"]["h100_equiv"] = 1e-9;
          d["accelerators"]["GB200"]["kw"] = 1e9;
          d["providers"][0]["on_demand_usd_per_gpu_hour"]["H100"] = 1e306;
          d["providers"][0]["egress_usd_per_gb"] = 1e12;
          cluster(d, 1, 0, 0)["capacity_gpus"] = 2e9;
          d["contracts"][0]["price_usd_per_gpu_hour"] = 1e306;
          d["contracts"][0]["commitment_usd"] = 1e300;
          d["workloads"][0]["demand_gpus"] = 1e300;
          d["workloads"][0]["value_usd_per_gpu_hour"] = 1e300;
          d["workloads"][1]["flops"] = 1e40;
          d["workloads"][1]["gpus"] = 1e20;
          d["workloads"][1]["checkpoint_hours"] = 1e9;
          d["workloads"][1]["restart_hours"] = 1e9;
          d["workloads"][1]["dataset_tb"] = 1e9;
          d["events"].push_back(
              {{"type", "demand_shock"}, {"workload", "chat"}, {"start", "2025-03-01"}, {"end", "2025-04-01"},
               {"factor", 1e305}});
          d["events"].push_back({{"type", "delivery_delay"}, {"target", "aws"}, {"days", 1e7}});
          d["events"].push_back({{"type", "price_change"}, {"target", "aws"}, {"date", "2025-03-01"}, {"factor", 1e5}});
          d["output"] = {{"interval_hours", 1e9}};
        }) ==
        Lines{"bad.json: /accelerators/GB200/h100_equiv: out of range: 1e-09 (expected a number in [0.001, 1000])",
              "bad.json: /accelerators/GB200/kw: out of range: 1000000000 (expected a number in [0, 1000])",
              "bad.json: /providers/0/on_demand_usd_per_gpu_hour/H100: out of range: 1e+306 (expected a number in "
              "[0, 1000000])",
              "bad.json: /providers/0/egress_usd_per_gb: out of range: 1000000000000 (expected a number in [0, 1000])",
              "bad.json: /providers/1/regions/0/clusters/0/capacity_gpus: out of range: 2000000000 (expected a number "
              "in [0, 1000000000])",
              "bad.json: /contracts/0/price_usd_per_gpu_hour: out of range: 1e+306 (expected a number in [0, 1000000])",
              "bad.json: /contracts/0/commitment_usd: out of range: 1e+300 (expected a number in [0, 1e+15])",
              "bad.json: /workloads/0/demand_gpus: out of range: 1e+300 (expected a number in [0, 10000000000])",
              "bad.json: /workloads/0/value_usd_per_gpu_hour: out of range: 1e+300 (expected a number in [0, 1000000])",
              "bad.json: /workloads/1/flops: out of range: 1e+40 (expected a number in (0, 1e+35])",
              "bad.json: /workloads/1/gpus: out of range: 1e+20 (expected a number in (0, 1000000000000])",
              "bad.json: /workloads/1/checkpoint_hours: out of range: 1000000000 (expected a number in [0, 876600])",
              "bad.json: /workloads/1/restart_hours: out of range: 1000000000 (expected a number in [0, 876600])",
              "bad.json: /workloads/1/dataset_tb: out of range: 1000000000 (expected a number in [0, 1000000])",
              "bad.json: /events/1/factor: out of range: 1e+305 (expected a number in [0, 1000])",
              "bad.json: /events/2/days: out of range: 10000000 (expected a number in [0, 36525])",
              "bad.json: /events/3/factor: out of range: 100000 (expected a number in (0, 1000])",
              "bad.json: /output/interval_hours: out of range: 1000000000 (expected a number in [0.001, 876600])"});
  CHECK(with([](Json& d) {
          d["uncertainty"] = Json::parse(R"({
            "outages": { "default": { "rate_per_year": 1e6,
                                      "duration_hours": { "dist": "lognormal", "median": 1e9, "sigma": 100 } } },
            "prices": { "aws": { "drift_per_year": 1e6, "vol_per_year": 50, "jump_rate_per_year": 1000,
                                 "jump_mean_pct": 1e5, "jump_sd_pct": 1e5 } },
            "demand": { "vol_per_year": 11 },
            "delivery": { "p_on_time": 0.5, "delay_days": { "dist": "fixed", "value": 1e9 } } })");
          d["negotiation"] = {{"seller_floor_usd_per_gpu_hour", {{"aws", 1e7}}}};
        }) == Lines{"bad.json: /uncertainty/outages/default/rate_per_year: out of range: 1000000 (expected a number "
                    "in [0, 8766])",
                    "bad.json: /uncertainty/outages/default/duration_hours/median: out of range: 1000000000 (expected "
                    "a number in (0, 1000000])",
                    "bad.json: /uncertainty/outages/default/duration_hours/sigma: out of range: 100 (expected a number "
                    "in [0, 10])",
                    "bad.json: /uncertainty/prices/aws/drift_per_year: out of range: 1000000 (expected a number in "
                    "[-10, 10])",
                    "bad.json: /uncertainty/prices/aws/vol_per_year: out of range: 50 (expected a number in [0, 10])",
                    "bad.json: /uncertainty/prices/aws/jump_rate_per_year: out of range: 1000 (expected a number in "
                    "[0, 365.25])",
                    "bad.json: /uncertainty/prices/aws/jump_mean_pct: out of range: 100000 (expected a number in "
                    "(-100, 1000])",
                    "bad.json: /uncertainty/prices/aws/jump_sd_pct: out of range: 100000 (expected a number in "
                    "[0, 1000])",
                    "bad.json: /uncertainty/demand/vol_per_year: out of range: 11 (expected a number in [0, 10])",
                    "bad.json: /uncertainty/delivery/delay_days/value: out of range: 1000000000 (expected a number in "
                    "[0, 1000000])",
                    "bad.json: /negotiation/seller_floor_usd_per_gpu_hour/aws: out of range: 10000000 (expected a "
                    "number in [0, 1000000])"});
}

TEST_CASE("derived: a training job runs at most 1000 years") {
  CHECK(with([](Json& d) { d["workloads"][1]["flops"] = 1e34; }) ==
        Lines{"bad.json: /workloads/1/flops: runs 1.60203e+09 years uninterrupted on 500 GPUs at mfu 0.4 "
              "(expected at most 1000 years of running, flops / (gpus x 989e12 x mfu): fewer flops or more gpus)"});
  CHECK(with([](Json& d) {
          d["workloads"][1]["gpus"] = 1e-12;
          d["workloads"][1]["mfu"] = 1e-9;
        }).size() == 1);
  CHECK(with([](Json& d) { d["workloads"][1]["flops"] = 6e27; }) == Lines{});  // 961 years
}

TEST_CASE("derived: overlapping demand shocks multiply to at most 1e6") {
  const Json shock = {{"type", "demand_shock"}, {"workload", "chat"}, {"start", "2025-03-01"}, {"end", "2025-05-01"},
                      {"factor", 1000}};
  CHECK(with([&](Json& d) {
          d["events"].push_back(shock);
          d["events"].push_back(shock);
          d["events"].push_back(shock);
          d["events"][3]["start"] = "2025-04-01";
          d["events"][3]["factor"] = 2;
        }) == Lines{"bad.json: /events/3/factor: overlapping demand shocks multiply \"chat\"'s demand by 2e+06 "
                    "(expected a product of at most 1000000 at any instant)"});
  // End to end they do not overlap ([start, end)); a zero factor zeroes the product.
  CHECK(with([&](Json& d) {
          d["events"].push_back(shock);
          d["events"].push_back(shock);
          d["events"][2]["start"] = "2025-05-01";
          d["events"][2]["end"] = "2025-06-01";
          d["events"][2]["factor"] = 1000;
          d["events"].push_back(shock);
          d["events"][3]["factor"] = 0;
          d["events"].push_back(shock);
        }) == Lines{});
}

TEST_CASE("derived: a price after its price changes stays within the price range") {
  const Json change = {{"type", "price_change"}, {"contract", "aws-1"}, {"date", "2025-03-01"}, {"factor", 1000}};
  CHECK(with([&](Json& d) {
          d["events"].push_back(change);
          d["events"].push_back(change);
          d["events"][2]["date"] = "2025-02-01";
        }) == Lines{"bad.json: /events/1/factor: raises the price of contract \"aws-1\" to 2e+06 USD per GPU-hour "
                    "(expected a price of at most 1000000 USD per GPU-hour after every change)"});
  // A new price resets what the factors multiply.
  CHECK(with([&](Json& d) {
          d["events"].push_back(change);
          d["events"].push_back(change);
          d["events"][2]["date"] = "2025-04-01";
          d["events"][2].erase("factor");
          d["events"][2]["price_usd_per_gpu_hour"] = 2;
          d["events"].push_back(change);
          d["events"][3]["date"] = "2025-05-01";
        }) == Lines{});
  CHECK(with([&](Json& d) {
          d["events"].push_back({{"type", "price_change"}, {"target", "aws"}, {"date", "2025-03-01"}, {"factor", 400}});
          d["events"].push_back(d["events"][1]);
        }) == Lines{"bad.json: /events/2/factor: raises the on-demand price of \"H100\" at \"aws\" to 1.1008e+06 USD per "
                    "GPU-hour (expected a price of at most 1000000 USD per GPU-hour after every change)"});
}

TEST_CASE("derived: sampled multipliers, delays and outages stay bounded over the horizon") {
  CHECK(with([](Json& d) {
          d["end"] = "2035-01-01";
          d["contracts"][0]["end"] = "2035-01-01";
          d["uncertainty"] = Json::parse(R"({
            "prices": { "aws": { "drift_per_year": 1.5 }, "azure": { "vol_per_year": 1.5 } },
            "demand": { "vol_per_year": 0.5 },
            "delivery": { "p_on_time": 0.5, "delay_days": { "dist": "lognormal", "median": 60, "sigma": 1.5 } },
            "outages": { "default": { "rate_per_year": 1001, "duration_hours": { "dist": "fixed", "value": 1 } } } })");
        }) == Lines{"bad.json: /uncertainty/prices/aws/drift_per_year: the sampled price multiplier could reach "
                    "3.27963e+06 over the 10-year horizon (expected at most 1000000, exceeded with probability "
                    "below 1e-23: a lower drift, volatility or jumps, or a shorter horizon)",
                    "bad.json: /uncertainty/prices/azure/vol_per_year: the sampled price multiplier could reach "
                    "2.06606e+16 over the 10-year horizon (expected at most 1000000, exceeded with probability "
                    "below 1e-23: a lower drift, volatility or jumps, or a shorter horizon)",
                    "bad.json: /uncertainty/demand/vol_per_year: the sampled demand multiplier could reach "
                    "3.34173e+06 over the 10-year horizon (expected at most 1000000, exceeded with probability "
                    "below 1e-23: a lower volatility or a shorter horizon)",
                    "bad.json: /uncertainty/delivery/delay_days/sigma: a path could draw a delay of 1.52866e+06 days "
                    "(expected the longest draw, median x e^(6.76 x sigma) for a lognormal, of at most 36525 days)",
                    "bad.json: /uncertainty/outages/default/rate_per_year: about 10009 sampled outages per region "
                    "over the horizon (expected rate_per_year x years of at most 10000)"});
  // The flagship's models over its 3 years are far inside.
  CHECK(cloudpact::price_log_multiplier_bound({-0.15, 0.3, 0.5, -20, 10}, 3.0) < 6.0);
  // Gaussian: the Chernoff bound is sigma·√(2·L·T) − sigma²·T/2, L = ln 1e23 (within the grid's step).
  CHECK(cloudpact::demand_log_multiplier_bound(0.3, 3.0) ==
        doctest::Approx(0.3 * std::sqrt(2 * limits::multiplier_tail_log * 3.0) - 0.045 * 3.0).epsilon(1e-3));
  // A rare large jump dominates its tail (a normal approximation would miss it).
  CHECK(cloudpact::price_log_multiplier_bound({0, 0, 0.01, 0, 1000}, 1.0) > 25.0);
}

TEST_CASE("derived: the worst case of one path fits risk's fixed point") {
  // 1e9 GPUs for a year at $20,000: 1.75e17 USD.
  CHECK(with([](Json& d) {
          cluster(d, 1, 0, 0)["capacity_gpus"] = 1e9;
          d["providers"][1]["on_demand_usd_per_gpu_hour"] = {{"H100", 20000}};
        }) == Lines{"bad.json: /providers/1/regions/0/clusters/0/capacity_gpus: one path could cost up to "
                    "1.752e+17 USD, 1.752e+17 of it here: 1e+09 GPUs for 8760 h at up to 20000 "
                    "USD per GPU-hour (expected a worst case of at most 9e+16 USD per path: risk totals each path in "
                    "hundredths in 64 bits)"});
  // Demand of 1e10 GPUs, shocked two-thousand-fold: 1.75e17 GPU-hours could go unmet.
  CHECK(with([](Json& d) {
          d["workloads"][0]["demand_gpus"] = 1e10;
          d["workloads"][0]["value_usd_per_gpu_hour"] = 0;
          d["events"].push_back({{"type", "demand_shock"}, {"workload", "chat"}, {"start", "2025-03-01"},
                                 {"end", "2025-04-01"}, {"factor", 1000}});
          d["events"].push_back(d["events"].back());
          d["events"].back()["factor"] = 2;
        }) == Lines{"bad.json: /workloads/0/demand_gpus: one path could leave unmet up to 1.752e+17 GPU-hours, "
                    "1.752e+17 of them here: 2e+13 GPUs of demand (shocks and the sampled multiplier "
                    "included) for 8760 h (expected a worst case of at most 9e+16 GPU-hours per path: risk totals "
                    "each path in hundredths in 64 bits)"});
  // The shipped scenarios are far inside.
  for (const char* name : {"01-one-vendor-vs-two", "02-reserved-vs-usage", "03-sla-credit", "04-commitment-shortfall",
                           "05-training-rollback", "openai-2025-2027"}) {
    CAPTURE(name);
    const cloudpact::Scenario sc =
        cloudpact::load_scenario(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/" + name + ".json");
    const cloudpact::PathBound b = cloudpact::worst_case_path(sc);
    CHECK(b.money_usd < limits::max_path_value / 10);
    CHECK(std::max(b.used_gpu_hours, b.unmet_gpu_hours) < limits::max_path_value / 10);
  }
}

// ---- ids and names fit in a file name ----

TEST_CASE("ids and names are at most 100 characters") {
  const std::string long_id(10000, 'a');
  CHECK(with([&](Json& d) { d["name"] = long_id; }) ==
        Lines{"bad.json: /name: too long: 10000 characters (expected a name of at most 100 characters, used as a "
              "folder name)"});
  CHECK(with([&](Json& d) {
          d["providers"][1]["id"] = std::string(101, 'p');
          d["accelerators"][std::string(200, 'g')] = Json::object();
          d["workloads"][0]["id"] = std::string(100, 'w');
        }) == Lines{"bad.json: /accelerators/" + std::string(200, 'g') +
                        ": too long: 200 characters (expected an id of at most 100 characters: ids become file names)",
                    "bad.json: /providers/1/id: too long: 101 characters (expected an id of at most 100 characters: "
                    "ids become file names)"});
  // A long invalid id is shown by its start.
  CHECK(with([&](Json& d) { d["contracts"][0]["id"] = "a b" + long_id; }) ==
        Lines{"bad.json: /contracts/0/id: invalid id \"a b" + std::string(37, 'a') +
              "\"... (expected an id matching [A-Za-z0-9][A-Za-z0-9._-]*)"});
}

// ---- class 4: messages are one line, everything escaped ----

TEST_CASE("keys and values with control bytes are escaped in messages: one line each") {
  CHECK(with([](Json& d) { d["providers"][0]["bad\nkey"] = 1; }) ==
        Lines{"bad.json: /providers/0/bad\\nkey: unknown key (expected one of: egress_usd_per_gb, id, "
              "on_demand_usd_per_gpu_hour, regions)"});
  CHECK(with([](Json& d) { d["\x1b[31mred"] = 1; }) ==
        Lines{"bad.json: /\\u001B[31mred: unknown key (expected one of: accelerators, contracts, end, events, finance, name, "
              "negotiation, output, policy, providers, start, uncertainty, workloads)"});
  // C1 controls, line separators and a backslash in a key; a value with controls.
  CHECK(with([](Json& d) {
          d["output"]["a\\b\xc2\x9b" "c\xe2\x80\xa8"] = 1;
          d["providers"][1]["id"] = "az\x07ure";
        }) == Lines{"bad.json: /providers/1/id: invalid id \"az\\u0007ure\" (expected an id matching "
                    "[A-Za-z0-9][A-Za-z0-9._-]*)",
                    "bad.json: /output/a\\\\b\\u009Bc\\u2028: unknown key (expected one of: interval_hours)"});
  // A duplicate key with a tab, and a file name with a newline.
  CHECK(problems_of("{\"a\\tb\": 1, \"a\\tb\": 2}").front() ==
        "bad.json: /a\\tb: duplicate key (expected each key once in an object)");
  try {
    (void)cloudpact::parse_scenario("[1]", "odd\nname.json");
    FAIL("expected InputError");
  } catch (const InputError& e) {
    CHECK(e.lines() == Lines{"odd\\nname.json: /: is an array (expected a scenario object)"});
  }
}

TEST_CASE("message text: escapes, quotes and the one-line defence") {
  CHECK(cloudpact::escape_text("plain/ASCII ~ text") == "plain/ASCII ~ text");
  CHECK(cloudpact::escape_text("caf\xc3\xa9 \xe2\x82\xac") == "caf\xc3\xa9 \xe2\x82\xac");  // UTF-8 stays
  CHECK(cloudpact::escape_text("a\\b\n\t\r\b\f\x01\x7f") == "a\\\\b\\n\\t\\r\\b\\f\\u0001\\u007F");
  CHECK(cloudpact::escape_text("\xff\xc3") == "\\xFF\\xC3");  // not UTF-8
  CHECK(cloudpact::escape_text("\xed\xa0\x80") == "\\xED\\xA0\\x80");  // a surrogate
  CHECK(cloudpact::quoted_text("say \"hi\"\n") == "\"say \\\"hi\\\"\\n\"");
  CHECK(cloudpact::one_line("already \\n escaped\nthen a real one") == "already \\n escaped\\nthen a real one");
}
