#include "sim/platform.hpp"

#include <algorithm>
#include <cmath>

#include <simgrid/s4u/NetZone.hpp>

namespace cloudpact::sim {

Platform build_platform(const Plant& plant) {
  namespace sg4 = simgrid::s4u;
  Platform pf;
  auto* root = sg4::create_full_zone("cloudpact");
  pf.broker_host = root->create_host("broker", 1.0)->seal();
  std::vector<sg4::NetZone*> region_zones;
  for (const std::string& region : plant.regions) {
    auto* z = sg4::create_star_zone(region);
    z->set_parent(root);
    region_zones.push_back(z);
  }
  // Every training job may be rounded up to one thread (a job smaller than
  // one physical GPU: TrainingJobs::start), beyond the physical GPUs it
  // holds, so a host needs a core more per job that may run on it: with
  // fewer, SimGrid would share cores among runs, and a run would progress
  // slower than the 1 s a second the replay counts (rules::progress_at_s).
  double training_jobs = 0.0;
  for (const PlantWorkload& w : plant.workloads) training_jobs += w.spec->kind == WorkloadKind::training ? 1.0 : 0.0;
  for (const PlantCluster& c : plant.clusters) {
    // Core count is fixed at seal time (SimGrid trap 8), so every host gets
    // the cluster's peak physical GPUs; the broker admits jobs against the
    // capacity of the moment. A host runs at 1 "flop"/s per core, so an exec
    // amount is seconds of running per GPU.
    const double peak = std::max(1.0, std::ceil(c.capacity_phys.max_value()));
    const int cores = static_cast<int>(std::min(peak + std::max(64.0, training_jobs), 2.0e9));
    pf.cluster_hosts.push_back(region_zones[static_cast<size_t>(c.region)]->create_host(c.path, 1.0)
                                   ->set_core_count(cores)
                                   ->seal());
  }
  for (auto* z : region_zones) z->seal();
  root->seal();
  return pf;
}

}  // namespace cloudpact::sim
