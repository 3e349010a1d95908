// The training jobs of a replay (docs/reference.md §2.4): their life cycle
// (pending until submitted or restarted, waiting for a cluster, running as a
// SimGrid exec, finished), what each run holds, and what an interruption
// costs. The broker (replay.cpp) decides when and where; the checkpoint,
// egress and fit arithmetic is the shared rules layer (src/rules).
#pragma once

#include <limits>
#include <map>
#include <queue>
#include <set>
#include <vector>

#include <simgrid/s4u/Exec.hpp>

#include "billing/accountant.hpp"
#include "model/plant.hpp"
#include "model/replay_result.hpp"
#include "policy/placement.hpp"
#include "sim/event_log.hpp"
#include "sim/platform.hpp"

namespace cloudpact::sim {

struct Job {
  int workload = 0;
  int priority = 0;
  double gpus = 0.0;          // H100-equivalents
  double work_s = 0.0;        // running seconds needed in all
  double checkpoint_s = 0.0;
  double restart_s = 0.0;
  double dataset_gb = 0.0;
  enum class State { pending, waiting, running, finished } state = State::pending;
  double ready_s = 0.0;       // earliest (re)start
  double progress_s = 0.0;    // running seconds done when the current run started
  double run_start_s = 0.0;
  double run_amount_s = 0.0;  // exec amount per GPU of the current run
  int cluster = -1;
  int last_provider = -1;     // where its data is
  simgrid::s4u::ExecPtr exec;
};

class TrainingJobs {
 public:
  TrainingJobs(const Plant& plant, ReplayResult& result, Accountant& accountant, EventLog& log);

  // The SimGrid hosts runs execute on (after the platform is built).
  void attach(const Platform& platform) { platform_ = &platform; }

  // Jobs whose submit or restart time has come join the waiting queue.
  void admit_ready(double t_s);
  // Earliest submit or restart still to come (+inf when none).
  [[nodiscard]] double next_ready_s() const {
    return pending_.empty() ? std::numeric_limits<double>::infinity() : pending_.top().first;
  }

  // Waiting jobs as service items (each with its size), in no particular
  // order: the broker sorts every item by priority, then file order.
  void append_waiting(std::vector<ServiceItem>& items) const;

  // H100-equivalent GPUs that running jobs hold, per cluster.
  [[nodiscard]] const std::vector<double>& held_gpus() const { return held_; }

  void start(int job, int cluster, double t_s);

  // Interrupts the cluster's running jobs, the last served first (lowest
  // priority, then latest in file order), until what they hold fits in
  // `available_gpus` again.
  void shed(int cluster, double available_gpus, double t_s);

  [[nodiscard]] const std::vector<int>& running() const { return running_; }
  // The exec of each running job, in the order of running(): kept alongside
  // it, so the broker's every wait need not gather them again.
  [[nodiscard]] const std::vector<simgrid::s4u::ActivityPtr>& running_execs() const { return running_execs_; }

  void finish(int job, double t_s);

  // At the horizon: runs still going are cut there (their GPU-hours so far
  // count as served; they have no finish).
  void stop_all(double t_s);

 private:
  void stop_run(Job& j, int ji, double t_s);
  void interrupt(int ji, double t_s);
  [[nodiscard]] const std::string& workload_id(const Job& j) const {
    return plant_.workloads[static_cast<size_t>(j.workload)].spec->id;
  }

  const Plant& plant_;
  ReplayResult& result_;
  Accountant& accountant_;
  EventLog& log_;
  const Platform* platform_ = nullptr;
  std::vector<Job> jobs_;
  std::priority_queue<std::pair<double, int>, std::vector<std::pair<double, int>>, std::greater<>> pending_;
  std::set<std::pair<int, int>> waiting_;  // (priority, workload)
  std::map<int, int> job_of_workload_;
  std::vector<int> running_;
  std::vector<simgrid::s4u::ActivityPtr> running_execs_;
  std::vector<std::set<int>> running_on_;  // per cluster
  std::vector<double> held_;               // per cluster
};

}  // namespace cloudpact::sim
