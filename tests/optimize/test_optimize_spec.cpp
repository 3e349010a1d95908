// Optimize files (docs/reference.md §15, §9): what a valid one gives, and the
// exact line each broken rule produces.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "scenario/input_error.hpp"
#include "scenario/optimize_spec.hpp"

using namespace cloudpact;

namespace {

const std::string kFixtures = std::string(CLOUDPACT_SOURCE_DIR) + "/tests/optimize/fixtures";
const std::string kBase = kFixtures + "/newsvendor.json";
const std::string kCapacity = "/providers/0/regions/0/clusters/0/capacity_gpus";

std::string write_file(const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / "cloudpact-test-optimize-spec";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "bad.json").string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::vector<std::string> problems(const std::string& text) {
  const std::string path = write_file(text);
  try {
    (void)load_optimize_spec(path);
  } catch (const InputError& e) {
    std::vector<std::string> lines;
    for (std::string line : e.lines()) {
      if (line.rfind(path, 0) == 0) line = "bad.json" + line.substr(path.size());
      // The base's absolute path, shortened the same way.
      for (std::size_t at; (at = line.find(kBase)) != std::string::npos;) line.replace(at, kBase.size(), "BASE");
      lines.push_back(line);
    }
    return lines;
  }
  return {};
}

// An optimize file over the newsvendor with `variables` and extra top-level keys.
std::string file(const std::string& variables, const std::string& extra = "", const std::string& objective = "\"cost_usd.mean\"") {
  return "{ \"base\": \"" + kBase + "\", \"variables\": " + variables + ", \"objective\": " + objective + extra + " }";
}

std::string capacity(const std::string& bounds) { return "[{ \"pointer\": \"" + kCapacity + "\", " + bounds + " }]"; }

}  // namespace

TEST_CASE("a valid optimize file: values, defaults and the base's own numbers") {
  const OptimizeSpec s = load_optimize_spec(kFixtures + "/newsvendor-optimize.json");
  CHECK(s.name == "newsvendor-optimize");
  REQUIRE(s.variables.size() == 1);
  CHECK(s.variables[0].pointer == kCapacity);
  CHECK(s.variables[0].min == 0);
  CHECK(s.variables[0].max == 3000);
  CHECK(s.variables[0].base_value == 1000);
  CHECK(s.objective.kind == ObjectiveKind::cost_mean);
  CHECK(s.paths == 2000);
  CHECK(s.seed == std::uint64_t{7});
  CHECK(s.max_evaluations == 60);
  CHECK(s.frontier.empty());
  CHECK(!s.base_text.empty());

  const std::string path = write_file(file(capacity("\"min\": 0.4, \"max\": 10.6, \"integer\": true"),
                                           ", \"frontier\": [0, 0.5], \"constraints\": [{\"metric\": \"p_unmet\", \"max\": 0.1}]",
                                           "{\"mean_plus_cvar95\": 0.25}"));
  const OptimizeSpec d = load_optimize_spec(path);
  CHECK(d.name == "bad");
  CHECK(d.paths == 4000);              // default
  CHECK(!d.seed.has_value());          // default: the scenario's own
  CHECK(d.max_evaluations == 200);     // default
  CHECK(d.frontier_evaluations == 50); // default: max_evaluations / 4
  CHECK(d.variables[0].min == 1);      // whole-number bounds rounded inwards
  CHECK(d.variables[0].max == 10);
  CHECK(d.objective.kind == ObjectiveKind::mean_plus_cvar95);
  CHECK(d.objective.lambda == 0.25);
  CHECK(objective_name(d.objective) == "mean_plus_cvar95(0.25)");
  REQUIRE(d.constraints.size() == 1);
  CHECK(d.constraints[0].metric == "p_unmet");
  CHECK(d.frontier == std::vector<double>{0, 0.5});
}

