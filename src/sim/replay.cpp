// The broker actor: SimGrid owns the clock and the training activities; the
// pure model (plant, placement, accountant) decides who runs where and what
// it costs. The broker walks the horizon segment by segment. A segment ends
// at the next dated change (curve point, outage edge, price change, bill
// cut), at the next job submission, at the first instant a waiting job fits
// or a running one no longer does (found exactly by the placement trace), or
// when SimGrid completes a training exec, whichever comes first.
#include "sim/replay.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <queue>
#include <set>

#include <simgrid/s4u.hpp>
#include <xbt/log.h>

#include "billing/accountant.hpp"
#include "model/plant.hpp"
#include "model/training_job.hpp"
#include "policy/placement.hpp"
#include "report/json_text.hpp"
#include "sim/platform.hpp"

namespace sg4 = simgrid::s4u;

namespace cloudpact {

namespace {

// Below this width a piece is not split further: a kink or an event this
// close to a piece end moves it by at most a millisecond.
constexpr double kMinPiece_s = 1e-3;

// The clock SimGrid reports after a sleep or timeout lands within rounding of
// the date asked for; snapping keeps dated cuts exactly on their dates.
constexpr double kSnap_s = 1e-6;

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
  sg4::ExecPtr exec;
};

class Replay {
 public:
  explicit Replay(const Scenario& sc)
      : sc_(sc), plant_(build_plant(sc)), broker_(plant_), accountant_(plant_, result_) {}

  ReplayResult run() {
    xbt_log_control_set("root.thres:critical");
    int argc = 1;
    char arg0[] = "cloudpact";
    char* argv[] = {arg0, nullptr};
    sg4::Engine engine(&argc, argv);
    platform_ = sim::build_platform(plant_);
    sg4::Actor::create("broker", platform_.broker_host, [this]() { broker_loop(); });
    engine.run();
    result_.end_clock_s = sg4::Engine::get_clock();
    std::stable_sort(result_.events.begin(), result_.events.end(),
                     [](const EventRecord& a, const EventRecord& b) { return a.t_s < b.t_s; });
    return std::move(result_);
  }

 private:
  // ---- setup ----

  void init() {
    const size_t n_clusters = plant_.clusters.size();
    held_.assign(n_clusters, 0.0);
    running_on_.assign(n_clusters, {});
    for (size_t w = 0; w < plant_.workloads.size(); ++w) {
      const Workload& spec = *plant_.workloads[w].spec;
      inference_index_.push_back(spec.kind == WorkloadKind::inference ? static_cast<int>(inference_.size()) : -1);
      if (spec.kind == WorkloadKind::inference) {
        inference_.push_back(static_cast<int>(w));
        continue;
      }
      Job j;
      j.workload = static_cast<int>(w);
      j.priority = spec.priority;
      j.gpus = spec.gpus;
      j.work_s = training_work_s(spec.flops, spec.gpus, spec.mfu);
      j.checkpoint_s = spec.checkpoint_hours * 3600.0;
      j.restart_s = spec.restart_hours * 3600.0;
      j.dataset_gb = spec.dataset_tb * 1000.0;
      j.ready_s = std::max(0.0, spec.submit_s);
      job_of_workload_[static_cast<int>(w)] = static_cast<int>(jobs_.size());
      jobs_.push_back(j);
    }
    for (size_t i = 0; i < jobs_.size(); ++i)
      if (jobs_[i].ready_s < sc_.horizon_s) pending_.push({jobs_[i].ready_s, static_cast<int>(i)});

    std::vector<double> cuts = plant_.breakpoints();
    for (double t : accountant_.cuts()) cuts.push_back(t);
    cuts.push_back(sc_.horizon_s);
    std::erase_if(cuts, [&](double t) { return t <= 0.0 || t > sc_.horizon_s; });
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    cuts_ = std::move(cuts);
    for (const OutageEvent& o : sc_.outages)
      if (o.start_s > 0.0 && o.start_s < sc_.horizon_s) outage_starts_.insert(o.start_s);
    log_scenario_events();
  }

