#include "scenario/cost_bound.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "rules/training.hpp"
#include "scenario/json_reader.hpp"
#include "scenario/limits.hpp"

namespace cloudpact {
namespace {

using scenario_json::rounded_text;

constexpr double kYear_s = 365.25 * 86400.0;

// A price from its base through its changes (indices into sc.price_changes,
// in file order) in the order they apply: date, then file order.
PriceReach reach(const Scenario& sc, double base, std::vector<std::size_t> changes, double cap) {
  std::stable_sort(changes.begin(), changes.end(), [&](std::size_t a, std::size_t b) {
    return sc.price_changes[a].date_s < sc.price_changes[b].date_s;
  });
  PriceReach r;
  double current = base;
  r.max_usd_per_gpu_hour = base;
  for (const std::size_t i : changes) {
    const PriceChangeEvent& e = sc.price_changes[i];
    current = e.set_usd_per_gpu_hour ? *e.set_usd_per_gpu_hour : current * e.factor.value_or(1.0);
    r.max_usd_per_gpu_hour = std::max(r.max_usd_per_gpu_hour, current);
    if (current > cap && r.first_over == kNone) r.first_over = i;
  }
  return r;
}

std::string cluster_pointer(std::size_t p, std::size_t r, std::size_t c) {
  return "/providers/" + std::to_string(p) + "/regions/" + std::to_string(r) + "/clusters/" + std::to_string(c) +
         "/capacity_gpus";
}

std::string workload_pointer(std::size_t w, const char* key) { return "/workloads/" + std::to_string(w) + "/" + key; }

// A count of a Poisson variable of mean `mean` exceeded with probability
// below e^-L (Bernstein: P(N >= mean + x) <= exp(-x² / (2(mean + x/3)))).
double poisson_bound(double mean) {
  const double L = limits::multiplier_tail_log;
  return mean + L / 3.0 + std::sqrt(L * L / 9.0 + 2.0 * L * mean);
}

}  // namespace

double horizon_years(const Scenario& sc) { return sc.horizon_s / kYear_s; }

double horizon_hours(const Scenario& sc) { return sc.horizon_s / 3600.0; }

double training_years(const Workload& w) { return rules::training_work_s(w.flops, w.gpus, w.mfu) / kYear_s; }

std::vector<PriceReach> contract_price_reaches(const Scenario& sc, double cap) {
  std::map<std::string, std::vector<std::size_t>> changes;  // contract id -> its changes
  for (std::size_t i = 0; i < sc.price_changes.size(); ++i)
    if (!sc.price_changes[i].contract.empty()) changes[sc.price_changes[i].contract].push_back(i);
  std::vector<PriceReach> out;
  out.reserve(sc.contracts.size());
  for (const Contract& c : sc.contracts) {
    const auto it = changes.find(c.id);
    out.push_back(reach(sc, c.price_usd_per_gpu_hour.max_value(),
                        it == changes.end() ? std::vector<std::size_t>{} : it->second, cap));
  }
  return out;
}

std::vector<std::map<std::string, PriceReach>> on_demand_price_reaches(const Scenario& sc, double cap) {
  std::map<std::string, std::vector<std::size_t>> changes;  // provider id -> its changes
  for (std::size_t i = 0; i < sc.price_changes.size(); ++i)
    if (sc.price_changes[i].contract.empty()) changes[sc.price_changes[i].target].push_back(i);
  std::vector<std::map<std::string, PriceReach>> out(sc.providers.size());
  for (std::size_t p = 0; p < sc.providers.size(); ++p) {
    const Provider& provider = sc.providers[p];
    std::vector<std::string> accelerators;
    for (const auto& [accelerator, price] : provider.on_demand_usd_per_gpu_hour) accelerators.push_back(accelerator);
    for (const Region& region : provider.regions)
      for (const Cluster& cluster : region.clusters) accelerators.push_back(cluster.accelerator);
    const auto it = changes.find(provider.id);
    if (it != changes.end())
      for (const std::size_t i : it->second)
        if (!sc.price_changes[i].accelerator.empty()) accelerators.push_back(sc.price_changes[i].accelerator);
    for (const std::string& accelerator : accelerators) {
      if (out[p].count(accelerator)) continue;
      std::vector<std::size_t> mine;
      if (it != changes.end())
        for (const std::size_t i : it->second)
          if (sc.price_changes[i].accelerator.empty() || sc.price_changes[i].accelerator == accelerator)
            mine.push_back(i);
      const auto base = provider.on_demand_usd_per_gpu_hour.find(accelerator);
      out[p][accelerator] =
          reach(sc, base == provider.on_demand_usd_per_gpu_hour.end() ? 0.0 : base->second, std::move(mine), cap);
    }
  }
  return out;
}

std::vector<ShockReach> demand_shock_reaches(const Scenario& sc, double cap) {
  // Edges in time order; at one instant ends before starts ([start, end)).
  struct Edge {
    double t;
    bool start;
    std::size_t shock;
  };
  std::map<std::string, std::vector<Edge>> edges;  // workload id -> its shocks' edges
  for (std::size_t i = 0; i < sc.demand_shocks.size(); ++i) {
    const DemandShockEvent& e = sc.demand_shocks[i];
    edges[e.workload].push_back({e.start_s, true, i});
    edges[e.workload].push_back({e.end_s, false, i});
  }
  std::vector<ShockReach> out(sc.workloads.size());
  for (std::size_t w = 0; w < sc.workloads.size(); ++w) {
    const auto it = edges.find(sc.workloads[w].id);
    if (it == edges.end()) continue;
    std::vector<Edge>& mine = it->second;
    std::stable_sort(mine.begin(), mine.end(),
                     [](const Edge& a, const Edge& b) { return a.t != b.t ? a.t < b.t : (!a.start && b.start); });
    // The product as a count of zero factors and a sum of logs: never a
    // running division.
    long zeros = 0;
    double log_sum = 0.0;
    for (const Edge& e : mine) {
      const double f = sc.demand_shocks[e.shock].factor;
      const int sign = e.start ? 1 : -1;
      if (f == 0.0)
        zeros += sign;
      else
        log_sum += sign * std::log(f);
      if (!e.start) continue;
      const double product = zeros > 0 ? 0.0 : std::exp(log_sum);
      out[w].max_product = std::max(out[w].max_product, product);
      if (product > cap && out[w].first_over == kNone) {
        out[w].first_over = e.shock;
        // For the message: the factors that hold at that instant, multiplied.
        double exact = 1.0;
        for (const Edge& other : mine)
          if (other.start && sc.demand_shocks[other.shock].start_s <= e.t && e.t < sc.demand_shocks[other.shock].end_s)
            exact *= sc.demand_shocks[other.shock].factor;
        out[w].product_over = exact;
      }
    }
  }
  return out;
}

namespace {

// The smallest a with P(X_t > a) below e^-L for every t in [0, T], where X_t
// = drift·t + sigma·W_t + the sum of Poisson(rate·t) jumps ~ N(jm, js²): the
// Chernoff bound P(X_t > a) <= exp(-theta·a + t·kappa(theta)), kappa the
// cumulant of one year, minimised over theta on a log grid (any theta gives
// a valid bound; the grid's best is within a few percent of the least).
double chernoff_bound(double drift, double sigma, double rate, double jm, double js, double years) {
  const double L = limits::multiplier_tail_log;
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i <= 480; ++i) {
    const double theta = std::pow(10.0, -4.0 + i / 60.0);  // 1e-4 .. 1e4
    const double kappa = theta * drift + 0.5 * theta * theta * sigma * sigma +
                         rate * std::expm1(theta * jm + 0.5 * theta * theta * js * js);
    const double a = (L + std::max(0.0, years * kappa)) / theta;
    if (std::isfinite(a)) best = std::min(best, a);
  }
  return best;
}

}  // namespace

