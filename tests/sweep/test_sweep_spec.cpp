// Sweep files (docs/reference.md §7, §9): what a valid one gives, and the exact line each
// broken rule produces.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/input_error.hpp"
#include "scenario/sweep_spec.hpp"
#include "sweep/sweep_check.hpp"

using namespace cloudpact;

namespace {

const std::string kBase = std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/01-one-vendor-vs-two.json";

std::string write_sweep(const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / "cloudpact-test-sweep-spec";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "bad.json").string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::vector<std::string> problems(const std::string& text) {
  const std::string path = write_sweep(text);
  try {
    (void)load_sweep_spec(path);
  } catch (const InputError& e) {
    std::vector<std::string> lines;
    // Messages name the file; compare without the temp folder.
    for (std::string line : e.lines()) {
      if (line.rfind(path, 0) == 0) line = "bad.json" + line.substr(path.size());
      lines.push_back(line);
    }
    return lines;
  }
  return {};
}

// The lines of check_sweep_outputs on a valid sweep file's text.
std::vector<std::string> output_problems(const std::string& text, int concurrent = 1) {
  const std::string path = write_sweep(text);
  try {
    check_sweep_outputs(load_sweep_spec(path), concurrent);
  } catch (const InputError& e) {
    std::vector<std::string> lines;
    for (std::string line : e.lines()) {
      if (line.rfind(path, 0) == 0) line = "bad.json" + line.substr(path.size());
      lines.push_back(line);
    }
    return lines;
  }
  return {};
}

std::string grid(const std::string& params, const std::string& extra = "") {
  return R"({"base": ")" + kBase + R"(", "mode": "grid", "parameters": )" + params + extra + "}";
}

const std::string kPrice = R"([{"pointer": "/contracts/0/price_usd_per_gpu_hour", "values": [1.5, 2, 2.5]}])";

// The base with 18 providers (its second one copied 17 times): a valid
// scenario, which `run` replays and `risk` refuses (at most 16).
std::string wide_base() {
  std::ifstream in(kBase, std::ios::binary);
  nlohmann::json doc = nlohmann::json::parse(in);
  nlohmann::json providers = nlohmann::json::array({doc["providers"][0]});
  for (int i = 0; i < 17; ++i) {
    nlohmann::json copy = doc["providers"][1];
    copy["id"] = "p" + std::to_string(i);
    providers.push_back(copy);
  }
  doc["providers"] = providers;
  const auto path = std::filesystem::temp_directory_path() / "cloudpact-test-sweep-spec" / "wide.json";
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << doc.dump();
  return path.string();
}

}  // namespace

TEST_CASE("a valid grid sweep") {
  const SweepSpec s = load_sweep_spec(write_sweep(grid(
      R"([{"pointer": "/contracts/0/price_usd_per_gpu_hour", "values": [1.5, 2]},
          {"pointer": "/policy/placement", "values": ["cheapest", "primary"]}])",
      R"(, "run": ["run", "risk"], "risk_paths": 500, "name": "demo")")));
  CHECK(s.name == "demo");
  CHECK(s.mode == SweepMode::grid);
  CHECK(s.variant_count == 4);
  CHECK(s.run_replay);
  CHECK(s.run_risk);
  CHECK(s.risk_paths == 500);
  REQUIRE(s.parameters.size() == 2);
  CHECK(s.parameters[0].values_json == std::vector<std::string>{"1.5", "2"});
  CHECK(s.parameters[1].values_json == std::vector<std::string>{"\"cheapest\"", "\"primary\""});
  CHECK(s.metrics == default_sweep_metrics(true, true));
  CHECK(s.base_sha256.size() == 64);
}

