// The events section: outages, price changes (of a provider or of a
// contract), delivery delays and demand shocks, each with the keys of its type.
#include <algorithm>
#include <string>

#include "scenario/limits.hpp"
#include "scenario/validate_builder.hpp"

namespace cloudpact::scenario_json::validation {

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
  const format::ObjectSpec& of_provider = format::object("provider_price_change");
  const format::ObjectSpec& of_contract = format::object("contract_price_change");
  const format::ObjectSpec& spec = on_contract ? of_contract : of_provider;
  // Neither or both of target and contract: either variant's keys are fine, that is what is wrong.
  const std::vector<std::string> allowed =
      on_contract || on_provider ? format::keys(spec) : concat(format::keys(of_provider), format::keys(of_contract));
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
  // The table lists the new price first, then the factor.
  const std::string& price_key = spec.exactly_one_of.at(0);
  const auto which = exactly_one(o, price_key, spec.exactly_one_of.at(1));
  if (which && *which == "factor") {
    e.factor = number(o, spec.field("factor"));
    ok = ok && e.factor;
  } else if (which) {
    e.set_usd_per_gpu_hour = number(o, spec.field(price_key));
    ok = ok && e.set_usd_per_gpu_hour;
  }
  if (ok && which) {
    s_.price_changes.push_back(std::move(e));
    price_change_ptr_.push_back(ptr);
  }
}

void Builder::read_events(const Object& top) {
  const format::ObjectSpec& event = format::object("event");
  const std::vector<std::string> event_types = format::constants(event, "type");
  const Json* list = array_member(top, format::object("scenario").field("events"), "an array of events");
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
    const format::ObjectSpec& spec = *format::variant(event, "type", type);
    Object o = object_of(r_, v, ptr, "an event object", spec, unknown);
    if (type == "outage") {
      OutageEvent e;
      const auto target = target_ref(o);
      const auto when = event_interval(o);
      const format::Field& lost_field = spec.field("capacity_lost_pct");
      const auto lost = number(o, lost_field);
      if (!target || !when || (o.has("capacity_lost_pct") && !lost)) continue;
      e.target = *target;
      e.start_s = s_.to_sim_s(when->first.epoch_s);
      e.end_s = s_.to_sim_s(when->second.epoch_s);
      e.capacity_lost_pct = lost.value_or(lost_field.default_value.get<double>());
      s_.outages.push_back(std::move(e));
    } else if (type == "delivery_delay") {
      const auto target = target_ref(o);
      const auto days = number(o, spec.field("days"));
      if (target && days) s_.delivery_delays.push_back({*target, *days});
    } else {  // demand_shock
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
      const auto factor = number(o, spec.field("factor"));
      if (!ok || !when || !factor) continue;
      e.start_s = s_.to_sim_s(when->first.epoch_s);
      e.end_s = s_.to_sim_s(when->second.epoch_s);
      e.factor = *factor;
      s_.demand_shocks.push_back(std::move(e));
      demand_shock_ptr_.push_back(ptr);
    }
  }
}

}  // namespace cloudpact::scenario_json::validation
