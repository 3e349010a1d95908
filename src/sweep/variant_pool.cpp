#include "sweep/variant_pool.hpp"

#include <chrono>
#include <cstdint>
#include <csignal>
#include <filesystem>
#include <map>
#include <thread>

#include <sys/wait.h>

#include "proc/child_process.hpp"
#include "report/atomic_file.hpp"

namespace cloudpact {

namespace {

// The last `max_bytes` of a file, trimmed to whole lines.
std::string tail_of(const std::string& path, std::size_t max_bytes) {
  std::string text = read_text_file(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.size() > max_bytes) {
    text = text.substr(text.size() - max_bytes);
    if (const auto nl = text.find('\n'); nl != std::string::npos) text = text.substr(nl + 1);
  }
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

struct Running {
  std::string id;
  std::string stderr_path;
};

}  // namespace


PoolOutcome run_variant_pool(const SweepPlan& plan, const SweepFolder& folder, const std::vector<std::string>& ids,
                             int jobs, const std::string& exe, const std::function<void(const std::string&)>& on_commit) {
  namespace fs = std::filesystem;
  PoolOutcome out;
  std::map<pid_t, Running> running;
  std::size_t next = 0;
  std::error_code ec;

  auto reap = [&](pid_t pid, int status) {
    const auto it = running.find(pid);
    if (it == running.end()) return;
    const Running r = it->second;
    running.erase(it);
    const ChildExit e = ChildExit::from_status(pid, status);
    bool committed = folder.committed(r.id);
    // A child stopped by SIGINT, SIGTERM or SIGHUP (ours, a Ctrl-C to the
    // whole process group, scancel) is not a failed variant: it is simply not
    // done, and a resume runs it again. Crashes (SIGSEGV, SIGABRT, an OOM
    // SIGKILL) and error exits are the variant's own.
    const bool interrupted = e.signal == SIGINT || e.signal == SIGTERM || e.signal == SIGHUP;
    if (!committed && !interrupted) {
      std::string error = "variant process " + e.describe();
      const std::string tail = tail_of(r.stderr_path, 400);
      if (!tail.empty()) error += ": " + tail;
      const Variant* v = plan.find(r.id);
      folder.commit(r.id, {{"result.json", variant_result_json(r.id, plan.pointers,
                                                               v ? v->values_json : std::vector<std::string>{},
                                                               error)}});
      ++out.crashed;
      committed = true;
    }
    fs::remove(r.stderr_path, ec);
    if (committed) {
      ++out.finished;
      if (on_commit) on_commit(r.id);
    }
  };

  while (next < ids.size() || !running.empty()) {
    while (StopSignals::received() == 0 && next < ids.size() && static_cast<int>(running.size()) < jobs) {
      const std::string& id = ids[next++];
      if (folder.committed(id)) continue;
      const std::string err = (fs::path(folder.variants_dir()) / (".stderr-" + id)).string();
      remove_path(err);  // a leftover (or a link) under that name: the child's stderr is a new file
      // The variant's line in plan-variants.jsonl: the child reads only that
      // (an offset the plan does not know is left out: the child searches).
      std::vector<std::string> args = {exe, "sweep-variant", folder.dir(), id};
      if (const std::int64_t at = plan.offset_of(id); at >= 0) args.insert(args.end(), {"--at", std::to_string(at)});
      const pid_t pid = spawn_child({std::move(args), "/dev/null", err});
      running[pid] = Running{id, err};
    }
    if (StopSignals::received() != 0) {
      for (const auto& [pid, r] : running) ::kill(pid, SIGTERM);
      next = ids.size();
    }
    if (running.empty()) break;
    // Poll rather than block, so a signal never waits for a long variant.
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      reap(pid, status);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  out.stop_signal = StopSignals::received();
  return out;
}

}  // namespace cloudpact