TEST_CASE("the base is found beside the sweep file first") {
  const auto dir = std::filesystem::temp_directory_path() / "cloudpact-test-sweep-beside";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(kBase, dir / "base.json", std::filesystem::copy_options::overwrite_existing);
  const std::string path = (dir / "s.json").string();
  std::ofstream(path) << R"({"base": "base.json", "mode": "random", "samples": 3,
    "parameters": [{"pointer": "/contracts/0/price_usd_per_gpu_hour", "min": 1, "max": 2}]})";
  const SweepSpec s = load_sweep_spec(path);
  CHECK(s.base_path == (dir / "base.json").string());
  CHECK(s.name == "s");  // the file stem
  CHECK(s.variant_count == 3);
  CHECK(s.metrics == default_sweep_metrics(true, false));
}

TEST_CASE("broken sweep files: one exact line per problem") {
  CHECK(problems(grid(kPrice, R"(, "bogus": 1)")) ==
        std::vector<std::string>{"bad.json: /bogus: unknown key for a sweep (expected one of: base, metrics, mode, "
                                 "name, parameters, risk_paths, risk_seed, run, samples, seed)"});
  CHECK(problems(grid(R"([{"pointer": "/contracts/5/price_usd_per_gpu_hour", "values": [1]}])")) ==
        std::vector<std::string>{"bad.json: /parameters/0/pointer: \"/contracts/5/price_usd_per_gpu_hour\" cannot be "
                                 "set in " + kBase +
                                 ": cannot set: parent /contracts/5 does not exist (expected an index of an existing "
                                 "element of /contracts)"});
  CHECK(problems(grid(R"([{"pointer": "contracts", "values": [1]}])")) ==
        std::vector<std::string>{"bad.json: /parameters/0/pointer: ill-formed JSON pointer \"contracts\" (expected a "
                                 "pointer starting with '/', ~0 for '~' and ~1 for '/')"});
  CHECK(problems(grid(R"([{"pointer": "/contracts/0/price_usd_per_gpu_hour", "values": []}])")) ==
        std::vector<std::string>{"bad.json: /parameters/0/values: empty (expected a non-empty array of values)"});
  CHECK(problems(grid(R"([{"pointer": "/contracts/0/price_usd_per_gpu_hour", "values": [1, 1]}])", R"(, "samples": 3)")) ==
        std::vector<std::string>{
            "bad.json: /samples: only for mode \"lhs\" or \"random\" (expected no such key in a grid sweep)",
            "bad.json: /parameters/0/values/1: value 1 listed twice (expected distinct values)"});
  // 2 and 2.0 are one value (each would set the same scenario); 2.5 and
  // "2.5" are two (the number then makes an invalid name, the string not).
  CHECK(problems(grid(R"([{"pointer": "/contracts/0/price_usd_per_gpu_hour", "values": [2, 2.0, 2.5]}])")) ==
        std::vector<std::string>{"bad.json: /parameters/0/values/1: value 2 listed twice (expected distinct values)"});
  CHECK(problems(grid(R"([{"pointer": "/output", "values": [{"interval_hours": 24}, {"interval_hours": 24.0}]}])")) ==
        std::vector<std::string>{"bad.json: /parameters/0/values/1: value {\"interval_hours\":24.0} listed twice "
                                 "(expected distinct values)"});
  CHECK(problems(grid(R"([{"pointer": "/name", "values": [2.5, "2.5"]}])")) ==
        std::vector<std::string>{"bad.json: /parameters/0/values/0: 2.5 makes an invalid scenario: /name: is a number "
                                 "(expected a name matching [A-Za-z0-9][A-Za-z0-9._-]*)"});
  CHECK(problems(grid(kPrice, R"(, "metrics": ["totals.spend_usd", "totals.unmet_gpu_hours", "totals.spend_usd"])")) ==
        std::vector<std::string>{"bad.json: /metrics/2: metric \"totals.spend_usd\" listed twice (expected each metric "
                                 "once, first at /metrics/0)"});
  // A value listed twice is tried once, at its first place.
  CHECK(problems(grid(R"([{"pointer": "/contracts/0/price_usd_per_gpu_hour", "values": [-1, -1.0]}])")) ==
        std::vector<std::string>{"bad.json: /parameters/0/values/1: value -1 listed twice (expected distinct values)",
                                 "bad.json: /parameters/0/values/0: -1 makes an invalid scenario: "
                                 "/contracts/0/price_usd_per_gpu_hour: negative: -1 (expected a number in [0, 1000000])"});
  CHECK(problems(grid("[]", R"(, "risk_paths": 0)")) ==
        std::vector<std::string>{"bad.json: /parameters: empty (expected a non-empty array of parameters)",
                                 "bad.json: /risk_paths: out of range: 0 (expected an integer in [1, 100000000])"});
  CHECK(problems(grid(R"([{"pointer": "/a", "values": [1]}, {"pointer": "/a", "values": [2]}])",
                      R"(, "run": ["run", "run", "plot"])")) ==
        std::vector<std::string>{
            "bad.json: /parameters/1/pointer: pointer \"/a\" is swept twice (expected each pointer in one parameter)",
            // The first parameter's value is tried on the base with the
            // file's other problems, not after they are fixed.
            "bad.json: /parameters/0/values/0: 1 makes an invalid scenario: /a: unknown key (expected one of: "
            "accelerators, contracts, end, events, finance, name, negotiation, output, policy, providers, start, "
            "uncertainty, workloads)",
            "bad.json: /run/1: step \"run\" listed twice (expected each step once)",
            "bad.json: /run/2: unknown step \"plot\" (expected one of: risk, run)"});
}

