// What the fault-injection suites share (docs/reference.md §7.4): running the
// real cloudpact (CLOUDPACT_BIN) with test hooks (src/report/fault_points.hpp),
// stopping it at a step or killing it at an instant, and judging an output
// folder: it must hold a command's previous complete set of files or its new
// one (byte for byte), never a mix, keep every file that is not the
// command's, and show no leftovers after the next successful run.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace cloudpact::faults {

namespace fs = std::filesystem;

extern const std::string kSource;      // the source tree
extern const std::string kScenario01;  // scenarios/01-one-vendor-vs-two.json

std::string bin();

// A folder of its own under one temporary root, removed at exit.
fs::path fresh_dir(const std::string& name);

std::string slurp(const fs::path& p);
void write_file(const fs::path& p, const std::string& text);

// How a child ended or stopped.
struct Status {
  bool stopped = false;  // stopped by SIGSTOP (a fault point)
  int exit_code = -1;    // when it exited
  int signal = 0;        // when a signal ended it
  bool exited(int code) const { return !stopped && signal == 0 && exit_code == code; }
};

struct Launch {
  std::vector<std::string> args;            // after the binary
  std::vector<std::string> env;             // "NAME=VALUE", added to ours
  std::function<void()> in_child;           // after fork, before exec (rlimits, setuid)
  fs::path cwd;                             // "" keeps ours
};

// Starts `cloudpact ARGS`, in a process group of its own, stdout and stderr
// in files; returns its pid.
pid_t start(const Launch& l, const fs::path& out_file, const fs::path& err_file);
// Waits for the child to end, or (with `until_stopped`) to stop.
Status wait_for(pid_t pid, bool until_stopped);
// Kills the whole group with SIGKILL (or `sig`) and waits until every process
// of it is gone (orphans are reaped: this process is a child subreaper).
void kill_group(pid_t pgid, int sig = 9);
void wait_group_gone(pid_t pgid);

struct Result {
  Status status;
  std::string out, err;
};
Result run(const Launch& l);
Result run(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

// The lines of stderr that are not warnings nor "waiting for" notes (nor
// AddressSanitizer's note on exceptions after SimGrid's stacks).
std::vector<std::string> error_lines(const std::string& err);
// One line "cloudpact: ..." that names `path` (or a path below it).
bool one_line_naming(const std::string& err, const std::string& path);

// The number of fault points a command passes (CLOUDPACT_TEST_TRACE).
int count_steps(const Launch& l, int exit_code = 0);

// A folder's content: relative path -> "file:BYTES", "link:TARGET" or "folder".
using Tree = std::map<std::string, std::string>;
Tree tree_of(const fs::path& dir);
// `dir` made to hold exactly `t` (removed first).
void make_tree(const fs::path& dir, const Tree& t);
// Entries of `t` (not) under one of `names` at the top.
Tree only(const Tree& t, const std::vector<std::string>& names);
Tree except(const Tree& t, const std::vector<std::string>& names);
std::string describe_difference(const Tree& want, const Tree& got);

// Names under `dir` (recursively) that an interrupted commit leaves:
// ".NAME.cloudpact-*", ".tmp-*", ".stderr-*", "*.tmp.*".
std::vector<std::string> leftovers(const fs::path& dir);

extern const std::vector<std::string> kRunFiles;  // summary.json, timeseries.csv, ledger.csv, events.jsonl

// Files that are not cloudpact's, which every commit must keep: a plot, a
// report folder with a sub-folder, a hidden file, a link.
Tree user_files();

// Reference outputs, made once per process by clean runs.
struct References {
  Tree run_a, run_b;    // scenario 01, and with demand 9000
  Tree risk_a, risk_b;  // scenario 01, 200 paths, seeds 1 and 2
};
const References& refs();
extern const std::vector<std::string> kRunA, kRunB;    // the arguments after "run FILE"
extern const std::vector<std::string> kRiskA, kRiskB;  // after "risk FILE"

// "A", "B" or "none" when `dir` holds exactly set A, set B or none of the
// named files; otherwise a description of the mix.
std::string which_set(const fs::path& dir, const std::vector<std::string>& names, const Tree& a, const Tree& b);

// A sweep's reference: plan.json, sweep.csv and variants/ of a clean run,
// and its plan-variants.jsonl.
struct SweepRef {
  std::string plan, csv;
  Tree variants;
  std::string plan_variants;
};
// A clean `sweep FILE` (expected exit code `code`) in a folder of its own.
SweepRef sweep_ref(const fs::path& file, const std::string& label, int code);
// A sweep folder is consistent: plan.json is one of the references' plans,
// plan-variants.jsonl is its variants (the two are one set), sweep.csv (when
// present) agrees with the plan (its header, and rows of committed variants
// in plan order, each as in the reference), each committed variant is
// whole. Returns "no plan", "no table" or "table of N rows".
std::string judge_sweep(const fs::path& d, const std::vector<const SweepRef*>& refs);

// The iterations of a soak: `n` times CLOUDPACT_FAULT_SOAK (default 1).
int soak(int n);

// Sleeps for `us` microseconds.
void sleep_us(long us);

}  // namespace cloudpact::faults
