// The scenario resolved for simulation: every cluster in one flat array with
// its capacity (delivery delays applied), its outage losses, and who sells it
// at what marginal price over time; every inference demand with its shocks.
// Pure C++: the replay (SimGrid) and unit tests both use it.
//
// All GPU quantities here are H100-equivalents unless the name says `phys`.
#pragma once

#include <cmath>
#include <functional>  // std::identity
#include <string>
#include <vector>

#include "model/price_schedule.hpp"
#include "rules/placement.hpp"
#include "scenario/scenario.hpp"

namespace cloudpact {

// A value that is affine on one segment of time: v(t) = v0 + slope·(t − t0).
struct Affine {
  double v0 = 0.0;
  double slope = 0.0;  // per second
  [[nodiscard]] double at(double dt_s) const { return v0 + slope * dt_s; }
};

// Affine form, on [t0, t1], of a function that is linear there. Sampled at
// interior points, so a step exactly at t0 or t1 gives the one-sided limits
// that belong to the interval (a price that changes at t1 is not charged on it).
// Split in two so that a caller who knows the function's values at the two
// sample points (a flat one: model/plant_span.hpp) gets the same bits without
// evaluating it.
struct AffineSamples {
  double t0_s, m_s, q_s;  // the interval's start and the two points sampled
};
inline AffineSamples affine_samples(double t0, double t1) {
  const double len = t1 - t0;
  return {t0, t0 + 0.5 * len, t0 + 0.75 * len};
}
inline Affine affine_from(const AffineSamples& s, double vm, double vq) {
  const double slope = (vq - vm) / (s.q_s - s.m_s);
  return {vm - slope * (s.m_s - s.t0_s), slope};
}
// affine_from(s, v, v), for a function flat on the interval, without the
// division: for a finite v and q > m, (v - v) / (q - m) is +0 and
// v - (+0)·(m - t0) is v, to the bit (−0 included).
inline Affine affine_flat(const AffineSamples& s, double v) {
  if (s.q_s > s.m_s && std::isfinite(v)) return {v, 0.0};
  return affine_from(s, v, v);
}
// f read at the samples' two points.
template <class F>
Affine affine_sampled(const AffineSamples& s, F f) {
  return affine_from(s, f(s.m_s), f(s.q_s));
}
template <class F>
Affine affine_on(F f, double t0, double t1) {
  return affine_sampled(affine_samples(t0, t1), f);
}
// affine_sampled of t -> rule(value_at(t)); or, where the value is known
// flat on the interval (`flat`: model/plant_span.hpp), affine_flat of
// rule(*flat), the same bits without reading it. No rule: the value itself.
template <class Value, class Rule = std::identity>
Affine affine_of(const AffineSamples& s, const double* flat, Value value_at, Rule rule = {}) {
  if (flat) return affine_flat(s, rule(*flat));
  return affine_sampled(s, [&](double t) { return rule(value_at(t)); });
}

struct OutageSpan {
  double start_s = 0.0, end_s = 0.0;
  double lost_fraction = 1.0;
};

struct PlantCluster {
  std::string path;             // "provider/region/cluster"
  int provider = 0;             // index into Plant::providers
  int region = 0;               // index into Plant::regions
  double h100_equiv = 1.0;
  Curve capacity_phys;          // physical GPUs, delivery delays applied, before a rofr share
  // A right of first refusal's split (policy/rofr.hpp): capacity_at(t) is
  // the curve times share_before before rofr_from_s (the offered contract's
  // start), times share_from from it on (1 and 1 without one).
  double share_before = 1.0, share_from = 1.0, rofr_from_s = 0.0;
  [[nodiscard]] double capacity_at(double t_s) const {
    return capacity_phys.at(t_s) * (t_s >= rofr_from_s ? share_from : share_before);
  }
  std::vector<OutageSpan> outages;
  // Which contract reserves the cluster at t (-1 outside every term); clusters
  // may be reserved by successive contracts with disjoint terms.
  std::vector<int> contracts;
  PriceSchedule on_demand_usd_per_gpu_hour;  // per physical GPU-hour; `for_sale` false = none
};

struct PlantContract {
  const Contract* spec = nullptr;
  int provider = 0;
  std::vector<int> clusters;
  PriceSchedule price_usd_per_gpu_hour;  // per physical GPU-hour, with price_change events
};

struct PlantWorkload {
  const Workload* spec = nullptr;
  // Inference: base demand and the multiplicative shocks active over time.
  struct Shock { double start_s, end_s, factor; };
  std::vector<Shock> shocks;
  // Clusters it may use, in the order placement considers them (see placement.hpp),
  // before marginal-cost ordering is applied.
  std::vector<int> eligible_providers;   // provider indices in preference order
};

struct Plant {
  const Scenario* scenario = nullptr;
  double horizon_s = 0.0;
  std::vector<std::string> providers;    // ids, file order
  std::vector<std::string> regions;      // "provider/region"
  std::vector<PlantCluster> clusters;    // file order: provider, region, cluster
  std::vector<PlantContract> contracts;
  std::vector<PlantWorkload> workloads;
  // An exclusivity (docs/reference.md §14): before exclusive_until_s only
  // this provider's capacity serves the buyer; −1: none.
  int exclusive_provider = -1;
  double exclusive_until_s = 0.0;

  // Loss fraction (0..1) of cluster c at t: overlapping outages count once,
  // with the larger loss (docs/reference.md §2.6).
  [[nodiscard]] double lost_fraction(int c, double t_s) const;

  // Index of the contract reserving cluster c at t, or -1.
  [[nodiscard]] int reserving_contract(int c, double t_s) const;

  // Who sells cluster c's capacity to the buyer at t: its reserving
  // contract (reserved or usage billing), on-demand, or nobody (nobody, too,
  // for another provider's cluster inside an exclusivity).
  [[nodiscard]] rules::Seller seller(int c, double t_s) const;

  // seller(c, t), reserving_contract(c, t) and seller_price(c, t) from one
  // look-up: the replay asks for them of every cluster at every piece.
  struct Sale {
    rules::Seller seller = rules::Seller::none;
    int contract = -1;                     // reserving_contract(c, t), even where seller is none
    const PriceSchedule* price = nullptr;  // seller_price(c, t)
  };
  [[nodiscard]] Sale sale(int c, double t_s) const;

  // The price that seller charges per physical GPU-hour (nullptr: none).
  [[nodiscard]] const PriceSchedule* seller_price(int c, double t_s) const;

  // Inference demand of workload w at t (H100-eq), shocks applied.
  [[nodiscard]] double demand_gpus(int w, double t_s) const;

  // Every time in (0, horizon) where some input changes its value or slope:
  // curve points, outage edges, price changes, shock edges, contract terms,
  // the end of an exclusivity.
  // Sorted, unique. Calendar cuts (months, output intervals) are added by the caller.
  [[nodiscard]] std::vector<double> breakpoints() const;
};

// Resolves a validated scenario. The scenario must outlive the plant.
Plant build_plant(const Scenario& scenario);

}  // namespace cloudpact
