// `cloudpact sweep` (docs/reference.md §7) and the two unlisted commands its processes
// run: `sweep-variant DIR ID` (one variant) and `sweep-worker DIR --shard K
// --shards N` (one Slurm array task).
#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <thread>

#include <sched.h>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/progress.hpp"
#include "proc/child_process.hpp"
#include "report/atomic_file.hpp"
#include "report/fs_ops.hpp"
#include "scenario/input_error.hpp"
#include "scenario/message_text.hpp"
#include "scenario/sweep_spec.hpp"
#include "sweep/plan.hpp"
#include "sweep/slurm.hpp"
#include "sweep/sweep_check.hpp"
#include "sweep/sweep_folder.hpp"
#include "sweep/sweep_table.hpp"
#include "sweep/variant_pool.hpp"
#include "sweep/variant_run.hpp"

namespace cloudpact {

namespace {

namespace fs = std::filesystem;

const char* kSweepDetails =
    "Runs every variant of a sweep file (docs/reference.md §7: a base scenario and `grid`, `lhs` or `random`\n"
    "parameters over JSON pointers), one process per variant, and writes DIR/sweep.csv (one row\n"
    "per variant: id, parameter values, headline numbers, status, error) and DIR/variants/<id>/\n"
    "(that variant's outputs).\n"
    "\n"
    "Each variant is committed whole (one folder rename), so killing the sweep by any means\n"
    "loses nothing finished; sweep.csv is rebuilt from the committed folders (every few\n"
    "seconds and at the end), so --resume never duplicates a row. A failing variant is\n"
    "recorded with its error and the others go on. Exit 0 when every variant ran and\n"
    "succeeded, 3 when some failed or are missing, 2 on invalid input.";

struct SweepOptions {
  std::vector<std::string> files;
  std::optional<std::string> out, partition;
  std::optional<int> jobs, array_size;
  bool resume = false, retry_failed = false, collect = false, slurm = false, slurm_script_only = false;
};

struct SweepVariantOptions {
  std::string dir, id;
  std::optional<std::int64_t> at;  // byte offset of its line in plan-variants.jsonl
};

struct SweepWorkerOptions {
  std::vector<std::string> dirs;
  std::optional<int> shard, shards, jobs;
};

// The CPUs this process may run on: under an affinity mask (taskset, a
// Slurm or container allocation) that is fewer than the machine's, which
// hardware_concurrency counts, and a variant a core is the pool's intent.
int default_jobs() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

std::string absolute_dir(const std::string& dir) { return fs::absolute(dir).lexically_normal().string(); }

// A plan file as committed: its text, or "" when it is missing or not a
// regular file (a link planted there is replaced by a commit, not read).
std::string committed_text(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(path, ec))) return "";
  return read_text_file(path);
}

// The committed variants of the plan recorded as failed.
std::vector<std::string> failed_ids(const SweepPlan& plan, const SweepFolder& folder) {
  std::vector<std::string> ids;
  for (const std::string& id : folder.committed_ids()) {
    if (plan.find(id) && folder.read_result(id).find("\"status\": \"failed\"") != std::string::npos) ids.push_back(id);
  }
  return ids;
}

// Moves failed variants out of the way so they run again: one rename each
// (a variant is whole or absent), then the moved folder is removed.
void uncommit(const SweepFolder& folder, const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    const fs::path from = folder.variant_dir(id);
    const fs::path to = fs::path(folder.variants_dir()) / (".tmp-retry-" + id + "-" + fsx::random_name());
    std::error_code ec;
    fs::rename(from, to, ec);
    if (ec) throw std::runtime_error("cannot move " + from.string() + " away to retry it: " + ec.message());
    remove_path(to.string());
  }
}

void report(const SweepPlan& plan, const SweepTable& table, const std::string& dir) {
  const int total = static_cast<int>(plan.variants.size());
  const int missing = total - table.rows();
  std::cerr << "sweep: " << total << " variants: " << (table.rows() - table.failed()) << " ok, " << table.failed()
            << " failed" << (missing > 0 ? ", " + std::to_string(missing) + " not run (rerun with --resume)" : "")
            << "; table " << (fs::path(dir) / "sweep.csv").string() << "\n";
  const auto failures = table.failures();
  for (std::size_t i = 0; i < failures.size() && i < 5; ++i) std::cerr << "  failed " << failures[i] << "\n";
  if (failures.size() > 5) std::cerr << "  ... and " << failures.size() - 5 << " more (column `error` of sweep.csv)\n";
}

