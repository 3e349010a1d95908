#include "sim/sim_clock.hpp"

#include <signal.h>

#include <cmath>

#include <simgrid/s4u.hpp>
#include <xbt/log.h>

namespace cloudpact::sim {

namespace sg4 = simgrid::s4u;

namespace {
constexpr double kSnap_s = 1e-6;
}

double run_engine(const Plant& plant, const std::function<void(const Platform&)>& broker) {
  xbt_log_control_set("root.thres:critical");
  int argc = 1;
  char arg0[] = "cloudpact";
  char* argv[] = {arg0, nullptr};
  // SimGrid's engine takes SIGINT for itself (a handler that calls
  // exit(1)): a Ctrl-C would then end a replay as a failure, with no
  // message, and a sweep's variant stopped that way would be recorded as
  // failed, not rerun on resume. The disposition from before the engine
  // (the default, or a command's stop flag) is put back, so SIGINT acts as
  // SIGTERM and SIGHUP do (docs/reference.md §1.1, §7.4).
  struct sigaction before_engine {};
  ::sigaction(SIGINT, nullptr, &before_engine);
  sg4::Engine engine(&argc, argv);
  ::sigaction(SIGINT, &before_engine, nullptr);
  const Platform platform = build_platform(plant);
  sg4::Actor::create("broker", platform.broker_host, [&]() { broker(platform); });
  engine.run();
  return sg4::Engine::get_clock();
}

Advance advance_clock(double now_s, double stop_s, const std::vector<sg4::ActivityPtr>& runs) {
  const double dt = stop_s - now_s;
  if (dt > 0.0) {
    if (runs.empty()) {
      sg4::this_actor::sleep_for(dt);
    } else {
      (void)sg4::Activity::wait_any_for(runs, dt);
    }
  }
  Advance a;
  a.t_s = sg4::Engine::get_clock();
  if (std::abs(a.t_s - stop_s) < kSnap_s || a.t_s > stop_s) a.t_s = stop_s;
  // The runs that ended by now: the one that woke us and any other that
  // ended at the same instant, or, when the timeout woke us, a run that
  // ended exactly at `stop` too (its end is then handled with the timeout's,
  // and must come before whatever changes at `stop`: a run whose work is
  // done when its cluster's capacity falls has finished, not been cut).
  // SimGrid dates a run's end as it handles it, before any actor runs
  // again, so a run has ended exactly when it has a finish time (runs here
  // are never cancelled and hosts never fail). Reading it costs no simcall;
  // a test() of each of the ~80 runs in flight in the stress scenario was
  // one each.
  for (size_t i = 0; i < runs.size(); ++i)
    if (runs[i]->get_finish_time() >= 0.0) a.completed.push_back(i);
  return a;
}

}  // namespace cloudpact::sim
