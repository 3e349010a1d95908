// What a sweep file can only be checked against with the engines' own
// structure and bounds, before any variant runs (docs/reference.md §7.1):
// every metric names something summary.json or risk.json has (from the
// output structure of the base scenario, not by running it), a sweep that
// runs risk has a base risk accepts, and `concurrent` variants' Monte Carlo
// results fit in memory. `cloudpact validate` and `cloudpact sweep` both call
// it after load_sweep_spec.
#pragma once

#include "scenario/sweep_spec.hpp"

namespace cloudpact {

// Throws InputError with every problem, one `SWEEP: /pointer: problem
// (expected ...)` line each.
void check_sweep_outputs(const SweepSpec& spec, int concurrent = 1);

}  // namespace cloudpact
