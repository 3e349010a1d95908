// Every step of a commit, one at a time (src/report/fault_points.hpp): the
// command is stopped just before step k and killed there, or step k fails
// with EIO. After each, the output folder holds the previous complete set of
// the command's files or the new one, byte for byte, never a mix; every other
// file in it is unchanged; a failure says one line naming the path and exits
// 3; and the next successful run leaves no temporary or staging behind.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "fault_support.hpp"

using namespace cloudpact::faults;

namespace {

// A command that moves an output folder from set A to set B.
struct Case {
  std::string label;
  std::string command;                       // run, risk, check
  std::vector<std::string> names;            // the command's own files
  Tree a, b;                                 // their contents in the two sets
  std::vector<std::string> args_a, args_b;   // the command's arguments (the folder is added)
  std::string folder = "o";                  // the output folder's name in the parent
  Tree others;                               // what else the folder holds (kept by every commit)
  std::vector<std::string> env;              // for the faulted runs
  bool out_option = true;                    // the folder is given as --out PARENT/FOLDER
};

Launch launch(const Case& c, const fs::path& parent, bool to_b, std::vector<std::string> env = {}) {
  Launch l;
  l.args = {c.command};
  const auto& extra = to_b ? c.args_b : c.args_a;
  l.args.insert(l.args.end(), extra.begin(), extra.end());
  if (c.out_option) {
    l.args.insert(l.args.end(), {"--out", (parent / c.folder).string()});
  } else {
    l.args.insert(l.args.end(), {"--baseline", parent.string()});
  }
  l.env = std::move(env);
  return l;
}

fs::path set_up(const Case& c, const std::string& suffix) {
  const fs::path parent = fresh_dir(c.label + suffix);
  Tree t = c.a;
  t.insert(c.others.begin(), c.others.end());
  make_tree(parent / c.folder, t);
  return parent;
}

// The state after a stop or a failure, and the next clean run (back to A).
void judge_and_recover(const Case& c, const fs::path& parent, bool none_allowed, std::map<std::string, int>& seen) {
  const fs::path dir = parent / c.folder;
  const std::string state = which_set(dir, c.names, c.a, c.b);
  const bool gone = !fs::exists(fs::symlink_status(dir));
  CHECK_MESSAGE((state == "A" || state == "B" || (none_allowed && gone)), "the folder holds " << state);
  if (!gone) {
    CHECK_MESSAGE(except(tree_of(dir), c.names) == c.others,
                  "other files:" << describe_difference(c.others, except(tree_of(dir), c.names)));
  }
  ++seen[gone ? "nothing" : state];
  const Result r = run(launch(c, parent, false));
  REQUIRE_MESSAGE(r.status.exited(0), "the clean run after it: " << r.err);
  CHECK(which_set(dir, c.names, c.a, c.b) == "A");
  CHECK_MESSAGE(except(tree_of(dir), c.names) == c.others, "after the clean run, other files:"
                                                               << describe_difference(c.others, except(tree_of(dir), c.names)));
  const auto left = leftovers(parent);
  CHECK_MESSAGE(left.empty(), "left behind after the clean run: " << (left.empty() ? "" : left.front()));
}

std::string summary(const std::map<std::string, int>& seen) {
  std::string s;
  for (const auto& [k, n] : seen) s += " " + k + " " + std::to_string(n);
  return s;
}

void kill_at_every_step(const Case& c, bool none_allowed = false) {
  const fs::path counted = set_up(c, "-count");
  const int steps = count_steps(launch(c, counted, true, c.env));
  REQUIRE(steps > 5);
  const fs::path parent = set_up(c, "-kill");
  std::map<std::string, int> seen;
  for (int k = 1; k <= steps; ++k) {
    CAPTURE(k);
    std::vector<std::string> env = c.env;
    env.push_back("CLOUDPACT_TEST_STOP_AT=" + std::to_string(k));
    const pid_t pid = start(launch(c, parent, true, env), parent.parent_path() / (c.label + ".out"),
                            parent.parent_path() / (c.label + ".err"));
    const Status s = wait_for(pid, true);
    REQUIRE_MESSAGE(s.stopped, "did not stop at step " << k << " of " << steps << ": "
                                                       << slurp(parent.parent_path() / (c.label + ".err")));
    kill_group(pid);
    judge_and_recover(c, parent, none_allowed, seen);
  }
  MESSAGE(c.label << ": SIGKILL at each of " << steps << " steps; the folder then held:" << summary(seen));
  CHECK(seen["A"] > 0);
  CHECK(seen["B"] > 0);
}

void fail_at_every_step(const Case& c) {
  const fs::path counted = set_up(c, "-count");
  const int steps = count_steps(launch(c, counted, true, c.env));
  const fs::path parent = set_up(c, "-fail");
  std::map<std::string, int> seen;
  for (int k = 1; k <= steps; ++k) {
    CAPTURE(k);
    std::vector<std::string> env = c.env;
    env.push_back("CLOUDPACT_TEST_FAIL_AT=" + std::to_string(k));
    const Result r = run(launch(c, parent, true, env));
    CAPTURE(r.err);
    const std::string state = which_set(parent / c.folder, c.names, c.a, c.b);
    if (r.status.exited(3)) {
      CHECK(one_line_naming(r.err, parent.string()));
      CHECK(state == "A");
      CHECK(except(tree_of(parent / c.folder), c.names) == c.others);
      // A failure cleans up after itself at once.
      const auto left = leftovers(parent);
      CHECK_MESSAGE(left.empty(), "left behind by the failure: " << (left.empty() ? "" : left.front()));
      ++seen["exit 3, A"];
    } else {
      // Failures after the commit point (removing the old folder) are warnings.
      REQUIRE(r.status.exited(0));
      CHECK(error_lines(r.err).empty());
      CHECK(state == "B");
      ++seen["exit 0, B"];
    }
    std::map<std::string, int> ignored;
    judge_and_recover(c, parent, false, ignored);
  }
  MESSAGE(c.label << ": EIO at each of " << steps << " steps:" << summary(seen));
  CHECK(seen["exit 3, A"] > 0);
}

Tree others_for_run() {
  Tree t = user_files();
  const Tree risk = refs().risk_a;
  t.insert(risk.begin(), risk.end());
  return t;
}

Case run_case() {
  Case c;
  c.label = "run";
  c.command = "run";
  c.names = kRunFiles;
  c.a = refs().run_a;
  c.b = refs().run_b;
  c.args_a = {kScenario01};
  c.args_a.insert(c.args_a.end(), kRunA.begin(), kRunA.end());
  c.args_b = {kScenario01};
  c.args_b.insert(c.args_b.end(), kRunB.begin(), kRunB.end());
  c.others = others_for_run();
  return c;
}

Case risk_case() {
  Case c;
  c.label = "risk";
  c.command = "risk";
  c.names = {"risk.json"};
  c.a = refs().risk_a;
  c.b = refs().risk_b;
  c.args_a = {kScenario01};
  c.args_a.insert(c.args_a.end(), kRiskA.begin(), kRiskA.end());
  c.args_b = {kScenario01};
  c.args_b.insert(c.args_b.end(), kRiskB.begin(), kRiskB.end());
  c.others = user_files();
  const Tree run = refs().run_a;
  c.others.insert(run.begin(), run.end());
  return c;
}

// check --update of one scenario, from the baselines of a.json to those of
// b.json (the same scenario name, another demand: both files differ).
Case check_case() {
  static const Case c = [] {
    Case x;
    x.label = "check";
    x.command = "check";
    x.names = {"summary.json", "risk.json"};
    const fs::path files = fresh_dir("check-files");
    std::string text = slurp(kScenario01);
    write_file(files / "a.json", text);
    const auto at = text.find("\"demand_gpus\"");
    REQUIRE(at != std::string::npos);
    const auto colon = text.find(':', at), end = text.find_first_of(",}\n", colon);
    text.replace(colon + 1, end - colon - 1, " 9000");
    write_file(files / "b.json", text);
    x.args_a = {"--update", "--paths", "100", (files / "a.json").string()};
    x.args_b = {"--update", "--paths", "100", (files / "b.json").string()};
    x.folder = "01-one-vendor-vs-two";
    x.out_option = false;
    // check's children write under a temporary folder it removes; SIGKILL
    // gives it no chance, so that folder lives in ours (removed at exit).
    x.env = {"CLOUDPACT_TEST_ONLY=check", "TMPDIR=" + fresh_dir("check-tmp").string()};
    for (const bool b : {false, true}) {
      const fs::path base = fresh_dir(std::string("check-reference-") + (b ? "b" : "a"));
      const Result r = run(launch(x, base, b));
      REQUIRE_MESSAGE(r.status.exited(0), r.err);
      (b ? x.b : x.a) = only(tree_of(base / x.folder), x.names);
    }
    REQUIRE(x.a.size() == 2);
    REQUIRE(x.a.at("summary.json") != x.b.at("summary.json"));
    return x;
  }();
  return c;
}

}  // namespace

