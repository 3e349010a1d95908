// The inputs of `risk`: the uncertainty section (sampled outages, prices,
// demand and deliveries, with their distributions) and the negotiation section.
#include <string>

#include "scenario/limits.hpp"
#include "scenario/validate_builder.hpp"

namespace cloudpact::scenario_json::validation {

std::optional<Distribution> Builder::distribution(const Json& v, const std::string& ptr) {
  const std::string dist = peek_string(v, "dist");
  const std::vector<std::string> allowed = dist == "fixed" ? std::vector<std::string>{"dist", "value"}
                                           : dist == "lognormal"
                                               ? std::vector<std::string>{"dist", "median", "sigma"}
                                               : std::vector<std::string>{"dist", "median", "sigma", "value"};
  const std::string unknown =
      dist == "fixed" || dist == "lognormal" ? "unknown key for dist " + in_quotes(dist) : "unknown key";
  Object o(r_, v, ptr, "a distribution {\"dist\": \"lognormal\" | \"fixed\", ...}", allowed, unknown);
  const auto kind = o.choice("dist", "dist", {"fixed", "lognormal"}, Need::required);
  if (!kind) return std::nullopt;
  Distribution d;
  if (*kind == "fixed") {
    d.kind = Distribution::Kind::fixed;
    const auto value = o.number("value", Range::at_least(0), Need::required);
    if (!value) return std::nullopt;
    d.value = *value;
  } else {
    d.kind = Distribution::Kind::lognormal;
    const auto median = o.number("median", Range::above(0), Need::required);
    const auto sigma = o.number("sigma", Range::at_least(0), Need::required);
    if (!median || !sigma) return std::nullopt;
    d.median = *median;
    d.sigma = *sigma;
  }
  return d;
}

std::optional<OutageModel> Builder::outage_model(const Json& v, const std::string& ptr) {
  Object o(r_, v, ptr, "an outage model {rate_per_year, capacity_lost_pct, duration_hours}",
           {"capacity_lost_pct", "duration_hours", "rate_per_year"});
  if (!o.ok()) return std::nullopt;
  OutageModel m;
  const auto rate = o.number("rate_per_year", Range::at_least(0), Need::required);
  m.capacity_lost_pct = o.number_or("capacity_lost_pct", Range::open_closed(0, 100), 100.0);
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
  Object o(r_, *section, "/uncertainty", "an uncertainty object",
           {"delivery", "demand", "outages", "paths", "prices", "seed"});
  if (!o.ok()) return;
  u.paths = o.integer("paths", Range::at_least(1).at_most(static_cast<double>(limits::max_paths))).value_or(u.paths);
  u.seed =
      static_cast<std::uint64_t>(o.integer("seed", Range::at_least(0)).value_or(static_cast<std::int64_t>(u.seed)));
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
    per_provider(
        *prices, o.at("prices"), "an object of provider id -> price model", false,
        [&](const std::string& key, const Json& v, const std::string& ptr) {
          Object po(r_, v, ptr, "a price model object",
                    {"drift_per_year", "jump_mean_pct", "jump_rate_per_year", "jump_sd_pct", "model", "vol_per_year"});
          if (!po.ok()) return;
          po.choice("model", "price model", {"gbm"});
          PriceModel m;
          m.drift_per_year = po.number_or("drift_per_year", Range::any(), 0.0);
          m.vol_per_year = po.number_or("vol_per_year", Range::at_least(0), 0.0);
          m.jump_rate_per_year = po.number_or("jump_rate_per_year", Range::at_least(0), 0.0);
          m.jump_mean_pct = po.number_or("jump_mean_pct", Range::above(-100), 0.0);
          m.jump_sd_pct = po.number_or("jump_sd_pct", Range::at_least(0), 0.0);
          u.prices[key] = m;
        });
  }
  if (const Json* demand = o.find("demand")) {
    Object d(r_, *demand, o.at("demand"), "a demand model {vol_per_year}", {"vol_per_year"});
    u.demand_vol_per_year = d.number_or("vol_per_year", Range::at_least(0), 0.0);
  }
  if (const Json* delivery = o.find("delivery")) {
    Object d(r_, *delivery, o.at("delivery"), "a delivery model {p_on_time, delay_days}", {"delay_days", "p_on_time"});
    if (!d.ok()) return;
    const auto p = d.number("p_on_time", Range::closed(0, 1));
    u.delivery_p_on_time = p.value_or(1.0);
    const Json* delay = p && *p < 1.0 ? d.require("delay_days", "a delay distribution, required when p_on_time < 1")
                                      : d.find("delay_days");
    if (delay)
      if (const auto dist = distribution(*delay, d.at("delay_days"))) u.delivery_delay_days = *dist;
  }
}

void Builder::read_negotiation(const Object& top) {
  const Json* section = top.find("negotiation");
  if (!section) return;
  s_.negotiation.present = true;
  Object o(r_, *section, "/negotiation", "a negotiation object", {"buyer_power", "seller_floor_usd_per_gpu_hour"});
  s_.negotiation.buyer_power = o.number_or("buyer_power", Range::closed(0, 1), 0.5);
  if (const Json* floors = o.find("seller_floor_usd_per_gpu_hour"))
    per_provider(*floors, o.at("seller_floor_usd_per_gpu_hour"), "an object of provider id -> price per GPU-hour",
                 false, [&](const std::string& key, const Json& v, const std::string& ptr) {
                   if (const auto x = r_.number(v, ptr, Range::at_least(0)))
                     s_.negotiation.seller_floor_usd_per_gpu_hour[key] = *x;
                 });
}

}  // namespace cloudpact::scenario_json::validation
