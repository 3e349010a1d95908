// The broker's placement (docs/reference.md §2.4, §2.5) on one segment of
// time where every input is affine: who gets which capacity at offset dt,
// and a trace of every comparison that decided it. The rule itself (order,
// fit, fluid take) is rules/placement.hpp, which the path model applies too.
//
// Why a trace: with affine inputs, every quantity the greedy rule compares is
// affine as long as the earlier comparisons keep their outcome. So if the
// outcomes are the same at both ends of a piece, they are the same all along
// it and the allocation is affine there (integrals are exact); if not, the
// first comparison that flips does so at the root of its own affine quantity.
// That root is either a kink of the allocation (split there) or an event (a
// waiting training job fits, a running one no longer does: stop there).
// Pure C++: no SimGrid.
#pragma once

#include <cstdint>
#include <vector>

#include "model/plant.hpp"
#include "rules/placement.hpp"

namespace cloudpact {

using rules::kFitTolGpus;

struct SegmentInputs {
  std::vector<char> usable;            // per cluster: the buyer may use it on this segment
  std::vector<Affine> available_gpus;  // per cluster, after outages
  std::vector<Affine> marginal_usd_per_gpu_hour;  // per cluster, per H100-eq hour
  std::vector<Affine> demand_gpus;     // per workload (inference; 0 for training)
};

// One thing that asks for capacity, in service order (priority, then file order).
struct ServiceItem {
  int workload = 0;
  int job = -1;            // training job index (-1: the inference workload itself)
  double gpus = 0.0;       // training: size
};

struct Decision {
  bool outcome = false;
  bool is_event = false;   // flipping it changes the state, not just the allocation
  double quantity = 0.0;   // affine in time; the outcome flips where it crosses 0
};

struct FluidUse {
  int workload = 0;
  int cluster = 0;
  double gpus = 0.0;
};

struct Allocation {
  std::vector<double> fluid_gpus_by_cluster;   // inference use per cluster
  std::vector<double> served_gpus_by_item;     // inference served, per service item
  std::vector<FluidUse> uses;                  // who uses what, for failover reports
  std::vector<int> fits_cluster_by_item;       // waiting job: first cluster it fits on now, or -1
  std::vector<int> overloaded_clusters;        // held training above what is available
  std::vector<Decision> trace;
};

class Broker {
 public:
  explicit Broker(const Plant& plant);

  // Orders each workload's eligible clusters for a segment. Marginal costs are
  // compared at the segment's middle; the replay cuts segments where two
  // affine costs cross, so the order holds on the whole segment.
  void begin_segment(const SegmentInputs& in, double mid_dt_s);

  // Allocation at offset dt_s into the segment. `held_gpus` is per cluster
  // (running training); `items` holds inference workloads and waiting jobs in
  // service order.
  void evaluate(double dt_s, const std::vector<double>& held_gpus, const std::vector<ServiceItem>& items,
                Allocation& out) const;

  // Clusters item's workload may use on this segment, in the order it tries them.
  [[nodiscard]] const std::vector<int>& order(int workload) const {
    const auto g = static_cast<size_t>(group_of_workload_[static_cast<size_t>(workload)]);
    if (!order_ready_[g]) build_order(g);
    return order_by_group_[g];
  }

 private:
  // Workloads with the same eligible providers (in the same order, for the
  // primary policy) share one cluster order: a stress scenario has 100,000
  // jobs but a handful of distinct eligibility lists.
  // A group's order is built the first time a segment asks for it: a
  // segment serves a few groups (the inference workloads', and those of the
  // jobs waiting, usually none) out of up to 2^providers. It is kept for
  // later segments as long as the global order does not change.
  void build_order(size_t group) const;

  const Plant& plant_;
  const SegmentInputs* in_ = nullptr;
  std::vector<int> group_of_workload_;
  std::vector<std::vector<int>> eligible_by_group_;  // static: providers and policy
  std::vector<std::vector<char>> eligible_mask_by_group_;  // [group][cluster]
  std::vector<double> cost_at_mid_;                  // per segment, per cluster: the marginal cost it is ordered by
  std::vector<int> global_order_;                    // per segment: usable clusters by cost
  std::vector<int> orders_built_from_;               // the global order the groups' orders were built from
  std::vector<char> listed_;                         // begin_segment's scratch, per cluster
  std::vector<std::vector<int>> rank_by_group_;      // [group][provider] -> rank in its list
  mutable std::vector<std::vector<int>> order_by_group_;  // built on demand from orders_built_from_
  mutable std::vector<char> order_ready_;                 // per group: built from orders_built_from_
  // evaluate's scratch: free GPUs per cluster, kept between calls (no
  // allocation per segment). A member, not a thread_local: the replay runs
  // in a module the executable loads (docs/reference.md §3.1), where every
  // use of a thread_local looks its address up again (__tls_get_addr,
  // 3.5% of the stress scenario's replay and a slower evaluate). A Broker
  // is one replay's, used by one thread, as its lazily built orders are.
  mutable std::vector<double> free_gpus_;
};

// Times strictly inside (0, length_s) where two usable clusters' marginal costs
// cross (only possible when a price is a linear curve).
void cost_crossings(const SegmentInputs& in, double length_s, std::vector<double>& out);

}  // namespace cloudpact