// 0 when every planned variant is committed and none failed, else 3.
int exit_code_of(const SweepPlan& plan, const SweepTable& table) {
  const bool all_ok = table.rows() == static_cast<int>(plan.variants.size()) && table.failed() == 0;
  return all_ok ? kExitOk : kExitRuntime;
}

int sweep_command(const SweepOptions& o) {
  if (o.files.size() != 1) throw UsageError("sweep needs exactly one sweep FILE");
  const int jobs = o.jobs.value_or(default_jobs());
  const bool slurm = o.slurm || o.slurm_script_only;
  if (!slurm && (o.partition || o.array_size)) throw UsageError("--partition and --array-size go with --slurm or --slurm-script-only");
  if (o.retry_failed && !o.resume) throw UsageError("--retry-failed goes with --resume");
  // A malformed value of an option, said as the command line's others are
  // (§1.1); check_slurm_names stays the script's own guard.
  if (o.partition && !is_slurm_name(*o.partition))
    throw UsageError("--partition needs a Slurm partition name of [A-Za-z0-9._-], got '" + escape_text(*o.partition) +
                     "'");
  const int array_size_opt = o.array_size.value_or(0);
  if (o.out) (void)output_folder(o.out, "", false);  // a bad --out before the sweep file is read

  const SweepSpec spec = load_sweep_spec(o.files[0]);
  // Metrics against the outputs' structure, risk's bounds and memory: all
  // before anything is written. On Slurm each task runs one variant at a time.
  check_sweep_outputs(spec, slurm ? 1 : static_cast<int>(std::min<std::int64_t>(jobs, spec.variant_count)));
  const std::string dir = absolute_dir(output_folder(o.out, "out/" + spec.name, false));
  SweepPlan plan = make_plan(spec, 1);
  const std::string variants_text = plan_variants_jsonl(plan);
  SweepFolder folder(dir);
  const std::string exe = self_exe_path();
  SlurmJobSpec job{spec.name, o.partition.value_or(""), exe, dir,
                   array_size_opt > 0 ? array_size_opt
                                      : static_cast<int>(std::min<std::size_t>(plan.variants.size(), 100)),
                   static_cast<int>(plan.variants.size())};
  if (slurm) check_slurm_names(job);  // before anything is written

  // An existing sweep in DIR is continued only when asked, and only if it is
  // the same sweep (same base bytes, steps and parameters).
  const bool resume = o.resume || o.collect;
  const bool started = fs::exists(folder.plan_path());
  if (o.collect && !started) {
    throw InputError({o.files[0] + ": " + dir +
                      " holds no sweep to collect (expected the folder a sweep was started in, or no --collect to "
                      "start one)"});
  }
  if (started) {
    if (!resume) {
      throw InputError({o.files[0] + ": " + dir +
                        " already holds a sweep (expected --resume to finish it, --collect to rebuild its table, "
                        "or another --out)"});
    }
    const SweepPlan before = parse_plan(read_text_file(folder.plan_path()), folder.plan_path());
    const std::string why = resume_mismatch(before, plan);
    if (!why.empty()) {
      throw InputError({o.files[0] + ": cannot resume " + dir + ": " + why +
                        " (expected the sweep this folder was started with, or another --out)"});
    }
    // --collect reads the folder and writes its table, nothing else: a
    // file that now plans other variants or metrics would rewrite the plan
    // under a Slurm job still running it (its tasks look their variants up
    // there), so it is refused; --resume is what runs a changed plan.
    const auto same_variants = [&] {
      // A plan of an earlier version holds its variants inline (parse_plan).
      if (before.variants.empty()) return committed_text(folder.plan_variants_path()) == variants_text;
      return std::equal(before.variants.begin(), before.variants.end(), plan.variants.begin(), plan.variants.end(),
                        [](const Variant& a, const Variant& b) { return a.id == b.id; });
    };
    if (o.collect && (before.metrics != plan.metrics || !same_variants())) {
      throw InputError({o.files[0] + ": cannot collect " + dir +
                        ": the file now plans other variants or metrics than the folder's plan.json (expected the "
                        "sweep file as the sweep was started, or --resume to run the changed plan)"});
    }
  }
  // What lock() makes in a folder no sweep has started in is taken back if
  // the plan cannot be committed there (nothing left behind, §1.2): DIR and
  // the folders above it that did not exist, from the highest.
  std::string first_made;
  for (fs::path p = dir; !p.empty() && !fs::exists(p); p = p.parent_path()) {
    first_made = p.string();
    if (p.parent_path() == p) break;
  }
  // From the first write on, SIGINT, SIGTERM and SIGHUP only ask to stop: a
  // signal while the plan is committed lets the commit finish, and the sweep
  // then stops before its first variant as it would between two, with the
  // table written and the resume named (before this point a signal ends the
  // command the default way, with nothing written).
  const StopSignals stop_signals;
  folder.lock();
  folder.remove_temporaries();
  // sweep.csv agrees with the plan (plan.json and plan-variants.jsonl) and
  // the committed variants at every instant: it is removed before any of
  // them changes, and written again from them. The plan's two files are one
  // set (docs/reference.md §1.2): committed together, so that whatever stops
  // the command the folder holds the old pair or the new one, never new
  // variants under an old header; a file whose text is unchanged is not
  // rewritten (plan-variants.jsonl may be tens of megabytes).
  const std::string plan_text = plan_json(plan);
  const bool new_variants = committed_text(folder.plan_variants_path()) != variants_text;
  const bool new_plan = committed_text(folder.plan_path()) != plan_text;
  const std::vector<std::string> retry = o.retry_failed ? failed_ids(plan, folder) : std::vector<std::string>{};
  std::vector<OutputFile> plan_files;
  if (new_variants) plan_files.push_back({kPlanVariantsFile, variants_text});
  if (new_plan) plan_files.push_back({"plan.json", plan_text});
  if (!plan_files.empty() && !o.collect) {
    try {
      commit_outputs(dir, plan_files, {.create = false, .remove = {"sweep.csv"}});
    } catch (const std::runtime_error&) {
      if (!started) folder.unmake(first_made);
      throw;
    }
  }
  if (!retry.empty()) remove_output(dir, "sweep.csv");
  uncommit(folder, retry);

  SweepTable table(plan, folder);
  table.refresh();
  std::vector<std::string> pending;
  for (const Variant& v : plan.variants)
    if (!folder.committed(v.id)) pending.push_back(v.id);

  if (o.collect || pending.empty()) {
    table.write();
    report(plan, table, dir);
    std::cout << dir << "\n";
    // A signal that came while the table was written still ends the
    // command by that signal, as documented (§7.4): a wrapper sees it.
    if (const int sig = StopSignals::received(); sig != 0) die_by(sig);
    return exit_code_of(plan, table);
  }

  if (slurm) {
    const std::string slurm_dir = (fs::path(dir) / "slurm").string();
    commit_outputs(slurm_dir, {{"sweep.sbatch", slurm_script(job)}});
    const std::string script = (fs::path(slurm_dir) / "sweep.sbatch").string();
    if (o.slurm_script_only) {
      // The folder and the script went through check_slurm_names (slurm_script):
      // shell words already. The file name did not.
      std::cerr << "sweep: wrote " << script << " (" << pending.size() << " variants to run in " << job.array_size
                << " array tasks)\n  submit: sbatch " << script << "\n  then:   cloudpact sweep "
                << shell_word(o.files[0]) << " --out " << dir << " --collect\n";
      std::cout << script << "\n";
      if (const int sig = StopSignals::received(); sig != 0) die_by(sig);
      return kExitOk;
    }
    if (const int sig = StopSignals::received(); sig != 0) {
      table.write();
      report(plan, table, dir);
      std::cerr << "sweep: interrupted by signal " << sig << " before the Slurm job was submitted; the plan is kept\n";
      die_by(sig);
    }
    const std::string job_id = slurm_submit(script, slurm_dir);
    std::cerr << "sweep: submitted Slurm job " << job_id << " (" << job.array_size << " array tasks, "
              << pending.size() << " variants)\n";
    {
      Progress progress("sweep", "variants", static_cast<std::int64_t>(pending.size()));
      const std::size_t before = folder.committed_ids().size();
      slurm_wait(
          job_id, slurm_dir,
          [&] { progress.update(static_cast<std::int64_t>(folder.committed_ids().size() - before)); },
          [&] { return StopSignals::received() != 0; });
      if (StopSignals::received() == 0) progress.finish();
    }
    table.refresh();
    table.write();
    report(plan, table, dir);
    if (const int sig = StopSignals::received(); sig != 0) {
      std::cerr << "sweep: interrupted; Slurm job " << job_id << " cancelled; what finished is kept\n";
      die_by(sig);
    }
    std::cout << dir << "\n";
    return exit_code_of(plan, table);
  }

  // Local: a pool of variant processes; sweep.csv is rebuilt every two
  // seconds so that even a SIGKILL leaves a nearly current table behind.
  PoolOutcome outcome;
  {
    Progress progress("sweep", "variants", static_cast<std::int64_t>(pending.size()));
    int done = 0;
    table.write();  // the rows a resume starts from, before any new work
    auto last_write = std::chrono::steady_clock::now();
    outcome = run_variant_pool(plan, folder, pending, jobs, exe, [&](const std::string&) {
      ++done;
      const auto now = std::chrono::steady_clock::now();
      if (now - last_write > std::chrono::seconds(2)) {
        table.refresh();
        table.write();
        last_write = now;
      }
      if (table.failed() > 0) progress.set_note(std::to_string(table.failed()) + " failed");
      progress.update(done);
    });
    if (outcome.stop_signal == 0) progress.finish();
  }
  table.refresh();
  table.write();
  report(plan, table, dir);
  // One that came after the last variant had started (the pool had nothing
  // left to stop) ends the command by it too.
  if (const int sig = outcome.stop_signal != 0 ? outcome.stop_signal : StopSignals::received(); sig != 0) {
    std::cerr << "sweep: interrupted by signal " << sig << "; what finished is kept\n";
    die_by(sig);
  }
  std::cout << dir << "\n";
  return exit_code_of(plan, table);
}

