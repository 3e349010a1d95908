// Sweep files (docs/reference.md §7, §9): what a valid one gives, and the exact line each
// broken rule produces.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "scenario/input_error.hpp"
#include "scenario/sweep_spec.hpp"

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

std::string grid(const std::string& params, const std::string& extra = "") {
  return R"({"base": ")" + kBase + R"(", "mode": "grid", "parameters": )" + params + extra + "}";
}

const std::string kPrice = R"([{"pointer": "/contracts/0/price_usd_per_gpu_hour", "values": [1.5, 2, 2.5]}])";

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
                                 ": cannot set: parent /contracts/5 does not exist (expected an existing object or "
                                 "array)"});
  CHECK(problems(grid(R"([{"pointer": "contracts", "values": [1]}])")) ==
        std::vector<std::string>{"bad.json: /parameters/0/pointer: ill-formed JSON pointer \"contracts\" (expected a "
                                 "pointer starting with '/', ~0 for '~' and ~1 for '/')"});
  CHECK(problems(grid(R"([{"pointer": "/contracts/0/price_usd_per_gpu_hour", "values": []}])")) ==
        std::vector<std::string>{"bad.json: /parameters/0/values: empty (expected a non-empty array of values)"});
  CHECK(problems(grid(R"([{"pointer": "/contracts/0/price_usd_per_gpu_hour", "values": [1, 1]}])", R"(, "samples": 3)")) ==
        std::vector<std::string>{
            "bad.json: /samples: only for mode \"lhs\" or \"random\" (expected no such key in a grid sweep)",
            "bad.json: /parameters/0/values/1: value 1 listed twice (expected distinct values)"});
  CHECK(problems(grid("[]", R"(, "risk_paths": 0)")) ==
        std::vector<std::string>{"bad.json: /parameters: empty (expected a non-empty array of parameters)",
                                 "bad.json: /risk_paths: out of range: 0 (expected an integer in [1, 100000000])"});
  CHECK(problems(grid(R"([{"pointer": "/a", "values": [1]}, {"pointer": "/a", "values": [2]}])",
                      R"(, "run": ["run", "run", "plot"])")) ==
        std::vector<std::string>{
            "bad.json: /parameters/1/pointer: pointer \"/a\" is swept twice (expected each pointer in one parameter)",
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
}

TEST_CASE("what is not a sweep, or has no usable base") {
  CHECK(problems(R"({"base": "nope.json", "mode": "grid", "parameters": [{"pointer": "/a", "values": [1]}]})") ==
        std::vector<std::string>{"bad.json: /base: cannot read \"nope.json\" (expected a scenario file, relative to "
                                 "the sweep file's folder or the current directory)"});
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
