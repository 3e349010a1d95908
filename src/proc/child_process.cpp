#include "proc/child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cloudpact {

std::string self_exe_path() {
  std::string buf(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size());
  if (n <= 0 || static_cast<size_t>(n) >= buf.size()) {
    throw std::runtime_error(std::string("cannot find this program's path (/proc/self/exe): ") + std::strerror(errno));
  }
  buf.resize(static_cast<size_t>(n));
  return buf;
}

namespace {

// In the child only: async-signal-safe calls until exec.
[[noreturn]] void exec_child(const ChildSpec& spec, const std::vector<char*>& argv, pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
  auto redirect = [](const std::string& path, int fd) {
    if (path.empty()) return;
    // Never through a link planted at that name.
    const int f = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (f < 0 || ::dup2(f, fd) < 0) ::_exit(127);
  };
  redirect(spec.stdout_path, STDOUT_FILENO);
  redirect(spec.stderr_path, STDERR_FILENO);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

}  // namespace

pid_t spawn_child(const ChildSpec& spec) {
  if (spec.argv.empty()) throw std::runtime_error("spawn_child: empty argv");
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // Buffered output would otherwise be written twice (once by the child).
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) exec_child(spec, argv, parent);
  return pid;
}

std::string ChildExit::describe() const {
  if (signal != 0) {
    const char* name = ::strsignal(signal);
    return "killed by signal " + std::to_string(signal) + (name ? std::string(" (") + name + ")" : "");
  }
  if (exit_code == 127) return "exit code 127 (could not start the program)";
  return "exit code " + std::to_string(exit_code);
}

ChildExit wait_child(pid_t pid) {
  int status = 0;
  pid_t got;
  do {
    got = ::waitpid(pid, &status, 0);
  } while (got < 0 && errno == EINTR);
  if (got < 0) throw std::runtime_error(std::string("waitpid failed: ") + std::strerror(errno));
  return ChildExit::from_status(got, status);
}

ChildExit ChildExit::from_status(pid_t pid, int status) {
  ChildExit e;
  e.pid = pid;
  if (WIFSIGNALED(status)) {
    e.signal = WTERMSIG(status);
  } else {
    e.exit_code = WEXITSTATUS(status);
  }
  return e;
}

ChildExit run_child(const ChildSpec& spec) { return wait_child(spawn_child(spec)); }

}  // namespace cloudpact
