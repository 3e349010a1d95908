#include "sweep/slurm.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <unistd.h>

#include "proc/child_process.hpp"
#include "report/fs_ops.hpp"
#include "scenario/input_error.hpp"
#include "sweep/sweep_folder.hpp"

namespace cloudpact {

namespace {

// What a path may hold besides letters and digits to go into a script, or
// a shell, verbatim.
const std::string kPathChars = "._/+@%=:,-";

bool all_of_chars(const std::string& s, const std::string& extra) {
  for (const char c : s) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && extra.find(c) == std::string::npos) return false;
  }
  return !s.empty();
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Runs a Slurm client with its stdout and stderr in scratch files.
struct ClientResult {
  ChildExit exit;
  std::string out, err;
};
ClientResult run_client(const std::string& program, const std::vector<std::string>& args,
                        const std::string& scratch_dir) {
  const std::string path = find_program(program);
  if (path.empty()) throw std::runtime_error(program + " not found on PATH (is this a Slurm submit host?)");
  // A name nobody can guess, as every file cloudpact writes has (the child
  // opens them without following a link; nothing can be planted there).
  const std::string base = (std::filesystem::path(scratch_dir) / ("." + program + "-" + fsx::random_name())).string();
  std::vector<std::string> argv{path};
  argv.insert(argv.end(), args.begin(), args.end());
  ClientResult r;
  r.exit = run_child({argv, base + ".out", base + ".err"});
  r.out = read_text_file(base + ".out");
  r.err = trim(read_text_file(base + ".err"));
  std::error_code ec;
  std::filesystem::remove(base + ".out", ec);
  std::filesystem::remove(base + ".err", ec);
  return r;
}

}  // namespace

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string shell_word(const std::string& s) {
  if (all_of_chars(s, kPathChars)) return s;
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool is_slurm_name(const std::string& name) { return all_of_chars(name, "._-"); }

void check_slurm_names(const SlurmJobSpec& s) {
  std::vector<std::string> problems;
  if (!is_slurm_name(s.job_name)) {
    problems.push_back("--slurm: job name '" + s.job_name + "' has characters Slurm scripts cannot hold safely (expected [A-Za-z0-9._-])");
  }
  if (!s.partition.empty() && !is_slurm_name(s.partition)) {
    problems.push_back("--partition: '" + s.partition + "' is not a partition name (expected [A-Za-z0-9._-])");
  }
  if (!all_of_chars(s.sweep_dir, kPathChars) || s.sweep_dir.front() != '/') {
    problems.push_back("--out: '" + s.sweep_dir +
                       "' cannot go into a Slurm script verbatim (expected an absolute path of [A-Za-z0-9._/+@%=:,-])");
  }
  if (!all_of_chars(s.exe, kPathChars) || s.exe.front() != '/') {
    problems.push_back("cloudpact's own path '" + s.exe +
                       "' cannot go into a Slurm script verbatim (expected an absolute path of [A-Za-z0-9._/+@%=:,-])");
  }
  if (s.array_size < 1) problems.push_back("--array-size: must be at least 1");
  if (!problems.empty()) throw InputError(problems);
}

namespace {
// A path in an #SBATCH filename pattern: sbatch reads %j, %A, %a, %x, ...
// there as the job's numbers and names, and %% as one %, so a folder
// named "run%j" would send the logs to a folder of the job id's name.
std::string slurm_filename_literal(const std::string& path) {
  std::string out;
  for (const char c : path) {
    out += c;
    if (c == '%') out += '%';
  }
  return out;
}
}  // namespace

std::string slurm_script(const SlurmJobSpec& s) {
  check_slurm_names(s);
  std::ostringstream o;
  o << "#!/bin/bash\n"
    << "# cloudpact sweep '" << s.job_name << "': " << s.variants << " variants in " << s.array_size
    << " array tasks; task K runs variants K, K+" << s.array_size << ", ... of " << s.sweep_dir << "/plan.json\n"
    << "# Written by `cloudpact sweep --slurm`. Submit with `sbatch " << s.sweep_dir
    << "/slurm/sweep.sbatch`; collect sweep.csv with `cloudpact sweep FILE --out " << s.sweep_dir << " --collect`.\n"
    << "#SBATCH --job-name=cloudpact-" << s.job_name << "\n"
    << "#SBATCH --array=0-" << (s.array_size - 1) << "\n"
    << "#SBATCH --ntasks=1\n"
    << "#SBATCH --cpus-per-task=1\n"
    << "#SBATCH --output=" << slurm_filename_literal(s.sweep_dir) << "/slurm/task-%a.log\n";
  if (!s.partition.empty()) o << "#SBATCH --partition=" << s.partition << "\n";
  o << "set -euo pipefail\n"
    << "exec '" << s.exe << "' sweep-worker '" << s.sweep_dir << "' --shard \"${SLURM_ARRAY_TASK_ID}\" --shards "
    << s.array_size << "\n";
  return o.str();
}

std::string slurm_submit(const std::string& script_path, const std::string& scratch_dir) {
  const ClientResult r = run_client("sbatch", {"--parsable", script_path}, scratch_dir);
  if (!r.exit.ok()) {
    throw std::runtime_error("sbatch failed (" + r.exit.describe() + ")" + (r.err.empty() ? "" : ": " + r.err));
  }
  // --parsable prints "JOBID" or "JOBID;CLUSTER".
  std::string id = trim(r.out);
  if (const auto semi = id.find(';'); semi != std::string::npos) id = id.substr(0, semi);
  if (!all_of_chars(id, "_")) throw std::runtime_error("sbatch printed no job id: '" + trim(r.out) + "'");
  return id;
}

void slurm_wait(const std::string& job_id, const std::string& scratch_dir, const std::function<void()>& tick,
                const std::function<bool()>& stop) {
  for (;;) {
    if (stop && stop()) {
      (void)run_client("scancel", {job_id}, scratch_dir);
      return;
    }
    const ClientResult r = run_client("squeue", {"-h", "-j", job_id, "-o", "%i"}, scratch_dir);
    // A finished job is either absent from the listing or unknown to squeue
    // (after MinJobAge): both mean nothing of it runs any more.
    if (!r.exit.ok()) {
      if (r.err.find("Invalid job id") != std::string::npos) return;
      throw std::runtime_error("squeue failed (" + r.exit.describe() + ")" + (r.err.empty() ? "" : ": " + r.err));
    }
    if (trim(r.out).empty()) return;
    if (tick) tick();
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

}  // namespace cloudpact
