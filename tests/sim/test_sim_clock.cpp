// SimGrid's clock as the replay uses it (src/sim/sim_clock): the broker
// sleeps to a date, or wakes when a training run's exec completes first.
// Each case runs in a forked child (one SimGrid engine per process) and
// reports through its exit status. Also: a SIGINT during a replay acts as
// the process had it before the engine (SimGrid's own handler exits 1).
#include <doctest/doctest.h>

#include <signal.h>

#include <cmath>
#include <functional>

#include <simgrid/s4u.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include "model/plant.hpp"
#include "scenario/load.hpp"
#include "sim/sim_clock.hpp"

using namespace cloudpact;

namespace {
const std::string kOneCluster = R"({ "name": "clock", "start": "2025-01-01", "end": "2025-01-02",
  "providers": [ { "id": "p", "regions": [ { "id": "r", "clusters": [
      { "id": "c", "accelerator": "H100", "capacity_gpus": 8 } ] } ] } ],
  "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 1 } ] })";

// Runs `body` as the broker of an engine in a child; true when it returned
// true and the engine's final clock is `end_clock_s`.
// The child's wait status: `prepare` runs before the engine, `body` as its
// broker; exit 0 when body returned true and the clock ended at end_clock_s.
int child_status(const std::function<void()>& prepare, const std::function<bool(const sim::Platform&)>& body,
                 double end_clock_s) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    bool ok = false;
    try {
      prepare();
      const Scenario sc = parse_scenario(kOneCluster, "clock.json");
      const Plant plant = build_plant(sc);
      const double end = sim::run_engine(plant, [&](const sim::Platform& pf) { ok = body(pf); });
      ok = ok && std::abs(end - end_clock_s) < 1e-9;
    } catch (...) {
      ok = false;
    }
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

bool in_child(const std::function<bool(const sim::Platform&)>& body, double end_clock_s) {
  const int status = child_status([] {}, body, end_clock_s);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

volatile sig_atomic_t g_interrupts = 0;
extern "C" void count_interrupt(int) { g_interrupts = g_interrupts + 1; }
}  // namespace

TEST_CASE("with nothing running, the clock advances to the date asked") {
  CHECK(in_child(
      [](const sim::Platform&) {
        const sim::Advance a = sim::advance_clock(0.0, 3600.0, {});
        const sim::Advance b = sim::advance_clock(a.t_s, 5400.5, {});
        return a.t_s == 3600.0 && a.completed.empty() && b.t_s == 5400.5;
      },
      5400.5));
}

TEST_CASE("a run that completes before the date stops the clock at its completion") {
  // Two execs on the 8-core host at 1 flop/s per core: 100 s and 250 s of
  // work, 2 threads each. Asked to advance to 50 s: nothing completes. Then
  // to 1000 s: the first completes at 100 s, and only it.
  CHECK(in_child(
      [](const sim::Platform& pf) {
        namespace sg4 = simgrid::s4u;
        sg4::ExecPtr a = sg4::this_actor::exec_init(100.0)->set_host(pf.cluster_hosts[0])->set_thread_count(2);
        sg4::ExecPtr b = sg4::this_actor::exec_init(250.0)->set_host(pf.cluster_hosts[0])->set_thread_count(2);
        a->start();
        b->start();
        const sim::Advance first = sim::advance_clock(0.0, 50.0, {a, b});
        const sim::Advance second = sim::advance_clock(first.t_s, 1000.0, {a, b});
        const sim::Advance third = sim::advance_clock(second.t_s, 1000.0, {b});
        return first.t_s == 50.0 && first.completed.empty() && std::abs(second.t_s - 100.0) < 1e-6 &&
               second.completed == std::vector<size_t>{0} && std::abs(third.t_s - 250.0) < 1e-6 &&
               third.completed == std::vector<size_t>{0};
      },
      250.0));
}

TEST_CASE("a clock that lands within a microsecond of the date is snapped onto it") {
  // 1/3 of a second is not a binary fraction: SimGrid's clock lands within
  // rounding of it; the replay's cuts must fall exactly on their dates.
  const double date = 7200.0 + 1.0 / 3.0;
  CHECK(in_child([&](const sim::Platform&) { return sim::advance_clock(0.0, date, {}).t_s == date; }, date));
}

TEST_CASE("a SIGINT during the replay reaches the handler installed before the engine") {
  // A command that stops at a clean point on SIGINT (optimize, a sweep)
  // keeps doing so while a replay runs; the engine goes on to its end.
  const int status = child_status(
      [] {
        struct sigaction sa {};
        sa.sa_handler = count_interrupt;
        ::sigaction(SIGINT, &sa, nullptr);
      },
      [](const sim::Platform&) {
        ::raise(SIGINT);
        return g_interrupts == 1 && sim::advance_clock(0.0, 60.0, {}).t_s == 60.0;
      },
      60.0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a SIGINT during the replay ends the process by SIGINT by default, as SIGTERM would") {
  // The exit status a shell or a sweep's pool reads as an interruption
  // (128 + 2), not SimGrid's exit(1), which reads as a failure.
  const int status = child_status([] { ::signal(SIGINT, SIG_DFL); },
                                  [](const sim::Platform&) {
                                    ::raise(SIGINT);
                                    return true;
                                  },
                                  0.0);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGINT);
}
