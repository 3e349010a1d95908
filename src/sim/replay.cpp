// The broker: SimGrid owns the clock and the training runs; the pure model
// (plant, placement, accountant, the rules layer) decides who runs where and
// what it costs. The broker walks the horizon segment by segment. A segment
// ends at the next dated change (curve point, outage edge, price change, bill
// cut), at the next job submission or restart, at the first instant a
// waiting job fits or a running one no longer does (found exactly by the
// placement trace), or when SimGrid completes a training run, whichever
// comes first. Inside a segment every rate is affine, so integrals are exact
// (docs/reference.md §3).
#include "sim/replay.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "billing/accountant.hpp"
#include "model/plant.hpp"
#include "model/plant_span.hpp"
#include "policy/placement.hpp"
#include "policy/rofr.hpp"
#include "rules/capacity.hpp"
#include "rules/placement.hpp"
#include "sim/event_log.hpp"
#include "sim/sim_clock.hpp"
#include "sim/training_jobs.hpp"

namespace cloudpact {

namespace {

// Below this width a piece is not split further: a kink or an event this
// close to a piece end moves it by at most a millisecond.
constexpr double kMinPiece_s = 1e-3;

class Replay {
 public:
  explicit Replay(const Scenario& sc)
      : sc_(sc),
        plant_(build_plant(sc)),
        broker_(plant_),
        accountant_(plant_, result_),
        log_(result_.events),
        jobs_(plant_, result_, accountant_, log_) {}

  ReplayResult run() {
    result_.end_clock_s = sim::run_engine(plant_, [this](const sim::Platform& platform) {
      jobs_.attach(platform);
      broker_loop();
    });
    log_.sort();
    return std::move(result_);
  }

 private:
  void init() {
    for (size_t w = 0; w < plant_.workloads.size(); ++w)
      if (plant_.workloads[w].spec->kind == WorkloadKind::inference) {
        inference_index_.push_back(static_cast<int>(inference_.size()));
        inference_.push_back(static_cast<int>(w));
      } else {
        inference_index_.push_back(-1);
      }
    std::vector<double> cuts = plant_.breakpoints();
    for (double t : accountant_.cuts()) cuts.push_back(t);
    cuts.push_back(sc_.horizon_s);
    std::erase_if(cuts, [&](double t) { return t <= 0.0 || t > sc_.horizon_s; });
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    cuts_ = std::move(cuts);
    for (const OutageEvent& o : sc_.outages)
      if (o.start_s > 0.0 && o.start_s < sc_.horizon_s) outage_starts_.insert(o.start_s);
    log_.log_scenario(sc_);
  }

  // ---- the segment's inputs ----