// The plan of the sweep in `folder`, for a process `cloudpact sweep` (or a
// Slurm task) started there: a folder without one is named as such, not as
// a plan of no text.
SweepPlan read_started_plan(const SweepFolder& folder) {
  std::error_code ec;
  if (!fs::exists(folder.plan_path(), ec)) {
    throw std::runtime_error(folder.plan_path() + ": cannot read: no such file (expected the folder of a sweep that "
                             "cloudpact sweep started)");
  }
  return parse_plan(read_text_file(folder.plan_path()), folder.plan_path());
}

int sweep_variant_command(const SweepVariantOptions& o) {
  if (o.dir.empty() || o.id.empty()) throw UsageError("sweep-variant needs DIR ID (it is run by cloudpact sweep)");
  const SweepFolder folder(o.dir);
  // The header and this variant's own line: a variant's cost does not grow
  // with the sweep.
  const SweepPlan plan = read_started_plan(folder);
  std::optional<Variant> v;
  if (const Variant* inline_variant = plan.find(o.id)) v = *inline_variant;  // an older plan.json
  if (!v) v = read_plan_variant(folder.plan_variants_path(), o.id, o.at.value_or(-1));
  if (!v) throw std::runtime_error("no variant " + o.id + " in " + folder.plan_variants_path());
  (void)run_variant(plan, folder, *v);
  return kExitOk;
}

