// The events section: outages, price changes (of a provider or of a
// contract), delivery delays and demand shocks, each with the keys of its type.
#include <algorithm>
#include <string>

#include "scenario/limits.hpp"
#include "scenario/validate_builder.hpp"

namespace cloudpact::scenario_json::validation {

namespace {

const std::vector<std::string> event_types{"delivery_delay", "demand_shock", "outage", "price_change"};
const std::vector<std::string> provider_price_keys{"accelerator", "date", "factor", "on_demand_usd_per_gpu_hour",
                                                   "target",      "type"};
const std::vector<std::string> contract_price_keys{"contract", "date", "factor", "price_usd_per_gpu_hour", "type"};

}  // namespace

// An event's [start, end) must be ordered and must touch the horizon.
std::optional<std::pair<Date, Date>> Builder::event_interval(const Object& o) {
  const auto start = o.date("start");
  const auto end = o.date("end");
  if (!start || !end || !check_order(*start, o.at("start"), *end, o.at("end"))) return std::nullopt;
  if (horizon_ok_ && end->epoch_s <= start_->epoch_s) {
    problems_.add(o.at("end"), "event is entirely before the horizon", "a date after /start " + start_->text);
    return std::nullopt;
  }
  if (horizon_ok_ && start->epoch_s >= end_->epoch_s) {
    problems_.add(o.at("start"), "event is entirely after the horizon", "a date before /end " + end_->text);
    return std::nullopt;
  }
  return std::make_pair(*start, *end);
}

// Exactly one of two keys (a new price or a factor).
std::optional<std::string> Builder::exactly_one(const Object& o, const std::string& a, const std::string& b) {
  const std::string expected = "exactly one of " + a + " or " + b;
  if (o.has(a) && o.has(b)) {
    problems_.add(o.at(b), "not allowed together with " + a, expected);
    return std::nullopt;
  }
  if (!o.has(a) && !o.has(b)) {
    problems_.add(o.ptr(), "missing a new price", expected);
    return std::nullopt;
  }
  return o.has(a) ? a : b;
}

void Builder::read_price_change(const Json& v, const std::string& ptr) {
  const bool on_contract = v.contains("contract") && !v.contains("target");
  const bool on_provider = v.contains("target") && !v.contains("contract");
  const std::vector<std::string> allowed = on_contract   ? contract_price_keys
                                           : on_provider ? provider_price_keys
                                                         : concat(provider_price_keys, contract_price_keys);
  Object o(
      r_, v, ptr, "an event object", allowed,
      on_contract ? "unknown key for a price_change on a contract" : "unknown key for a price_change on a provider");
  PriceChangeEvent e;
  const auto date = o.date("date");
  if (date) {
    e.date_s = s_.to_sim_s(date->epoch_s);
    if (horizon_ok_ && date->epoch_s >= end_->epoch_s)
      problems_.add(o.at("date"), "event is after the horizon", "a date before /end " + end_->text);
  }
  bool ok = date && !(horizon_ok_ && date->epoch_s >= end_->epoch_s);
  if (!on_contract && !on_provider) {
    const bool both = o.has("target");
    problems_.add(both ? o.ptr() : o.at("target"), both ? "has both target and contract" : "missing",
                  "a provider id in target, or a contract id in contract");
    return;
  }
  if (on_provider) {
    const auto target = provider_ref(*o.find("target"), o.at("target"));
    if (target) e.target = *target;
    ok = ok && target;
    if (const auto accel = o.id("accelerator", Need::optional)) {
      use_accelerator(*accel, o.at("accelerator"));
      e.accelerator = *accel;
    }
  } else {
    const auto contract = o.string("contract", "a contract id", Need::required);
    if (contract && !contract_ptr_.count(*contract)) {
      if (contracts_ok_)
        problems_.add(o.at("contract"), "unknown contract " + in_quotes(*contract), one_of(keys_of(contract_ptr_)));
      ok = false;
    }
    if (contract) e.contract = *contract;
  }
  const std::string price_key = on_provider ? "on_demand_usd_per_gpu_hour" : "price_usd_per_gpu_hour";
  const auto which = exactly_one(o, price_key, "factor");
  if (which && *which == "factor") {
    e.factor = o.number("factor", Range::above(0));
    ok = ok && e.factor;
  } else if (which) {
    e.set_usd_per_gpu_hour = o.number(price_key, Range::at_least(0));
    ok = ok && e.set_usd_per_gpu_hour;
  }
  if (ok && which) s_.price_changes.push_back(std::move(e));
}

void Builder::read_events(const Object& top) {
  const Json* list = array_member(top, "events", Need::optional, "an array of events", false);
  if (!list || !check_count(*list, "/events", limits::max_events, "events")) return;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& v = (*list)[i];
    const std::string ptr = child_pointer("/events", i);
    if (!r_.is_object(v, ptr, "an event object")) continue;
    const std::string type = peek_string(v, "type");
    if (std::find(event_types.begin(), event_types.end(), type) == event_types.end()) {
      if (const Json* t = v.contains("type") ? &v["type"] : nullptr)
        r_.choice(*t, child_pointer(ptr, "type"), "event type", event_types);
      else
        problems_.add(child_pointer(ptr, "type"), "missing", one_of(event_types));
      continue;  // without a type the other keys mean nothing
    }
    if (type == "price_change") {
      read_price_change(v, ptr);
      continue;
    }
    const std::string unknown = "unknown key for type " + in_quotes(type);
    if (type == "outage") {
      Object o(r_, v, ptr, "an event object", {"capacity_lost_pct", "end", "start", "target", "type"}, unknown);
      OutageEvent e;
      const auto target = target_ref(o);
      const auto when = event_interval(o);
      const auto lost = o.number("capacity_lost_pct", Range::open_closed(0, 100));
      if (!target || !when || (o.has("capacity_lost_pct") && !lost)) continue;
      e.target = *target;
      e.start_s = s_.to_sim_s(when->first.epoch_s);
      e.end_s = s_.to_sim_s(when->second.epoch_s);
      e.capacity_lost_pct = lost.value_or(100.0);
      s_.outages.push_back(std::move(e));
    } else if (type == "delivery_delay") {
      Object o(r_, v, ptr, "an event object", {"days", "target", "type"}, unknown);
      const auto target = target_ref(o);
      const auto days = o.number("days", Range::at_least(0), Need::required);
      if (target && days) s_.delivery_delays.push_back({*target, *days});
    } else {  // demand_shock
      Object o(r_, v, ptr, "an event object", {"end", "factor", "start", "type", "workload"}, unknown);
      DemandShockEvent e;
      const auto workload = o.string("workload", "an inference workload id", Need::required);
      bool ok = workload.has_value();
      if (workload) {
        const auto it = workload_kind_.find(*workload);
        if (it == workload_kind_.end()) {
          std::vector<std::string> inference;
          for (const auto& [id, kind] : workload_kind_)
            if (kind == WorkloadKind::inference) inference.push_back(id);
          if (workloads_ok_)
            problems_.add(o.at("workload"), "unknown workload " + in_quotes(*workload), one_of(inference));
          ok = false;
        } else if (!it->second) {
          ok = false;  // its kind is wrong, and was reported
        } else if (*it->second != WorkloadKind::inference) {
          problems_.add(o.at("workload"), "workload " + in_quotes(*workload) + " is a training workload",
                        "an inference workload");
          ok = false;
        }
        e.workload = *workload;
      }
      const auto when = event_interval(o);
      const auto factor = o.number("factor", Range::at_least(0), Need::required);
      if (!ok || !when || !factor) continue;
      e.start_s = s_.to_sim_s(when->first.epoch_s);
      e.end_s = s_.to_sim_s(when->second.epoch_s);
      e.factor = *factor;
      s_.demand_shocks.push_back(std::move(e));
    }
  }
}

}  // namespace cloudpact::scenario_json::validation