TEST_CASE("variables: pointers, bounds and the base at each bound") {
  CHECK(problems(file("[]")) ==
        std::vector<std::string>{"bad.json: /variables: empty (expected a non-empty array of variables)"});
  CHECK(problems(file("[{ \"pointer\": \"/providers/0/regions/0/clusters/0/capacity\", \"min\": 0, \"max\": 1 }]")) ==
        std::vector<std::string>{"bad.json: /variables/0/pointer: \"/providers/0/regions/0/clusters/0/capacity\" is "
                                 "not in BASE (expected a pointer to a number of the base scenario)"});
  CHECK(problems(file("[{ \"pointer\": \"/providers/0/id\", \"min\": 0, \"max\": 1 }]")) ==
        std::vector<std::string>{"bad.json: /variables/0/pointer: \"/providers/0/id\" is a string in BASE (expected "
                                 "a pointer to a number of the base scenario)"});
  CHECK(problems(file("[{ \"pointer\": \"providers\", \"min\": 0, \"max\": 1 }]")) ==
        std::vector<std::string>{"bad.json: /variables/0/pointer: ill-formed JSON pointer \"providers\" (expected a "
                                 "pointer starting with '/', ~0 for '~' and ~1 for '/')"});
  CHECK(problems(file(capacity("\"min\": 5, \"max\": 5"))) ==
        std::vector<std::string>{"bad.json: /variables/0/max: not above min 5 (expected max > min: bounds that leave room)"});
  CHECK(problems(file(capacity("\"min\": 5.2, \"max\": 5.8, \"integer\": true"))) ==
        std::vector<std::string>{"bad.json: /variables/0/max: no whole number between min 5.2 and max 5.8 (expected "
                                 "bounds around at least two whole numbers: a variable of one value is a constant of "
                                 "the base)"});
  CHECK(problems(file(capacity("\"min\": 999.5, \"max\": 1000.4, \"integer\": true"))) ==
        std::vector<std::string>{"bad.json: /variables/0/max: only one whole number, 1000, between min 999.5 and max "
                                 "1000.4 (expected bounds around at least two whole numbers: a variable of one value "
                                 "is a constant of the base)"});
  CHECK(problems(file(capacity("\"min\": -10, \"max\": 5"))) ==
        std::vector<std::string>{"bad.json: /variables/0/min: -10 makes an invalid scenario: " + kCapacity +
                                 ": negative: -10 (expected a number in [0, 1000000000])"});
  CHECK(problems(file("[{ \"pointer\": \"" + kCapacity + "\", \"min\": 0, \"max\": 1 }, { \"pointer\": \"" + kCapacity +
                      "\", \"min\": 0, \"max\": 2 }]")) ==
        std::vector<std::string>{"bad.json: /variables/1/pointer: pointer \"" + kCapacity +
                                 "\" is also the variable of /variables/0 (expected each number of the base in one "
                                 "variable)"});
  // A bound that makes an invalid base is reported with the file's other
  // problems; a variable whose pointer was refused has no bound tried.
  CHECK(problems(file(capacity("\"min\": -10, \"max\": 5").insert(1, "{ \"pointer\": \"/nope\", \"min\": -1, \"max\": 1 }, "),
                      "", "\"cost_usd.p95\"")) ==
        std::vector<std::string>{
            "bad.json: /variables/0/pointer: \"/nope\" is not in BASE (expected a pointer to a number of the base "
            "scenario)",
            "bad.json: /variables/1/min: -10 makes an invalid scenario: " + kCapacity +
                ": negative: -10 (expected a number in [0, 1000000000])",
            "bad.json: /objective: unknown objective \"cost_usd.p95\" (expected \"cost_usd.mean\", \"cost_usd.cvar95\", "
            "\"npv_cost_usd.mean\", \"npv_cost_usd.cvar95\" or {\"mean_plus_cvar95\": a number >= 0})"});
  // A field of whole numbers moved continuously would refuse most points of
  // the search: the midpoint 50 is whole, so it tries 25, then 12.5.
  CHECK(problems(file("[{ \"pointer\": \"/uncertainty/seed\", \"min\": 0, \"max\": 100 }]")) ==
        std::vector<std::string>{"bad.json: /variables/0: \"/uncertainty/seed\" takes whole numbers only (expected "
                                 "\"integer\": true for this variable)"});
  CHECK(problems(file("[{ \"pointer\": \"/uncertainty/seed\", \"min\": 0, \"max\": 100, \"integer\": true }]")).empty());
  CHECK(problems(file(capacity("\"min\": 0, \"max\": 1, \"step\": 1"))) ==
        std::vector<std::string>{"bad.json: /variables/0/step: unknown key for a variable (expected one of: integer, "
                                 "max, min, pointer)"});
}

