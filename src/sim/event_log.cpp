#include "sim/event_log.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace cloudpact::sim {

using ojson = nlohmann::ordered_json;

void EventLog::log_scenario(const Scenario& sc) {
  auto clamp = [&](double t) { return std::clamp(t, 0.0, sc.horizon_s); };
  for (const OutageEvent& o : sc.outages) {
    log(clamp(o.start_s), "outage_start",
        {{"target", o.target}, {"capacity_lost_pct", o.capacity_lost_pct}, {"duration_hours", (o.end_s - o.start_s) / 3600.0}});
    if (o.end_s <= sc.horizon_s) log(clamp(o.end_s), "outage_end", {{"target", o.target}});
  }
  for (const PriceChangeEvent& p : sc.price_changes) {
    ojson f = ojson::object();
    if (!p.contract.empty()) f["contract"] = p.contract;
    else f["target"] = p.target;
    if (!p.accelerator.empty()) f["accelerator"] = p.accelerator;
    if (p.set_usd_per_gpu_hour) f["usd_per_gpu_hour"] = *p.set_usd_per_gpu_hour;
    if (p.factor) f["factor"] = *p.factor;
    log_object(clamp(p.date_s), "price_change", std::move(f));
  }
  for (const DemandShockEvent& d : sc.demand_shocks) {
    log(clamp(d.start_s), "demand_shock_start", {{"workload", d.workload}, {"factor", d.factor}});
    if (d.end_s <= sc.horizon_s) log(clamp(d.end_s), "demand_shock_end", {{"workload", d.workload}});
  }
  for (const Contract& k : sc.contracts) {
    if (k.start_s >= 0.0 && k.start_s < sc.horizon_s) log(k.start_s, "contract_start", {{"contract", k.id}});
    if (k.end_s > 0.0 && k.end_s <= sc.horizon_s) log(k.end_s, "contract_end", {{"contract", k.id}});
  }
  for (const DeliveryDelayEvent& d : sc.delivery_delays)
    log(0.0, "delivery_delay", {{"target", d.target}, {"days", d.days}});
}

void EventLog::log_failover(double t_s, const Plant& plant, const std::vector<FluidUse>& before,
                            const std::vector<FluidUse>& after) {
  std::map<std::pair<int, int>, double> delta;  // (workload, provider): ordered, so the log is deterministic
  for (const FluidUse& u : before) delta[{u.workload, plant.clusters[static_cast<size_t>(u.cluster)].provider}] -= u.gpus;
  for (const FluidUse& u : after) delta[{u.workload, plant.clusters[static_cast<size_t>(u.cluster)].provider}] += u.gpus;
  std::map<int, ojson> moves;
  for (const auto& [key, d] : delta) {
    if (std::abs(d) < 1e-6) continue;
    auto [it, fresh] = moves.try_emplace(key.first, ojson::object());
    it->second[plant.providers[static_cast<size_t>(key.second)]] = d;
  }
  for (auto& [w, m] : moves)
    log(t_s, "failover", {{"workload", plant.workloads[static_cast<size_t>(w)].spec->id}, {"change_gpus_by_provider", std::move(m)}});
}

void EventLog::sort() {
  std::stable_sort(out_.begin(), out_.end(), [](const EventRecord& a, const EventRecord& b) { return a.t_s < b.t_s; });
}

}  // namespace cloudpact::sim