  void build_inputs(double t0, double t1) {
    const double mid = 0.5 * (t0 + t1);
    const size_t n_clusters = plant_.clusters.size();
    in_.usable.assign(n_clusters, 0);
    in_.available_gpus.assign(n_clusters, {});
    in_.marginal_usd_per_gpu_hour.assign(n_clusters, {});
    // The span's figures where they hold: the same values, looked up once.
    const AffineSamples samples = affine_samples(t0, t1);
    const PlantSpan::Piece segment = span_.piece(mid, samples);
    for (size_t c = 0; c < n_clusters; ++c) {
      const PlantCluster& pc = plant_.clusters[c];
      const PlantSpan::Lookup here = span_.look_up(c, segment);
      const Plant::Sale& sale = here.sale;
      const rules::Seller seller = sale.seller;
      if (seller == rules::Seller::none) continue;
      in_.usable[c] = 1;
      const double lost = here.lost_fraction;
      in_.available_gpus[c] = affine_of(
          samples, here.flat_capacity_phys_gpus, [&](double t) { return pc.capacity_at(t); },
          [&](double capacity) { return rules::available_gpus(capacity, pc.h100_equiv, lost); });
      const PriceSchedule* price = sale.price;
      in_.marginal_usd_per_gpu_hour[c] = affine_of(
          samples, here.flat_price_usd_per_gpu_hour, [&](double t) { return price ? price->at(t) : 0.0; },
          [&](double usd) { return rules::marginal_usd_per_gpu_hour(seller, usd, pc.h100_equiv); });
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
    jobs_.append_waiting(items_);
    // Every item is a different workload, so the order is total: any sort gives it.
    std::sort(items_.begin(), items_.end(), [&](const ServiceItem& a, const ServiceItem& b) {
      const int pa = plant_.workloads[static_cast<size_t>(a.workload)].spec->priority;
      const int pb = plant_.workloads[static_cast<size_t>(b.workload)].spec->priority;
      return rules::served_first(pa, a.workload, pb, b.workload);
    });
  }

  void evaluate(double t_s, Allocation& out) const { broker_.evaluate(t_s - seg_t0_, jobs_.held_gpus(), items_, out); }

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

  void sample(double t_s, const Allocation& alloc, Sample& s) const {
    s.t_s = t_s;
    s.used_gpus = alloc.fluid_gpus_by_cluster;
    const std::vector<double>& held = jobs_.held_gpus();
    for (size_t c = 0; c < held.size(); ++c) s.used_gpus[c] += held[c];
    s.served_gpus.assign(inference_.size(), 0.0);
    s.unmet_gpus.assign(inference_.size(), 0.0);
    for (size_t i = 0; i < items_.size(); ++i)
      if (items_[i].job < 0)
        s.served_gpus[static_cast<size_t>(inference_index_[static_cast<size_t>(items_[i].workload)])] =
            alloc.served_gpus_by_item[i];
    for (size_t i = 0; i < inference_.size(); ++i)
      s.unmet_gpus[i] = rules::unmet_gpus(in_.demand_gpus[static_cast<size_t>(inference_[i])].at(t_s - seg_t0_), s.served_gpus[i]);
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
    const double mid = 0.5 * (a + b);
    evaluate(mid, at_mid_);
    sample(a, at_a, samples_[0]);
    sample(mid, at_mid_, samples_[1]);
    sample(b, at_b, samples_[2]);
    accountant_.add_piece(samples_[0], samples_[1], samples_[2], span_);
    last_uses_ = at_b.uses;
  }

  // State changes at instant t: interruptions first, then starts in service
  // order. A job interrupted with no restart delay may start again at once.
  // Leaves the items and `alloc` as they are at t once nothing changes.
  void settle(double t_s, Allocation& alloc) {
    for (;;) {
      jobs_.admit_ready(t_s);
      build_items();
      evaluate(t_s, alloc);
      if (!alloc.overloaded_clusters.empty()) {
        for (int c : alloc.overloaded_clusters) {
          const double avail = in_.usable[static_cast<size_t>(c)]
                                   ? std::max(0.0, in_.available_gpus[static_cast<size_t>(c)].at(t_s - seg_t0_))
                                   : 0.0;
          jobs_.shed(c, avail, t_s);
        }
        continue;
      }
      bool started = false;
      for (size_t i = 0; i < items_.size(); ++i) {
        if (items_[i].job < 0 || alloc.fits_cluster_by_item[i] < 0) continue;
        jobs_.start(items_[i].job, alloc.fits_cluster_by_item[i], t_s);
        started = true;
        break;
      }
      if (!started) break;
    }
    if (outage_starts_.count(t_s)) log_.log_failover(t_s, plant_, last_uses_, alloc.uses);
  }

  void broker_loop() {
    init();
    double now = 0.0;
    size_t next_cut = 0;
    size_t span_cut = SIZE_MAX;  // the cut that ends span_
    for (;;) {
      jobs_.admit_ready(now);
      while (next_cut < cuts_.size() && cuts_[next_cut] <= now) ++next_cut;
      if (now >= sc_.horizon_s) break;
      if (next_cut != span_cut) {
        span_.enter(plant_, next_cut > 0 ? cuts_[next_cut - 1] : 0.0,
                    next_cut < cuts_.size() ? cuts_[next_cut] : sc_.horizon_s);
        span_cut = next_cut;
      }
      double seg_end = next_cut < cuts_.size() ? cuts_[next_cut] : sc_.horizon_s;
      seg_end = std::min(seg_end, jobs_.next_ready_s());
      build_inputs(now, seg_end);
      std::vector<double> crossings;
      cost_crossings(in_, seg_end - now, crossings);
      for (double dt : crossings) seg_end = std::min(seg_end, now + dt);
      broker_.begin_segment(in_, 0.5 * (seg_end - now));
      settle(now, at_a_);
      // An interruption just queued a restart: the segment ends there at the latest.
      seg_end = std::min(seg_end, jobs_.next_ready_s());

      // settle left at_a_ as the allocation at `now`.
      evaluate(seg_end, at_b_);
      const double stop = find_stop(now, seg_end, at_a_, at_b_);
      const sim::Advance adv = sim::advance_clock(now, stop, jobs_.running_execs());
      if (adv.t_s == seg_end) at_t_ = at_b_;
      else evaluate(adv.t_s, at_t_);
      integrate(now, adv.t_s, at_a_, at_t_);
      now = adv.t_s;
      if (!adv.completed.empty()) {
        const std::vector<int> running = jobs_.running();  // finish() edits it
        for (size_t i : adv.completed) jobs_.finish(running[i], now);
      }
      accountant_.close_due(now);
    }
    accountant_.close_due(sc_.horizon_s);
    accountant_.finish();
    jobs_.stop_all(sc_.horizon_s);
  }

  const Scenario& sc_;
  Plant plant_;
  Broker broker_;
  ReplayResult result_;
  Accountant accountant_;
  sim::EventLog log_;
  sim::TrainingJobs jobs_;

  std::vector<double> cuts_;
  PlantSpan span_;  // the plant's figures between the two cuts around now
  SegmentInputs in_;
  double seg_t0_ = 0.0;
  std::vector<ServiceItem> items_;
  std::vector<int> inference_;        // workload index of each inference workload
  std::vector<int> inference_index_;  // per workload: its index in inference_, or -1
  std::vector<FluidUse> last_uses_;
  // Refilled in place at every segment, so their vectors keep their capacity
  // (about a million evaluations and 200,000 pieces in the stress scenario).
  Allocation at_a_, at_b_, at_t_, at_mid_;
  Sample samples_[3];
  std::set<double> outage_starts_;
};

}  // namespace

ReplayResult run_replay(const Scenario& scenario) {
  // A right of first refusal replays the scenario with each offered contract
  // split at match_pct (docs/reference.md §14).
  std::optional<RofrSplit> split;
  Replay replay(replay_scenario(scenario, split));
  return replay.run();
}

}  // namespace cloudpact
