// Builds small Scenario structs directly in C++ (no JSON, no validation) for
// the plant and placement unit tests. The caller fills in exactly what the
// validator would have: every workload's provider list, every cluster path,
// every contract term in seconds since the start.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "scenario/scenario.hpp"

namespace cloudpact::test {

class ScenarioBuilder {
 public:
  explicit ScenarioBuilder(double horizon_s) {
    sc.name = "unit";
    sc.start_epoch_s = 1735689600;  // 2025-01-01T00:00:00Z
    sc.end_epoch_s = sc.start_epoch_s + static_cast<std::int64_t>(horizon_s);
    sc.horizon_s = horizon_s;
    sc.accelerators["H100"] = Accelerator{"H100", 1.0, 1.0};
    sc.accelerators["GB200"] = Accelerator{"GB200", 2.5, 1.8};
  }

  // A provider (created on first use) with its on-demand prices per physical GPU-hour.
  ScenarioBuilder& provider(const std::string& id, std::map<std::string, double> on_demand = {}) {
    Provider& p = find_provider(id);
    for (auto& [acc, usd] : on_demand) p.on_demand_usd_per_gpu_hour[acc] = usd;
    return *this;
  }

  ScenarioBuilder& cluster(const std::string& provider_id, const std::string& region_id, const std::string& id,
                           const std::string& accelerator, Curve capacity) {
    Provider& p = find_provider(provider_id);
    Region* r = nullptr;
    for (Region& x : p.regions)
      if (x.id == region_id) r = &x;
    if (r == nullptr) {
      p.regions.push_back(Region{region_id, {}});
      r = &p.regions.back();
    }
    r->clusters.push_back(Cluster{id, provider_id + "/" + region_id + "/" + id, accelerator, std::move(capacity)});
    return *this;
  }

  ScenarioBuilder& contract(const std::string& id, const std::string& provider_id, std::vector<std::string> clusters,
                            Billing billing, Curve price, double start_s, double end_s) {
    Contract k;
    k.id = id;
    k.provider = provider_id;
    k.start_s = start_s;
    k.end_s = end_s;
    k.start_epoch_s = sc.start_epoch_s + static_cast<std::int64_t>(start_s);
    k.end_epoch_s = sc.start_epoch_s + static_cast<std::int64_t>(end_s);
    k.clusters = std::move(clusters);
    k.billing = billing;
    k.price_usd_per_gpu_hour = std::move(price);
    sc.contracts.push_back(std::move(k));
    return *this;
  }

  ScenarioBuilder& inference(const std::string& id, Curve demand, std::vector<std::string> providers,
                             int priority = 0) {
    Workload w;
    w.id = id;
    w.kind = WorkloadKind::inference;
    w.demand_gpus = std::move(demand);
    w.value_usd_per_gpu_hour = 10.0;
    w.providers = std::move(providers);
    w.priority = priority;
    sc.workloads.push_back(std::move(w));
    return *this;
  }

  ScenarioBuilder& training(const std::string& id, double gpus, std::vector<std::string> providers, int priority = 0) {
    Workload w;
    w.id = id;
    w.kind = WorkloadKind::training;
    w.gpus = gpus;
    w.flops = 1e24;
    w.mfu = 0.4;
    w.checkpoint_hours = 4.0;
    w.providers = std::move(providers);
    w.priority = priority;
    sc.workloads.push_back(std::move(w));
    return *this;
  }

  ScenarioBuilder& placement(Placement p, std::string vendor = "") {
    sc.policy.placement = p;
    sc.policy.vendor = std::move(vendor);
    return *this;
  }

  Scenario sc;

 private:
  Provider& find_provider(const std::string& id) {
    for (Provider& p : sc.providers)
      if (p.id == id) return p;
    sc.providers.push_back(Provider{id, {}, 0.0, {}});
    return sc.providers.back();
  }
};

}  // namespace cloudpact::test
