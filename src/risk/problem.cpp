#include "risk/problem.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

#include "model/plant.hpp"
#include "policy/rofr.hpp"
#include "risk/metrics.hpp"
#include "rules/placement.hpp"
#include "rules/take_or_pay.hpp"
#include "rules/training.hpp"
#include "scenario/correlation_matrix.hpp"
#include "scenario/cost_bound.hpp"
#include "scenario/dates.hpp"
#include "scenario/input_error.hpp"
#include "scenario/limits.hpp"
#include "scenario/message_text.hpp"

namespace cloudpact {

namespace {
constexpr double kDay_s = 86400.0;

// 12345678 as "12345678", 1e7 as "10000000".
std::string scenario_json_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", x);
  return buf;
}

void check_bound(std::vector<std::string>& errors, const Scenario& sc, const char* pointer, size_t n, int max,
                 const char* what) {
  if (n > static_cast<size_t>(max))
    errors.push_back(escape_text(sc.source_path) + ": " + pointer + ": " + std::to_string(n) + " " + what +
                     " is more than `risk` handles (expected at most " + std::to_string(max) +
                     "; `run` has no such bound)");
}

risk::OutageModel outage_model(const OutageModel& m) {
  risk::OutageModel o;
  o.rate_per_year = m.rate_per_year;
  o.lost_fraction = m.capacity_lost_pct / 100.0;
  o.duration_lognormal = m.duration_hours.kind == Distribution::Kind::lognormal ? 1 : 0;
  o.duration_median_h = m.duration_hours.median;
  o.duration_sigma = m.duration_hours.sigma;
  o.duration_fixed_h = m.duration_hours.value;
  return o;
}
// What sampled futures share (docs/reference.md §11), on the problem's
// indices: the loadings of correlated price shocks, the delivery copula and
// the outage zones.
void add_correlation(const Scenario& sc, const Plant& plant, risk::RiskProblem& pb) {
  const Correlation& c = sc.uncertainty.correlation;
  const auto provider_index = [&](const std::string& id) {
    return static_cast<int>(std::find(plant.providers.begin(), plant.providers.end(), id) - plant.providers.begin());
  };
  if (c.prices) {
    const int n = pb.n_providers, m = static_cast<int>(c.prices->providers.size());
    std::vector<double> flat;
    for (const auto& row : c.prices->matrix) flat.insert(flat.end(), row.begin(), row.end());
    const std::vector<double> root = correlation_square_root(flat, m);
    pb.price_loadings.assign(static_cast<size_t>(n) * static_cast<size_t>(n), 0.0);
    for (int p = 0; p < n; ++p) pb.price_loadings[static_cast<size_t>(p * n + p)] = 1.0;  // not listed: its own shock
    for (int i = 0; i < m; ++i) {
      const int pi = provider_index(c.prices->providers[static_cast<size_t>(i)]);
      pb.price_loadings[static_cast<size_t>(pi * n + pi)] = 0.0;
      for (int j = 0; j < m; ++j)
        pb.price_loadings[static_cast<size_t>(pi * n + provider_index(c.prices->providers[static_cast<size_t>(j)]))] =
            root[static_cast<size_t>(i * m + j)];
    }
    pb.prices_correlated = 1;
  }
  // ρ = 0 is the block's absence: each cluster on its own, drawn as §4.2
  // draws it, so that writing the neutral value changes no number (as an
  // identity price matrix and a zone of rate 0 change none). The copula at
  // ρ = 0 has the same distribution but tests a normal where §4.2 tests a
  // uniform word: other draws, other numbers.
  if (c.delivery_common && *c.delivery_common > 0.0) {
    pb.delivery_copula = 1;
    pb.delivery_common = *c.delivery_common;
    pb.delivery_late_threshold = normal_quantile(pb.delivery_p_on_time);
    pb.delay_normal_bound = limits::max_abs_normal;
  }
  for (size_t z = 0; z < c.zones.size(); ++z) {
    pb.zone_outages.push_back(outage_model(c.zones[z].model));
    for (const std::string& region : c.zones[z].regions) {
      const auto it = std::find(plant.regions.begin(), plant.regions.end(), region);
      pb.region_zones[static_cast<size_t>(it - plant.regions.begin())] |= 1u << z;
    }
  }
}

// Every source of uncertainty the file has (docs/reference.md §12.1), with
// what switching it off means: a provider's sampled outages (its own model
// or `default`), each zone, a provider's price model, demand, deliveries.
// A model that changes nothing (a rate of 0, a still price) is a source all
// the same: switching it off changes no draw, so its deltas come out exactly 0.
std::vector<std::pair<std::string, risk::SourcesOff>> uncertainty_sources(const Scenario& sc, const Plant& plant,
                                                                         const risk::RiskProblem& pb) {
  const Uncertainty& u = sc.uncertainty;
  std::vector<std::pair<std::string, risk::SourcesOff>> out;
  for (int p = 0; p < pb.n_providers; ++p) {
    const std::string& id = plant.providers[static_cast<size_t>(p)];
    risk::SourcesOff off;
    off.outage_providers = 1u << p;
    if (u.provider_outages.contains(id) || u.default_outages) out.push_back({"outages:" + id, off});
  }
  for (size_t z = 0; z < pb.zone_outages.size(); ++z) {
    risk::SourcesOff off;
    off.zones = 1u << z;
    out.push_back({"zone:" + u.correlation.zones[z].id, off});
  }
  for (int p = 0; p < pb.n_providers; ++p) {
    const std::string& id = plant.providers[static_cast<size_t>(p)];
    risk::SourcesOff off;
    off.price_providers = 1u << p;
    if (u.prices.contains(id)) out.push_back({"prices:" + id, off});
  }
  if (u.demand_present) {
    risk::SourcesOff off;
    off.demand = 1;
    out.push_back({"demand", off});
  }
  if (u.delivery_present) {
    risk::SourcesOff off;
    off.delivery = 1;
    out.push_back({"delivery", off});
  }
  return out;
}
}  // namespace

