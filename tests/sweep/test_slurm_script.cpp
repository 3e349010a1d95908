// The sbatch script of `sweep --slurm`: what it runs, and names that could
// inject shell or #SBATCH options are refused (docs/reference.md §9).
#include <doctest/doctest.h>

#include "scenario/input_error.hpp"
#include "sweep/slurm.hpp"

using namespace cloudpact;

namespace {
SlurmJobSpec good() { return {"tutorial-sweep", "debug", "/opt/cloudpact/bin/cloudpact", "/scratch/sw/out", 4, 10}; }

std::vector<std::string> problems(const SlurmJobSpec& s) {
  try {
    check_slurm_names(s);
  } catch (const InputError& e) {
    return e.lines();
  }
  return {};
}
}  // namespace

TEST_CASE("the script is a job array whose tasks run this binary on their shard") {
  const std::string s = slurm_script(good());
  CHECK(s.rfind("#!/bin/bash\n", 0) == 0);
  CHECK(s.find("#SBATCH --array=0-3\n") != std::string::npos);
  CHECK(s.find("#SBATCH --job-name=cloudpact-tutorial-sweep\n") != std::string::npos);
  CHECK(s.find("#SBATCH --partition=debug\n") != std::string::npos);
  CHECK(s.find("#SBATCH --output=/scratch/sw/out/slurm/task-%a.log\n") != std::string::npos);
  CHECK(s.find("exec '/opt/cloudpact/bin/cloudpact' sweep-worker '/scratch/sw/out' --shard \"${SLURM_ARRAY_TASK_ID}\" "
               "--shards 4\n") != std::string::npos);
  SlurmJobSpec no_partition = good();
  no_partition.partition = "";
  CHECK(slurm_script(no_partition).find("--partition") == std::string::npos);
}

TEST_CASE("a % in the sweep folder is doubled where sbatch reads patterns, and only there") {
  // sbatch reads %j in --output as the job id: "run%j" must stay "run%j".
  SlurmJobSpec s = good();
  s.sweep_dir = "/scratch/run%j";
  const std::string script = slurm_script(s);
  CHECK(script.find("#SBATCH --output=/scratch/run%%j/slurm/task-%a.log\n") != std::string::npos);
  CHECK(script.find("exec '/opt/cloudpact/bin/cloudpact' sweep-worker '/scratch/run%j' ") != std::string::npos);
}

TEST_CASE("names that could inject shell or Slurm options are refused") {
  SlurmJobSpec s = good();
  s.partition = "debug\n#SBATCH --uid=0";
  CHECK(problems(s) == std::vector<std::string>{
                           "--partition: 'debug\n#SBATCH --uid=0' is not a partition name (expected [A-Za-z0-9._-])"});
  s = good();
  s.sweep_dir = "/tmp/x'; rm -rf ~; '";
  CHECK(problems(s) == std::vector<std::string>{"--out: '/tmp/x'; rm -rf ~; '' cannot go into a Slurm script "
                                                "verbatim (expected an absolute path of [A-Za-z0-9._/+@%=:,-])"});
  s = good();
  s.sweep_dir = "relative/dir";
  CHECK(problems(s).size() == 1);
  s = good();
  s.job_name = "a b";
  CHECK(problems(s) == std::vector<std::string>{
                           "--slurm: job name 'a b' has characters Slurm scripts cannot hold safely (expected "
                           "[A-Za-z0-9._-])"});
  s = good();
  s.array_size = 0;
  CHECK(problems(s) == std::vector<std::string>{"--array-size: must be at least 1"});
  CHECK(problems(good()).empty());
}