double price_log_multiplier_bound(const PriceModel& m, double years) {
  // The kernels' walk (docs/reference.md §4.2): drift μ − σ²/2 − λk, k = E[e^J] − 1.
  const double jm = std::log(1.0 + m.jump_mean_pct / 100.0), js = m.jump_sd_pct / 100.0;
  const double k = std::expm1(jm + 0.5 * js * js);
  const double drift = m.drift_per_year - 0.5 * m.vol_per_year * m.vol_per_year - m.jump_rate_per_year * k;
  return chernoff_bound(drift, m.vol_per_year, m.jump_rate_per_year, jm, js, years);
}

double demand_log_multiplier_bound(double vol_per_year, double years) {
  return chernoff_bound(-0.5 * vol_per_year * vol_per_year, vol_per_year, 0.0, 0.0, 0.0, years);
}

double max_sampled_delay_days(const Uncertainty& u) {
  if (!u.present || !(u.delivery_p_on_time < 1.0)) return 0.0;
  const Distribution& d = u.delivery_delay_days;
  return d.kind == Distribution::Kind::fixed ? d.value : d.median * std::exp(d.sigma * limits::max_abs_normal);
}

PathBound worst_case_path(const Scenario& sc) {
  PathBound b;
  const double hours = horizon_hours(sc), years = horizon_years(sc), days = std::ceil(sc.horizon_s / 86400.0);
  const Uncertainty& u = sc.uncertainty;
  const double cap = std::numeric_limits<double>::infinity();

  // Contracts reserving each cluster.
  std::map<std::string, std::vector<std::size_t>> contracts_of;
  for (std::size_t k = 0; k < sc.contracts.size(); ++k)
    for (const std::string& path : sc.contracts[k].clusters) contracts_of[path].push_back(k);
  const std::vector<PriceReach> contract_max = contract_price_reaches(sc, cap);
  const std::vector<std::map<std::string, PriceReach>> on_demand_max = on_demand_price_reaches(sc, cap);
  const std::vector<ShockReach> shocks = demand_shock_reaches(sc, cap);

  // Clusters: peak capacity all the time at the highest price it can be billed at.
  std::size_t curve_points = 0;
  double outage_arrivals = 0.0;
  for (std::size_t p = 0; p < sc.providers.size(); ++p) {
    const Provider& provider = sc.providers[p];
    double multiplier = 1.0;
    if (const auto it = u.prices.find(provider.id); u.present && it != u.prices.end())
      multiplier = std::exp(price_log_multiplier_bound(it->second, years));
    const OutageModel* outages = nullptr;
    if (const auto it = u.provider_outages.find(provider.id); it != u.provider_outages.end())
      outages = &it->second;
    else if (u.default_outages)
      outages = &*u.default_outages;
    for (std::size_t r = 0; r < provider.regions.size(); ++r) {
      if (u.present && outages) outage_arrivals += poisson_bound(outages->rate_per_year * years);
      const Region& region = provider.regions[r];
      for (std::size_t c = 0; c < region.clusters.size(); ++c) {
        const Cluster& cluster = region.clusters[c];
        curve_points += cluster.capacity_gpus.points.size();
        double price = on_demand_max[p].at(cluster.accelerator).max_usd_per_gpu_hour * multiplier;
        if (const auto it = contracts_of.find(cluster.path); it != contracts_of.end())
          for (const std::size_t k : it->second) price = std::max(price, contract_max[k].max_usd_per_gpu_hour);
        const double gpus = cluster.capacity_gpus.max_value();
        const auto accel = sc.accelerators.find(cluster.accelerator);
        const double h100_equiv = accel == sc.accelerators.end() ? 1.0 : accel->second.h100_equiv;
        b.money_terms.push_back({gpus * hours * price, [=] {
                                   return BoundText{cluster_pointer(p, r, c),
                                                    rounded_text(gpus) + " GPUs for " + rounded_text(hours) +
                                                        " h at up to " + rounded_text(price) + " USD per GPU-hour"};
                                 }});
        b.used_terms.push_back({gpus * h100_equiv * hours, [=] {
                                  return BoundText{cluster_pointer(p, r, c),
                                                   rounded_text(gpus) + " GPUs of " + rounded_text(h100_equiv) +
                                                       " H100-equivalents for " + rounded_text(hours) + " h"};
                                }});
      }
    }
  }

  // A zone's arrival cuts the walk of every region it lists (docs/reference.md §11).
  if (u.present)
    for (const OutageZone& zone : u.correlation.zones)
      outage_arrivals += poisson_bound(zone.model.rate_per_year * years) * static_cast<double>(zone.regions.size());

  // Contracts: every minimum owed, whatever was billed.
  for (std::size_t k = 0; k < sc.contracts.size(); ++k) {
    const Contract& c = sc.contracts[k];
    curve_points += c.price_usd_per_gpu_hour.points.size();
    const double commitment = c.commitment_usd.value_or(0.0);
    const double minimums = c.min_spend_usd_per_year * (std::ceil(years) + 2.0);
    const bool by_commitment = commitment >= minimums;
    const double min_spend = c.min_spend_usd_per_year;
    b.money_terms.push_back({commitment + minimums, [=] {
                               return BoundText{"/contracts/" + std::to_string(k) +
                                                    (by_commitment ? "/commitment_usd" : "/min_spend_usd_per_year"),
                                                "shortfalls of a commitment of " + rounded_text(commitment) +
                                                    " USD and " + rounded_text(min_spend) + " USD a year over " +
                                                    rounded_text(std::ceil(years) + 2.0) + " contract-years"};
                             }});
  }

  // Restarts a training job can have on one path: at most one per cut of the
  // path's walk (days, dated changes, contract closings, job events, sampled
  // outage edges).
  std::size_t jobs = 0;
  for (const Workload& w : sc.workloads) {
    if (w.kind == WorkloadKind::training) ++jobs;
    curve_points += w.demand_gpus.points.size();
  }
  const double events = static_cast<double>(sc.outages.size() + sc.price_changes.size() +
                                            sc.delivery_delays.size() + sc.demand_shocks.size());
  const double restarts = days + 12.0 * years + 2.0 + static_cast<double>(curve_points) +
                          2.0 * (events + static_cast<double>(sc.contracts.size()) * (years + 3.0) +
                                 static_cast<double>(jobs) + outage_arrivals);

  const double demand_multiplier =
      u.present ? std::exp(demand_log_multiplier_bound(u.demand_vol_per_year, years)) : 1.0;
  for (std::size_t w = 0; w < sc.workloads.size(); ++w) {
    const Workload& wl = sc.workloads[w];
    if (wl.kind == WorkloadKind::training) {
      double egress = 0.0;
      for (const Provider& p : sc.providers)
        if (std::find(wl.providers.begin(), wl.providers.end(), p.id) != wl.providers.end())
          egress = std::max(egress, p.egress_usd_per_gb);
      const double gb = wl.dataset_tb * 1000.0;
      b.money_terms.push_back({gb * egress * restarts, [=] {
                                 return BoundText{workload_pointer(w, "dataset_tb"),
                                                  rounded_text(gb) + " GB at up to " + rounded_text(egress) +
                                                      " USD per GB on up to " + rounded_text(restarts) + " restarts"};
                               }});
      continue;
    }
    const double peak = wl.demand_gpus.max_value() * shocks[w].max_product * demand_multiplier;
    const double value = wl.value_usd_per_gpu_hour;
    b.money_terms.push_back({peak * hours * value, [=] {
                               return BoundText{workload_pointer(w, "value_usd_per_gpu_hour"),
                                                rounded_text(peak) + " GPUs unmet for " + rounded_text(hours) +
                                                    " h at " + rounded_text(value) + " USD per GPU-hour"};
                             }});
    b.unmet_terms.push_back({peak * hours, [=] {
                               return BoundText{workload_pointer(w, "demand_gpus"),
                                                rounded_text(peak) +
                                                    " GPUs of demand (shocks and the sampled multiplier included) for " +
                                                    rounded_text(hours) + " h"};
                             }});
  }

  for (const BoundTerm& t : b.money_terms) b.money_usd += t.value;
  for (const BoundTerm& t : b.used_terms) b.used_gpu_hours += t.value;
  for (const BoundTerm& t : b.unmet_terms) b.unmet_gpu_hours += t.value;
  return b;
}

}  // namespace cloudpact