TEST_CASE("broken sampled sweeps") {
  const std::string head = R"({"base": ")" + kBase + R"(", "mode": "lhs", )";
  CHECK(problems(head + R"("parameters": [{"pointer": "/contracts/0/price_usd_per_gpu_hour", "min": 3, "max": 1}]})") ==
        std::vector<std::string>{"bad.json: /samples: missing (expected an integer in [1, 1000000])",
                                 "bad.json: /parameters/0/max: below min 3 (expected max >= min)"});
  CHECK(problems(head + R"("samples": 2, "parameters": [{"pointer": "/contracts/0/price_usd_per_gpu_hour",
                            "min": 1, "max": 3, "values": [1]}]})") ==
        std::vector<std::string>{"bad.json: /parameters/0/values: unknown key for a sampled parameter (expected one "
                                 "of: integer, max, min, pointer)"});
  // An `integer` that is not a boolean: the bounds are not tried as floats
  // (0.6 would be no priority, a line that fixing the flag removes).
  CHECK(problems(head + R"("samples": 2, "parameters": [{"pointer": "/workloads/0/priority",
                            "min": 0.6, "max": 3.4, "integer": "yes"}]})") ==
        std::vector<std::string>{"bad.json: /parameters/0/integer: not a boolean (expected true or false)"});
}