TEST_CASE("objective, constraints, frontier and the work asked for") {
  const std::string v = capacity("\"min\": 0, \"max\": 10");
  CHECK(problems(file(v, "", "\"cost_usd.p95\"")) ==
        std::vector<std::string>{"bad.json: /objective: unknown objective \"cost_usd.p95\" (expected \"cost_usd.mean\", "
                                 "\"cost_usd.cvar95\", \"npv_cost_usd.mean\", \"npv_cost_usd.cvar95\" or "
                                 "{\"mean_plus_cvar95\": a number >= 0})"});
  CHECK(problems(file(v, "", "{\"mean_plus_cvar95\": -1}")) ==
        std::vector<std::string>{"bad.json: /objective/mean_plus_cvar95: negative: -1 (expected a number in [0, 1000000])"});
  CHECK(problems(file(v, ", \"constraints\": [{\"metric\": \"p_unmat\", \"max\": 0.1}]")).size() == 1);
  CHECK(problems(file(v, ", \"constraints\": [{\"metric\": \"p_unmet\", \"max\": 0.1}, {\"metric\": \"p_unmet\", \"max\": 0.2}]")) ==
        std::vector<std::string>{"bad.json: /constraints/1/metric: metric \"p_unmet\" bounded twice (expected each metric once)"});
  CHECK(problems(file(v, ", \"frontier\": [0, 1, 1]")) ==
        std::vector<std::string>{"bad.json: /frontier/2: λ 1 listed twice (expected distinct values)"});
  CHECK(problems(file(v, ", \"frontier_evaluations\": 5")) ==
        std::vector<std::string>{"bad.json: /frontier_evaluations: given without a frontier (expected \"frontier\" with values of λ)"});
  CHECK(problems(file(v, ", \"paths\": 100000000, \"max_evaluations\": 1000")) ==
        std::vector<std::string>{"bad.json: /paths: 100000000 paths x 1001 evaluations is more than 10000000000 path "
                                 "evaluations (expected fewer paths or evaluations)"});
  CHECK(problems(file(v, ", \"max_evaluations\": 1")) ==
        std::vector<std::string>{"bad.json: /max_evaluations: out of range: 1 (expected an integer in [2, 100000])"});
}

TEST_CASE("the base: missing, invalid, or a scenario given as the optimize file") {
  CHECK(problems("{ \"base\": \"no-such-file.json\", \"variables\": [], \"objective\": \"cost_usd.mean\" }") ==
        std::vector<std::string>{"bad.json: /base: cannot read \"no-such-file.json\" (expected a scenario file, "
                                 "relative to the optimize file's folder or the current directory)",
                                 "bad.json: /variables: empty (expected a non-empty array of variables)"});
  // A base that is not a scenario file is the optimize file's mistake, said
  // at its /base once (not a line per sweep key unknown to a scenario).
  CHECK(problems("{ \"base\": \"" + kFixtures + "\", \"variables\": [], \"objective\": \"cost_usd.mean\" }") ==
        std::vector<std::string>{"bad.json: /base: cannot read \"" + kFixtures + "\": it is a folder (expected a "
                                 "scenario file, relative to the optimize file's folder or the current directory)",
                                 "bad.json: /variables: empty (expected a non-empty array of variables)"});
  const std::string itself = std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/optimize/aws-commitment.json";
  CHECK(problems("{ \"base\": \"" + itself + "\", \"variables\": [], \"objective\": \"cost_usd.mean\" }") ==
        std::vector<std::string>{"bad.json: /base: \"" + itself + "\" is an optimize file, not a scenario (expected "
                                 "a scenario file)",
                                 "bad.json: /variables: empty (expected a non-empty array of variables)"});
  const std::string sweep = std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/sweeps/lhs-1000.json";
  CHECK(problems("{ \"base\": \"" + sweep + "\", \"variables\": [], \"objective\": \"cost_usd.mean\" }").front() ==
        "bad.json: /base: \"" + sweep + "\" is a sweep file, not a scenario (expected a scenario file)");
  CHECK(problems("{ \"name\": \"x\", \"providers\": [] }") ==
        std::vector<std::string>{"bad.json: /: a scenario, not an optimize file (expected an optimize file with "
                                 "\"base\", \"variables\" and \"objective\")"});
}

TEST_CASE("every shipped optimize file is valid, its base resolved beside it") {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/optimize")) {
    if (entry.path().extension() != ".json") continue;
    CAPTURE(entry.path().string());
    CHECK(looks_like_optimize_file(entry.path().string()));
    const OptimizeSpec s = load_optimize_spec(entry.path().string());
    CHECK(std::filesystem::is_regular_file(s.base_path));
    CHECK(!s.variables.empty());
    ++files;
  }
  CHECK(files >= 1);
}

TEST_CASE("a variable on a capacity curve names the point to use") {
  const std::string flagship = std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/openai-2025-2027.json";
  const std::string text = "{ \"base\": \"" + flagship +
                           "\", \"variables\": [{ \"pointer\": \"/providers/1/regions/0/clusters/0/capacity_gpus\", "
                           "\"min\": 0, \"max\": 1 }], \"objective\": \"cost_usd.mean\" }";
  const std::string path = write_file(text);
  try {
    (void)load_optimize_spec(path);
    FAIL("a curve was accepted as a variable");
  } catch (const InputError& e) {
    REQUIRE(e.lines().size() == 1);
    CHECK(e.lines()[0] == path + ": /variables/0/pointer: \"/providers/1/regions/0/clusters/0/capacity_gpus\" is a curve in " +
                              flagship + " (expected a pointer to a number of the base scenario: a value of the curve, "
                              "\"/providers/1/regions/0/clusters/0/capacity_gpus/points/0/1\" for its first point)");
  }
}
