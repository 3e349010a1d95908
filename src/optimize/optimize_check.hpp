// What an optimize file can only be checked against with the engines' own
// bounds, before any search (docs/reference.md §15.1): its base is a
// scenario `risk` takes, and a run of its `paths` fits in this machine's
// memory. `cloudpact validate` and `cloudpact optimize` both call it after
// load_optimize_spec, so that a file validate passes is one optimize runs.
#pragma once

#include "risk/risk_run.hpp"
#include "scenario/optimize_spec.hpp"
#include "scenario/scenario.hpp"

namespace cloudpact {

// Throws InputError, one `FILE: /pointer: problem (expected ...)` line:
// the base's, naming the base file, when risk cannot take it; the optimize
// file's `/paths` when a run does not fit. `base` is the spec's base
// scenario, parsed; `options` as the search runs (its backend's batch sets
// a run's memory).
void check_optimize_runs(const OptimizeSpec& spec, const Scenario& base, const RiskRunOptions& options);

}  // namespace cloudpact
