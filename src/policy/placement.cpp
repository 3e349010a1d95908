#include "policy/placement.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace cloudpact {

Broker::Broker(const Plant& plant) : plant_(plant) {
  const Scenario& sc = *plant.scenario;
  const bool primary = sc.policy.placement == Placement::primary;
  std::map<std::vector<int>, int> group_index;
  for (const PlantWorkload& pw : plant.workloads) {
    // The key: eligible providers, in list order for `primary` (their order
    // matters there), sorted otherwise.
    std::vector<int> key = pw.eligible_providers;
    if (!primary) std::sort(key.begin(), key.end());
    auto [it, fresh] = group_index.try_emplace(key, static_cast<int>(eligible_by_group_.size()));
    group_of_workload_.push_back(it->second);
    if (!fresh) continue;
    std::vector<int> rank(plant.providers.size(), -1);
    for (size_t r = 0; r < pw.eligible_providers.size(); ++r)
      rank[static_cast<size_t>(pw.eligible_providers[r])] = static_cast<int>(r);
    std::vector<int> eligible;
    for (size_t c = 0; c < plant.clusters.size(); ++c) {
      const int p = plant.clusters[c].provider;
      if (rank[static_cast<size_t>(p)] < 0) continue;
      if (sc.policy.placement == Placement::single_vendor && plant.providers[static_cast<size_t>(p)] != sc.policy.vendor)
        continue;
      eligible.push_back(static_cast<int>(c));
    }
    std::vector<char> mask(plant.clusters.size(), 0);
    for (int c : eligible) mask[static_cast<size_t>(c)] = 1;
    eligible_mask_by_group_.push_back(std::move(mask));
    eligible_by_group_.push_back(std::move(eligible));
    rank_by_group_.push_back(std::move(rank));
  }
  order_by_group_.resize(eligible_by_group_.size());
  order_ready_.assign(eligible_by_group_.size(), 0);
}

void Broker::begin_segment(const SegmentInputs& in, double mid_dt_s) {
  in_ = &in;
  // One sort of the usable clusters by (marginal cost, file order); each
  // group's order is that order filtered by its eligibility, then, for the
  // primary policy, stably grouped by the rank of each cluster's provider.
  // Each cost is evaluated once, not at every comparison.
  const size_t n = in.usable.size();
  cost_at_mid_.assign(n, 0.0);
  bool any_nan = false;
  for (size_t c = 0; c < n; ++c)
    if (in.usable[c]) {
      cost_at_mid_[c] = in.marginal_usd_per_gpu_hour[c].at(mid_dt_s);
      any_nan = any_nan || std::isnan(cost_at_mid_[c]);
    }
  const auto before = [&](int a, int b) {
    return rules::cheaper_first(cost_at_mid_[static_cast<size_t>(a)], a, cost_at_mid_[static_cast<size_t>(b)], b);
  };
  // Without a NaN, (cost, file order) is a total order, and it seldom
  // changes from one segment to the next: the last segment's order, kept to
  // the clusters usable now, is usually sorted already, and any sort gives
  // the same order. With a NaN, the sort of the usable clusters in file
  // order, as always.
  listed_.assign(n, 0);
  size_t kept = 0;
  if (!any_nan)
    for (const int c : global_order_)
      if (static_cast<size_t>(c) < n && in.usable[static_cast<size_t>(c)]) {
        global_order_[kept++] = c;
        listed_[static_cast<size_t>(c)] = 1;
      }
  global_order_.resize(kept);
  for (size_t c = 0; c < n; ++c)
    if (in.usable[c] && !listed_[c]) global_order_.push_back(static_cast<int>(c));
  if (any_nan || !std::is_sorted(global_order_.begin(), global_order_.end(), before))
    std::sort(global_order_.begin(), global_order_.end(), before);
  // A group's order is a function of this order alone (eligibility and ranks
  // are static), so the orders built for earlier segments stand while it
  // stays the same, as it does across most of the stress scenario's segments.
  if (global_order_ != orders_built_from_) {
    std::fill(order_ready_.begin(), order_ready_.end(), 0);
    orders_built_from_ = global_order_;
  }
}