int sweep_worker_command(const SweepWorkerOptions& o) {
  if (o.dirs.size() != 1) throw UsageError("sweep-worker needs DIR (it is run by a Slurm array task)");
  const int shards = o.shards.value_or(1);
  const int shard = o.shard.value_or(0);
  if (shard >= shards) {
    throw UsageError("--shard needs an integer in [0, " + std::to_string(shards - 1) + "], got '" +
                     std::to_string(shard) + "'");
  }
  const int jobs = o.jobs.value_or(1);
  const SweepFolder folder(absolute_dir(o.dirs[0]));
  SweepPlan plan = read_started_plan(folder);
  if (plan.variants.empty()) read_plan_variants(plan, folder.plan_variants_path());
  std::vector<std::string> ids;
  for (std::size_t i = static_cast<std::size_t>(shard); i < plan.variants.size(); i += static_cast<std::size_t>(shards)) {
    if (!folder.committed(plan.variants[i].id)) ids.push_back(plan.variants[i].id);
  }
  const StopSignals stop_signals;  // scancel sends SIGTERM: stop at a clean point
  const PoolOutcome out = run_variant_pool(plan, folder, ids, jobs, self_exe_path(), {});
  std::cout << "shard " << shard << "/" << shards << ": " << out.finished << " of " << ids.size()
            << " variants committed (" << out.crashed << " crashed)\n";
  if (out.stop_signal != 0) die_by(out.stop_signal);
  return kExitOk;
}

}  // namespace