  void log_scenario_events() {
    auto clamp = [&](double t) { return std::clamp(t, 0.0, sc_.horizon_s); };
    for (const OutageEvent& o : sc_.outages) {
      log(clamp(o.start_s), "outage_start", {{"target", json_string(o.target)},
                                             {"capacity_lost_pct", json_number(o.capacity_lost_pct)},
                                             {"duration_hours", json_number((o.end_s - o.start_s) / 3600.0)}});
      if (o.end_s <= sc_.horizon_s) log(clamp(o.end_s), "outage_end", {{"target", json_string(o.target)}});
    }
    for (const PriceChangeEvent& p : sc_.price_changes) {
      std::vector<std::pair<std::string, std::string>> f;
      if (!p.contract.empty()) f.push_back({"contract", json_string(p.contract)});
      else f.push_back({"target", json_string(p.target)});
      if (!p.accelerator.empty()) f.push_back({"accelerator", json_string(p.accelerator)});
      if (p.set_usd_per_gpu_hour) f.push_back({"usd_per_gpu_hour", json_number(*p.set_usd_per_gpu_hour)});
      if (p.factor) f.push_back({"factor", json_number(*p.factor)});
      log(clamp(p.date_s), "price_change", std::move(f));
    }
    for (const DemandShockEvent& d : sc_.demand_shocks) {
      log(clamp(d.start_s), "demand_shock_start", {{"workload", json_string(d.workload)}, {"factor", json_number(d.factor)}});
      if (d.end_s <= sc_.horizon_s) log(clamp(d.end_s), "demand_shock_end", {{"workload", json_string(d.workload)}});
    }
    for (const Contract& k : sc_.contracts) {
      if (k.start_s >= 0.0 && k.start_s < sc_.horizon_s) log(k.start_s, "contract_start", {{"contract", json_string(k.id)}});
      if (k.end_s > 0.0 && k.end_s <= sc_.horizon_s) log(k.end_s, "contract_end", {{"contract", json_string(k.id)}});
    }
    for (const DeliveryDelayEvent& d : sc_.delivery_delays)
      log(0.0, "delivery_delay", {{"target", json_string(d.target)}, {"days", json_number(d.days)}});
  }

  void log(double t_s, std::string type, std::vector<std::pair<std::string, std::string>> fields) {
    result_.events.push_back({t_s, std::move(type), std::move(fields)});
  }

  // ---- the segment's inputs ----

  void build_inputs(double t0, double t1) {
    const double mid = 0.5 * (t0 + t1);
    const size_t n_clusters = plant_.clusters.size();
    in_.usable.assign(n_clusters, 0);
    in_.available_gpus.assign(n_clusters, {});
    in_.marginal_usd_per_gpu_hour.assign(n_clusters, {});
    for (size_t c = 0; c < n_clusters; ++c) {
      const PlantCluster& pc = plant_.clusters[c];
      const int k = plant_.reserving_contract(static_cast<int>(c), mid);
      const bool on_demand = k < 0 && pc.on_demand_usd_per_gpu_hour.sells_at(mid);
      if (k < 0 && !on_demand) continue;
      in_.usable[c] = 1;
      const double keep = (1.0 - plant_.lost_fraction(static_cast<int>(c), mid)) * pc.h100_equiv;
      in_.available_gpus[c] = affine_on([&](double t) { return pc.capacity_phys.at(t) * keep; }, t0, t1);
      // Marginal cost per H100-equivalent hour: reserved capacity is already
      // paid (0); usage contracts and on-demand cost their price per GPU.
      if (k >= 0 && plant_.contracts[static_cast<size_t>(k)].spec->billing == Billing::reserved) continue;
      const PriceSchedule& price = k >= 0 ? plant_.contracts[static_cast<size_t>(k)].price_usd_per_gpu_hour
                                          : pc.on_demand_usd_per_gpu_hour;
      in_.marginal_usd_per_gpu_hour[c] = affine_on([&](double t) { return price.at(t) / pc.h100_equiv; }, t0, t1);
    }
    // Indexed by workload, but only inference entries change: sized once.
    if (in_.demand_gpus.size() != plant_.workloads.size()) in_.demand_gpus.assign(plant_.workloads.size(), {});
    for (int w : inference_)
      in_.demand_gpus[static_cast<size_t>(w)] = affine_on([&](double t) { return plant_.demand_gpus(w, t); }, t0, t1);
    seg_t0_ = t0;
  }

