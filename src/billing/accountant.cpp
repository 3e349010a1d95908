#include "billing/accountant.hpp"

#include <algorithm>
#include <cmath>

#include "rules/billing.hpp"
#include "rules/capacity.hpp"
#include "rules/present_value.hpp"
#include "rules/take_or_pay.hpp"
#include "scenario/dates.hpp"

namespace cloudpact {

namespace {
constexpr double kSecondsPerHour = 3600.0;

// Simpson's rule: exact for polynomials up to degree 3 over [a, b].
double simpson(double dt_s, double f0, double f1, double f2) { return dt_s * (f0 + 4.0 * f1 + f2) / 6.0; }

// The integral over [u, v] inside [a, a + dt] of the polynomial of degree at
// most 2 through f[0], f[1], f[2] at a, a + dt/2 and a + dt (every integrand
// of a piece is one): Simpson's rule on [u, v], its values interpolated.
double simpson_part(double a, double dt, const double f[3], double u, double v) {
  const auto at = [&](double t) {
    const double x = (t - a) / dt;
    return 2.0 * (x - 0.5) * (x - 1.0) * f[0] - 4.0 * x * (x - 1.0) * f[1] + 2.0 * x * (x - 0.5) * f[2];
  };
  return simpson(v - u, at(u), at(0.5 * (u + v)), at(v));
}
}  // namespace

Accountant::Accountant(const Plant& plant, ReplayResult& out) : plant_(plant), out_(out) {
  const Scenario& sc = *plant.scenario;
  for (const auto& p : plant.providers) out_.provider_ids.push_back(p);
  for (const auto& k : plant.contracts) out_.contract_ids.push_back(k.spec->id);
  for (const auto& w : plant.workloads) out_.workload_ids.push_back(w.spec->id);
  out_.providers.assign(plant.providers.size(), {});
  out_.contracts.assign(plant.contracts.size(), {});
  out_.workloads.assign(plant.workloads.size(), {});
  for (size_t w = 0; w < plant.workloads.size(); ++w) {
    out_.workloads[w].training = plant.workloads[w].spec->kind == WorkloadKind::training;
    if (!out_.workloads[w].training) inference_.push_back(static_cast<int>(w));
  }

  interval_s_ = sc.output_interval_hours * kSecondsPerHour;
  n_intervals_ = std::max<size_t>(1, static_cast<size_t>(std::ceil(plant.horizon_s / interval_s_ - 1e-9)));
  bins_.assign(n_intervals_ * plant.providers.size(), {});

  for (std::int64_t m : month_starts_inside(sc.start_epoch_s, sc.end_epoch_s)) month_cuts_s_.push_back(sc.to_sim_s(m));
  month_cuts_s_.push_back(plant.horizon_s);

  periods_.resize(plant.contracts.size());
  for (size_t k = 0; k < plant.contracts.size(); ++k) {
    const Contract& spec = *plant.contracts[k].spec;
    books_.push_back(rules::opening_book(spec.end_s <= 0.0));
    terms_.push_back({spec.sla_credits.data(), static_cast<int>(spec.sla_credits.size()), spec.commitment_usd.has_value(),
                      spec.commitment_usd.value_or(0.0)});
    rules::take_or_pay_periods(spec.start_epoch_s, spec.end_epoch_s, spec.min_spend_usd_per_year, sc.start_epoch_s,
                               sc.end_epoch_s, add_years, [&](std::int64_t, std::int64_t end, double minimum_usd) {
                                 periods_[k].end_epoch_s.push_back(end);
                                 periods_[k].minimum_usd.push_back(minimum_usd);
                               });
  }
  on_demand_month_usd_.assign(plant.providers.size(), 0.0);

  attributed_provider_.assign(plant.workloads.size(), 0);
  for (size_t w = 0; w < plant.workloads.size(); ++w) {
    const auto& elig = plant.workloads[w].eligible_providers;
    int p = elig.empty() ? 0 : elig.front();
    if (sc.policy.placement == Placement::single_vendor)
      for (size_t i = 0; i < plant.providers.size(); ++i)
        if (plant.providers[i] == sc.policy.vendor) p = static_cast<int>(i);
    attributed_provider_[w] = p;
  }
}

std::vector<double> Accountant::cuts() const {
  // Report intervals are not cuts: a piece that spans several is divided
  // among them in add_piece, so no total depends on output.interval_hours.
  std::vector<double> out(month_cuts_s_.begin(), month_cuts_s_.end());
  const Scenario& sc = *plant_.scenario;
  for (size_t k = 0; k < books_.size(); ++k) {
    for (std::int64_t e : periods_[k].end_epoch_s) out.push_back(sc.to_sim_s(e));
    const Contract& spec = *plant_.contracts[k].spec;
    for (double t : {spec.start_s, spec.end_s}) out.push_back(t);
  }
  std::erase_if(out, [&](double t) { return t <= 0.0 || t > plant_.horizon_s; });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::int64_t Accountant::epoch(double t_s) const {
  return plant_.scenario->start_epoch_s + static_cast<std::int64_t>(std::llround(t_s));
}

size_t Accountant::interval_of(double t_s) const {
  const auto i = static_cast<size_t>(std::max(0.0, std::floor(t_s / interval_s_)));
  return std::min(i, n_intervals_ - 1);
}

void Accountant::charge(double t_s, int provider, double usd) {
  out_.providers[static_cast<size_t>(provider)].spend_usd += usd;
  bins_[interval_of(t_s) * plant_.providers.size() + static_cast<size_t>(provider)].spend_usd += usd;
}

double Accountant::discount_factor(std::int64_t at_epoch_s) const {
  return rules::discount_factor(static_cast<double>(at_epoch_s - plant_.scenario->start_epoch_s),
                                plant_.scenario->finance.discount_rate_per_year);
}

double Accountant::post(std::int64_t at_epoch_s, std::string contract, const char* item, double usd, size_t provider) {
  const double pv = usd * discount_factor(at_epoch_s);
  out_.providers[provider].npv_spend_usd += pv;
  out_.npv_spend_usd += pv;
  out_.ledger.push_back({at_epoch_s, std::move(contract), item, usd, plant_.providers[provider]});
  return pv;
}

void Accountant::add_piece(const Sample& s0, const Sample& s1, const Sample& s2, const PlantSpan& span) {
  const double a = s0.t_s, mid = s1.t_s, dt = s2.t_s - s0.t_s;
  if (dt <= 0.0) return;
  const size_t n_providers = plant_.providers.size();
  // The report intervals the piece covers, first to last (one for most
  // pieces: then each gets the piece's own integrals, as the totals do).
  const size_t first = interval_of(a);
  size_t last = first;
  while (last + 1 < n_intervals_ && static_cast<double>(last + 1) * interval_s_ < s2.t_s) ++last;
  // Adds to provider p's bins an integrand's share of the piece, given its
  // values f at the samples and its integral over the piece (`whole`):
  // add(bin, integral of its part).
  const auto to_bins = [&](size_t p, const double f[3], double whole, auto&& add) {
    if (first == last) return add(bins_[first * n_providers + p], whole);
    for (size_t i = first; i <= last; ++i) {
      const double u = std::max(a, static_cast<double>(i) * interval_s_);
      const double v = std::min(s2.t_s, static_cast<double>(i + 1) * interval_s_);
      if (v > u) add(bins_[i * n_providers + p], simpson_part(a, dt, f, u, v));
    }
  };
  const Sample* s[3] = {&s0, &s1, &s2};
  // The span's figures where they hold: the values the look-ups would return.
  const AffineSamples samples = affine_samples(a, s2.t_s);
  const PlantSpan::Piece piece = span.piece(mid, samples);

  for (size_t c = 0; c < plant_.clusters.size(); ++c) {
    const PlantCluster& pc = plant_.clusters[c];
    // Curves as one-sided affine forms on the piece: a step at either end
    // belongs to the neighbouring piece.
    const PlantSpan::Lookup here = span.look_up(c, piece);
    const Affine capacity = affine_of(samples, here.flat_capacity_phys_gpus, [&](double t) { return pc.capacity_at(t); });
    double phys[3], used[3];
    for (int i = 0; i < 3; ++i) {
      phys[i] = capacity.at(s[i]->t_s - a);
      used[i] = s[i]->used_gpus[c];
    }
    const double phys_gpu_s = simpson(dt, phys[0], phys[1], phys[2]);
    const double delivered_gpu_s = rules::delivered_gpus(phys_gpu_s, pc.h100_equiv);
    // Outage edges are piece cuts: constant here.
    const double lost = here.lost_fraction;
    const Plant::Sale& sale = here.sale;
    // The span knows the seller's price flat, not any other schedule's.
    const auto price_on_piece = [&](const PriceSchedule& schedule) {
      return affine_of(samples, sale.price == &schedule ? here.flat_price_usd_per_gpu_hour : nullptr,
                       [&](double t) { return schedule.at(t); });
    };
    const rules::Seller seller = sale.seller;
    const int k = sale.contract;
    const bool on_demand = seller == rules::Seller::on_demand;
    const size_t p = static_cast<size_t>(pc.provider);
    const double used_gpu_s = simpson(dt, used[0], used[1], used[2]);
    ProviderTotals& pt = out_.providers[p];
    if (k >= 0 || on_demand) {
      pt.capacity_gpu_s += delivered_gpu_s;
      pt.available_gpu_s += delivered_gpu_s * (1.0 - lost);
      pt.outage_gpu_s += delivered_gpu_s * lost;
      to_bins(p, phys, phys_gpu_s, [&](Bin& b, double gpu_s) {
        const double delivered = rules::delivered_gpus(gpu_s, pc.h100_equiv);
        b.capacity_gpu_s += delivered;
        b.available_gpu_s += delivered * (1.0 - lost);
      });
    }
    pt.used_gpu_s += used_gpu_s;
    to_bins(p, used, used_gpu_s, [](Bin& b, double gpu_s) { b.used_gpu_s += gpu_s; });
    // A charge of the piece: the provider's spend, and each interval's share of it.
    const auto charge_piece = [&](const double f[3], double usd_s_per_hour) {
      pt.spend_usd += usd_s_per_hour / kSecondsPerHour;
      to_bins(p, f, usd_s_per_hour, [](Bin& b, double x) { b.spend_usd += x / kSecondsPerHour; });
    };

    if (k >= 0) {
      const PlantContract& pk = plant_.contracts[static_cast<size_t>(k)];
      rules::ContractBook& book = books_[static_cast<size_t>(k)];
      const bool reserved = seller == rules::Seller::reserved_contract;
      const Affine price = price_on_piece(pk.price_usd_per_gpu_hour);
      double f[3];
      for (int i = 0; i < 3; ++i) {
        const double usd_per_hour = price.at(s[i]->t_s - a);
        f[i] = reserved ? rules::reserved_usd_per_hour(phys[i], usd_per_hour)
                        : rules::usage_usd_per_hour(used[i], pc.h100_equiv, usd_per_hour);
      }
      const double usd_s_per_hour = simpson(dt, f[0], f[1], f[2]);
      const double usd = usd_s_per_hour / kSecondsPerHour;
      book.bill(usd);
      book.deliver(delivered_gpu_s, lost);
      out_.contracts[static_cast<size_t>(k)].billed_usd += usd;
      out_.billed_usd += usd;
      charge_piece(f, usd_s_per_hour);
    } else if (on_demand && used_gpu_s > 0.0) {
      double f[3];
      const Affine price = price_on_piece(pc.on_demand_usd_per_gpu_hour);
      for (int i = 0; i < 3; ++i) f[i] = rules::usage_usd_per_hour(used[i], pc.h100_equiv, price.at(s[i]->t_s - a));
      const double usd_s_per_hour = simpson(dt, f[0], f[1], f[2]);
      const double usd = usd_s_per_hour / kSecondsPerHour;
      on_demand_month_usd_[p] += usd;
      out_.billed_usd += usd;
      charge_piece(f, usd_s_per_hour);
    }
  }

  for (size_t i = 0; i < inference_.size(); ++i) {
    const size_t w = static_cast<size_t>(inference_[i]);
    WorkloadTotals& wt = out_.workloads[w];
    wt.served_gpu_s += simpson(dt, s0.served_gpus[i], s1.served_gpus[i], s2.served_gpus[i]);
    const double unmet[3] = {s0.unmet_gpus[i], s1.unmet_gpus[i], s2.unmet_gpus[i]};
    const double unmet_gpu_s = simpson(dt, unmet[0], unmet[1], unmet[2]);
    if (unmet_gpu_s <= 0.0) continue;
    wt.unmet_gpu_s += unmet_gpu_s;
    const double value_usd =
        rules::unmet_value_usd(unmet_gpu_s / kSecondsPerHour, plant_.workloads[w].spec->value_usd_per_gpu_hour);
    wt.unmet_value_usd += value_usd;
    month_unmet_value_usd_ += value_usd;  // pieces never straddle a month's end (a cut)
    to_bins(static_cast<size_t>(attributed_provider_[w]), unmet, unmet_gpu_s,
            [](Bin& b, double gpu_s) { b.unmet_gpu_s += gpu_s; });
  }
}

void Accountant::close_contract(size_t k, double t_s, bool month_end) {
  const std::int64_t at = epoch(t_s);
  const PlantContract& pk = plant_.contracts[k];
  const Contract& spec = *pk.spec;
  const auto provider = static_cast<size_t>(pk.provider);
  Periods& periods = periods_[k];
  ContractTotals& totals = out_.contracts[k];
  auto next_period = [&](double& minimum_usd) {
    if (periods.next >= periods.end_epoch_s.size() || periods.end_epoch_s[periods.next] > at) return false;
    minimum_usd = periods.minimum_usd[periods.next++];
    return true;
  };
  auto emit = [&](rules::Closing what, double usd, double availability) {
    switch (what) {
      case rules::Closing::invoice:
        totals.npv_billed_usd += post(at, spec.id, spec.billing == Billing::reserved ? "reserved" : "usage", usd, provider);
        return;
      case rules::Closing::sla_credit:
        post(at, spec.id, "sla_credit", -usd, provider);
        totals.sla_credits_usd += usd;
        out_.sla_credits_usd += usd;
        charge(t_s, pk.provider, -usd);
        out_.events.push_back({t_s, "sla_credit",
                               {{"contract", spec.id}, {"availability_pct", availability}, {"credit_usd", usd}}});
        return;
      case rules::Closing::period_shortfall:
      case rules::Closing::commitment_shortfall:
        post(at, spec.id, "shortfall", usd, provider);
        totals.shortfall_usd += usd;
        out_.shortfall_usd += usd;
        charge(t_s, pk.provider, usd);
        out_.events.push_back(
            {t_s, "shortfall",
             {{"contract", spec.id},
              {"kind", what == rules::Closing::period_shortfall ? "min_spend_per_year" : "commitment"},
              {"amount_usd", usd}}});
        return;
    }
  };
  rules::close_contract(books_[k], terms_[k], month_end, spec.end_s <= t_s, next_period, emit);
}

void Accountant::flush_on_demand_month(double t_s) {
  for (size_t p = 0; p < plant_.providers.size(); ++p) {
    if (on_demand_month_usd_[p] != 0.0)
      post(epoch(t_s), "provider:" + plant_.providers[p], "on_demand", on_demand_month_usd_[p], p);
    on_demand_month_usd_[p] = 0.0;
  }
  out_.npv_unmet_value_usd += month_unmet_value_usd_ * discount_factor(epoch(t_s));
  month_unmet_value_usd_ = 0.0;
}

void Accountant::close_due(double t_s) {
  // Invoices close at month ends (every contract and on-demand) and at a
  // contract's own end (its last, partial month): rules::close_contract.
  const bool month_end = next_month_ < month_cuts_s_.size() && month_cuts_s_[next_month_] <= t_s;
  for (size_t k = 0; k < books_.size(); ++k) close_contract(k, t_s, month_end);
  if (month_end) {
    flush_on_demand_month(t_s);
    ++next_month_;
  }
}

void Accountant::add_egress(double t_s, int provider, int workload, double usd) {
  post(epoch(t_s), "provider:" + plant_.providers[static_cast<size_t>(provider)], "egress", usd,
       static_cast<size_t>(provider));
  out_.egress_usd += usd;
  out_.workloads[static_cast<size_t>(workload)].egress_usd += usd;
  charge(t_s, provider, usd);
}

void Accountant::finish() {
  for (size_t k = 0; k < books_.size(); ++k) out_.contracts[k].commitment_remaining_usd = books_[k].commitment_remaining_usd(terms_[k]);
  const size_t n_providers = plant_.providers.size();
  for (size_t i = 0; i < n_intervals_; ++i) {
    const double a = static_cast<double>(i) * interval_s_;
    const double len = std::min(plant_.horizon_s, a + interval_s_) - a;
    // One row per provider and interval, no total row: a sum over every row
    // is then the whole (docs/reference.md §5.2).
    for (size_t p = 0; p < n_providers; ++p) {
      const Bin& b = bins_[i * n_providers + p];
      out_.timeseries.push_back({epoch(a), plant_.providers[p], b.capacity_gpu_s / len, b.available_gpu_s / len,
                                 b.used_gpu_s / len, b.unmet_gpu_s / len, b.spend_usd});
    }
  }
}

}  // namespace cloudpact
