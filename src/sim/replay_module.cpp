// The loadable replay module's entry point (docs/reference.md §3.1): the
// module is this file linked with src/sim/ and what it needs of the core
// library, and SimGrid. src/cli/replay_loader.cpp loads it.
#include "sim/replay_module.hpp"

#include "cloudpact_git_revision.h"
#include "cloudpact_version.h"
#include "sim/replay.hpp"

extern "C" __attribute__((visibility("default"))) const cloudpact::ReplayModule* cloudpact_replay_module() {
  static const cloudpact::ReplayModule module{CLOUDPACT_GIT_REVISION, CLOUDPACT_VERSION, sizeof(cloudpact::Scenario),
                                              sizeof(cloudpact::ReplayResult), &cloudpact::run_replay};
  return &module;
}