TEST_CASE("what is not a sweep, or has no usable base") {
  CHECK(problems(R"({"base": "nope.json", "mode": "grid", "parameters": [{"pointer": "/a", "values": [1]}]})") ==
        std::vector<std::string>{"bad.json: /base: cannot read \"nope.json\" (expected a scenario file, relative to "
                                 "the sweep file's folder or the current directory)"});
  // A base that is not a scenario file is the sweep file's mistake, said at
  // its /base once (not a line per sweep key unknown to a scenario).
  const std::string folder = std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios";
  CHECK(problems(R"({"base": ")" + folder + R"(", "mode": "grid", "parameters": [{"pointer": "/a", "values": [1]}]})") ==
        std::vector<std::string>{"bad.json: /base: cannot read \"" + folder + "\": it is a folder (expected a scenario "
                                 "file, relative to the sweep file's folder or the current directory)"});
  const std::string sweep = folder + "/sweeps/lhs-1000.json", optimize = folder + "/optimize/aws-commitment.json";
  CHECK(problems(R"({"base": ")" + sweep + R"(", "mode": "grid", "parameters": [{"pointer": "/a", "values": [1]}]})") ==
        std::vector<std::string>{"bad.json: /base: \"" + sweep + "\" is a sweep file, not a scenario (expected a "
                                 "scenario file)"});
  CHECK(problems(R"({"base": ")" + optimize + R"(", "mode": "grid", "parameters": [{"pointer": "/a", "values": [1]}]})") ==
        std::vector<std::string>{"bad.json: /base: \"" + optimize + "\" is an optimize file, not a scenario (expected "
                                 "a scenario file)"});
  CHECK(problems(R"({"name": "x", "providers": []})") ==
        std::vector<std::string>{
            "bad.json: /: a scenario, not a sweep (expected a sweep file with \"base\", \"mode\" and \"parameters\")"});
  CHECK(problems("{\"base\": 1,\n") ==
        std::vector<std::string>{
            "bad.json: line 2, column 1: JSON syntax error: unexpected end of input while parsing object key "
            "(expected string literal)"});
  // The grid's size is checked before anything is expanded.
  std::string params = "[";
  for (const char* p : {"/contracts/0/price_usd_per_gpu_hour", "/x-a", "/x-b", "/x-c", "/x-d", "/x-e", "/x-f"}) {
    params += std::string(params.size() > 1 ? "," : "") + R"({"pointer": ")" + p + R"(", "values": [1,2,3,4,5,6,7,8,9,10]})";
  }
  CHECK(problems(grid(params + "]")) ==
        std::vector<std::string>{"bad.json: /parameters: the grid has 10000000 variants, more than 1000000 (expected "
                                 "fewer values, or mode \"lhs\" with samples)"});
}

TEST_CASE("overlapping pointers: the same one, or one inside another, in either order") {
  CHECK(problems(grid(R"([{"pointer": "/contracts/0", "values": [{}]},
                          {"pointer": "/contracts/0/price_usd_per_gpu_hour", "values": [1]},
                          {"pointer": "/workloads/0/demand_gpus", "values": [1]},
                          {"pointer": "/workloads", "values": [[]]},
                          {"pointer": "/contracts/0/price_usd_per_gpu_hourly", "values": [1]}])")) ==
        std::vector<std::string>{
            "bad.json: /parameters/1/pointer: pointer \"/contracts/0/price_usd_per_gpu_hour\" lies inside the pointer "
            "of /parameters/0/pointer (expected pointers that do not overlap: a variant would set one value twice)",
            "bad.json: /parameters/3/pointer: pointer \"/workloads\" holds the pointer of /parameters/2/pointer "
            "(expected pointers that do not overlap: a variant would set one value twice)",
            "bad.json: /parameters/4/pointer: pointer \"/contracts/0/price_usd_per_gpu_hourly\" lies inside the "
            "pointer of /parameters/0/pointer (expected pointers that do not overlap: a variant would set one value "
            "twice)",
            // The first parameter, accepted, has its value tried: {} is no contract.
            "bad.json: /parameters/0/values/0: {} makes an invalid scenario: /contracts/0/id: missing (expected an id "
            "matching [A-Za-z0-9][A-Za-z0-9._-]*)",
            "bad.json: /parameters/0/values/0: {} makes an invalid scenario: /contracts/0/provider: missing (expected a "
            "provider id)",
            "bad.json: /parameters/0/values/0: {} makes an invalid scenario: /contracts/0/start: missing (expected a "
            "UTC date \"YYYY-MM-DD\" or \"YYYY-MM-DDTHH:MM:SSZ\")",
            "bad.json: /parameters/0/values/0: {} makes an invalid scenario: /contracts/0/end: missing (expected a UTC "
            "date \"YYYY-MM-DD\" or \"YYYY-MM-DDTHH:MM:SSZ\")",
            "bad.json: /parameters/0/values/0: {} makes an invalid scenario: /contracts/0/clusters: missing (expected a "
            "non-empty array of cluster paths \"provider/region/cluster\")",
            "bad.json: /parameters/0/values/0: {} makes an invalid scenario: /contracts/0/price_usd_per_gpu_hour: "
            "missing (expected a number >= 0 or a {\"shape\", \"points\"} curve)"});
  // A prefix of the text that is not a prefix of the path does not overlap.
  CHECK(problems(grid(R"([{"pointer": "/x-a", "values": [1]}, {"pointer": "/x-ab", "values": [1]}])")) ==
        std::vector<std::string>{});
}

