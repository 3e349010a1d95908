// SIGKILL at random instants (a fixed seed): `run` and `risk` 50 times each,
// each kill taking the folder from one set towards the other, and `sweep`
// 50 times (the whole process group, or the coordinator alone, whose variant
// processes then get SIGTERM), resumed until done. Set CLOUDPACT_FAULT_SOAK=K
// to kill K times as often.
#include <doctest/doctest.h>

#include <chrono>
#include <algorithm>
#include <csignal>
#include <random>

#include "fault_support.hpp"

using namespace cloudpact::faults;

namespace {

using Clock = std::chrono::steady_clock;

long micros_since(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
}

struct Command {
  std::string name;                        // run, risk
  std::vector<std::string> files;          // its set
  std::vector<std::string> args_a, args_b;
  Tree a, b, others;
};

std::vector<std::string> args_of(const Command& c, bool to_b, const fs::path& out) {
  std::vector<std::string> args = {c.name, kScenario01};
  const auto& extra = to_b ? c.args_b : c.args_a;
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"--out", out.string()});
  return args;
}

void kill_at_random(const Command& c, std::uint64_t seed) {
  const fs::path p = fresh_dir("random-" + c.name);
  const fs::path o = p / "o";
  Tree initial = c.a;
  initial.insert(c.others.begin(), c.others.end());
  make_tree(o, initial);
  // The time a run takes here: the kills fall in [0, 1.2 of it].
  long total = 0;
  for (int i = 0; i < 4; ++i) {
    const auto t0 = Clock::now();
    REQUIRE(run(args_of(c, i % 2 == 0, o)).status.exited(0));
    total += micros_since(t0);
  }
  const long span = total / 4 * 6 / 5;
  std::mt19937_64 rng(seed);
  std::string state = "A";
  const int n = soak(50);
  int unchanged = 0, changed = 0, finished = 0;
  for (int i = 0; i < n; ++i) {
    CAPTURE(i);
    const bool to_b = state == "A";
    const pid_t pid = start(Launch{args_of(c, to_b, o), {}, {}, {}}, p.parent_path() / (c.name + ".out"),
                            p.parent_path() / (c.name + ".err"));
    sleep_us(std::uniform_int_distribution<long>(0, span)(rng));
    ::kill(pid, SIGKILL);
    const Status s = wait_for(pid, false);
    const std::string now = which_set(o, c.files, c.a, c.b);
    const std::string target = to_b ? "B" : "A";
    CHECK_MESSAGE((now == state || now == target), "after the kill the folder holds " << now);
    CHECK_MESSAGE(except(tree_of(o), c.files) == c.others,
                  "other files:" << describe_difference(c.others, except(tree_of(o), c.files)));
    if (s.exited(0)) {
      ++finished;
      CHECK(now == target);
    } else {
      CHECK(s.signal == SIGKILL);
      ++(now == state ? unchanged : changed);
    }
    state = now;
    if (i % 10 == 9) {  // a clean run removes whatever the kills left
      REQUIRE(run(args_of(c, false, o)).status.exited(0));
      state = "A";
      CHECK(leftovers(p).empty());
    }
  }
  REQUIRE(run(args_of(c, false, o)).status.exited(0));
  CHECK(which_set(o, c.files, c.a, c.b) == "A");
  CHECK(except(tree_of(o), c.files) == c.others);
  CHECK(leftovers(p).empty());
  MESSAGE(c.name << ": SIGKILL at " << n << " random instants in [0, " << span / 1000 << " ms]: " << unchanged
                 << " left the previous set, " << changed << " the new one (killed after the commit point), "
                 << finished << " had finished");
}

}  // namespace

TEST_CASE("run: SIGKILL at random instants leaves the previous four files or the new four, and the user's files") {
  Command c{"run", kRunFiles, kRunA, kRunB, refs().run_a, refs().run_b, user_files()};
  const Tree r = refs().risk_a;
  c.others.insert(r.begin(), r.end());
  kill_at_random(c, 11);
}

TEST_CASE("risk: SIGKILL at random instants leaves the previous risk.json or the new one") {
  Command c{"risk", {"risk.json"}, kRiskA, kRiskB, refs().risk_a, refs().risk_b, user_files()};
  const Tree r = refs().run_a;
  c.others.insert(r.begin(), r.end());
  kill_at_random(c, 12);
}

TEST_CASE("sweep: SIGKILL at random instants, resumed: consistent folders, and the same sweep.csv as a clean run") {
  const fs::path p = fresh_dir("random-sweep");
  write_file(p / "s.json", R"({"base": ")" + kScenario01 + R"(", "mode": "lhs", "samples": 8, "seed": 3,
    "parameters": [{"pointer": "/contracts/0/price_usd_per_gpu_hour", "min": 1, "max": 3},
                   {"pointer": "/workloads/0/demand_gpus", "min": 5000, "max": 14000}],
    "run": ["run", "risk"], "risk_paths": 100})");
  const auto t0 = Clock::now();
  const SweepRef ref = sweep_ref(p / "s.json", "random", 0);
  const long span = micros_since(t0) * 6 / 5;
  const fs::path d = p / "o";
  std::mt19937_64 rng(13);
  const int n = soak(50);
  std::map<std::string, int> states;
  int resumes = 0;
  for (int i = 0; i < n; ++i) {
    CAPTURE(i);
    std::vector<std::string> args = {"sweep", (p / "s.json").string(), "--out", d.string(), "-j", "2"};
    if (fs::exists(d / "plan.json")) args.push_back("--resume");
    // A resume has only the variants not yet committed to run.
    long committed = 0;
    std::error_code ec;
    for (fs::directory_iterator it(d / "variants", ec), end; !ec && it != end; it.increment(ec)) {
      committed += it->path().filename().string()[0] == 'v';
    }
    const long remaining = std::max(8 - committed, 1L);
    const pid_t pid = start(Launch{args, {}, {}, {}}, p / "out", p / "err");
    sleep_us(std::uniform_int_distribution<long>(0, span * remaining / 8)(rng));
    const bool whole_group = i % 2 == 0;
    if (whole_group) {
      ::kill(-pid, SIGKILL);
    } else {
      ::kill(pid, SIGKILL);  // its variant processes get SIGTERM (PR_SET_PDEATHSIG)
    }
    wait_group_gone(pid);
    ++states[judge_sweep(d, {&ref})];
    committed = 0;
    for (fs::directory_iterator it(d / "variants", ec), end; !ec && it != end; it.increment(ec)) {
      committed += it->path().filename().string()[0] == 'v';
    }
    // Resumed to the end every fifth kill, and as soon as nothing is left to run.
    if (i % 5 == 4 || i + 1 == n || committed == 8) {
      const Result r = run({"sweep", (p / "s.json").string(), "--out", d.string(), "--resume", "-j", "2"});
      CHECK_MESSAGE(r.status.exited(0), r.err);
      CHECK(slurp(d / "sweep.csv") == ref.csv);
      CHECK(tree_of(d / "variants") == ref.variants);
      const auto left = leftovers(p);
      CHECK_MESSAGE(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
      ++resumes;
      fs::remove_all(d);
    }
  }
  std::string text;
  for (const auto& [k, v] : states) text += "; " + k + ": " + std::to_string(v);
  MESSAGE("sweep: SIGKILL at " << n << " random instants in [0, " << span / 1000 << " ms] (half the whole group, half "
                               << "the coordinator), " << resumes << " resumes to the end, each byte-identical" << text);
}