Command add_sweep_command(CLI::App& root) {
  auto o = std::make_shared<SweepOptions>();
  CLI::App& cmd = add_command(root, "sweep", "run every variant of a sweep file; writes sweep.csv and variants/<id>/",
                              kSweepDetails);
  add_positionals(cmd, "FILE", "FILE", o->files, "the sweep file");
  add_path(cmd, "--out", o->out, "DIR", "a folder", "output folder (default out/<sweep name>/)");
  add_integer(cmd, "-j,--jobs", o->jobs, 1, 1024, "N", "variants at once (default: the number of cores)");
  add_flag(cmd, "--resume", o->resume, "continue the sweep in DIR: run only the variants not yet committed");
  add_flag(cmd, "--retry-failed", o->retry_failed, "with --resume: also rerun the variants recorded as failed");
  add_flag(cmd, "--collect", o->collect, "only rebuild DIR/sweep.csv from the committed variants");
  add_flag(cmd, "--slurm", o->slurm, "run the variants as a Slurm job array (sbatch), wait, collect");
  add_text(cmd, "--partition", o->partition, "P", "with --slurm or --slurm-script-only: the Slurm partition (default: the cluster's default)");
  add_integer(cmd, "--array-size", o->array_size, 1, 100000, "N",
              "with --slurm or --slurm-script-only: array tasks (default: min(variants, 100)); task K runs "
              "variants K, K+N, ... with this same binary");
  add_flag(cmd, "--slurm-script-only", o->slurm_script_only,
           "write DIR/slurm/sweep.sbatch and print how to submit it; submit nothing");
  return {&cmd, [o] { return sweep_command(*o); }};
}

Command add_sweep_variant_command(CLI::App& root) {
  auto o = std::make_shared<SweepVariantOptions>();
  CLI::App& cmd = add_command(root, "sweep-variant", "run one variant of a planned sweep (cloudpact sweep runs this)",
                              "Runs the variant ID of the plan in DIR/plan.json and commits DIR/variants/ID/.",
                              Listed::no);
  add_positional(cmd, "DIR", o->dir, "the sweep's output folder");
  add_positional(cmd, "ID", o->id, "the variant's id in DIR/plan-variants.jsonl");
  add_integer<std::int64_t>(cmd, "--at", o->at, 0, std::numeric_limits<std::int64_t>::max(), "OFFSET",
                            "byte offset of its line in DIR/plan-variants.jsonl (else the file is searched)");
  return {&cmd, [o] { return sweep_variant_command(*o); }};
}

Command add_sweep_worker_command(CLI::App& root) {
  auto o = std::make_shared<SweepWorkerOptions>();
  CLI::App& cmd = add_command(root, "sweep-worker", "run one Slurm array task's share of a sweep",
                              "Runs the variants K, K+N, K+2N, ... of DIR/plan.json that are not committed yet\n"
                              "(K = --shard, N = --shards); the script of `cloudpact sweep --slurm` runs this.",
                              Listed::no);
  add_positionals(cmd, "DIR", "DIR", o->dirs, "the sweep's output folder (on a file system the nodes share)");
  add_integer(cmd, "--shard", o->shard, 0, 99999, "K", "this task's index, 0 to N - 1 (default 0)");
  add_integer(cmd, "--shards", o->shards, 1, 100000, "N", "array tasks in all (default 1)");
  add_integer(cmd, "-j", o->jobs, 1, 1024, "N", "variants at once in this task (default 1)");
  return {&cmd, [o] { return sweep_worker_command(*o); }};
}

}  // namespace cloudpact