TEST_CASE("every value, on the base alone, must make a valid scenario: refused before anything runs") {
  // A typo in a pointer, a value out of its range, a string where a number goes.
  CHECK(problems(grid(R"([{"pointer": "/contracts/0/price_usd_per_gpu_huor", "values": [1.5]},
                          {"pointer": "/workloads/0/demand_gpus", "values": [6000, -5, "many"]}])")) ==
        std::vector<std::string>{
            "bad.json: /parameters/0/values/0: 1.5 makes an invalid scenario: /contracts/0/price_usd_per_gpu_huor: "
            "unknown key (expected one of: billing, clusters, commitment_usd, end, exit_fee_pct_of_remaining, id, "
            "min_spend_usd_per_year, price_usd_per_gpu_hour, provider, sla, start)",
            "bad.json: /parameters/1/values/1: -5 makes an invalid scenario: /workloads/0/demand_gpus: negative: -5 "
            "(expected a number in [0, 10000000000])",
            "bad.json: /parameters/1/values/2: \"many\" makes an invalid scenario: /workloads/0/demand_gpus: is a "
            "string (expected a number >= 0 or a {\"shape\", \"points\"} curve)"});
  // Sampled: both ends of the range (rounded when integer).
  const std::string head = R"({"base": ")" + kBase + R"(", "mode": "random", "samples": 5, )";
  CHECK(problems(head + R"("parameters": [{"pointer": "/contracts/0/price_usd_per_gpu_hour", "min": 1, "max": 2e6},
                                          {"pointer": "/events/0/capacity_lost_pct", "min": 0.2, "max": 50,
                                           "integer": true}]})") ==
        std::vector<std::string>{
            "bad.json: /parameters/0/max: 2000000 makes an invalid scenario: /contracts/0/price_usd_per_gpu_hour: out "
            "of range: 2000000 (expected a number in [0, 1000000])",
            "bad.json: /parameters/1/min: 0 makes an invalid scenario: /events/0/capacity_lost_pct: out of range: 0 "
            "(expected a number in (0, 100])"});
}

TEST_CASE("the plan's size is bounded before it is expanded: variants, bytes, table cells") {
  // 1e6 samples of 9 parameters and 9 metrics: 21 columns each in sweep.csv.
  std::string params = "[";
  for (int i = 0; i < 9; ++i)
    params += std::string(i ? "," : "") + R"({"pointer": "/x-)" + std::to_string(i) + R"(", "min": 0, "max": 1})";
  params += "]";
  const std::string head = R"({"base": ")" + kBase + R"(", "mode": "lhs", "samples": 1000000, "parameters": )";
  const std::string metrics = R"(, "metrics": ["totals.spend_usd", "totals.billed_usd", "totals.shortfall_usd",
    "totals.sla_credits_usd", "totals.egress_usd", "totals.used_gpu_hours", "totals.unmet_gpu_hours",
    "totals.unmet_value_usd", "totals.available_gpu_hours"])";
  CHECK(problems(head + params + metrics + "}") ==
        std::vector<std::string>{"bad.json: /samples: sweep.csv would have 21000000 cells: 1000000 variants x 21 "
                                 "columns (expected at most 20000000 cells: fewer variants, parameters or metrics)"});
  // Ten parameters of a million samples: about 2.9e8 bytes of values.
  CHECK(problems(head + params.substr(0, params.size() - 1) + R"(, {"pointer": "/x-9", "min": 0, "max": 1}]})") ==
        std::vector<std::string>{"bad.json: /samples: the plan would hold about 290000000 bytes of variant values "
                                 "(expected at most 268435456 bytes: fewer variants, or shorter values)"});
  // 1000 x 1000 values of 300 characters: about 6.4e8 bytes of values in the plan.
  std::string values = "[";
  for (int i = 0; i < 1000; ++i) values += std::string(i ? "," : "") + "\"" + std::to_string(1000 + i) + std::string(296, 'v') + "\"";
  values += "]";
  CHECK(problems(grid(R"([{"pointer": "/x-a", "values": )" + values + R"(}, {"pointer": "/x-b", "values": )" + values +
                      "}]")) ==
        std::vector<std::string>{"bad.json: /parameters: the plan would hold about 646000000 bytes of variant values "
                                 "(expected at most 268435456 bytes: fewer variants, or shorter values)"});
}