  // Inference workloads and waiting jobs, by priority then file order.
  void build_items() {
    items_.clear();
    for (int w : inference_) items_.push_back({w, -1, 0.0});
    for (const auto& [prio, w] : waiting_) items_.push_back({w, job_of_workload_.at(w), jobs_[static_cast<size_t>(job_of_workload_.at(w))].gpus});
    std::stable_sort(items_.begin(), items_.end(), [&](const ServiceItem& a, const ServiceItem& b) {
      const int pa = plant_.workloads[static_cast<size_t>(a.workload)].spec->priority;
      const int pb = plant_.workloads[static_cast<size_t>(b.workload)].spec->priority;
      return pa != pb ? pa < pb : a.workload < b.workload;
    });
  }

  void evaluate(double t_s, Allocation& out) const { broker_.evaluate(t_s - seg_t0_, held_, items_, out); }

  static size_t first_difference(const std::vector<Decision>& a, const std::vector<Decision>& b) {
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i)
      if (a[i].outcome != b[i].outcome) return i;
    return a.size() == b.size() ? SIZE_MAX : n;
  }

  // Where the k-th compared quantity crosses zero between a and b, kept off
  // the ends so every split makes progress.
  static double root(double a, double b, const Decision& da, const Decision& db) {
    const double qa = da.quantity, qb = db.quantity;
    double t = qa == qb ? 0.5 * (a + b) : a + (b - a) * qa / (qa - qb);
    return std::clamp(t, a + kMinPiece_s, b - kMinPiece_s);
  }

  // Earliest instant in (a, b] where the state must change (a waiting job
  // fits, a running one no longer does); b if none.
  double find_stop(double a, double b, const Allocation& at_a, const Allocation& at_b) {
    const size_t k = first_difference(at_a.trace, at_b.trace);
    if (k == SIZE_MAX || b - a < 2 * kMinPiece_s) return b;
    if (k >= at_a.trace.size() || k >= at_b.trace.size()) return b;
    const double t = root(a, b, at_a.trace[k], at_b.trace[k]);
    Allocation at_t;
    evaluate(t, at_t);
    const double left = find_stop(a, t, at_a, at_t);
    if (left < t || at_a.trace[k].is_event) return left;
    return find_stop(t, b, at_t, at_b);
  }

  Sample sample(double t_s, const Allocation& alloc) const {
    Sample s;
    s.t_s = t_s;
    s.used_gpus = alloc.fluid_gpus_by_cluster;
    for (size_t c = 0; c < held_.size(); ++c) s.used_gpus[c] += held_[c];
    s.served_gpus.assign(inference_.size(), 0.0);
    s.unmet_gpus.assign(inference_.size(), 0.0);
    for (size_t i = 0; i < items_.size(); ++i)
      if (items_[i].job < 0)
        s.served_gpus[static_cast<size_t>(inference_index_[static_cast<size_t>(items_[i].workload)])] =
            alloc.served_gpus_by_item[i];
    for (size_t i = 0; i < inference_.size(); ++i)
      s.unmet_gpus[i] = std::max(0.0, in_.demand_gpus[static_cast<size_t>(inference_[i])].at(t_s - seg_t0_) - s.served_gpus[i]);
    return s;
  }

