#include "sim/sim_clock.hpp"

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

Advance advance_clock(double now_s, double stop_s, const std::vector<sg4::ExecPtr>& execs) {
  const double dt = stop_s - now_s;
  bool completed = false;
  if (dt > 0.0) {
    if (execs.empty()) {
      sg4::this_actor::sleep_for(dt);
    } else {
      completed = sg4::Exec::wait_any_for(execs, dt) >= 0;
    }
  }
  Advance a;
  a.t_s = sg4::Engine::get_clock();
  if (std::abs(a.t_s - stop_s) < kSnap_s || a.t_s > stop_s) a.t_s = stop_s;
  if (completed)
    for (size_t i = 0; i < execs.size(); ++i)
      if (execs[i]->test()) a.completed.push_back(i);
  return a;
}

}  // namespace cloudpact::sim