TEST_CASE("run: SIGKILL at every step of the commit leaves the old four files or the new four") {
  kill_at_every_step(run_case());
}

TEST_CASE("run without RENAME_EXCHANGE: killed at every step, the next run puts the old folder back") {
  Case c = run_case();
  c.label = "run-no-exchange";
  c.env = {"CLOUDPACT_TEST_NO_EXCHANGE=1"};
  kill_at_every_step(c, true);
}

TEST_CASE("run: EIO at every step: exit 3 and the old set, or (after the commit point) the new set") {
  fail_at_every_step(run_case());
}

TEST_CASE("run without RENAME_EXCHANGE: EIO at every step") {
  Case c = run_case();
  c.label = "run-no-exchange-eio";
  c.env = {"CLOUDPACT_TEST_NO_EXCHANGE=1"};
  fail_at_every_step(c);
}

TEST_CASE("run into a folder that does not exist yet: killed at every step, nothing or the whole set") {
  Case c = run_case();
  c.label = "run-new";
  c.others = {};
  const fs::path counted = fresh_dir("run-new-count");
  const int steps = count_steps(launch(c, counted, true));
  std::map<std::string, int> seen;
  for (int k = 1; k <= steps; ++k) {
    CAPTURE(k);
    const fs::path parent = fresh_dir("run-new");
    const pid_t pid = start(launch(c, parent, true, {"CLOUDPACT_TEST_STOP_AT=" + std::to_string(k)}),
                            parent / ".." / "run-new.out", parent / ".." / "run-new.err");
    REQUIRE(wait_for(pid, true).stopped);
    kill_group(pid);
    const std::string state = which_set(parent / "o", c.names, c.a, c.b);
    CHECK((state == "B" || (state == "none" && !fs::exists(parent / "o"))));
    ++seen[state];
    const Result r = run(launch(c, parent, false));
    REQUIRE(r.status.exited(0));
    CHECK(which_set(parent / "o", c.names, c.a, c.b) == "A");
    CHECK(leftovers(parent).empty());
  }
  MESSAGE("run into a new folder: SIGKILL at each of " << steps << " steps:" << summary(seen));
}

