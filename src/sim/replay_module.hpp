// The replay as a module the executable loads when a command first replays
// (docs/reference.md §3.1): what the module hands over, and how the
// executable knows it was built with it.
#pragma once

#include <cstddef>

#include "model/replay_result.hpp"
#include "scenario/scenario.hpp"

namespace cloudpact {

// The module and the executable pass a Scenario and a ReplayResult by
// reference and by value: both must be compiled from the same sources.
// The revision and the two sizes catch a module of another build (an
// older install, another checkout's build folder) before any call.
struct ReplayModule {
  const char* git_revision;  // CLOUDPACT_GIT_REVISION of the module's build
  const char* version;       // CLOUDPACT_VERSION
  std::size_t scenario_size, result_size;  // sizeof(Scenario), sizeof(ReplayResult) there
  ReplayResult (*run)(const Scenario& scenario);
};

// The module's one exported symbol: a function returning its ReplayModule.
inline constexpr const char* kReplayModuleEntry = "cloudpact_replay_module";
// The module's file name, beside the executable in the build folder.
inline constexpr const char* kReplayModuleFile = "cloudpact-replay.so";

}  // namespace cloudpact
