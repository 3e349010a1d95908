// Bounds that several fields make together (docs/reference.md §9.3): each
// field is within its range, but a product, a sum over events or a sampled
// walk could still leave what run and risk can compute. Each check names the
// field that makes the quantity too large. Last, the worst case of one
// Monte Carlo path (scenario/cost_bound.hpp) must fit risk's fixed-point
// totals, so that a scenario validate accepts never makes risk fail.
#include <algorithm>
#include <cmath>
#include <string>

#include "scenario/cost_bound.hpp"
#include "scenario/limits.hpp"
#include "scenario/validate_builder.hpp"

namespace cloudpact::scenario_json::validation {

namespace {

std::string years_text(double years) { return rounded_text(std::round(years * 100.0) / 100.0); }

// The field whose part of a sampled price model's bound is largest: the
// bound falls most when it is left out.
const char* price_model_culprit(const PriceModel& m, double years) {
  const double all = price_log_multiplier_bound(m, years);
  PriceModel no_drift = m, no_vol = m, no_jumps = m;
  no_drift.drift_per_year = std::min(0.0, m.drift_per_year);
  no_vol.vol_per_year = 0;
  no_jumps.jump_rate_per_year = 0;
  const double drift = all - price_log_multiplier_bound(no_drift, years);
  const double vol = all - price_log_multiplier_bound(no_vol, years);
  const double jumps = all - price_log_multiplier_bound(no_jumps, years);
  if (drift >= vol && drift >= jumps) return "drift_per_year";
  if (vol >= jumps) return "vol_per_year";
  const double jm = std::log(1.0 + m.jump_mean_pct / 100.0), js = m.jump_sd_pct / 100.0;
  return js >= std::fabs(jm) ? "jump_sd_pct" : "jump_mean_pct";
}

const BoundTerm& largest(const std::vector<BoundTerm>& terms) {
  return *std::max_element(terms.begin(), terms.end(),
                           [](const BoundTerm& a, const BoundTerm& b) { return a.value < b.value; });
}

}  // namespace

void Builder::check_bounds() {
  const bool sizes_ok = check_derived_sizes();
  const bool models_ok = check_sampled_models();
  if (sizes_ok && models_ok) check_worst_case();
}

// Training time, demand shock products, prices after price changes.
bool Builder::check_derived_sizes() {
  const std::size_t before = problems_.lines().size();
  for (std::size_t w = 0; w < s_.workloads.size(); ++w) {
    const Workload& wl = s_.workloads[w];
    if (wl.kind != WorkloadKind::training) continue;
    const double years = training_years(wl);
    if (years > limits::max_training_years)
      problems_.add(child_pointer(child_pointer("/workloads", w), "flops"),
                    "runs " + rounded_text(years) + " years uninterrupted on " + rounded_text(wl.gpus) +
                        " GPUs at mfu " + rounded_text(wl.mfu),
                    "at most " + number_text(limits::max_training_years) +
                        " years of running, flops / (gpus x 989e12 x mfu): fewer flops or more gpus");
  }
  const std::vector<ShockReach> shocks = demand_shock_reaches(s_, limits::max_demand_shock_product);
  for (const ShockReach& r : shocks) {
    if (r.first_over == kNone) continue;
    const DemandShockEvent& e = s_.demand_shocks[r.first_over];
    problems_.add(child_pointer(demand_shock_ptr_[r.first_over], "factor"),
                  "overlapping demand shocks multiply " + in_quotes(e.workload) + "'s demand by " +
                      rounded_text(r.product_over),
                  "a product of at most " + number_text(limits::max_demand_shock_product) +
                      " at any instant");
  }
  const std::string price_expected =
      "a price of at most " + number_text(limits::max_usd_per_gpu_hour) + " USD per GPU-hour after every change";
  const std::vector<PriceReach> contracts = contract_price_reaches(s_, limits::max_usd_per_gpu_hour);
  for (std::size_t k = 0; k < contracts.size(); ++k) {
    if (contracts[k].first_over == kNone) continue;
    problems_.add(child_pointer(price_change_ptr_[contracts[k].first_over], "factor"),
                  "raises the price of contract " + in_quotes(s_.contracts[k].id) + " to " +
                      rounded_text(contracts[k].max_usd_per_gpu_hour) + " USD per GPU-hour",
                  price_expected);
  }
  const auto on_demand = on_demand_price_reaches(s_, limits::max_usd_per_gpu_hour);
  for (std::size_t p = 0; p < on_demand.size(); ++p) {
    for (const auto& [accelerator, r] : on_demand[p]) {
      if (r.first_over == kNone) continue;
      problems_.add(child_pointer(price_change_ptr_[r.first_over], "factor"),
                    "raises the on-demand price of " + in_quotes(accelerator) + " at " +
                        in_quotes(s_.providers[p].id) + " to " + rounded_text(r.max_usd_per_gpu_hour) +
                        " USD per GPU-hour",
                    price_expected);
    }
  }
  return problems_.lines().size() == before;
}

// What `risk` samples: multipliers, delays and outage arrivals.
bool Builder::check_sampled_models() {
  const Uncertainty& u = s_.uncertainty;
  if (!u.present) return true;
  const std::size_t before = problems_.lines().size();
  const double years = horizon_years(s_);
  const double max_log = std::log(limits::max_sampled_multiplier);
  const std::string multiplier_expected =
      "at most " + number_text(limits::max_sampled_multiplier) + ", exceeded with probability below 1e-23";
  for (const auto& [provider, model] : u.prices) {
    const double bound = price_log_multiplier_bound(model, years);
    if (bound <= max_log) continue;
    problems_.add(child_pointer(child_pointer("/uncertainty/prices", provider), price_model_culprit(model, years)),
                  "the sampled price multiplier could reach " + rounded_text(std::exp(bound)) + " over the " +
                      years_text(years) + "-year horizon",
                  multiplier_expected + ": a lower drift, volatility or jumps, or a shorter horizon");
  }
  if (const double bound = demand_log_multiplier_bound(u.demand_vol_per_year, years); bound > max_log) {
    problems_.add("/uncertainty/demand/vol_per_year",
                  "the sampled demand multiplier could reach " + rounded_text(std::exp(bound)) + " over the " +
                      years_text(years) + "-year horizon",
                  multiplier_expected + ": a lower volatility or a shorter horizon");
  }
  if (const double days = max_sampled_delay_days(u); days > limits::max_delay_days) {
    const Distribution& d = u.delivery_delay_days;
    const char* culprit = d.kind == Distribution::Kind::fixed ? "value"
                          : d.median > limits::max_delay_days / 10.0 ? "median"
                                                                       : "sigma";
    problems_.add(child_pointer("/uncertainty/delivery/delay_days", culprit),
                  "a path could draw a delay of " + rounded_text(std::ceil(days)) + " days",
                  "the longest draw, median x e^(" + rounded_text(std::round(limits::max_abs_normal * 100) / 100) +
                      " x sigma) for a lognormal, of at most " + number_text(limits::max_delay_days) + " days");
  }
  std::vector<std::pair<std::string, const OutageModel*>> outages;
  if (u.default_outages) outages.emplace_back("default", &*u.default_outages);
  for (const auto& [provider, model] : u.provider_outages) outages.emplace_back(provider, &model);
  for (const auto& [key, model] : outages) {
    const double arrivals = model->rate_per_year * years;
    if (arrivals <= limits::max_outage_arrivals) continue;
    problems_.add(child_pointer(child_pointer("/uncertainty/outages", key), "rate_per_year"),
                  "about " + rounded_text(std::round(arrivals)) + " sampled outages per region over the horizon",
                  "rate_per_year x years of at most " + number_text(limits::max_outage_arrivals));
  }
  const std::vector<OutageZone>& zones = u.correlation.zones;
  for (std::size_t z = 0; z < zones.size(); ++z) {
    const double arrivals = zones[z].model.rate_per_year * years;
    if (arrivals <= limits::max_outage_arrivals) continue;
    problems_.add("/uncertainty/correlation/zones/" + std::to_string(z) + "/rate_per_year",
                  "about " + rounded_text(std::round(arrivals)) + " sampled outages of the zone over the horizon",
                  "rate_per_year x years of at most " + number_text(limits::max_outage_arrivals));
  }
  return problems_.lines().size() == before;
}

void Builder::check_worst_case() {
  const PathBound b = worst_case_path(s_);
  const std::string why = ": risk totals each path in hundredths in 64 bits";
  if (b.money_usd > limits::max_path_value) {
    const BoundTerm& t = largest(b.money_terms);
    const BoundText text = t.text();
    problems_.add(text.pointer,
                  "one path could cost up to " + rounded_text(b.money_usd) + " USD, " + rounded_text(t.value) +
                      " of it here: " + text.detail,
                  "a worst case of at most " + number_text(limits::max_path_value) + " USD per path" + why);
  }
  const bool used = b.used_gpu_hours >= b.unmet_gpu_hours;
  const double gpu_hours = used ? b.used_gpu_hours : b.unmet_gpu_hours;
  if (gpu_hours > limits::max_path_value) {
    const BoundTerm& t = largest(used ? b.used_terms : b.unmet_terms);
    const BoundText text = t.text();
    problems_.add(text.pointer,
                  std::string("one path could ") + (used ? "use" : "leave unmet") + " up to " +
                      rounded_text(gpu_hours) + " GPU-hours, " + rounded_text(t.value) + " of them here: " + text.detail,
                  "a worst case of at most " + number_text(limits::max_path_value) + " GPU-hours per path" + why);
  }
}

}  // namespace cloudpact::scenario_json::validation
