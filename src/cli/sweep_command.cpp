#include "cli/sweep_command.hpp"

#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/args.hpp"
#include "cli/cli.hpp"
#include "cli/progress.hpp"
#include "proc/child_process.hpp"
#include "scenario/input_error.hpp"
#include "scenario/sweep_spec.hpp"
#include "sweep/plan.hpp"
#include "sweep/slurm.hpp"
#include "sweep/sweep_folder.hpp"
#include "sweep/sweep_table.hpp"
#include "sweep/variant_pool.hpp"
#include "sweep/variant_run.hpp"

namespace cloudpact {

namespace {

namespace fs = std::filesystem;

const char* kSweepHelp =
    "usage: cloudpact sweep FILE [--out DIR] [-j N] [--resume] [--retry-failed] [--collect]\n"
    "                       [--slurm [--partition P] [--array-size N] [--slurm-script-only]]\n"
    "Runs every variant of a sweep file (SPEC §7: a base scenario and `grid`, `lhs` or `random`\n"
    "parameters over JSON pointers), one process per variant, and writes DIR/sweep.csv (one row\n"
    "per variant: id, parameter values, headline numbers, status, error) and DIR/variants/<id>/\n"
    "(that variant's outputs). Default DIR: out/<sweep name>/.\n"
    "\n"
    "  -j N, --jobs N       variants at once (default: the number of cores)\n"
    "  --resume            continue a sweep in DIR: run only the variants not yet committed\n"
    "  --retry-failed      with --resume: also rerun variants recorded as failed\n"
    "  --collect           only rebuild DIR/sweep.csv from the committed variants\n"
    "  --slurm             run the variants as a Slurm job array (sbatch), wait, collect\n"
    "  --partition P       Slurm partition (default: the cluster's default)\n"
    "  --array-size N      array tasks (default: min(variants, 100)); task K runs variants\n"
    "                      K, K+N, ... with this same binary\n"
    "  --slurm-script-only write DIR/slurm/sweep.sbatch and print how to submit it\n"
    "\n"
    "Each variant is committed whole (one folder rename), so killing the sweep by any means\n"
    "loses nothing finished; sweep.csv is rebuilt from the committed folders (every few\n"
    "seconds and at the end), so --resume never duplicates a row. A failing variant is\n"
    "recorded with its error and the others go on. Exit 0 when every variant ran and\n"
    "succeeded, 3 when some failed or are missing, 2 on invalid input.\n";

int default_jobs() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

std::string absolute_dir(const std::string& dir) { return fs::absolute(dir).lexically_normal().string(); }

// Moves failed variants out of the way so they run again.
int uncommit_failed(const SweepPlan& plan, const SweepFolder& folder) {
  int n = 0;
  for (const std::string& id : folder.committed_ids()) {
    if (!plan.find(id)) continue;
    if (folder.read_result(id).find("\"status\": \"failed\"") == std::string::npos) continue;
    const fs::path from = folder.variant_dir(id);
    const fs::path to = fs::path(folder.variants_dir()) / (".tmp-retry-" + id);
    std::error_code ec;
    fs::remove_all(to, ec);
    fs::rename(from, to, ec);
    if (ec) throw std::runtime_error("cannot move " + from.string() + " away to retry it: " + ec.message());
    fs::remove_all(to, ec);
    ++n;
  }
  return n;
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

[[noreturn]] void die_by(int sig) {
  std::fflush(nullptr);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
  std::_Exit(128 + sig);
}

}  // namespace

int cmd_sweep(const std::vector<std::string>& argv) {
  const Args a = parse_args(argv, {"--out", "-j", "--jobs", "--partition", "--array-size"},
                            {"--resume", "--retry-failed", "--collect", "--slurm", "--slurm-script-only"});
  if (a.help) {
    std::cout << kSweepHelp;
    return kExitOk;
  }
  if (a.files.size() != 1) throw UsageError("sweep needs exactly one sweep FILE");
  if (!a.overrides.empty()) throw UsageError("sweep takes no --set: sweep the value, or edit the base scenario");
  const int jobs = a.named.count("-j") ? integer_option<int>(a, "-j", 1, 1, 1024)
                                       : integer_option<int>(a, "--jobs", default_jobs(), 1, 1024);
  const bool slurm = a.has("--slurm") || a.has("--slurm-script-only");
  if (!slurm && (a.named.count("--partition") || a.named.count("--array-size"))) {
    throw UsageError("--partition and --array-size go with --slurm");
  }
  if (a.has("--retry-failed") && !a.has("--resume")) throw UsageError("--retry-failed goes with --resume");
  const int array_size_opt = integer_option<int>(a, "--array-size", 0, 1, 100000);

  const SweepSpec spec = load_sweep_spec(a.files[0]);
  const std::string dir = absolute_dir(a.get("--out", "out/" + spec.name));
  const SweepPlan plan = make_plan(spec, 1);
  SweepFolder folder(dir);
  const std::string exe = self_exe_path();
  SlurmJobSpec job{spec.name, a.get("--partition"), exe, dir,
                   array_size_opt > 0 ? array_size_opt
                                      : static_cast<int>(std::min<std::size_t>(plan.variants.size(), 100)),
                   static_cast<int>(plan.variants.size())};
  if (slurm) check_slurm_names(job);  // before anything is written

  // An existing sweep in DIR is continued only when asked, and only if it is
  // the same sweep (same base bytes, steps and parameters).
  const bool resume = a.has("--resume") || a.has("--collect");
  if (fs::exists(folder.plan_path())) {
    if (!resume) {
      throw InputError({a.files[0] + ": " + dir +
                        " already holds a sweep (expected --resume to finish it, --collect to rebuild its table, "
                        "or another --out)"});
    }
    const SweepPlan before = parse_plan(read_text_file(folder.plan_path()), folder.plan_path());
    const std::string why = resume_mismatch(before, plan);
    if (!why.empty()) {
      throw InputError({a.files[0] + ": cannot resume " + dir + ": " + why +
                        " (expected the sweep this folder was started with, or another --out)"});
    }
  }
  folder.lock();
  folder.remove_temporaries();
  write_outputs(dir, {{"plan.json", plan_json(plan)}});
  if (a.has("--retry-failed")) uncommit_failed(plan, folder);

  SweepTable table(plan, folder);
  table.refresh();
  std::vector<std::string> pending;
  for (const Variant& v : plan.variants)
    if (!folder.committed(v.id)) pending.push_back(v.id);

  if (a.has("--collect") || pending.empty()) {
    table.write();
    report(plan, table, dir);
    std::cout << dir << "\n";
    return exit_code_of(plan, table);
  }

  if (slurm) {
    const std::string slurm_dir = (fs::path(dir) / "slurm").string();
    write_outputs(slurm_dir, {{"sweep.sbatch", slurm_script(job)}});
    const std::string script = (fs::path(slurm_dir) / "sweep.sbatch").string();
    if (a.has("--slurm-script-only")) {
      std::cerr << "sweep: wrote " << script << " (" << pending.size() << " variants to run in " << job.array_size
                << " array tasks)\n  submit: sbatch " << script << "\n  then:   cloudpact sweep " << a.files[0]
                << " --out " << dir << " --collect\n";
      std::cout << script << "\n";
      return kExitOk;
    }
    const std::string job_id = slurm_submit(script, slurm_dir);
    std::cerr << "sweep: submitted Slurm job " << job_id << " (" << job.array_size << " array tasks, "
              << pending.size() << " variants)\n";
    const StopSignals stop_signals;
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
  const StopSignals stop_signals;
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
  if (outcome.stop_signal != 0) {
    std::cerr << "sweep: interrupted by signal " << outcome.stop_signal << "; what finished is kept\n";
    die_by(outcome.stop_signal);
  }
  std::cout << dir << "\n";
  return exit_code_of(plan, table);
}

int cmd_sweep_variant(const std::vector<std::string>& argv) {
  const Args a = parse_args(argv, {});
  if (a.files.size() != 2) throw UsageError("sweep-variant needs DIR ID (it is run by cloudpact sweep)");
  const SweepFolder folder(a.files[0]);
  const SweepPlan plan = parse_plan(read_text_file(folder.plan_path()), folder.plan_path());
  const Variant* v = plan.find(a.files[1]);
  if (!v) throw std::runtime_error("no variant " + a.files[1] + " in " + folder.plan_path());
  (void)run_variant(plan, folder, *v);
  return kExitOk;
}

int cmd_sweep_worker(const std::vector<std::string>& argv) {
  const Args a = parse_args(argv, {"--shard", "--shards", "-j"});
  if (a.files.size() != 1) throw UsageError("sweep-worker needs DIR (it is run by a Slurm array task)");
  const int shards = integer_option<int>(a, "--shards", 1, 1, 100000);
  const int shard = integer_option<int>(a, "--shard", 0, 0, shards - 1);
  const int jobs = integer_option<int>(a, "-j", 1, 1, 1024);
  const SweepFolder folder(absolute_dir(a.files[0]));
  const SweepPlan plan = parse_plan(read_text_file(folder.plan_path()), folder.plan_path());
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

}  // namespace cloudpact
