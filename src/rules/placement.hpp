// The broker's placement rule (docs/reference.md §2.4, §2.5), as plain
// arithmetic both engines call: which capacity is cheaper at the margin, in
// which order a workload tries clusters, when a training job fits, and how
// much of a cluster inference takes. The replay (src/policy/placement.cpp)
// applies it to affine inputs on a segment; the path model
// (kernels/path_model.inl) to step averages.
#pragma once

#include "rules/hd.hpp"

namespace cloudpact::rules {

// Tolerance, in H100-equivalent GPUs, for "fits": a job fits when
// free >= gpus − kFitTolGpus, and a running job keeps its cluster while
// held <= available + kFitTolGpus. Far below one GPU, far above rounding, so
// a job that exactly fills its cluster does not flicker.
inline constexpr double kFitTolGpus = 1e-6;

// Who sells a cluster's capacity to the buyer at an instant.
enum class Seller : int { none = 0, reserved_contract, usage_contract, on_demand };

// Marginal cost of one more H100-equivalent hour: reserved capacity is
// already paid (0); a usage contract and on-demand cost their price per
// physical GPU-hour over the accelerator's H100-equivalence.
CP_HD inline double marginal_usd_per_gpu_hour(Seller seller, double price_usd_per_gpu_hour, double h100_equiv) {
  return seller == Seller::reserved_contract ? 0.0 : price_usd_per_gpu_hour / h100_equiv;
}

// The order in which demand tries clusters: lowest marginal cost first,
// ties in file order (the cluster index). Under `primary`, a workload first
// groups clusters by the rank of their provider in its own list
// (provider_rank_first below), keeping this order inside each group.
CP_HD inline bool cheaper_first(double cost_a, int cluster_a, double cost_b, int cluster_b) {
  return cost_a != cost_b ? cost_a < cost_b : cluster_a < cluster_b;
}

// `primary`: a cluster of a provider earlier in the workload's list comes
// first, whatever it costs.
CP_HD inline bool provider_rank_first(int rank_a, int rank_b) { return rank_a < rank_b; }

// Capacity nobody holds: available minus what running training holds.
CP_HD inline double free_gpus(double available_gpus, double held_gpus) {
  const double f = available_gpus - held_gpus;
  return f > 0.0 ? f : 0.0;
}

// A waiting job of `gpus` fits on a cluster with `free` GPUs when this is
// >= 0. Affine in time when its inputs are, so its root is where the job
// starts to fit (the replay finds that instant exactly).
CP_HD inline double fit_margin_gpus(double free, double gpus) { return free - gpus + kFitTolGpus; }

CP_HD inline bool fits(double free, double gpus) { return fit_margin_gpus(free, gpus) >= 0.0; }

// A running job keeps its cluster while this is >= 0: what it and the other
// jobs there hold still fits in what is available.
CP_HD inline double hold_margin_gpus(double available_gpus, double held_gpus) {
  return available_gpus - held_gpus + kFitTolGpus;
}

// Who asks for capacity first: lower priority value first, ties in file
// order (the workload's index). Interruptions go the other way: the last
// served is the first stopped.
CP_HD inline bool served_first(int priority_a, int workload_a, int priority_b, int workload_b) {
  return priority_a != priority_b ? priority_a < priority_b : workload_a < workload_b;
}

// What a cluster's running jobs hold once one of `gpus` stops; sums of
// holds that cancel leave rounding dust, which is not capacity anyone holds.
CP_HD inline double released_gpus(double held, double gpus) {
  const double h = held - gpus;
  return h < 1e-9 ? 0.0 : h;
}

// Inference is fluid: it takes what it still needs, or all that is free
// when that is less.
CP_HD inline bool fluid_takes_all_free(double remaining, double free) { return !(remaining <= free); }
CP_HD inline double fluid_take_gpus(double remaining, double free) {
  return fluid_takes_all_free(remaining, free) ? free : remaining;
}

// Demand not served.
CP_HD inline double unmet_gpus(double demand, double served) {
  const double u = demand - served;
  return u > 0.0 ? u : 0.0;
}

}  // namespace cloudpact::rules
