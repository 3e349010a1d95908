#include "sim/sim_clock.hpp"

#include <algorithm>
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
  sg4::Engine engine(&argc, argv);
  const Platform platform = build_platform(plant);
  sg4::Actor::create("broker", platform.broker_host, [&]() { broker(platform); });
  engine.run();
  return sg4::Engine::get_clock();
}

Advance advance_clock(double now_s, double stop_s, const std::vector<sg4::ActivityPtr>& runs) {
  const double dt = stop_s - now_s;
  ssize_t first = -1;
  if (dt > 0.0) {
    if (runs.empty()) {
      sg4::this_actor::sleep_for(dt);
    } else {
      first = sg4::Activity::wait_any_for(runs, dt);
    }
  }
  Advance a;
  a.t_s = sg4::Engine::get_clock();
  if (std::abs(a.t_s - stop_s) < kSnap_s || a.t_s > stop_s) a.t_s = stop_s;
  if (first < 0) return a;
  // Other runs may have ended at the same instant. Each test() of a run still
  // going is a simcall, and some 80 runs are in flight in the stress
  // scenario: one test_any per run found (usually none) costs far less.
  a.completed.push_back(static_cast<size_t>(first));
  std::vector<sg4::ActivityPtr> rest;
  std::vector<size_t> index_of_rest;
  for (size_t i = 0; i < runs.size(); ++i)
    if (i != static_cast<size_t>(first)) {
      rest.push_back(runs[i]);
      index_of_rest.push_back(i);
    }
  for (ssize_t k; (k = sg4::Activity::test_any(rest)) >= 0;) {
    a.completed.push_back(index_of_rest[static_cast<size_t>(k)]);
    rest.erase(rest.begin() + k);
    index_of_rest.erase(index_of_rest.begin() + k);
  }
  std::sort(a.completed.begin(), a.completed.end());
  return a;
}

}  // namespace cloudpact::sim
