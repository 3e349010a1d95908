#include "model/plant.hpp"

#include <algorithm>
#include <map>

#include "rules/capacity.hpp"
#include "rules/deal_terms.hpp"

namespace cloudpact {

double Plant::lost_fraction(int c, double t_s) const {
  double lost = 0.0;
  for (const OutageSpan& o : clusters[static_cast<size_t>(c)].outages)
    if (t_s >= o.start_s && t_s < o.end_s) lost = rules::combined_loss(lost, o.lost_fraction);
  return lost;
}

int Plant::reserving_contract(int c, double t_s) const {
  for (int k : clusters[static_cast<size_t>(c)].contracts) {
    const Contract& spec = *contracts[static_cast<size_t>(k)].spec;
    if (t_s >= spec.start_s && t_s < spec.end_s) return k;
  }
  return -1;
}

Plant::Sale Plant::sale(int c, double t_s) const {
  const PlantCluster& pc = clusters[static_cast<size_t>(c)];
  Sale out;
  out.contract = reserving_contract(c, t_s);
  if (!rules::may_serve_under_exclusivity(pc.provider, exclusive_provider, t_s, exclusive_until_s)) return out;
  if (out.contract >= 0) {
    const PlantContract& k = contracts[static_cast<size_t>(out.contract)];
    out.seller = k.spec->billing == Billing::reserved ? rules::Seller::reserved_contract : rules::Seller::usage_contract;
    out.price = &k.price_usd_per_gpu_hour;
  } else if (pc.on_demand_usd_per_gpu_hour.sells_at(t_s)) {
    out.seller = rules::Seller::on_demand;
    out.price = &pc.on_demand_usd_per_gpu_hour;
  }
  return out;
}

rules::Seller Plant::seller(int c, double t_s) const { return sale(c, t_s).seller; }

const PriceSchedule* Plant::seller_price(int c, double t_s) const { return sale(c, t_s).price; }

double Plant::demand_gpus(int w, double t_s) const {
  const PlantWorkload& pw = workloads[static_cast<size_t>(w)];
  double d = pw.spec->demand_gpus.at(t_s);
  for (const auto& s : pw.shocks)
    if (t_s >= s.start_s && t_s < s.end_s) d *= s.factor;
  return d;
}

std::vector<double> Plant::breakpoints() const {
  std::vector<double> out;
  const double a = 0.0, b = horizon_s;
  for (const PlantCluster& c : clusters) {
    c.capacity_phys.breakpoints(a, b, out);
    c.on_demand_usd_per_gpu_hour.breakpoints(a, b, out);
    if (c.on_demand_usd_per_gpu_hour.for_sale && c.on_demand_usd_per_gpu_hour.on_sale_from_s > a &&
        c.on_demand_usd_per_gpu_hour.on_sale_from_s < b)
      out.push_back(c.on_demand_usd_per_gpu_hour.on_sale_from_s);
    for (const OutageSpan& o : c.outages) {
      if (o.start_s > a && o.start_s < b) out.push_back(o.start_s);
      if (o.end_s > a && o.end_s < b) out.push_back(o.end_s);
    }
  }
  for (const PlantContract& k : contracts) {
    k.price_usd_per_gpu_hour.breakpoints(a, b, out);
    for (double t : {k.spec->start_s, k.spec->end_s})
      if (t > a && t < b) out.push_back(t);
  }
  for (const PlantWorkload& w : workloads) {
    if (w.spec->kind != WorkloadKind::inference) continue;
    w.spec->demand_gpus.breakpoints(a, b, out);
    for (const auto& s : w.shocks)
      for (double t : {s.start_s, s.end_s})
        if (t > a && t < b) out.push_back(t);
  }
  if (exclusive_provider >= 0 && exclusive_until_s > a && exclusive_until_s < b) out.push_back(exclusive_until_s);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Plant build_plant(const Scenario& sc) {
  Plant plant;
  plant.scenario = &sc;
  plant.horizon_s = sc.horizon_s;
  std::map<std::string, int> provider_index, cluster_index, contract_index;

  for (const Provider& p : sc.providers) {
    const int pi = static_cast<int>(plant.providers.size());
    provider_index[p.id] = pi;
    plant.providers.push_back(p.id);
    for (const Region& r : p.regions) {
      const int ri = static_cast<int>(plant.regions.size());
      plant.regions.push_back(p.id + "/" + r.id);
      for (const Cluster& c : r.clusters) {
        PlantCluster pc;
        pc.path = c.path;
        pc.provider = pi;
        pc.region = ri;
        pc.h100_equiv = sc.accelerators.at(c.accelerator).h100_equiv;
        pc.capacity_phys = c.capacity_gpus;
        pc.share_before = c.rofr_share_before;
        pc.share_from = c.rofr_share_from;
        pc.rofr_from_s = c.rofr_from_s;
        if (auto it = p.on_demand_usd_per_gpu_hour.find(c.accelerator); it != p.on_demand_usd_per_gpu_hour.end()) {
          pc.on_demand_usd_per_gpu_hour.for_sale = true;
          pc.on_demand_usd_per_gpu_hour.base = Curve::make_constant(it->second);
        }
        cluster_index[c.path] = static_cast<int>(plant.clusters.size());
        plant.clusters.push_back(std::move(pc));
      }
    }
  }

  // Delivery delays shift every point of the target clusters' curves; several
  // delays on one cluster add up.
  for (const DeliveryDelayEvent& d : sc.delivery_delays)
    for (PlantCluster& c : plant.clusters)
      if (target_covers(d.target, c.path)) c.capacity_phys = c.capacity_phys.shifted(d.days * 86400.0, 0.0);

  for (const OutageEvent& o : sc.outages)
    for (PlantCluster& c : plant.clusters)
      if (target_covers(o.target, c.path))
        c.outages.push_back({o.start_s, o.end_s, o.capacity_lost_pct / 100.0});

  for (const Contract& k : sc.contracts) {
    PlantContract pk;
    pk.spec = &k;
    pk.provider = provider_index.at(k.provider);
    pk.price_usd_per_gpu_hour.for_sale = true;
    pk.price_usd_per_gpu_hour.base = k.price_usd_per_gpu_hour;
    const int ki = static_cast<int>(plant.contracts.size());
    contract_index[k.id] = ki;
    for (const std::string& path : k.clusters) {
      const int ci = cluster_index.at(path);
      pk.clusters.push_back(ci);
      plant.clusters[static_cast<size_t>(ci)].contracts.push_back(ki);
    }
    plant.contracts.push_back(std::move(pk));
  }

  // Price changes in date order; file order breaks ties (stable sort).
  std::vector<const PriceChangeEvent*> changes;
  for (const PriceChangeEvent& e : sc.price_changes) changes.push_back(&e);
  std::stable_sort(changes.begin(), changes.end(),
                   [](const PriceChangeEvent* x, const PriceChangeEvent* y) { return x->date_s < y->date_s; });
  for (const PriceChangeEvent* e : changes) {
    const PriceChange ch{e->date_s, e->set_usd_per_gpu_hour.has_value(),
                         e->set_usd_per_gpu_hour ? *e->set_usd_per_gpu_hour : e->factor.value_or(1.0)};
    if (!e->contract.empty()) {
      plant.contracts[static_cast<size_t>(contract_index.at(e->contract))].price_usd_per_gpu_hour.changes.push_back(ch);
      continue;
    }
    for (const Provider& p : sc.providers) {
      if (p.id != e->target) continue;
      for (const Region& r : p.regions)
        for (const Cluster& c : r.clusters) {
          if (!e->accelerator.empty() && e->accelerator != c.accelerator) continue;
          PriceSchedule& ps = plant.clusters[static_cast<size_t>(cluster_index.at(c.path))].on_demand_usd_per_gpu_hour;
          // Setting a price on an accelerator that had none puts it on sale from that date.
          if (!ps.for_sale && ch.is_set) {
            ps.for_sale = true;
            ps.on_sale_from_s = ch.date_s;
            ps.base = Curve::make_constant(ch.value);
            continue;
          }
          if (ps.for_sale) ps.changes.push_back(ch);
        }
    }
  }

  if (sc.policy.exclusivity) {
    plant.exclusive_provider = provider_index.at(sc.policy.exclusivity->provider);
    plant.exclusive_until_s = sc.policy.exclusivity->until_s;
  }

  for (const Workload& w : sc.workloads) {
    PlantWorkload pw;
    pw.spec = &w;
    for (const std::string& p : w.providers) pw.eligible_providers.push_back(provider_index.at(p));
    plant.workloads.push_back(std::move(pw));
  }
  for (const DemandShockEvent& s : sc.demand_shocks)
    for (PlantWorkload& pw : plant.workloads)
      if (pw.spec->id == s.workload) pw.shocks.push_back({s.start_s, s.end_s, s.factor});
  return plant;
}

}  // namespace cloudpact
