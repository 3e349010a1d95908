// SimGrid's clock, as the replay uses it: one engine per process running one
// broker actor, and a way to advance to a date or to the first training run
// that completes before it (SimGrid knows when an exec ends; the broker does
// not compute it).
#pragma once

#include <functional>
#include <vector>

#include <simgrid/s4u/Exec.hpp>

#include "model/plant.hpp"
#include "sim/platform.hpp"

namespace cloudpact::sim {

// Creates the engine (logging off) and the platform, runs `broker` as the one
// actor on the broker host until it returns, and gives SimGrid's final clock.
// Once per process: SimGrid's engine is a process-wide singleton.
double run_engine(const Plant& plant, const std::function<void(const Platform&)>& broker);

struct Advance {
  double t_s = 0.0;                  // where the clock stopped
  std::vector<size_t> completed;     // indexes into `runs` of the runs that ended there, ascending
};

// From `now`, sleeps until `stop` or until one of `runs` completes, whichever
// comes first. The clock SimGrid reports lands within rounding of the date
// asked for; it is snapped to `stop` when within 1 µs (or past it) so dated
// cuts fall exactly on their dates.
Advance advance_clock(double now_s, double stop_s, const std::vector<simgrid::s4u::ActivityPtr>& runs);

}  // namespace cloudpact::sim