  // Integrates [a, b], split wherever the allocation kinks.
  void integrate(double a, double b, const Allocation& at_a, const Allocation& at_b) {
    const size_t k = first_difference(at_a.trace, at_b.trace);
    if (k != SIZE_MAX && b - a >= 2 * kMinPiece_s && k < at_a.trace.size() && k < at_b.trace.size()) {
      const double t = root(a, b, at_a.trace[k], at_b.trace[k]);
      Allocation at_t;
      evaluate(t, at_t);
      integrate(a, t, at_a, at_t);
      integrate(t, b, at_t, at_b);
      return;
    }
    Allocation at_mid;
    const double mid = 0.5 * (a + b);
    evaluate(mid, at_mid);
    accountant_.add_piece(sample(a, at_a), sample(mid, at_mid), sample(b, at_b));
    last_uses_ = at_b.uses;
  }

  // ---- training jobs ----

  void start_job(int ji, int cluster, double t_s) {
    Job& j = jobs_[static_cast<size_t>(ji)];
    const PlantCluster& pc = plant_.clusters[static_cast<size_t>(cluster)];
    const WorkloadTotals& wt = result_.workloads[static_cast<size_t>(j.workload)];
    if (j.last_provider >= 0 && j.last_provider != pc.provider && j.dataset_gb > 0.0) {
      // Its dataset follows it to the new provider, billed as egress by the source.
      const double usd = j.dataset_gb * sc_.providers[static_cast<size_t>(j.last_provider)].egress_usd_per_gb;
      if (usd > 0.0) accountant_.add_egress(t_s, j.last_provider, j.workload, usd);
      log(t_s, "egress", {{"workload", json_string(plant_.workloads[static_cast<size_t>(j.workload)].spec->id)},
                          {"from", json_string(plant_.providers[static_cast<size_t>(j.last_provider)])},
                          {"to", json_string(plant_.providers[static_cast<size_t>(pc.provider)])},
                          {"dataset_gb", json_number(j.dataset_gb)},
                          {"amount_usd", json_number(usd)}});
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
                 ->set_host(platform_.cluster_hosts[static_cast<size_t>(cluster)])
                 ->set_thread_count(threads);
    j.exec->start();
    running_.push_back(ji);
    const bool first = !wt.start_s.has_value();
    if (first) result_.workloads[static_cast<size_t>(j.workload)].start_s = t_s;
    log(t_s, first ? "job_start" : "job_restart",
        {{"workload", json_string(plant_.workloads[static_cast<size_t>(j.workload)].spec->id)},
         {"cluster", json_string(pc.path)},
         {"gpus", json_number(j.gpus)},
         {"progress_hours", json_number(j.progress_s / 3600.0)},
         {"remaining_hours", json_number(j.run_amount_s / 3600.0)}});
  }

  void stop_run(Job& j, int ji, double t_s) {
    // A run's GPU-hours, exact: it held all its GPUs from its start to now.
    result_.workloads[static_cast<size_t>(j.workload)].served_gpu_s += j.gpus * (t_s - j.run_start_s);
    held_[static_cast<size_t>(j.cluster)] -= j.gpus;
    if (held_[static_cast<size_t>(j.cluster)] < 1e-9) held_[static_cast<size_t>(j.cluster)] = 0.0;
    running_on_[static_cast<size_t>(j.cluster)].erase(ji);
    std::erase(running_, ji);
    j.exec = nullptr;
  }

  void interrupt_job(int ji, double t_s) {
    Job& j = jobs_[static_cast<size_t>(ji)];
    // Progress from SimGrid's own account of the exec, then back to the last checkpoint.
    const double done_s = j.run_amount_s * (1.0 - j.exec->get_remaining_ratio());
    j.exec->cancel();
    const double progress = j.progress_s + done_s;
    const double kept = progress_after_rollback(progress, j.checkpoint_s);
    WorkloadTotals& wt = result_.workloads[static_cast<size_t>(j.workload)];
    wt.interruptions += 1;
    wt.lost_gpu_s += (progress - kept) * j.gpus;
    const std::string cluster = plant_.clusters[static_cast<size_t>(j.cluster)].path;
    stop_run(j, ji, t_s);
    j.progress_s = kept;
    j.state = Job::State::pending;
    j.ready_s = t_s + j.restart_s;
    if (j.ready_s < sc_.horizon_s) pending_.push({j.ready_s, ji});
    log(t_s, "job_interrupted", {{"workload", json_string(plant_.workloads[static_cast<size_t>(j.workload)].spec->id)},
                                 {"cluster", json_string(cluster)},
                                 {"lost_hours", json_number((progress - kept) / 3600.0)},
                                 {"restart_at_hours", json_number(j.ready_s / 3600.0)}});
  }

  void finish_job(int ji, double t_s) {
    Job& j = jobs_[static_cast<size_t>(ji)];
    const std::string cluster = plant_.clusters[static_cast<size_t>(j.cluster)].path;
    stop_run(j, ji, t_s);
    j.state = Job::State::finished;
    j.progress_s = j.work_s;
    result_.workloads[static_cast<size_t>(j.workload)].finish_s = t_s;
    log(t_s, "job_finish", {{"workload", json_string(plant_.workloads[static_cast<size_t>(j.workload)].spec->id)},
                            {"cluster", json_string(cluster)}});
  }

  // Jobs whose submit or restart time has come join the queue.
  void admit_ready(double t_s) {
    while (!pending_.empty() && pending_.top().first <= t_s) {
      const int ji = pending_.top().second;
      pending_.pop();
      Job& j = jobs_[static_cast<size_t>(ji)];
      if (j.state != Job::State::pending) continue;
      j.state = Job::State::waiting;
      waiting_.insert({j.priority, j.workload});
    }
  }

  // State changes at instant t: interruptions first, then starts in service
  // order. A job interrupted with no restart delay may start again at once.
  void settle(double t_s) {
    Allocation alloc;
    for (;;) {
      admit_ready(t_s);
      build_items();
      evaluate(t_s, alloc);
      if (!alloc.overloaded_clusters.empty()) {
        for (int c : alloc.overloaded_clusters) {
          const double avail = std::max(0.0, in_.available_gpus[static_cast<size_t>(c)].at(t_s - seg_t0_)) *
                               (in_.usable[static_cast<size_t>(c)] ? 1.0 : 0.0);
          // The last served (lowest priority, then latest in file order) go first.
          std::vector<int> victims(running_on_[static_cast<size_t>(c)].begin(), running_on_[static_cast<size_t>(c)].end());
          std::sort(victims.begin(), victims.end(), [&](int a, int b) {
            const Job& ja = jobs_[static_cast<size_t>(a)];
            const Job& jb = jobs_[static_cast<size_t>(b)];
            return ja.priority != jb.priority ? ja.priority > jb.priority : ja.workload > jb.workload;
          });
          for (int ji : victims) {
            if (held_[static_cast<size_t>(c)] <= avail + kFitTolGpus) break;
            interrupt_job(ji, t_s);
          }
        }
        continue;
      }
      bool started = false;
      for (size_t i = 0; i < items_.size(); ++i) {
        if (items_[i].job < 0 || alloc.fits_cluster_by_item[i] < 0) continue;
        start_job(items_[i].job, alloc.fits_cluster_by_item[i], t_s);
        started = true;
        break;
      }
      if (!started) break;
    }
    if (outage_starts_.count(t_s)) log_failover(t_s, alloc);
  }

  // When an outage starts, where did inference go: per workload, the change
  // of its use per provider, and what could not be placed.
  void log_failover(double t_s, const Allocation& after) {
    std::map<std::pair<int, int>, double> delta;
    for (const FluidUse& u : last_uses_)
      delta[{u.workload, plant_.clusters[static_cast<size_t>(u.cluster)].provider}] -= u.gpus;
    for (const FluidUse& u : after.uses)
      delta[{u.workload, plant_.clusters[static_cast<size_t>(u.cluster)].provider}] += u.gpus;
    std::map<int, std::string> moves;
    for (const auto& [key, d] : delta) {
      if (std::abs(d) < 1e-6) continue;
      std::string& m = moves[key.first];
      m += (m.empty() ? "" : ",") + json_string(plant_.providers[static_cast<size_t>(key.second)]) + ":" + json_number(d);
    }
    for (const auto& [w, m] : moves)
      log(t_s, "failover", {{"workload", json_string(plant_.workloads[static_cast<size_t>(w)].spec->id)},
                            {"change_gpus_by_provider", "{" + m + "}"}});
  }

  // SimGrid advances the clock to `stop`, or to the first training exec that
  // completes before it.
  double advance_clock(double now, double stop) {
    const double dt = stop - now;
    bool completed = false;
    if (dt > 0.0) {
      if (running_.empty()) {
        sg4::this_actor::sleep_for(dt);
      } else {
        std::vector<sg4::ExecPtr> execs;
        execs.reserve(running_.size());
        for (int ji : running_) execs.push_back(jobs_[static_cast<size_t>(ji)].exec);
        completed = sg4::Exec::wait_any_for(execs, dt) >= 0;
      }
    }
    double t = sg4::Engine::get_clock();
    if (std::abs(t - stop) < kSnap_s || t > stop) t = stop;
    if (completed) {
      just_finished_.clear();
      for (int ji : running_)
        if (jobs_[static_cast<size_t>(ji)].exec->test()) just_finished_.push_back(ji);
    }
    return t;
  }

  void broker_loop() {
    init();
    double now = 0.0;
    size_t next_cut = 0;
    for (;;) {
      admit_ready(now);
      while (next_cut < cuts_.size() && cuts_[next_cut] <= now) ++next_cut;
      if (now >= sc_.horizon_s) break;
      double seg_end = next_cut < cuts_.size() ? cuts_[next_cut] : sc_.horizon_s;
      if (!pending_.empty()) seg_end = std::min(seg_end, pending_.top().first);
      build_inputs(now, seg_end);
      std::vector<double> crossings;
      cost_crossings(in_, seg_end - now, crossings);
      for (double dt : crossings) seg_end = std::min(seg_end, now + dt);
      broker_.begin_segment(in_, 0.5 * (seg_end - now));
      settle(now);
      // An interruption just queued a restart: the segment ends there at the latest.
      if (!pending_.empty()) seg_end = std::min(seg_end, pending_.top().first);

      build_items();
      Allocation at_a, at_b;
      evaluate(now, at_a);
      evaluate(seg_end, at_b);
      const double stop = find_stop(now, seg_end, at_a, at_b);
      const double t = advance_clock(now, stop);
      Allocation at_t;
      if (t == seg_end) at_t = at_b;
      else evaluate(t, at_t);
      integrate(now, t, at_a, at_t);
      now = t;
      for (int ji : just_finished_) finish_job(ji, now);
      just_finished_.clear();
      accountant_.close_due(now);
    }
    accountant_.close_due(sc_.horizon_s);
    accountant_.finish();
    for (int ji : std::vector<int>(running_)) {
      Job& j = jobs_[static_cast<size_t>(ji)];
      j.exec->cancel();
      stop_run(j, ji, sc_.horizon_s);
    }
    running_.clear();
  }

  const Scenario& sc_;
  Plant plant_;
  Broker broker_;
  ReplayResult result_;
  Accountant accountant_;
  sim::Platform platform_;

  std::vector<double> cuts_;
  SegmentInputs in_;
  double seg_t0_ = 0.0;
  std::vector<ServiceItem> items_;
  std::vector<int> inference_;        // workload index of each inference workload
  std::vector<int> inference_index_;  // per workload: its index in inference_, or -1
  std::vector<Job> jobs_;
  std::map<int, int> job_of_workload_;
  std::priority_queue<std::pair<double, int>, std::vector<std::pair<double, int>>, std::greater<>> pending_;
  std::set<std::pair<int, int>> waiting_;  // (priority, workload)
  std::vector<int> running_;
  std::vector<std::set<int>> running_on_;
  std::vector<double> held_;
  std::vector<int> just_finished_;
  std::vector<FluidUse> last_uses_;
  std::set<double> outage_starts_;
};

}  // namespace

ReplayResult run_replay(const Scenario& scenario) {
  Replay replay(scenario);
  return replay.run();
}

}  // namespace cloudpact
