// Child processes of this same binary. SimGrid's engine can be created only
// once per process, so every replay of a sweep variant or of a `check`
// scenario runs in its own child; a crash there fails that one item only.
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

namespace cloudpact {

// Absolute path of the running executable (/proc/self/exe), so children and
// Slurm tasks run exactly this build. Throws std::runtime_error when unknown.
std::string self_exe_path();

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0] is the program path
  std::string stdout_path;        // "" inherits; otherwise truncated and written
  std::string stderr_path;        // "" inherits; otherwise truncated and written
};

// fork + exec. The child gets SIGTERM when this process dies (any signal,
// even SIGKILL), so a killed sweep leaves no orphans writing late results.
// Throws std::runtime_error when fork fails.
pid_t spawn_child(const ChildSpec& spec);

struct ChildExit {
  pid_t pid = -1;
  int exit_code = -1;  // valid when signal == 0
  int signal = 0;      // the terminating signal, 0 when it exited
  bool ok() const { return signal == 0 && exit_code == 0; }
  std::string describe() const;  // "exit code 3", "killed by signal 11 (Segmentation fault)"
  // From a waitpid(2) status.
  static ChildExit from_status(pid_t pid, int status);
};

// Waits for one child of this process (pid -1: any), retrying on EINTR.
ChildExit wait_child(pid_t pid = -1);

// spawn_child + wait_child.
ChildExit run_child(const ChildSpec& spec);

}  // namespace cloudpact
