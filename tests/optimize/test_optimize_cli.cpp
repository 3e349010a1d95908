// `cloudpact optimize` end to end (docs/reference.md §15): the files and
// their columns, the same bytes for any thread count, bad input refused
// with nothing written, exit 3 with the evaluations kept when nothing is
// feasible, SIGINT writing the best point so far (and abandoning an
// evaluation under way), and a later run's set replacing an earlier one's.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "../cli/run_cloudpact.hpp"
#include "proc/child_process.hpp"

using namespace cloudpact;
namespace fs = std::filesystem;

namespace {

const std::string kFixtures = std::string(CLOUDPACT_SOURCE_DIR) + "/tests/optimize/fixtures";
const std::string kCapacity = "/providers/0/regions/0/clusters/0/capacity_gpus";

fs::path fresh_dir(const std::string& name) {
  const fs::path d = test::temp_root() / ("optimize-" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// An optimize file over the newsvendor fixture, in `dir`.
fs::path write_optimize(const fs::path& dir, const std::string& extra) {
  const fs::path p = dir / "opt.json";
  std::ofstream(p, std::ios::binary) << "{ \"base\": \"" << kFixtures << "/newsvendor.json\", \"variables\": [ "
                                     << "{ \"pointer\": \"" << kCapacity << "\", \"min\": 0, \"max\": 3000 } ], "
                                     << "\"objective\": \"cost_usd.mean\", \"seed\": 7" << extra << " }";
  return p;
}

// `optimize FILE --out OUT`, its stderr into ERR, sent SIGINT once
// `before_signal` returns; how it ended.
ChildExit interrupted_optimize(const fs::path& file, const fs::path& out, const fs::path& err,
                               const std::function<void()>& before_signal) {
  // An ignored SIGINT is inherited across exec, and the command keeps
  // ignoring it (a background job of a script): this test's runner may
  // have started it so, and the child must be able to receive it.
  std::signal(SIGINT, SIG_DFL);
  const pid_t pid = spawn_child({{std::getenv("CLOUDPACT_BIN"), "optimize", file.string(), "--out", out.string()},
                                 "/dev/null", err.string()});
  before_signal();
  ::kill(pid, SIGINT);
  return wait_child(pid);
}

}  // namespace

TEST_CASE("optimize writes optimize.json, evaluations.csv and frontier.csv, the same bytes for any --threads") {
  const fs::path w = fresh_dir("files");
  const fs::path f = write_optimize(w, ", \"paths\": 1000, \"max_evaluations\": 20, \"frontier\": [0, 1], "
                                       "\"frontier_evaluations\": 6, \"constraints\": [{\"metric\": \"p_unmet\", \"max\": 1}]");
  const test::Run a = test::run_cloudpact({"optimize", f.string(), "--out", (w / "a").string(), "--threads", "1"});
  REQUIRE_MESSAGE(a.exit_code == 0, a.err);
  CHECK(a.out == (w / "a").string() + "\n");
  const test::Run b = test::run_cloudpact({"optimize", f.string(), "--out", (w / "b").string(), "--threads", "2"});
  REQUIRE(b.exit_code == 0);
  for (const char* name : {"optimize.json", "evaluations.csv", "frontier.csv"}) {
    CAPTURE(name);
    CHECK(slurp(w / "a" / name) == slurp(w / "b" / name));
  }

  const auto j = nlohmann::json::parse(slurp(w / "a" / "optimize.json"));
  const auto& best = j["best"];
  CHECK(best["values"].contains(kCapacity));
  for (const char* m : {"cost_usd.mean", "cost_usd.cvar95", "p_unmet", "unmet_gpu_hours.mean", "hhi_spend.mean"})
    CHECK(best["metrics"].contains(m));
  CHECK(best["objective"] == best["metrics"]["cost_usd.mean"]);
  CHECK(best["se"]["cost_usd.mean"].get<double>() > 0);
  CHECK(j["feasible"] == true);
  CHECK(j["stopped"] == false);
  const auto evaluations = j["evaluations"].get<int>();
  CHECK(j["search_evaluations"].get<int>() <= 20);
  CHECK(evaluations <= 20 + 2 * 6);
  // The out-of-sample check: seed + 1, and the optimism is its difference.
  CHECK(j["out_of_sample"]["seed"] == 8);
  CHECK(j["out_of_sample"]["optimism_usd"].get<double>() ==
        doctest::Approx(j["out_of_sample"]["objective"].get<double>() - best["objective"].get<double>()).epsilon(1e-12));
  CHECK(j["base"]["values"][kCapacity] == 1000.0);
  CHECK(j["improvement_usd"].get<double>() ==
        doctest::Approx(j["base"]["objective"].get<double>() - best["objective"].get<double>()).epsilon(1e-12));

  const auto evals = lines_of(slurp(w / "a" / "evaluations.csv"));
  CHECK(evals[0] == "evaluation,stage," + kCapacity + ",objective,p_unmet,feasible,cost_usd.mean,cost_usd.cvar95,error");
  CHECK(static_cast<int>(evals.size()) == evaluations + 1);
  CHECK(evals[1].rfind("1,base,1000,", 0) == 0);

  const auto frontier = lines_of(slurp(w / "a" / "frontier.csv"));
  REQUIRE(frontier.size() == 3);
  CHECK(frontier[0] == "lambda," + kCapacity + ",mean,cvar95,objective,feasible");
  CHECK(frontier[1].rfind("0,", 0) == 0);
  CHECK(frontier[2].rfind("1,", 0) == 0);
  // λ = 1 weighs the tail: its point has no higher CVaR95 than λ = 0's.
  const auto& points = j["frontier"];
  REQUIRE(points.size() == 2);
  CHECK(points[1]["metrics"]["cost_usd.cvar95"].get<double>() <= points[0]["metrics"]["cost_usd.cvar95"].get<double>());
  CHECK(points[1]["objective"].get<double>() ==
        doctest::Approx(points[1]["metrics"]["cost_usd.mean"].get<double>() +
                        points[1]["metrics"]["cost_usd.cvar95"].get<double>()).epsilon(1e-12));

  // The same folder, a file with no frontier: the earlier frontier.csv goes
  // with the earlier set (a plot made from it would show another run's
  // points); a file of the user's stays.
  std::ofstream(w / "a" / "notes.txt") << "mine";
  const fs::path g = write_optimize(w, ", \"paths\": 300, \"max_evaluations\": 4");
  const test::Run c = test::run_cloudpact({"optimize", g.string(), "--out", (w / "a").string()});
  REQUIRE_MESSAGE(c.exit_code == 0, c.err);
  CHECK(!fs::exists(w / "a" / "frontier.csv"));
  CHECK(slurp(w / "a" / "notes.txt") == "mine");
  CHECK(nlohmann::json::parse(slurp(w / "a" / "optimize.json"))["frontier"].empty());
}

TEST_CASE("bad optimize files: exit 2, one line per problem, nothing written; validate says the same") {
  const fs::path w = fresh_dir("bad");
  const fs::path f = write_optimize(w, ", \"max_evaluations\": 0, \"frontier\": [-1]");
  const test::Run r = test::run_cloudpact({"optimize", f.string(), "--out", (w / "o").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err == f.string() + ": /max_evaluations: out of range: 0 (expected an integer in [2, 100000])\n" + f.string() +
                     ": /frontier/0: negative: -1 (expected a number in [0, 1000000])\n");
  CHECK(!fs::exists(w / "o"));
  const test::Run v = test::run_cloudpact({"validate", f.string()});
  CHECK(v.exit_code == 2);
  CHECK(v.err == r.err);
  const test::Run ok = test::run_cloudpact({"validate", kFixtures + "/newsvendor-optimize.json"});
  CHECK(ok.exit_code == 0);
  CHECK(ok.err.empty());
}

TEST_CASE("a base risk refuses: validate says so, as optimize does before any search, nothing written") {
  // The newsvendor with 17 providers beside its own: a scenario `run` takes
  // and `risk` (so every evaluation) refuses, at most 16.
  const fs::path w = fresh_dir("wide-base");
  nlohmann::json base = nlohmann::json::parse(slurp(kFixtures + "/newsvendor.json"));
  for (int i = 0; i < 17; ++i) {
    nlohmann::json p = base["providers"][0];
    p["id"] = "p" + std::to_string(i);
    base["providers"].push_back(p);
  }
  std::ofstream(w / "wide.json", std::ios::binary) << base.dump();
  const fs::path f = w / "opt.json";
  std::ofstream(f, std::ios::binary) << "{ \"base\": \"wide.json\", \"variables\": [ { \"pointer\": \"" << kCapacity
                                     << "\", \"min\": 0, \"max\": 3000 } ], \"objective\": \"cost_usd.mean\" }";
  const std::string line = (w / "wide.json").string() +
                           ": /providers: 18 providers is more than `risk` handles (expected at most 16; `run` has no "
                           "such bound)\n";
  const test::Run v = test::run_cloudpact({"validate", f.string()});
  CHECK(v.exit_code == 2);
  CHECK(v.err == line);
  const test::Run r = test::run_cloudpact({"optimize", f.string(), "--out", (w / "o").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err == line);
  CHECK(!fs::exists(w / "o"));
}

TEST_CASE("nothing feasible: exit 3, and every evaluation is still written") {
  const fs::path w = fresh_dir("infeasible");
  const fs::path f = write_optimize(w, ", \"paths\": 200, \"max_evaluations\": 8, "
                                       "\"constraints\": [{\"metric\": \"cost_usd.mean\", \"max\": 1}]");
  const test::Run r = test::run_cloudpact({"optimize", f.string(), "--out", (w / "o").string()});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("optimize: no feasible point among ") != std::string::npos);
  const auto j = nlohmann::json::parse(slurp(w / "o" / "optimize.json"));
  CHECK(j["feasible"] == false);
  CHECK(lines_of(slurp(w / "o" / "evaluations.csv")).size() == j["evaluations"].get<std::size_t>() + 1);
  // The least infeasible point is the cheapest: capacity 0 costs least here.
  CHECK(j["best"]["feasible"] == false);
}

TEST_CASE("every point refused: exit 3, said as refused with the first reason, not as infeasible") {
  // Each variable alone is fine at its bounds (what the file's check
  // tries), but together at least 8.4e8 GPUs at $500,000 a GPU-hour for a
  // year, 3.7e18 USD, is more than risk's fixed point holds per path (9e16):
  // the scenario refuses every point of the box.
  const fs::path w = fresh_dir("refused");
  const fs::path f = w / "opt.json";
  std::ofstream(f, std::ios::binary)
      << "{ \"base\": \"" << kFixtures << "/newsvendor.json\", \"variables\": [ "
      << "{ \"pointer\": \"" << kCapacity << "\", \"min\": 8.4e8, \"max\": 1e9 }, "
      << "{ \"pointer\": \"/contracts/0/price_usd_per_gpu_hour\", \"min\": 5e5, \"max\": 1e6 } ], "
      << "\"objective\": \"cost_usd.mean\", \"paths\": 20, \"max_evaluations\": 4 }";
  const test::Run r = test::run_cloudpact({"optimize", f.string(), "--out", (w / "o").string()});
  CHECK(r.exit_code == 3);
  const std::string first = "optimize: every one of the ";
  REQUIRE(r.err.find(first) != std::string::npos);
  const std::string line = r.err.substr(r.err.find(first));
  CHECK(line.find(" evaluated points was refused (the first: " + kFixtures + "/newsvendor.json: " + kCapacity +
                  ": one path could cost up to ") != std::string::npos);
  CHECK(line.find("); each is in evaluations.csv\n") != std::string::npos);
  CHECK(r.err.find("no feasible point") == std::string::npos);
  const auto j = nlohmann::json::parse(slurp(w / "o" / "optimize.json"));
  CHECK(j["feasible"] == false);
}

TEST_CASE("budgets that end inside the global stage's first sampling: the search stops there, cleanly") {
  // Four variables: DIRECT samples 2·4 + 1 = 9 points before it divides
  // anything; budgets of 2..6 evaluations end inside that sampling (the
  // original DIRECT code read freed memory when stopped there).
  const fs::path w = fresh_dir("small-budgets");
  const std::string flagship = std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/openai-2025-2027.json";
  for (const int budget : {2, 3, 6}) {
    CAPTURE(budget);
    const fs::path f = w / ("b" + std::to_string(budget) + ".json");
    std::ofstream(f, std::ios::binary)
        << "{ \"base\": \"" << flagship << "\", \"variables\": ["
        << "{ \"pointer\": \"/providers/1/regions/0/clusters/0/capacity_gpus/points/2/1\", \"min\": 0, \"max\": 1000000 },"
        << "{ \"pointer\": \"/providers/1/regions/0/clusters/1/capacity_gpus/points/1/1\", \"min\": 0, \"max\": 1000000 },"
        << "{ \"pointer\": \"/providers/3/regions/0/clusters/0/capacity_gpus/points/1/1\", \"min\": 0, \"max\": 3000000 },"
        << "{ \"pointer\": \"/contracts/3/commitment_usd\", \"min\": 0, \"max\": 6e10 } ],"
        << "\"objective\": \"cost_usd.mean\", \"paths\": 2, \"max_evaluations\": " << budget << " }";
    const fs::path out = w / ("o" + std::to_string(budget));
    const test::Run r = test::run_cloudpact({"optimize", f.string(), "--out", out.string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto j = nlohmann::json::parse(slurp(out / "optimize.json"));
    CHECK(j["evaluations"] == budget);
    CHECK(j["stopped"] == false);
  }
}

TEST_CASE("SIGINT stops the search and writes the best point so far") {
  const fs::path w = fresh_dir("sigint");
  const fs::path f = write_optimize(w, ", \"paths\": 20000, \"max_evaluations\": 100000");
  const fs::path err = w / "stderr.txt";
  const ChildExit e = interrupted_optimize(f, w / "o", err, [&] {
    // Progress lines come every ~2 s once the search runs: then stop it.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (slurp(err).find("evaluations") == std::string::npos && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  });
  INFO("stderr of the stopped optimize: " << slurp(err));
  CHECK(e.signal == SIGINT);
  const auto j = nlohmann::json::parse(slurp(w / "o" / "optimize.json"));
  CHECK(j["stopped"] == true);
  CHECK(j["out_of_sample"].is_null());
  CHECK(j["best"]["values"].contains(kCapacity));
  CHECK(j["evaluations"].get<int>() >= 1);
  CHECK(lines_of(slurp(w / "o" / "evaluations.csv")).size() == j["evaluations"].get<std::size_t>() + 1);
  CHECK(slurp(err).find("optimize: stopped after ") != std::string::npos);
}

TEST_CASE("SIGINT during a long evaluation abandons it at its next batch: nothing half-evaluated is recorded") {
  // 5·10^6 paths: the base point alone takes about a minute on two cores
  // (80,000 paths a second), and progress is reported between evaluations
  // only, so the signal comes after 3 s, inside the base point (or, on a
  // machine slow to start, before it: no evaluation either way).
  const fs::path w = fresh_dir("sigint-long");
  const fs::path f = write_optimize(w, ", \"paths\": 5000000, \"max_evaluations\": 2");
  const fs::path err = w / "stderr.txt";
  const ChildExit e = interrupted_optimize(f, w / "o", err, [] { std::this_thread::sleep_for(std::chrono::seconds(3)); });
  INFO("stderr of the stopped optimize: " << slurp(err));
  CHECK(e.signal == SIGINT);
  const auto j = nlohmann::json::parse(slurp(w / "o" / "optimize.json"));
  CHECK(j["stopped"] == true);
  CHECK(j["evaluations"] == 0);
  CHECK(j["best"].is_null());
  CHECK(lines_of(slurp(w / "o" / "evaluations.csv")).size() == 1);  // the header alone
  CHECK(slurp(err).find("optimize: stopped after 0 evaluations") != std::string::npos);
}