TEST_CASE("metrics name what the outputs have, from their structure, before anything runs") {
  CHECK(output_problems(grid(kPrice, R"(, "metrics": ["totals.spend_usd", "totals.spnd_usd",
      "providers.aws.used_gpu_hours", "contracts.aws-reserved.billed_usd", "portfolios.contracted.cost_usd.mean",
      "workloads.api.served_gpu_hours"])")) ==
        std::vector<std::string>{
            "bad.json: /metrics/1: unknown metric \"totals.spnd_usd\" (expected a dotted path into summary.json of "
            "the base scenario, such as totals.spend_usd)",
            "bad.json: /metrics/4: metric \"portfolios.contracted.cost_usd.mean\" is in risk.json, which this sweep "
            "does not write (expected \"risk\" in /run)"});
  CHECK(output_problems(grid(kPrice, R"(, "run": ["risk"], "metrics": ["totals.spend_usd",
      "portfolios.without:aws.cost_usd.cvar95", "leverage.azure.nash_price_usd_per_gpu_hour", "lock_in.gcp.exit_cost_usd"])")) ==
        std::vector<std::string>{
            "bad.json: /metrics/0: metric \"totals.spend_usd\" is in summary.json, which this sweep does not write "
            "(expected \"run\" in /run)",
            "bad.json: /metrics/3: unknown metric \"lock_in.gcp.exit_cost_usd\" (expected a dotted path into "
            "risk.json of the base scenario, such as portfolios.contracted.cost_usd.mean)"});
  // The defaults and every shipped sweep are fine.
  CHECK(output_problems(grid(kPrice, R"(, "run": ["run", "risk"])")) == std::vector<std::string>{});
  for (const char* name : {"aws-price-vs-ramp-delay", "lhs-1000", "correlated-shocks"}) {
    CAPTURE(name);
    CHECK_NOTHROW(check_sweep_outputs(load_sweep_spec(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/sweeps/" + name +
                                                      ".json")));
  }
  // A base risk refuses: its line alone for a sweep that runs risk (no
  // metric of risk.json can be looked up in a base that has none, and the
  // default ones are not in the file to point at); nothing for one that
  // runs the replay alone.
  const std::string wide = wide_base();
  const std::string on_wide = R"({"base": ")" + wide + R"(", "mode": "grid", "parameters": )" + kPrice;
  CHECK(output_problems(on_wide + R"(, "run": ["run", "risk"]})") ==
        std::vector<std::string>{wide + ": /providers: 18 providers is more than `risk` handles (expected at most 16; "
                                        "`run` has no such bound)"});
  CHECK(output_problems(on_wide + R"(, "run": ["risk"], "metrics": ["portfolios.contracted.cost_usd.mean"]})") ==
        std::vector<std::string>{wide + ": /providers: 18 providers is more than `risk` handles (expected at most 16; "
                                        "`run` has no such bound)"});
  CHECK(output_problems(on_wide + "}").empty());
  // Monte Carlo memory: variants at once x their paths' results.
  CHECK(output_problems(grid(kPrice, R"(, "run": ["risk"], "risk_paths": 100000000)"), 1000).size() == 1);
}