double normal_quantile(double p) {
  if (p <= 0.0) return -1e300;
  if (p >= 1.0) return 1e300;
  // Bisection on Φ(x) = erfc(−x/√2)/2, monotone: 200 halvings of [−40, 40]
  // reach the double next to the root.
  double lo = -40.0, hi = 40.0;
  for (int i = 0; i < 200 && hi - lo > 0.0; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid == lo || mid == hi) break;
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

namespace {

// build_risk_problem, with `extra_cuts` (seconds since the start) added to
// the step grid (the exclusivity's end, for the problem without it), and the
// grid's bound counting `tables` sets of its tables.
RiskSetup build_problem_on(const Scenario& input, bool uncertainty_off, bool sensitivity,
                           const std::vector<double>& extra_cuts, double tables) {
  // A right of first refusal (docs/reference.md §14): the problem holds both
  // parts of every offered contract whole, and each path scales them by the
  // share the holder matches there.
  std::optional<RofrSplit> split;
  if (input.policy.rofr) split = split_for_rofr(input, std::nullopt);
  const Scenario& sc = split ? split->scenario : input;
  const Plant plant = build_plant(sc);
  RiskSetup setup;
  risk::RiskProblem& pb = setup.problem;

  size_t n_inference = 0, n_jobs = 0;
  for (const Workload& w : sc.workloads) (w.kind == WorkloadKind::inference ? n_inference : n_jobs)++;
  std::vector<std::string> errors;
  check_bound(errors, sc, "/providers", plant.providers.size(), risk::kMaxProviders, "providers");
  check_bound(errors, sc, "/providers", plant.regions.size(), risk::kMaxRegions, "regions");
  // A right of first refusal adds the holder's part of each offered contract
  // and cluster: the count says so.
  const std::string with_parts = split ? " (with the holder's parts of the offered contracts, /policy/rofr)" : "";
  check_bound(errors, sc, "/providers", plant.clusters.size(), risk::kMaxClusters, ("clusters" + with_parts).c_str());
  check_bound(errors, sc, "/contracts", plant.contracts.size(), risk::kMaxContracts, ("contracts" + with_parts).c_str());
  check_bound(errors, sc, "/workloads", n_inference, risk::kMaxInference, "inference workloads");
  check_bound(errors, sc, "/workloads", n_jobs, risk::kMaxJobs, "training workloads");
  check_bound(errors, sc, "/uncertainty/correlation/zones", sc.uncertainty.correlation.zones.size(), risk::kMaxZones,
              "outage zones");
  for (size_t k = 0; k < sc.contracts.size(); ++k)
    if (sc.contracts[k].sla_credits.size() > static_cast<size_t>(risk::kMaxSlaTiers))
      check_bound(errors, sc, ("/contracts/" + std::to_string(k) + "/sla/credits").c_str(),
                  sc.contracts[k].sla_credits.size(), risk::kMaxSlaTiers, "SLA tiers");
  if (!errors.empty()) throw InputError(errors);

  // ---- the grid: days, cut at every dated change the replay sees ----
  std::vector<double> cuts = plant.breakpoints();
  cuts.insert(cuts.end(), extra_cuts.begin(), extra_cuts.end());
  for (double t = kDay_s; t < sc.horizon_s; t += kDay_s) cuts.push_back(t);
  std::vector<double> month_starts;
  for (std::int64_t m : month_starts_inside(sc.start_epoch_s, sc.end_epoch_s)) month_starts.push_back(sc.to_sim_s(m));
  cuts.insert(cuts.end(), month_starts.begin(), month_starts.end());
  // Take-or-pay periods per contract, in date order: the rules layer's, as
  // the replay's accountant gets them.
  struct Period { double end_s; double min_usd; };
  std::vector<std::vector<Period>> periods(plant.contracts.size());
  for (size_t k = 0; k < plant.contracts.size(); ++k) {
    const Contract& c = *plant.contracts[k].spec;
    cuts.push_back(c.start_s);
    cuts.push_back(c.end_s);
    rules::take_or_pay_periods(c.start_epoch_s, c.end_epoch_s, c.min_spend_usd_per_year, sc.start_epoch_s, sc.end_epoch_s,
                               add_years, [&](std::int64_t, std::int64_t end, double minimum_usd) {
                                 periods[k].push_back({sc.to_sim_s(end), minimum_usd});
                                 cuts.push_back(sc.to_sim_s(end));
                               });
  }
  cuts.push_back(0.0);
  cuts.push_back(sc.horizon_s);
  std::erase_if(cuts, [&](double t) { return t < 0.0 || t > sc.horizon_s; });
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

  // The per-step tables hold steps x clusters entries each: bounded before
  // they are built (docs/reference.md §9.3). An exclusivity's portfolios
  // free of it walk a second set of tables (build_risk_problem), and the
  // bound counts both.
  const double grid_cells =
      static_cast<double>(cuts.size() - 1) * static_cast<double>(std::max<size_t>(1, plant.clusters.size()));
  if (grid_cells * tables > limits::max_risk_grid_cells) {
    const std::string twice = tables > 1 ? ", twice with /policy/exclusivity (its grid without the clause too)" : "";
    throw InputError({escape_text(sc.source_path) + ": /: `risk`'s step grid would hold " +
                      std::to_string(cuts.size() - 1) + " steps x " + std::to_string(plant.clusters.size()) +
                      " clusters = " + scenario_json_number(grid_cells) + " cells" + twice + " (expected at most " +
                      scenario_json_number(limits::max_risk_grid_cells) +
                      ": fewer dated changes, fewer clusters or a shorter horizon; `run` has no such bound)"});
  }
  const int n_steps = static_cast<int>(cuts.size()) - 1;
  pb.n_steps = n_steps;
  pb.horizon_s = sc.horizon_s;
  pb.n_days = static_cast<int>(std::ceil(sc.horizon_s / kDay_s));
  pb.n_months = static_cast<int>(month_starts.size()) + 1;
  auto step_at = [&](double t) {  // the step starting at t (n_steps for the horizon)
    return static_cast<int>(std::lower_bound(cuts.begin(), cuts.end(), t) - cuts.begin());
  };
  for (int s = 0; s < n_steps; ++s) {
    const double a = cuts[static_cast<size_t>(s)], b = cuts[static_cast<size_t>(s) + 1];
    pb.step_start_s.push_back(a);
    pb.step_len_s.push_back(b - a);
    pb.step_day.push_back(static_cast<int>(std::floor(a / kDay_s)));
    pb.step_month.push_back(static_cast<int>(std::upper_bound(month_starts.begin(), month_starts.end(), a) -
                                             month_starts.begin()));
  }
  for (double m : month_starts) pb.month_end_step.push_back(step_at(m));
  pb.month_end_step.push_back(n_steps);

  // ---- places ----
  pb.n_providers = static_cast<int>(plant.providers.size());
  pb.n_regions = static_cast<int>(plant.regions.size());
  pb.n_clusters = static_cast<int>(plant.clusters.size());
  for (const Provider& p : sc.providers) pb.provider_egress_usd_per_gb.push_back(p.egress_usd_per_gb);
  // Daily capacity tables for sampled delivery delays. A delay moves the
  // curve as a delivery schedule (Curve::shifted: a constant capacity is a
  // step at the start), so the tables hold that curve and start at the
  // earliest point of any cluster's schedule (or the start): every curve is
  // 0 before its first point, so days before the table deliver nothing.
  // No path reads further back than the longest delay it can draw
  // (validated to at most limits::max_delay_days): a curve with points
  // centuries before the start does not make the table centuries long.
  std::vector<Curve> schedules;
  double first_point_s = 0.0;
  for (const PlantCluster& pc : plant.clusters) {
    schedules.push_back(pc.capacity_phys.shifted(0.0, 0.0));
    if (!schedules.back().points.empty()) first_point_s = std::min(first_point_s, schedules.back().points.front().first);
  }
  const double longest_delay_days = uncertainty_off ? 0.0 : max_sampled_delay_days(sc.uncertainty);
  pb.cap_first_day = static_cast<int>(
      std::max(std::floor(first_point_s / kDay_s), -std::ceil(longest_delay_days) - 1.0));
  pb.n_cap_days = pb.n_days - pb.cap_first_day;
  for (size_t c = 0; c < plant.clusters.size(); ++c) {
    const PlantCluster& pc = plant.clusters[c];
    pb.cluster_provider.push_back(pc.provider);
    pb.cluster_region.push_back(pc.region);
    pb.cluster_h100_equiv.push_back(pc.h100_equiv);
    for (int d = pb.cap_first_day; d < pb.n_days; ++d) {
      const double a = static_cast<double>(d) * kDay_s;
      pb.cap_day.push_back(schedules[c].integral(a, a + kDay_s) / kDay_s);
    }
  }
  // Step-major: a path walks the steps, so each step's clusters sit together.
  for (int s = 0; s < n_steps; ++s) {
    const double a = pb.step_start_s[static_cast<size_t>(s)], len = pb.step_len_s[static_cast<size_t>(s)];
    const double mid = a + 0.5 * len;
    for (size_t c = 0; c < plant.clusters.size(); ++c) {
      const PlantCluster& pc = plant.clusters[c];
      const int ci = static_cast<int>(c);
      pb.cap_step.push_back(pc.capacity_phys.integral(a, a + len) / len);
      pb.loss_step.push_back(plant.lost_fraction(ci, mid));
      pb.seller_step.push_back(static_cast<std::int8_t>(plant.seller(ci, mid)));
      pb.contract_step.push_back(static_cast<std::int16_t>(plant.reserving_contract(ci, mid)));
      const PriceSchedule* price = plant.seller_price(ci, mid);
      pb.seller_price_step.push_back(price ? price->at(mid) : 0.0);
    }
  }

  // ---- contracts ----
  pb.n_contracts = static_cast<int>(plant.contracts.size());
  for (size_t k = 0; k < plant.contracts.size(); ++k) {
    const PlantContract& pk = plant.contracts[k];
    const Contract& c = *pk.spec;
    pb.contract_provider.push_back(pk.provider);
    pb.contract_commitment_usd.push_back(c.commitment_usd ? *c.commitment_usd : -1.0);
    // Ends inside the horizon (at a step start, or at the horizon itself:
    // n_steps), or after it: n_steps + 1.
    pb.contract_end_step.push_back(c.end_s > sc.horizon_s ? n_steps + 1 : step_at(std::max(0.0, c.end_s)));
    pb.contract_n_tiers.push_back(static_cast<int>(c.sla_credits.size()));
    for (int i = 0; i < risk::kMaxSlaTiers; ++i)
      pb.contract_tiers.push_back(static_cast<size_t>(i) < c.sla_credits.size() ? c.sla_credits[static_cast<size_t>(i)]
                                                                               : rules::SlaTier{});
    pb.contract_exit_fee_pct.push_back(c.exit_fee_pct_of_remaining);
    pb.contract_reserved.push_back(c.billing == Billing::reserved ? 1 : 0);
    pb.contract_first_period.push_back(static_cast<int>(pb.period_end_step.size()));
    pb.contract_n_periods.push_back(static_cast<int>(periods[k].size()));
    for (const Period& p : periods[k]) {
      pb.period_end_step.push_back(step_at(p.end_s));
      pb.period_min_usd.push_back(p.min_usd);
    }
  }
  // ---- right of first refusal: which part of which offer each cluster and contract is ----
  if (split) {
    const Rofr& rofr = *sc.policy.rofr;
    pb.n_offers = static_cast<int>(split->offered.size());
    for (size_t i = 0; i < plant.providers.size(); ++i)
      if (plant.providers[i] == rofr.holder) pb.rofr_holder = static_cast<int>(i);
    pb.rofr_match_share = rofr.match_pct / 100.0;
    // With every uncertainty off, the replay's match: match_pct on every path.
    pb.rofr_match_probability = rofr.match_probability && !uncertainty_off ? *rofr.match_probability : -1.0;
  }
  auto part_of = [&](const std::map<std::string, RofrPart>* parts, const std::string& key, std::vector<int>& offer,
                     std::vector<std::uint8_t>& holder_part) {
    const auto it = parts ? parts->find(key) : std::map<std::string, RofrPart>::const_iterator{};
    const bool found = parts && it != parts->end();
    offer.push_back(found ? it->second.offer : -1);
    holder_part.push_back(found && it->second.holder_part ? 1 : 0);
  };
  for (const PlantCluster& pc : plant.clusters)
    part_of(split ? &split->clusters : nullptr, pc.path, pb.cluster_offer, pb.cluster_holder_part);
  for (const PlantContract& pk : plant.contracts)
    part_of(split ? &split->contracts : nullptr, pk.spec->id, pb.contract_offer, pb.contract_holder_part);
  // Both parts of an offer keep its term, and contract starts are cuts of
  // the grid: a part's share changes at a step's start.
  pb.offer_start_step.assign(static_cast<size_t>(pb.n_offers), 0);
  for (size_t k = 0; k < plant.contracts.size(); ++k)
    if (const int offer = pb.contract_offer[k]; offer >= 0)
      pb.offer_start_step[static_cast<size_t>(offer)] = step_at(std::max(0.0, plant.contracts[k].spec->start_s));

  pb.step_closes.assign(static_cast<size_t>(n_steps), 0);
  for (int m : pb.month_end_step)
    if (m < n_steps) pb.step_closes[static_cast<size_t>(m)] = 1;
  for (int e : pb.contract_end_step)
    if (e < n_steps) pb.step_closes[static_cast<size_t>(e)] = 1;
  for (int e : pb.period_end_step)
    if (e < n_steps) pb.step_closes[static_cast<size_t>(e)] = 1;

  // ---- demand, in service order ----
  std::map<int, int> inference_index, job_index;
  std::vector<std::pair<int, int>> order;  // (priority, workload)
  for (size_t w = 0; w < plant.workloads.size(); ++w) {
    const PlantWorkload& pw = plant.workloads[w];
    const Workload& spec = *pw.spec;
    std::uint32_t mask = 0;
    for (int p : pw.eligible_providers) mask |= 1u << p;
    std::vector<int> rank(risk::kMaxProviders, risk::kMaxProviders);
    for (size_t r = 0; r < pw.eligible_providers.size(); ++r)
      rank[static_cast<size_t>(pw.eligible_providers[r])] =
          sc.policy.placement == Placement::primary ? static_cast<int>(r) : 0;
    order.push_back({spec.priority, static_cast<int>(w)});
    if (spec.kind == WorkloadKind::inference) {
      inference_index[static_cast<int>(w)] = pb.n_inference++;
      pb.inference_providers.push_back(mask);
      pb.inference_value_usd_per_gpu_hour.push_back(spec.value_usd_per_gpu_hour);
      pb.inference_provider_rank.insert(pb.inference_provider_rank.end(), rank.begin(), rank.end());
    } else {
      job_index[static_cast<int>(w)] = pb.n_jobs++;
      pb.job_providers.push_back(mask);
      pb.job_provider_rank.insert(pb.job_provider_rank.end(), rank.begin(), rank.end());
      pb.job_submit_s.push_back(std::max(0.0, spec.submit_s));
      pb.job_gpus.push_back(spec.gpus);
      pb.job_work_s.push_back(rules::training_work_s(spec.flops, spec.gpus, spec.mfu));
      pb.job_checkpoint_s.push_back(spec.checkpoint_hours * 3600.0);
      pb.job_restart_s.push_back(spec.restart_hours * 3600.0);
      pb.job_dataset_gb.push_back(spec.dataset_tb * 1000.0);
    }
  }
  for (int s = 0; s < n_steps; ++s) {
    const double a = pb.step_start_s[static_cast<size_t>(s)], len = pb.step_len_s[static_cast<size_t>(s)];
    for (const auto& [w, i] : inference_index) {
      (void)i;  // std::map iterates workloads in file order, which is inference index order
      const Curve& demand = plant.workloads[static_cast<size_t>(w)].spec->demand_gpus;
      // Shock edges are cuts, so the shock factor is constant on the step.
      const double base = demand.at(a + 0.5 * len);
      const double factor = base > 0.0 ? plant.demand_gpus(w, a + 0.5 * len) / base : 1.0;
      pb.demand_step.push_back(demand.integral(a, a + len) / len * factor);
    }
  }
  std::sort(order.begin(), order.end(),
            [](auto a, auto b) { return rules::served_first(a.first, a.second, b.first, b.second); });
  for (const auto& [prio, w] : order)
    pb.service_items.push_back(inference_index.count(w) ? inference_index[w] : -(job_index[w] + 1));

  pb.placement = sc.policy.placement == Placement::cheapest ? 0 : sc.policy.placement == Placement::single_vendor ? 1 : 2;
  for (size_t p = 0; p < plant.providers.size(); ++p)
    if (plant.providers[p] == sc.policy.vendor) pb.vendor = static_cast<int>(p);

  // ---- uncertainty ----
  const Uncertainty& u = sc.uncertainty;
  pb.region_outages.assign(plant.regions.size(), {});
  pb.region_zones.assign(plant.regions.size(), 0u);
  for (const std::string& region : plant.regions) {
    const std::string provider = region.substr(0, region.find('/'));
    pb.region_provider.push_back(
        static_cast<int>(std::find(plant.providers.begin(), plant.providers.end(), provider) - plant.providers.begin()));
  }
  pb.provider_prices.assign(plant.providers.size(), {});
  if (!uncertainty_off) {
    for (size_t r = 0; r < plant.regions.size(); ++r) {
      const std::string provider = plant.regions[r].substr(0, plant.regions[r].find('/'));
      if (auto it = u.provider_outages.find(provider); it != u.provider_outages.end())
        pb.region_outages[r] = outage_model(it->second);
      else if (u.default_outages)
        pb.region_outages[r] = outage_model(*u.default_outages);
    }
    for (size_t p = 0; p < plant.providers.size(); ++p) {
      const auto it = u.prices.find(plant.providers[p]);
      if (it == u.prices.end()) continue;
      risk::PriceModel& m = pb.provider_prices[p];
      m.drift_per_year = it->second.drift_per_year;
      m.vol_per_year = it->second.vol_per_year;
      m.jump_rate_per_year = it->second.jump_rate_per_year;
      // A jump multiplies the price by exp(J), J ~ N(ln(1 + mean%), sd%).
      m.jump_log_mean = std::log(1.0 + it->second.jump_mean_pct / 100.0);
      m.jump_log_sd = it->second.jump_sd_pct / 100.0;
      m.log_multiplier_bound = price_log_multiplier_bound(it->second, horizon_years(sc));
    }
    pb.demand_vol_per_year = u.demand_vol_per_year;
    pb.demand_log_multiplier_bound = demand_log_multiplier_bound(u.demand_vol_per_year, horizon_years(sc));
    pb.delivery_p_on_time = u.delivery_p_on_time;
    // `delivery.targets` (the split scenario's: split_for_rofr lists a
    // holder's part whose original a target covers; the holder or its region
    // reach the part by its own path; docs/reference.md §14.2).
    if (!u.delivery_targets.empty()) {
      pb.delivery_clusters = 0;
      for (size_t c = 0; c < plant.clusters.size(); ++c)
        for (const std::string& t : u.delivery_targets)
          if (target_covers(t, plant.clusters[c].path)) pb.delivery_clusters |= std::uint64_t{1} << c;
    }
    pb.delay_lognormal = u.delivery_delay_days.kind == Distribution::Kind::lognormal ? 1 : 0;
    pb.delay_median_days = u.delivery_delay_days.median;
    pb.delay_sigma = u.delivery_delay_days.sigma;
    pb.delay_fixed_days = u.delivery_delay_days.value;
    add_correlation(sc, plant, pb);
  }

  pb.discount_rate_per_year = sc.finance.discount_rate_per_year;

  // ---- portfolios ----
  const std::uint32_t all = pb.n_providers >= 32 ? ~0u : ((1u << pb.n_providers) - 1u);
  auto add_portfolio = [&](std::uint32_t providers, risk::SourcesOff off, std::string name, bool no_rofr = false) {
    pb.portfolio_providers.push_back(providers);
    pb.portfolio_off.push_back(off);
    pb.portfolio_no_rofr.push_back(no_rofr ? 1 : 0);
    setup.portfolio_names.push_back(std::move(name));
  };
  add_portfolio(all, {}, "contracted");
  for (int p = 0; p < pb.n_providers; ++p)
    add_portfolio(all & ~(1u << p), {}, "without:" + plant.providers[static_cast<size_t>(p)]);
  for (int p = 0; p < pb.n_providers; ++p) add_portfolio(1u << p, {}, "single:" + plant.providers[static_cast<size_t>(p)]);
  // The scenario without its right of first refusal, on the same paths: every
  // offered contract whole with its provider (docs/reference.md §14).
  if (split) add_portfolio(all, {}, "no_rofr", true);
  setup.sensitivity = sensitivity;
  // With --uncertainty-off the run samples nothing: no source.
  if (sensitivity && !uncertainty_off)
    for (auto& [source, off] : uncertainty_sources(sc, plant, pb)) add_portfolio(all, off, std::string(risk::kSourceOffPrefix) + source);
  setup.provider_ids = plant.providers;
  if (split) {
    setup.rofr_holder = sc.policy.rofr->holder;
    setup.rofr_offered = split->offered;
    if (!uncertainty_off) setup.rofr_match_probability = sc.policy.rofr->match_probability;
    // Without the holder the right is gone: every offer whole with its provider.
    for (const int q : portfolios_free_of(pb, pb.rofr_holder)) pb.portfolio_no_rofr[static_cast<size_t>(q)] = 1;
  }
  for (const PlantContract& pk : plant.contracts) setup.contract_ids.push_back(pk.spec->id);
  pb.portfolio_lifted.assign(pb.portfolio_providers.size(), 0);
  return setup;
}

}  // namespace

RiskSetup build_risk_problem(const Scenario& input, bool uncertainty_off, bool sensitivity) {
  if (!input.policy.exclusivity) return build_problem_on(input, uncertainty_off, sensitivity, {}, 1.0);
  const Exclusivity& clause = *input.policy.exclusivity;
  RiskSetup setup = build_problem_on(input, uncertainty_off, sensitivity, {}, 2.0);
  risk::RiskProblem& pb = setup.problem;
  // The same scenario without the clause, on this grid (`until` is one of
  // its cuts): the problem the portfolios free of it walk (§6.1, §14.1).
  // With a right of first refusal, which the same provider holds, those
  // portfolios are without it in both problems (no_rofr, set above).
  Scenario free = input;
  free.policy.exclusivity.reset();
  RiskSetup other = build_problem_on(free, uncertainty_off, sensitivity, {clause.until_s}, 2.0);
  risk::RiskProblem& lifted = other.problem;
  if (lifted.step_start_s != pb.step_start_s || other.portfolio_names != setup.portfolio_names)
    throw std::logic_error("the problem without the exclusivity is not on the same grid and portfolios");
  // A portfolio none of whose other providers sells anything before
  // `until` without the clause walks the same either way (another
  // provider's contract cannot start before it): it is not lifted, and
  // shares its steps with the bound portfolios (the flagship's
  // single:coreweave and single:oracle).
  std::uint32_t sell_before_until = 0;
  pb.lifted_until_step = pb.n_steps;
  for (int st = 0; st < pb.n_steps; ++st) {
    if (pb.step_start_s[static_cast<size_t>(st)] >= clause.until_s) {
      pb.lifted_until_step = st;
      break;
    }
    for (int c = 0; c < pb.n_clusters; ++c)
      if (lifted.seller_step[static_cast<size_t>(st * pb.n_clusters + c)] != static_cast<std::int8_t>(rules::Seller::none))
        sell_before_until |= 1u << pb.cluster_provider[static_cast<size_t>(c)];
  }
  const auto holder = static_cast<int>(
      std::find(setup.provider_ids.begin(), setup.provider_ids.end(), clause.provider) - setup.provider_ids.begin());
  bool any = false;
  for (const int q : portfolios_free_of(pb, holder)) {
    if ((pb.portfolio_providers[static_cast<size_t>(q)] & sell_before_until) == 0) continue;
    pb.portfolio_lifted[static_cast<size_t>(q)] = 1;
    any = true;
  }
  if (!any) return setup;
  // The kernels' lifted portfolios read the bound ones' steps from
  // lifted_until_step on (kernel::PathFunctor::walk): the two problems must
  // sell alike there, which holds by construction and is checked here.
  const auto from = static_cast<std::ptrdiff_t>(pb.lifted_until_step) * pb.n_clusters;
  const auto same_from = [from](const auto& a, const auto& b) { return std::equal(a.begin() + from, a.end(), b.begin() + from); };
  if (!same_from(pb.seller_step, lifted.seller_step) || !same_from(pb.contract_step, lifted.contract_step) ||
      !same_from(pb.seller_price_step, lifted.seller_price_step) || pb.cap_step != lifted.cap_step ||
      pb.loss_step != lifted.loss_step)
    throw std::logic_error("the problem without the exclusivity sells otherwise after it ends");
  lifted.portfolio_lifted = pb.portfolio_lifted;
  lifted.lifted_until_step = pb.lifted_until_step;
  pb.lifted = std::make_shared<const risk::RiskProblem>(std::move(lifted));
  return setup;
}

std::vector<int> portfolios_free_of(const risk::RiskProblem& pb, int holder) {
  std::vector<int> out;
  for (size_t q = 0; q < pb.portfolio_providers.size(); ++q)
    if (((pb.portfolio_providers[q] >> holder) & 1u) == 0) out.push_back(static_cast<int>(q));
  return out;
}

RiskSetup build_contracted_problem(const Scenario& sc) {
  RiskSetup setup = build_problem_on(sc, false, false, {}, sc.policy.exclusivity ? 2.0 : 1.0);
  risk::RiskProblem& pb = setup.problem;
  pb.portfolio_providers.resize(1);
  pb.portfolio_off.resize(1);
  pb.portfolio_no_rofr.resize(1);
  pb.track_contracted_use = false;
  setup.portfolio_names.resize(1);
  pb.portfolio_lifted.resize(1);  // never lifted
  return setup;
}

}  // namespace cloudpact
