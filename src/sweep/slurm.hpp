// Sweeps on a Slurm cluster (docs/reference.md §7): one `sbatch --array` job whose task K
// runs the variants K, K+N, K+2N, ... of the plan with this same binary
// (`cloudpact sweep-worker DIR --shard K --shards N`). Tasks commit into the
// same DIR/variants/ (a shared file system), so collecting is the same
// rebuild of sweep.csv as for a local sweep.
#pragma once

#include <functional>
#include <string>

namespace cloudpact {

struct SlurmJobSpec {
  std::string job_name;    // an id
  std::string partition;   // "" for the cluster's default
  std::string exe;         // absolute path of cloudpact
  std::string sweep_dir;   // absolute
  int array_size = 1;      // tasks
  int variants = 0;        // for the comment line
};

// Throws InputError for a name or path that cannot go into the script
// verbatim: Slurm parses #SBATCH lines itself, so quoting cannot protect
// them; only [A-Za-z0-9._/+@%=:,-] is accepted in paths and
// [A-Za-z0-9._-] in names. Nothing from a scenario reaches a shell unchecked.
void check_slurm_names(const SlurmJobSpec& spec);

// Whether `name` is a job or partition name check_slurm_names accepts
// ([A-Za-z0-9._-], not empty): for a usage error before anything is read.
bool is_slurm_name(const std::string& name);

// `s` as one word a shell reads back as it is, for the commands the sweep
// prints to be pasted: unchanged when it holds only the characters
// check_slurm_names accepts in paths, else single-quoted (a quote inside
// closes, escapes and reopens them).
std::string shell_word(const std::string& s);

// The text of the sbatch script (checks names first).
std::string slurm_script(const SlurmJobSpec& spec);

// `sbatch --parsable SCRIPT`; returns the job id. Throws std::runtime_error
// with sbatch's own message when it fails.
std::string slurm_submit(const std::string& script_path, const std::string& scratch_dir);

// Polls `squeue` until the job has left the queue, calling `tick()` about
// every second. `stop()` returning true cancels the job (scancel) and returns.
void slurm_wait(const std::string& job_id, const std::string& scratch_dir, const std::function<void()>& tick,
                const std::function<bool()>& stop);

// A program on $PATH, as an absolute path; "" when absent.
std::string find_program(const std::string& name);

}  // namespace cloudpact
