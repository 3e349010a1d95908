// The inputs of `risk`: the uncertainty section (sampled outages, prices,
// demand and deliveries, with their distributions) and the negotiation section.
#include <string>

#include "scenario/limits.hpp"
#include "scenario/validate_builder.hpp"

namespace cloudpact::scenario_json::validation {

std::optional<Distribution> Builder::distribution(const Json& v, const std::string& ptr) {
  const format::ObjectSpec& distribution = format::object("distribution");
  const std::string dist = peek_string(v, "dist");
  // With a wrong dist, the keys of every dist are allowed: the dist itself is what is wrong.
  const format::ObjectSpec* of_dist = format::variant(distribution, "dist", dist);
  const std::string unknown = of_dist ? "unknown key for dist " + in_quotes(dist) : "unknown key";
  Object o = object_of(r_, v, ptr, "a distribution {\"dist\": \"lognormal\" | \"fixed\", ...}",
                       of_dist ? *of_dist : distribution, unknown);
  const auto kind = o.choice("dist", "dist", format::constants(distribution, "dist"), Need::required);
  if (!kind || !of_dist) return std::nullopt;
  Distribution d;
  if (*kind == "fixed") {
    d.kind = Distribution::Kind::fixed;
    const auto value = number(o, of_dist->field("value"));
    if (!value) return std::nullopt;
    d.value = *value;
  } else {
    d.kind = Distribution::Kind::lognormal;
    const auto median = number(o, of_dist->field("median"));
    const auto sigma = number(o, of_dist->field("sigma"));
    if (!median || !sigma) return std::nullopt;
    d.median = *median;
    d.sigma = *sigma;
  }
  return d;
}

std::optional<OutageModel> Builder::outage_model(const Json& v, const std::string& ptr) {
  const format::ObjectSpec& spec = format::object("outage_model");
  Object o = object_of(r_, v, ptr, "an outage model " + braced_keys(spec), spec);
  if (!o.ok()) return std::nullopt;
  return outage_process(o, spec);
}

std::optional<OutageModel> Builder::outage_process(Object& o, const format::ObjectSpec& spec) {
  OutageModel m;
  const auto rate = number(o, spec.field("rate_per_year"));
  m.capacity_lost_pct = number_or_default(o, spec.field("capacity_lost_pct"));
  const Json* duration = o.require("duration_hours", "a distribution {\"dist\": \"lognormal\" | \"fixed\", ...}");
  const auto dist = duration ? distribution(*duration, o.at("duration_hours")) : std::nullopt;
  if (!rate || !dist) return std::nullopt;
  m.rate_per_year = *rate;
  m.duration_hours = *dist;
  return m;
}

void Builder::read_uncertainty(const Object& top) {
  const Json* section = top.find("uncertainty");
  if (!section) return;
  Uncertainty& u = s_.uncertainty;
  u.present = true;
  const format::ObjectSpec& spec = format::object("uncertainty");
  Object o = object_of(r_, *section, "/uncertainty", "an uncertainty object", spec);
  if (!o.ok()) return;
  u.paths = integer_or_default(o, spec.field("paths"));
  // The range starts at 0: the cast keeps the value.
  u.seed = static_cast<std::uint64_t>(integer_or_default(o, spec.field("seed")));
  if (const Json* outages = o.find("outages")) {
    per_provider(*outages, o.at("outages"), "an object of \"default\" or provider id -> outage model", true,
                 [&](const std::string& key, const Json& v, const std::string& ptr) {
                   const auto model = outage_model(v, ptr);
                   if (!model) return;
                   if (key == "default")
                     u.default_outages = *model;
                   else
                     u.provider_outages[key] = *model;
                 });
  }
  if (const Json* prices = o.find("prices")) {
    per_provider(*prices, o.at("prices"), "an object of provider id -> price model", false,
                 [&](const std::string& key, const Json& v, const std::string& ptr) {
                   const format::ObjectSpec& model = format::object("price_model");
                   Object po = object_of(r_, v, ptr, "a price model object", model);
                   if (!po.ok()) return;
                   choice(po, model.field("model"), "price model");
                   PriceModel m;
                   m.drift_per_year = number_or_default(po, model.field("drift_per_year"));
                   m.vol_per_year = number_or_default(po, model.field("vol_per_year"));
                   m.jump_rate_per_year = number_or_default(po, model.field("jump_rate_per_year"));
                   m.jump_mean_pct = number_or_default(po, model.field("jump_mean_pct"));
                   m.jump_sd_pct = number_or_default(po, model.field("jump_sd_pct"));
                   u.prices[key] = m;
                 });
  }
  if (const Json* demand = o.find("demand")) {
    const format::ObjectSpec& model = format::object("demand_model");
    Object d = object_of(r_, *demand, o.at("demand"), "a demand model " + braced_keys(model), model);
    u.demand_present = true;
    u.demand_vol_per_year = number_or_default(d, model.field("vol_per_year"));
  }
  if (const Json* delivery = o.find("delivery")) {
    const format::ObjectSpec& model = format::object("delivery_model");
    Object d = object_of(r_, *delivery, o.at("delivery"), "a delivery model " + braced_keys(model), model);
    if (!d.ok()) return;
    u.delivery_present = true;
    const format::Field& p_field = model.field("p_on_time");
    const auto p = number(d, p_field);
    u.delivery_p_on_time = p.value_or(p_field.default_value.get<double>());
    const Json* delay = p && *p < 1.0 ? d.require("delay_days", "a delay distribution, required when p_on_time < 1")
                                      : d.find("delay_days");
    if (delay)
      if (const auto dist = distribution(*delay, d.at("delay_days"))) u.delivery_delay_days = *dist;
    const char* const targets_expected = "a non-empty array of providers \"p\", regions \"p/r\" or clusters \"p/r/c\"";
    if (const Json* targets = array_member(d, model.field("targets"), targets_expected)) {
      std::map<std::string, std::string> listed;
      for (std::size_t k = 0; k < targets->size(); ++k) {
        const std::string ptr = child_pointer(d.at("targets"), k);
        const auto place = place_ref((*targets)[k], ptr);
        if (!place) continue;
        if (const auto [it, fresh] = listed.emplace(*place, ptr); !fresh) {
          problems_.add(ptr, "target " + in_quotes(*place) + " listed twice", "each target once, first at " + it->second);
          continue;
        }
        u.delivery_targets.push_back(*place);
      }
    }
  }
  if (const Json* correlation = o.find("correlation")) read_correlation(*correlation, o.at("correlation"));
}

void Builder::read_negotiation(const Object& top) {
  const Json* section = top.find("negotiation");
  if (!section) return;
  s_.negotiation.present = true;
  const format::ObjectSpec& spec = format::object("negotiation");
  Object o = object_of(r_, *section, "/negotiation", "a negotiation object", spec);
  s_.negotiation.buyer_power = number_or_default(o, spec.field("buyer_power"));
  const Range floor_range = spec.field("seller_floor_usd_per_gpu_hour").range;
  if (const Json* floors = o.find("seller_floor_usd_per_gpu_hour"))
    per_provider(*floors, o.at("seller_floor_usd_per_gpu_hour"), "an object of provider id -> price per GPU-hour",
                 false, [&](const std::string& key, const Json& v, const std::string& ptr) {
                   if (const auto x = r_.number(v, ptr, floor_range))
                     s_.negotiation.seller_floor_usd_per_gpu_hour[key] = *x;
                 });
}

}  // namespace cloudpact::scenario_json::validation