void Broker::build_order(size_t g) const {
  std::vector<int>& ord = order_by_group_[g];
  ord.clear();
  const std::vector<char>& eligible = eligible_mask_by_group_[g];
  for (int c : global_order_)
    if (eligible[static_cast<size_t>(c)]) ord.push_back(c);
  if (plant_.scenario->policy.placement == Placement::primary) {
    const std::vector<int>& rank = rank_by_group_[g];
    std::stable_sort(ord.begin(), ord.end(), [&](int a, int b) {
      return rules::provider_rank_first(rank[static_cast<size_t>(plant_.clusters[static_cast<size_t>(a)].provider)],
                                        rank[static_cast<size_t>(plant_.clusters[static_cast<size_t>(b)].provider)]);
    });
  }
  order_ready_[g] = 1;
}

void Broker::evaluate(double dt_s, const std::vector<double>& held_gpus, const std::vector<ServiceItem>& items,
                      Allocation& out) const {
  const SegmentInputs& in = *in_;
  const size_t n_clusters = held_gpus.size();
  out.fluid_gpus_by_cluster.assign(n_clusters, 0.0);
  out.served_gpus_by_item.assign(items.size(), 0.0);
  out.uses.clear();
  out.fits_cluster_by_item.assign(items.size(), -1);
  out.overloaded_clusters.clear();
  out.trace.clear();

  // Free capacity after running training. A cluster whose held training no
  // longer fits is an event (interruption); the tolerance keeps a job that
  // exactly fills its cluster from flickering.
  std::vector<double>& free_gpus = free_gpus_;
  free_gpus.assign(n_clusters, 0.0);
  for (size_t c = 0; c < n_clusters; ++c) {
    const double avail = in.usable[c] ? std::max(0.0, in.available_gpus[c].at(dt_s)) : 0.0;
    if (held_gpus[c] > 0.0) {
      const double q = rules::hold_margin_gpus(avail, held_gpus[c]);
      out.trace.push_back({q >= 0.0, true, q});
      if (q < 0.0) out.overloaded_clusters.push_back(static_cast<int>(c));
    }
    free_gpus[c] = rules::free_gpus(avail, held_gpus[c]);
  }

  for (size_t i = 0; i < items.size(); ++i) {
    const ServiceItem& item = items[i];
    const std::vector<int>& ord = order(item.workload);
    if (item.job < 0) {
      // Inference is fluid: it takes the cheapest eligible capacity first.
      const double demand = in.demand_gpus[static_cast<size_t>(item.workload)].at(dt_s);
      double remaining = std::max(0.0, demand);
      double served = 0.0;
      // Whether there is demand at all is a decision too: the loop below
      // records nothing for a workload with none, so without this entry a
      // demand that reaches 0 at one end of a piece would leave the two
      // ends' traces out of step, and the kinks after it unfound.
      out.trace.push_back({demand > 0.0, false, demand});
      for (int c : ord) {
        if (remaining <= 0.0) break;
        double& f = free_gpus[static_cast<size_t>(c)];
        // The quantity whose sign decides the take (affine in time): free
        // capacity left once the remaining demand is served.
        const double q = f - remaining;
        out.trace.push_back({q >= 0.0, false, q});
        const double take = rules::fluid_take_gpus(remaining, f);
        if (take <= 0.0) continue;
        f -= take;
        remaining -= take;
        served += take;
        out.fluid_gpus_by_cluster[static_cast<size_t>(c)] += take;
        out.uses.push_back({item.workload, c, take});
      }
      out.served_gpus_by_item[i] = served;
    } else {
      // A waiting job fits where all of its GPUs are free, after everyone
      // served before it; it takes nothing until the replay starts it.
      for (int c : ord) {
        const double q = rules::fit_margin_gpus(free_gpus[static_cast<size_t>(c)], item.gpus);
        out.trace.push_back({q >= 0.0, true, q});
        if (q >= 0.0) {
          out.fits_cluster_by_item[i] = c;
          break;
        }
      }
    }
  }
}

void cost_crossings(const SegmentInputs& in, double length_s, std::vector<double>& out) {
  // Only a sloped price can cross another: scan pairs from those alone.
  const size_t n = in.usable.size();
  for (size_t a = 0; a < n; ++a) {
    if (!in.usable[a] || in.marginal_usd_per_gpu_hour[a].slope == 0.0) continue;
    const Affine& fa = in.marginal_usd_per_gpu_hour[a];
    for (size_t b = 0; b < n; ++b) {
      if (b == a || !in.usable[b]) continue;
      const Affine& fb = in.marginal_usd_per_gpu_hour[b];
      const double ds = fa.slope - fb.slope;
      if (ds == 0.0) continue;
      const double t = (fb.v0 - fa.v0) / ds;
      if (t > 0.0 && t < length_s) out.push_back(t);
    }
  }
}

}  // namespace cloudpact
