// The deterministic replay (docs/reference.md §3): runs a scenario on SimGrid and returns
// what happened. SimGrid's engine is a process-wide singleton: call this at
// most once per process (tests fork, sweeps spawn).
#pragma once

#include "model/replay_result.hpp"
#include "scenario/scenario.hpp"

namespace cloudpact {

ReplayResult run_replay(const Scenario& scenario);

}  // namespace cloudpact