TEST_CASE("risk: SIGKILL at every step leaves the old risk.json or the new one, and the run's files") {
  kill_at_every_step(risk_case());
}

TEST_CASE("risk: EIO at every step") { fail_at_every_step(risk_case()); }

TEST_CASE("check --update: SIGKILL at every step leaves both old baselines or both new ones") {
  kill_at_every_step(check_case());
}

TEST_CASE("check --update: EIO at every step") { fail_at_every_step(check_case()); }

// ----- sweeps ----------------------------------------------------------------

namespace {

// Half the variants fail: a contract that starts after it ends. Each value
// alone is valid on the base (a sweep checks that before it starts); the
// combination is not.
std::string grid(const std::string& prices, const std::string& metrics) {
  return R"({"base": ")" + kScenario01 + R"(", "mode": "grid", "parameters": [
    {"pointer": "/contracts/0/price_usd_per_gpu_hour", "values": )" +
         prices + R"(},
    {"pointer": "/contracts/0/start", "values": ["2025-10-01", "2026-06-01"]},
    {"pointer": "/contracts/0/end", "values": ["2026-03-01"]}])" +
         metrics + "}";
}
const std::string kMetrics2 = R"(, "metrics": ["totals.spend_usd", "totals.unmet_gpu_hours"])";

}  // namespace

