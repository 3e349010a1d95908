// Regression against the committed baselines (docs/reference.md §8): every scenario in
// scenarios/ is replayed in a child process and its summary compared with
// results/<name>/summary.json by the comparison `cloudpact check` makes
// (regression::compare_replay: every number within 1e-9 relative; strings,
// booleans, nulls, keys and array lengths exactly), each difference named
// by its JSON pointer. `cloudpact check --update` rewrites the baselines
// after an intended change; nothing else does.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "regression/check.hpp"
#include "replay_in_child.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string source_dir = CLOUDPACT_SOURCE_DIR;

std::string read_text(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  REQUIRE_MESSAGE(f.good(), "cannot read " << p.string());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Scenario files by name: scenarios/*.json except the schema.
std::map<std::string, fs::path> scenarios_by_name() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(source_dir + "/scenarios"))
    if (e.is_regular_file() && e.path().extension() == ".json" && e.path().filename() != "schema.json")
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::map<std::string, fs::path> out;
  for (const fs::path& f : files) {
    const json j = json::parse(read_text(f), nullptr, false);
    REQUIRE_MESSAGE(!j.is_discarded(), f.string() << " is not JSON");
    REQUIRE_MESSAGE((j.is_object() && j.contains("name") && j["name"].is_string()),
                    f.string() << " has no string \"name\"");
    const std::string name = j["name"].get<std::string>();
    INFO("scenario name " << name);
    CHECK_MESSAGE(out.count(name) == 0, f.string() << " reuses the name of " << out[name].string());
    out[name] = f;
  }
  return out;
}

std::vector<std::string> baseline_names() {
  std::vector<std::string> out;
  const fs::path dir = source_dir + "/results";
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && fs::is_regular_file(e.path() / "summary.json")) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// One line per row of a comparison, named by its JSON pointer ("" is the
// whole document).
std::string line(const cloudpact::regression::Row& r) {
  return r.pointer + ": baseline " + r.baseline + ", current " + r.now + " (" +
         (r.regression ? "regression: " : "within tolerance: ") + r.basis + ")";
}

std::vector<std::string> differences(const std::string& base_text, const std::string& cur_text) {
  std::vector<std::string> out;
  for (const auto& r : cloudpact::regression::compare_replay(json::parse(base_text), json::parse(cur_text)).rows) {
    out.push_back(line(r));
  }
  return out;
}

}  // namespace

TEST_CASE("baselines: differences are check's rows, named by JSON pointers") {
  // 5e-10 relative moves but passes; a string, a key, a type: regressions.
  CHECK(differences(R"({"a": 1e9})", R"({"a": 1000000000.5})") ==
        std::vector<std::string>{"/a: baseline 1000000000.0, current 1000000000.5 (within tolerance: 1e-9 relative)"});
  CHECK(differences(R"({"a": 0})", R"({"a": 5e-7})") ==
        std::vector<std::string>{"/a: baseline 0, current 5e-07 (regression: 1e-9 relative)"});
  CHECK(differences(R"({"a": 3, "cloudpact_version": "0.1.0"})", R"({"a": 3.0, "cloudpact_version": "0.2.0"})")
            .empty());
  CHECK(differences(R"({"s": "x"})", R"({"s": "y"})") ==
        std::vector<std::string>{R"(/s: baseline "x", current "y" (regression: changed))"});
  CHECK(differences(R"({"a": {"x/y": 1}})", R"({"a": {}})") ==
        std::vector<std::string>{"/a/x~1y: baseline 1, current - (regression: missing now)"});
  CHECK(differences(R"({"w": {"j": {"finish": "2026-01-01"}}})", R"({"w": {"j": {"finish": null}}})") ==
        std::vector<std::string>{R"(/w/j/finish: baseline "2026-01-01", current null )"
                                 "(regression: type changed: string -> null)"});
  CHECK(differences(R"([1, 2])", R"([1, 2, 3])") ==
        std::vector<std::string>{": baseline 2 items, current 3 items (regression: array length changed)"});
}

TEST_CASE("baselines: every scenario has a baseline and every baseline a scenario") {
  const auto scenarios = scenarios_by_name();
  CHECK(!scenarios.empty());
  for (const auto& [name, file] : scenarios) {
    INFO("scenario " << file.string());
    CHECK_MESSAGE(fs::is_regular_file(source_dir + "/results/" + name + "/summary.json"),
                  "no baseline results/" << name << "/summary.json (run cloudpact check --update)");
  }
  for (const std::string& name : baseline_names())
    CHECK_MESSAGE(scenarios.count(name) == 1,
                  "results/" << name << "/summary.json has no scenario named \"" << name << "\" in scenarios/");
}

TEST_CASE("baselines: every scenario's replay summary matches its baseline") {
  for (const auto& [name, file] : scenarios_by_name()) {
    INFO("scenario " << file.string() << " (baseline results/" << name << "/summary.json)");
    const fs::path baseline = source_dir + "/results/" + name + "/summary.json";
    if (!fs::is_regular_file(baseline)) continue;  // reported by the test above
    std::string current;
    // The child inherits this process's unflushed stdout; flush it first so
    // that nothing doctest has printed so far can come out twice.
    std::cout.flush();
    std::fflush(stdout);
    try {
      current = cloudpact::test::replay_in_child(read_text(file)).summary;
    } catch (const std::exception& e) {
      FAIL_CHECK("replay failed: " << e.what());
      continue;
    }
    const cloudpact::regression::Comparison c =
        cloudpact::regression::compare_replay(json::parse(read_text(baseline)), json::parse(current));
    int shown = 0;
    for (const cloudpact::regression::Row& r : c.rows) {
      if (r.regression && ++shown <= 50) FAIL_CHECK(line(r));
    }
    const std::string more = shown > 50 ? " (first 50 shown)" : "";
    CHECK_MESSAGE(c.regressions() == 0, c.regressions() << " differences from the baseline" << more
                                                        << "; if intended, run cloudpact check --update");
  }
}
