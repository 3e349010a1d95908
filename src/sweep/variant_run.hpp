// One variant, in this process: the base scenario with the variant's values
// set (as `--set` would), replayed and/or sampled, committed as one folder.
#pragma once

#include "sweep/plan.hpp"
#include "sweep/sweep_folder.hpp"

namespace cloudpact {

// A variant's own problems (values the scenario rejects, a runtime error)
// are committed as a failed result.json with the error, so the sweep goes
// on and a resume does not retry them. Returns false when the variant was
// already committed by another process. Throws only when committing fails.
bool run_variant(const SweepPlan& plan, const SweepFolder& folder, const Variant& v);

}  // namespace cloudpact
