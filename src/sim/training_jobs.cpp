#include "sim/training_jobs.hpp"

#include <algorithm>
#include <cmath>

#include "rules/billing.hpp"
#include "rules/placement.hpp"
#include "rules/training.hpp"

namespace cloudpact::sim {

namespace sg4 = simgrid::s4u;

TrainingJobs::TrainingJobs(const Plant& plant, ReplayResult& result, Accountant& accountant, EventLog& log)
    : plant_(plant), result_(result), accountant_(accountant), log_(log) {
  held_.assign(plant.clusters.size(), 0.0);
  running_on_.assign(plant.clusters.size(), {});
  const double horizon_s = plant.horizon_s;
  for (size_t w = 0; w < plant.workloads.size(); ++w) {
    const Workload& spec = *plant.workloads[w].spec;
    if (spec.kind != WorkloadKind::training) continue;
    Job j;
    j.workload = static_cast<int>(w);
    j.priority = spec.priority;
    j.gpus = spec.gpus;
    j.work_s = rules::training_work_s(spec.flops, spec.gpus, spec.mfu);
    j.checkpoint_s = spec.checkpoint_hours * 3600.0;
    j.restart_s = spec.restart_hours * 3600.0;
    j.dataset_gb = spec.dataset_tb * 1000.0;
    j.ready_s = std::max(0.0, spec.submit_s);
    job_of_workload_[static_cast<int>(w)] = static_cast<int>(jobs_.size());
    if (j.ready_s < horizon_s) pending_.push({j.ready_s, static_cast<int>(jobs_.size())});
    jobs_.push_back(std::move(j));
  }
}

void TrainingJobs::admit_ready(double t_s) {
  while (!pending_.empty() && pending_.top().first <= t_s) {
    const int ji = pending_.top().second;
    pending_.pop();
    Job& j = jobs_[static_cast<size_t>(ji)];
    if (j.state != Job::State::pending) continue;
    j.state = Job::State::waiting;
    waiting_.insert({j.priority, j.workload});
  }
}

void TrainingJobs::append_waiting(std::vector<ServiceItem>& items) const {
  for (const auto& [prio, w] : waiting_) {
    const int ji = job_of_workload_.at(w);
    items.push_back({w, ji, jobs_[static_cast<size_t>(ji)].gpus});
  }
}

void TrainingJobs::start(int ji, int cluster, double t_s) {
  Job& j = jobs_[static_cast<size_t>(ji)];
  const PlantCluster& pc = plant_.clusters[static_cast<size_t>(cluster)];
  WorkloadTotals& wt = result_.workloads[static_cast<size_t>(j.workload)];
  if (rules::dataset_moves(j.last_provider, pc.provider) && j.dataset_gb > 0.0) {
    // Its dataset follows it to the new provider, billed as egress by the source.
    const double usd = rules::egress_usd(j.dataset_gb, plant_.scenario->providers[static_cast<size_t>(j.last_provider)].egress_usd_per_gb);
    if (usd > 0.0) accountant_.add_egress(t_s, j.last_provider, j.workload, usd);
    log_.log(t_s, "egress", {{"workload", workload_id(j)},
                             {"from", plant_.providers[static_cast<size_t>(j.last_provider)]},
                             {"to", plant_.providers[static_cast<size_t>(pc.provider)]},
                             {"dataset_gb", j.dataset_gb},
                             {"amount_usd", usd}});
  }
  waiting_.erase({j.priority, j.workload});
  j.state = Job::State::running;
  j.cluster = cluster;
  j.last_provider = pc.provider;
  j.run_start_s = t_s;
  j.run_amount_s = j.work_s - j.progress_s;
  held_[static_cast<size_t>(cluster)] += j.gpus;
  running_on_[static_cast<size_t>(cluster)].insert(ji);
  // One exec per run: one thread per physical GPU (at least one), each
  // working `run_amount_s` seconds at 1 "flop"/s. SimGrid says when it ends.
  const int threads = static_cast<int>(std::max(1.0, std::floor(j.gpus / pc.h100_equiv)));
  j.exec = sg4::this_actor::exec_init(j.run_amount_s)
               ->set_host(platform_->cluster_hosts[static_cast<size_t>(cluster)])
               ->set_thread_count(threads);
  j.exec->start();
  running_.push_back(ji);
  running_execs_.push_back(j.exec);
  const bool first = !wt.start_s.has_value();
  if (first) wt.start_s = t_s;
  log_.log(t_s, first ? "job_start" : "job_restart",
           {{"workload", workload_id(j)},
            {"cluster", pc.path},
            {"gpus", j.gpus},
            {"progress_hours", j.progress_s / 3600.0},
            {"remaining_hours", j.run_amount_s / 3600.0}});
}

void TrainingJobs::stop_run(Job& j, int ji, double t_s) {
  // A run's GPU-hours, exact: it held all its GPUs from its start to now.
  result_.workloads[static_cast<size_t>(j.workload)].served_gpu_s += j.gpus * (t_s - j.run_start_s);
  double& held = held_[static_cast<size_t>(j.cluster)];
  held = rules::released_gpus(held, j.gpus);
  running_on_[static_cast<size_t>(j.cluster)].erase(ji);
  const auto at = std::find(running_.begin(), running_.end(), ji) - running_.begin();
  running_.erase(running_.begin() + at);
  running_execs_.erase(running_execs_.begin() + at);
  j.exec = nullptr;
}

void TrainingJobs::interrupt(int ji, double t_s) {
  Job& j = jobs_[static_cast<size_t>(ji)];
  // Progress from the run's start to now, then back to the last checkpoint.
  // The exec runs at a fixed 1 s a second, so this is what SimGrid's
  // remaining ratio would say, without its rounding (a 2 h loss read back
  // as 199,999.99999999837 GPU-hours), and the path model's formula.
  j.exec->cancel();
  const double progress = rules::progress_at_s(j.progress_s, j.run_start_s, t_s);
  const double kept = rules::progress_after_rollback(progress, j.checkpoint_s);
  WorkloadTotals& wt = result_.workloads[static_cast<size_t>(j.workload)];
  wt.interruptions += 1;
  wt.lost_gpu_s += rules::lost_gpu_s(progress, kept, j.gpus);
  const std::string cluster = plant_.clusters[static_cast<size_t>(j.cluster)].path;
  stop_run(j, ji, t_s);
  j.progress_s = kept;
  j.state = Job::State::pending;
  j.ready_s = t_s + j.restart_s;
  if (j.ready_s < plant_.horizon_s) pending_.push({j.ready_s, ji});
  log_.log(t_s, "job_interrupted", {{"workload", workload_id(j)},
                                    {"cluster", cluster},
                                    {"lost_hours", (progress - kept) / 3600.0},
                                    {"restart_at_hours", j.ready_s / 3600.0}});
}

void TrainingJobs::shed(int cluster, double available_gpus, double t_s) {
  const auto& on = running_on_[static_cast<size_t>(cluster)];
  std::vector<int> victims(on.begin(), on.end());
  std::sort(victims.begin(), victims.end(), [&](int a, int b) {
    const Job& ja = jobs_[static_cast<size_t>(a)];
    const Job& jb = jobs_[static_cast<size_t>(b)];
    return rules::served_first(jb.priority, jb.workload, ja.priority, ja.workload);  // last served first
  });
  for (int ji : victims) {
    if (rules::hold_margin_gpus(available_gpus, held_[static_cast<size_t>(cluster)]) >= 0.0) break;
    interrupt(ji, t_s);
  }
}

void TrainingJobs::finish(int ji, double t_s) {
  Job& j = jobs_[static_cast<size_t>(ji)];
  const std::string cluster = plant_.clusters[static_cast<size_t>(j.cluster)].path;
  stop_run(j, ji, t_s);
  j.state = Job::State::finished;
  j.progress_s = j.work_s;
  result_.workloads[static_cast<size_t>(j.workload)].finish_s = t_s;
  log_.log(t_s, "job_finish", {{"workload", workload_id(j)}, {"cluster", cluster}});
}

void TrainingJobs::stop_all(double t_s) {
  for (int ji : std::vector<int>(running_)) {
    Job& j = jobs_[static_cast<size_t>(ji)];
    j.exec->cancel();
    stop_run(j, ji, t_s);
  }
}

}  // namespace cloudpact::sim