TEST_CASE("sweep: a resume with a new plan (and --retry-failed), killed at every step of the coordinator") {
  const fs::path files = fresh_dir("sweep-files");
  write_file(files / "s1.json", grid("[1.5, 2.0]", ""));
  write_file(files / "s2.json", grid("[1.5, 2.0, 2.5]", kMetrics2));
  const SweepRef r1 = sweep_ref(files / "s1.json", "1", 3), r2 = sweep_ref(files / "s2.json", "2", 3);
  // Both plans are run from one file name, as a user extends a sweep file.
  write_file(files / "s.json", grid("[1.5, 2.0]", ""));
  const fs::path start_dir = fresh_dir("sweep-start");
  REQUIRE(run({"sweep", (files / "s.json").string(), "--out", (start_dir / "s").string()}).status.exited(3));
  const Tree start_tree = tree_of(start_dir / "s");
  const SweepRef r1s{slurp(start_dir / "s" / "plan.json"), r1.csv, r1.variants,
                     slurp(start_dir / "s" / "plan-variants.jsonl")};
  write_file(files / "s.json", grid("[1.5, 2.0, 2.5]", kMetrics2));
  const fs::path end_dir = fresh_dir("sweep-end");
  REQUIRE(run({"sweep", (files / "s.json").string(), "--out", (end_dir / "s").string()}).status.exited(3));
  const SweepRef r2s{slurp(end_dir / "s" / "plan.json"), r2.csv, r2.variants,
                     slurp(end_dir / "s" / "plan-variants.jsonl")};
  CHECK(r1s.plan != r2s.plan);
  CHECK(r1s.plan_variants != r2s.plan_variants);

  const fs::path d = fresh_dir("sweep-steps") / "s";
  const std::vector<std::string> args = {"sweep", (files / "s.json").string(), "--out", d.string(), "--resume",
                                         "--retry-failed", "-j", "2"};
  make_tree(d, start_tree);
  Launch l;
  l.args = args;
  l.env = {"CLOUDPACT_TEST_ONLY=sweep"};
  const int steps = count_steps(l, 3);
  REQUIRE(steps > 5);
  int killed = 0;
  for (int k = 1; k <= steps; ++k) {
    CAPTURE(k);
    make_tree(d, start_tree);
    Launch stop = l;
    stop.env.push_back("CLOUDPACT_TEST_STOP_AT=" + std::to_string(k));
    const pid_t pid = start(stop, d.parent_path() / "out", d.parent_path() / "err");
    const Status s = wait_for(pid, true);
    if (!s.stopped) {  // the variants' timing decides how often the table is written
      CHECK(s.exited(3));
      break;
    }
    kill_group(pid);
    ++killed;
    (void)judge_sweep(d, {&r1s, &r2s});
    Launch resume = l;
    resume.env.clear();
    const Result r = run(resume);
    CHECK(r.status.exited(3));
    CHECK(slurp(d / "sweep.csv") == r2.csv);
    CHECK(slurp(d / "plan.json") == r2s.plan);
    CHECK(slurp(d / "plan-variants.jsonl") == r2s.plan_variants);
    const auto left = leftovers(d.parent_path());
    CHECK_MESSAGE(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
  }
  MESSAGE("sweep coordinator: SIGKILL at " << killed << " of " << steps << " steps");
  CHECK(killed >= 5);
}

TEST_CASE("sweep-variant: killed at every step of its commit, the variant is whole or absent") {
  const fs::path files = fresh_dir("variant-files");
  write_file(files / "s.json", grid("[1.5, 2.0, 2.5]", kMetrics2));
  const SweepRef ref = sweep_ref(files / "s.json", "variant", 3);
  const fs::path d = fresh_dir("variant-steps") / "s";
  REQUIRE(run({"sweep", (files / "s.json").string(), "--out", d.string(), "--slurm-script-only"}).status.exited(0));
  const Tree planned = tree_of(d);
  // The first line of plan-variants.jsonl: {"id":"v…","values":[…]}
  const std::string lines = slurp(d / "plan-variants.jsonl");
  const std::string id = nlohmann::json::parse(lines.substr(0, lines.find('\n'))).at("id").get<std::string>();
  Launch l;
  l.args = {"sweep-variant", d.string(), id};
  const int steps = count_steps(l);
  REQUIRE(steps > 5);
  for (int k = 1; k <= steps; ++k) {
    CAPTURE(k);
    make_tree(d, planned);
    Launch stop = l;
    stop.env = {"CLOUDPACT_TEST_STOP_AT=" + std::to_string(k)};
    const pid_t pid = start(stop, d.parent_path() / "out", d.parent_path() / "err");
    REQUIRE(wait_for(pid, true).stopped);
    kill_group(pid);
    Tree got;
    for (const auto& [rel, what] : tree_of(d / "variants"))
      if (rel[0] != '.') got[rel] = what;
    if (!got.empty()) CHECK(got == only(ref.variants, {id}));
    const Result r = run({"sweep", (files / "s.json").string(), "--out", d.string(), "--resume", "-j", "2"});
    CHECK(r.status.exited(3));
    CHECK(slurp(d / "sweep.csv") == ref.csv);
    CHECK(leftovers(d.parent_path()).empty());
  }
  MESSAGE("sweep-variant: SIGKILL at each of " << steps << " steps of one variant's commit");
}
