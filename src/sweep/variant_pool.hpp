// Runs variants as child processes of this binary (`cloudpact sweep-variant
// DIR ID`), up to `jobs` at once: SimGrid's engine lives once per process,
// and a variant that crashes takes only itself down. Used by the local sweep
// and by each Slurm array task.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "proc/stop_signals.hpp"
#include "sweep/plan.hpp"
#include "sweep/sweep_folder.hpp"

namespace cloudpact {

struct PoolOutcome {
  int finished = 0;     // variants committed by this pool (ok or failed)
  int crashed = 0;      // of which: the child died and the pool committed the failure
  int stop_signal = 0;  // SIGINT/SIGTERM/SIGHUP that stopped the pool, 0 when all ran
};

// `on_commit(id)` is called after each variant is committed. Once a stop
// signal is caught (the caller holds a StopSignals) the pool starts nothing more, sends SIGTERM to the
// running children, waits for them and returns the signal; what was
// committed stays committed. A child that dies without committing (a crash)
// is committed as failed with its exit status and the end of its stderr.
PoolOutcome run_variant_pool(const SweepPlan& plan, const SweepFolder& folder, const std::vector<std::string>& ids,
                             int jobs, const std::string& exe, const std::function<void(const std::string&)>& on_commit);

}  // namespace cloudpact
