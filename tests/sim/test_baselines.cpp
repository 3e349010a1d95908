// Regression against the committed baselines (SPEC §8): every scenario in
// scenarios/ is replayed and its summary compared with
// results/<name>/summary.json, number by number (relative tolerance 1e-9,
// absolute 1e-6 near zero); strings, booleans, nulls and keys exactly.
// `scripts/update-baselines` rewrites the baselines after an intended change.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "replay_in_child.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr double kRelTol = 1e-9;
constexpr double kAbsTol = 1e-6;

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

std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

bool numbers_agree(double a, double b) {
  if (a == b) return true;  // also equal infinities
  if (!std::isfinite(a) || !std::isfinite(b)) return false;
  const double diff = std::fabs(a - b);
  return diff <= kRelTol * std::max(std::fabs(a), std::fabs(b)) || diff <= kAbsTol;
}

// Every difference between baseline and current, one line each, named by
// its JSON pointer ("" is the whole document).
void compare(const std::string& path, const json& base, const json& cur, std::vector<std::string>& out) {
  auto shown = [&](const json& j) { return j.dump(); };
  if (base.is_number() && cur.is_number()) {
    if (!numbers_agree(base.get<double>(), cur.get<double>()))
      out.push_back(path + ": baseline " + shown(base) + ", current " + shown(cur));
    return;
  }
  if (base.type() != cur.type()) {
    out.push_back(path + ": baseline " + shown(base) + " (" + base.type_name() + "), current " + shown(cur) + " (" +
                  cur.type_name() + ")");
    return;
  }
  if (base.is_object()) {
    for (const auto& [key, value] : base.items()) {
      const std::string p = path + "/" + pointer_token(key);
      if (!cur.contains(key)) {
        out.push_back(p + ": baseline " + shown(value) + ", current has no such key");
        continue;
      }
      compare(p, value, cur.at(key), out);
    }
    for (const auto& [key, value] : cur.items())
      if (!base.contains(key)) out.push_back(path + "/" + pointer_token(key) + ": not in baseline, current " + shown(value));
    return;
  }
  if (base.is_array()) {
    if (base.size() != cur.size()) {
      out.push_back(path + ": baseline has " + std::to_string(base.size()) + " elements, current " +
                    std::to_string(cur.size()));
      return;
    }
    for (size_t i = 0; i < base.size(); ++i) compare(path + "/" + std::to_string(i), base[i], cur[i], out);
    return;
  }
  // strings, booleans, null
  if (base != cur) out.push_back(path + ": baseline " + shown(base) + ", current " + shown(cur));
}

std::vector<std::string> differences(const std::string& base_text, const std::string& cur_text) {
  std::vector<std::string> out;
  compare("", json::parse(base_text), json::parse(cur_text), out);
  return out;
}

}  // namespace

TEST_CASE("baselines: the comparison itself") {
  // Relative 1e-9: 1e9 vs 1e9 + 0.5 agrees (5e-10 relative), 1e9 + 2 does not (2e-9).
  CHECK(differences(R"({"a": 1e9})", R"({"a": 1000000000.5})").empty());
  CHECK(differences(R"({"a": 1e9})", R"({"a": 1000000002})").size() == 1);
  // Absolute 1e-6 near zero: 0 vs 5e-7 agrees, 0 vs 2e-6 does not.
  CHECK(differences(R"({"a": 0})", R"({"a": 5e-7})").empty());
  CHECK(differences(R"({"a": 0})", R"({"a": 2e-6})").size() == 1);
  // An integer and a float of the same value are the same number.
  CHECK(differences(R"({"a": 3})", R"({"a": 3.0})").empty());
  // Strings, nulls and booleans exactly; a null is not a 0.
  CHECK(differences(R"({"s": "x", "n": null, "b": true})", R"({"s": "x", "n": null, "b": true})").empty());
  CHECK(differences(R"({"s": "x"})", R"({"s": "y"})") == std::vector<std::string>{R"(/s: baseline "x", current "y")"});
  CHECK(differences(R"({"n": null})", R"({"n": 0})").size() == 1);
  CHECK(differences(R"({"b": true})", R"({"b": false})").size() == 1);
  // Keys both ways, named by their JSON pointer (with ~1 for '/').
  CHECK(differences(R"({"a": {"x/y": 1}})", R"({"a": {}})") ==
        std::vector<std::string>{"/a/x~1y: baseline 1, current has no such key"});
  CHECK(differences(R"({"a": {}})", R"({"a": {"z": 1}})") ==
        std::vector<std::string>{"/a/z: not in baseline, current 1"});
  // Nested paths and arrays.
  CHECK(differences(R"({"w": {"j": {"finish": "2026-01-01"}}})", R"({"w": {"j": {"finish": null}}})") ==
        std::vector<std::string>{R"(/w/j/finish: baseline "2026-01-01" (string), current null (null))"});
  CHECK(differences(R"([1, 2])", R"([1, 2, 3])").size() == 1);
  CHECK(differences(R"([1, 2])", R"([1, 3])") == std::vector<std::string>{"/1: baseline 2, current 3"});
}

TEST_CASE("baselines: every scenario has a baseline and every baseline a scenario") {
  const auto scenarios = scenarios_by_name();
  CHECK(!scenarios.empty());
  for (const auto& [name, file] : scenarios) {
    INFO("scenario " << file.string());
    CHECK_MESSAGE(fs::is_regular_file(source_dir + "/results/" + name + "/summary.json"),
                  "no baseline results/" << name << "/summary.json (run scripts/update-baselines)");
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
    const std::vector<std::string> diffs = differences(read_text(baseline), current);
    const size_t shown = std::min<size_t>(diffs.size(), 50);
    for (size_t i = 0; i < shown; ++i) CHECK_MESSAGE(false, diffs[i]);
    CHECK_MESSAGE(diffs.empty(), diffs.size() << " values differ from the baseline"
                                              << (diffs.size() > shown ? " (first 50 shown)" : "")
                                              << "; if intended, run scripts/update-baselines");
  }
}
