#include "model/plant_span.hpp"

namespace cloudpact {

void PlantSpan::enter(const Plant& plant, double start_s, double end_s) {
  plant_ = &plant;
  start_s_ = start_s;
  end_s_ = end_s;
  // A date strictly inside the span splits it; one at start_s belongs to it
  // (every look-up holds from its dates on), one at end_s to the next span.
  const auto splits = [&](double t_s) { return t_s > start_s && t_s < end_s; };
  const bool exclusivity_ends = plant.exclusive_provider >= 0 && splits(plant.exclusive_until_s);
  clusters_.assign(plant.clusters.size(), {});
  for (size_t c = 0; c < plant.clusters.size(); ++c) {
    const PlantCluster& pc = plant.clusters[c];
    Cluster& out = clusters_[c];
    out.fixed = !exclusivity_ends &&
                !(pc.on_demand_usd_per_gpu_hour.for_sale && splits(pc.on_demand_usd_per_gpu_hour.on_sale_from_s));
    for (const OutageSpan& o : pc.outages) out.fixed = out.fixed && !splits(o.start_s) && !splits(o.end_s);
    for (const int k : pc.contracts) {
      const Contract& spec = *plant.contracts[static_cast<size_t>(k)].spec;
      out.fixed = out.fixed && !splits(spec.start_s) && !splits(spec.end_s);
    }
    if (!out.fixed) continue;
    const int ci = static_cast<int>(c);
    out.sale = plant.sale(ci, start_s);
    out.lost_fraction = plant.lost_fraction(ci, start_s);
    out.capacity_flat = pc.capacity_phys.constant_on(start_s, end_s) && !splits(pc.rofr_from_s);
    if (out.capacity_flat) out.capacity_phys_gpus = pc.capacity_at(start_s);
    out.price_flat = out.sale.price != nullptr && out.sale.price->constant_on(start_s, end_s);
    if (out.price_flat) out.price_usd_per_gpu_hour = out.sale.price->at(start_s);
  }
}

}  // namespace cloudpact
