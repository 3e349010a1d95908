// The replay's event log (events.jsonl, docs/reference.md §5): one record per
// thing that happened, with its simulated time. The scenario's own dated
// events are logged up front; the broker and the training jobs add theirs as
// they happen; the log is put in time order once, at the end (stable: what
// happened at one instant keeps the order it was logged in).
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/plant.hpp"
#include "model/replay_result.hpp"
#include "policy/placement.hpp"
#include "scenario/scenario.hpp"

namespace cloudpact::sim {

class EventLog {
 public:
  explicit EventLog(std::vector<EventRecord>& out) : out_(out) {}

  // A record with these fields, in this order (names distinct). The object
  // is filled member by member: nlohmann's own initializer lists first build
  // every pair as a two-element array, and a replay logs a few records per
  // training job (some 200,000 in the stress scenario).
  using Field = std::pair<const char*, nlohmann::ordered_json>;
  void log(double t_s, std::string type, std::initializer_list<Field> fields) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    auto& members = object.get_ref<nlohmann::ordered_json::object_t&>();
    members.reserve(fields.size());
    for (const Field& f : fields) members.emplace_back(f.first, f.second);
    log_object(t_s, std::move(type), std::move(object));
  }

  // A record whose fields are already an object (nested values, optional keys).
  void log_object(double t_s, std::string type, nlohmann::ordered_json fields) {
    out_.push_back({t_s, std::move(type), std::move(fields)});
  }

  // Outages, price changes, demand shocks, contract terms and delivery
  // delays of the scenario, clamped to the horizon.
  void log_scenario(const Scenario& sc);

  // When an outage starts, where inference went: per workload, the change of
  // its use per provider (from `before` to `after`), changes under 1e-6 GPUs
  // left out.
  void log_failover(double t_s, const Plant& plant, const std::vector<FluidUse>& before,
                    const std::vector<FluidUse>& after);

  // Time order, stable.
  void sort();

 private:
  std::vector<EventRecord>& out_;
};

}  // namespace cloudpact::sim
