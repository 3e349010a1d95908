// run_replay for the executable: loads the replay module (src/sim/, linked
// with SimGrid) the first time a command replays, and calls it there
// (docs/reference.md §3.1). Debian's SimGrid brings 23 more shared
// libraries (ns-3's among them), whose dynamic linking and constructors took
// about 40 ms of every start of the executable on the 2-core development
// machine: most of a `validate`, and of a `risk` of a few thousand paths.
// Commands that never replay no longer pay it. The tests link src/sim/
// directly instead of this file.
#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "cloudpact_git_revision.h"
#include "cloudpact_version.h"
#include "sim/replay.hpp"
#include "sim/replay_module.hpp"

#ifndef CLOUDPACT_INSTALL_BINDIR
#error "meson.build defines CLOUDPACT_INSTALL_BINDIR and CLOUDPACT_INSTALL_MODULE_DIR"
#endif

namespace cloudpact {
namespace {

namespace fs = std::filesystem;

// Where the module may be, in order: CLOUDPACT_REPLAY_MODULE when set (and
// then nowhere else), beside the executable (the build folder), and where
// `meson install` puts it relative to where it puts the executable, so an
// installed tree may be moved as a whole.
std::vector<fs::path> module_candidates() {
  if (const char* env = std::getenv("CLOUDPACT_REPLAY_MODULE"); env != nullptr && *env != '\0') return {env};
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const fs::path dir = exe.parent_path();
  const fs::path installed =
      fs::path(CLOUDPACT_INSTALL_MODULE_DIR).lexically_relative(CLOUDPACT_INSTALL_BINDIR) / kReplayModuleFile;
  return {dir / kReplayModuleFile, (dir / installed).lexically_normal()};
}

std::string joined(const std::vector<fs::path>& paths) {
  std::string s;
  for (const fs::path& p : paths) s += (s.empty() ? "" : ", ") + p.string();
  return s;
}

const ReplayModule& load_module() {
  // One replay per process (sim/replay.hpp), so one load: kept for the
  // process's life (never dlclose'd: SimGrid's exit handlers live there).
  static const ReplayModule* loaded = nullptr;
  if (loaded != nullptr) return *loaded;
  const std::vector<fs::path> candidates = module_candidates();
  for (const fs::path& path : candidates) {
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;
    // Lazy binding, as the executable's own libraries had when it linked
    // SimGrid: binding every ns-3 function at once would cost more than
    // the load this saves.
    void* handle = dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = dlerror();
      throw std::runtime_error("cannot load the replay module " + path.string() + ": " + (why ? why : "unknown error"));
    }
    using Entry = const ReplayModule* (*)();
    const auto entry = reinterpret_cast<Entry>(dlsym(handle, kReplayModuleEntry));
    const ReplayModule* m = entry != nullptr ? entry() : nullptr;
    if (m == nullptr)
      throw std::runtime_error("the replay module " + path.string() + " has no " + kReplayModuleEntry);
    if (std::string(m->git_revision) != CLOUDPACT_GIT_REVISION || std::string(m->version) != CLOUDPACT_VERSION ||
        m->scenario_size != sizeof(Scenario) || m->result_size != sizeof(ReplayResult))
      throw std::runtime_error("the replay module " + path.string() + " is from another build (cloudpact " +
                               m->version + ", git " + m->git_revision + "; this executable: cloudpact " +
                               CLOUDPACT_VERSION + ", git " + CLOUDPACT_GIT_REVISION + ")");
    loaded = m;
    return *loaded;
  }
  throw std::runtime_error(std::string("cannot find the replay module ") + kReplayModuleFile + " (looked at " +
                           joined(candidates) + "; CLOUDPACT_REPLAY_MODULE names another)");
}

}  // namespace

ReplayResult run_replay(const Scenario& scenario) { return load_module().run(scenario); }

}  // namespace cloudpact
