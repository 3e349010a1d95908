// One sampled future, evaluated for every portfolio (common random numbers):
// the replay's placement and billing on the step grid of RiskProblem.
// Compiled twice from this one file: by g++ (Thrust OpenMP backend) and by
// nvcc (CUDA). Only plain arithmetic and fixed-size arrays: no exceptions,
// no allocation, no library calls beyond <cmath>. Every contract rule
// (placement order and fit, marginal cost, charges, SLA credits, take-or-pay,
// commitments, checkpoint rollback, egress, exit fees, capacity under a
// delay) is the rules layer's (src/rules/), which the replay calls too: this
// file only walks the grid.
//
// Resolution, and why it keeps the replay's totals (docs/reference.md §4):
// the grid cuts every day and every dated change of the scenario, so the
// scenario's own outages, price changes, shocks, contract terms and bill
// closings fall on step edges and are exact; curves are step averages, so a
// scenario whose curves change only at whole days and whose capacities and
// demands are whole GPUs gives the replay's numbers to rounding (the
// engine-agreement tests check 1e-9). Inside a step the walk cuts pieces
// wherever a sampled outage starts or ends, a training job finishes, or a
// waiting job's submit or restart time comes (next_edge), so those are
// exact too. What is approximate: curves that change inside a day (linear
// ramps, points at a time of day) enter as step averages, and a training
// job waiting for capacity that such a curve frees mid-step starts at the
// next cut; sampled delivery delays are whole days.
#pragma once

#include <math.h>
#include <string.h>  // memcpy, which device code knows too

#include <cstdint>
#include <new>

#include "philox_draws.hpp"
#include "risk_api.hpp"
#include "rules/billing.hpp"
#include "rules/capacity.hpp"
#include "rules/contract_book.hpp"
#include "rules/deal_terms.hpp"
#include "rules/placement.hpp"
#include "rules/present_value.hpp"
#include "rules/training.hpp"

namespace cloudpact::risk::kernel {

// Raw pointers into RiskProblem's arrays (host memory for the CPU build,
// device memory for CUDA).
struct View {
  int n_steps, n_days, n_months, n_clusters, n_providers, n_regions, n_contracts;
  int n_inference, n_jobs, n_items, n_portfolios;
  double horizon_s;
  const double *step_start_s, *step_len_s;
  const int *step_day, *step_month;
  const int *cluster_provider, *cluster_region;
  const double *cluster_h100_equiv, *provider_egress_usd_per_gb;
  const double *cap_step, *cap_day, *loss_step;
  int cap_first_day, n_cap_days;
  const std::int8_t* seller_step;
  const std::int16_t* contract_step;
  const double* seller_price_step;
  // Derived from the above once a problem (StepTables): what a cluster has
  // available and its marginal price when no path moves them, and per step
  // the clusters sold, sold reserved, and sold on demand (bit c).
  const double *avail_step, *marginal_step;
  const double* due_discount_step;  // [step], n_steps + 1 entries: due_discount_at each step's start, then the horizon's
  const std::uint64_t *sold_step, *reserved_step, *on_demand_step;
  // Per step, bit c: cluster c is sold with no physical GPUs in the step
  // tables (a capacity that has not ramped in yet).
  const std::uint64_t* empty_step;
  // Per step: 1 when the step tables' marginal prices and the clusters sold
  // and sold on demand are those of the step before (bit for bit), so that
  // only the prices a path moves can have changed the placement order.
  const std::uint8_t* marginal_kept_step;
  // Whether a training job fits on a cluster with no free GPUs at all
  // (`gpus` within the fit tolerance): then an empty cluster stays in the
  // placement order (StepShared::order).
  int jobs_fit_empty;
  const int *contract_provider, *contract_end_step, *contract_n_tiers;
  const rules::SlaTier* contract_tiers;
  const double *contract_commitment_usd, *contract_exit_fee_pct;
  const std::uint8_t* contract_reserved;
  const int *contract_first_period, *contract_n_periods, *period_end_step;
  const double* period_min_usd;
  const std::uint8_t* step_closes;
  const std::uint32_t* inference_providers;
  const double* inference_value_usd_per_gpu_hour;
  const double* demand_step;
  const std::uint32_t* job_providers;
  const double *job_submit_s, *job_gpus, *job_work_s, *job_checkpoint_s, *job_restart_s, *job_dataset_gb;
  const int* service_items;
  // The inference items alone (n_inference), as indices into service_items,
  // in its order: what a piece serves when no waiting job is ready.
  const int* inference_items;
  int placement, vendor;
  int track_contracted_use;  // RiskProblem::track_contracted_use
  const int *inference_provider_rank, *job_provider_rank;
  const OutageModel* region_outages;
  const int* region_provider;
  const PriceModel* provider_prices;
  double demand_vol_per_year, demand_log_multiplier_bound, delivery_p_on_time;
  std::uint64_t delivery_clusters;
  int delay_lognormal;
  double delay_median_days, delay_sigma, delay_fixed_days;
  const std::uint32_t* portfolio_providers;
  const SourcesOff* portfolio_off;
  int prices_correlated;
  const double* price_loadings;
  int delivery_copula;
  double delivery_common, delivery_late_threshold, delay_normal_bound;
  int n_zones;
  const OutageModel* zone_outages;
  const std::uint32_t* region_zones;
  double discount_rate_per_year;
  int n_offers, rofr_holder;
  double rofr_match_share, rofr_match_probability;
  const int *cluster_offer, *contract_offer;
  const int* offer_start_step;  // [offer]
  const std::uint8_t *cluster_holder_part, *contract_holder_part, *portfolio_no_rofr;
  // RiskProblem::portfolio_lifted: the portfolio walks the problem without
  // the exclusivity (PathFunctor::lifted), which sells as this one does from
  // lifted_until_step on.
  const std::uint8_t* portfolio_lifted;
  int lifted_until_step;
  // Bit r: region r has a cluster (its sampled outages matter), or has none
  // (its outages only cut the walk: next_edge).
  std::uint64_t regions_with_clusters, regions_without_clusters;
  // The first step at which provider p can make a portfolio that holds it
  // walk differently from one that does not, whatever the path (n_steps:
  // never): a cluster of it is sold, or a contract of it billed for use
  // closes a take-or-pay period or its term, when a shortfall may fall due
  // with nothing sold (under another provider's exclusivity).
  int provider_first_change_step[kMaxProviders];
};

// Where one batch's results go: [portfolio * count + i] for the per-portfolio
// figures, [provider * count + i] and [contract * count + i] for the
// contracted portfolio's breakdown, [i] for its billing items.
struct OutView {
  std::int64_t count;  // paths in this batch: the stride of every array
  double *cost_usd, *spend_usd, *unmet_gpu_hours;
  double *provider_spend_usd, *provider_used_gpu_hours, *provider_exit_cost_usd;
  double *billed_usd, *shortfall_usd, *sla_credits_usd, *egress_usd, *unmet_value_usd, *clamped_multiplier_days;
  double *contract_billed_usd, *contract_shortfall_usd, *contract_sla_credits_usd, *contract_commitment_remaining_usd;
  double *npv_cost_usd, *provider_npv_spend_usd, *npv_spend_usd, *npv_unmet_value_usd, *contract_npv_billed_usd;
  double *holder_spend_usd, *holder_npv_spend_usd;
};

// Per-path scratch: the sampled future, shared by every portfolio. Sampled
// outages are not stored: each portfolio draws them in arrival order as it
// walks (OutageCursor), from the same counters.
struct ScratchLayout {
  std::int64_t floats_per_path;  // price multipliers [day * n_providers + p], then demand [day]
  std::int64_t ints_per_path;    // delivery delay in days per cluster, then the path-days of clamped multipliers
};

CP_HD inline ScratchLayout scratch_layout(const View& v) {
  return {static_cast<std::int64_t>(v.n_days) * (v.n_providers + 1), v.n_clusters + 1};
}

constexpr double kYear_s = 365.25 * 86400.0;
constexpr double kDayYears = 1.0 / 365.25;

// Plain min/max: libm's fmin/fmax are out-of-line calls (NaN rules) and sat
// in the hot loop; no NaN reaches these.
CP_HD inline double lo(double a, double b) { return a < b ? a : b; }
CP_HD inline double hi(double a, double b) { return a < b ? b : a; }

// ---- phase 1: sample the future of one path ----

// A sampled multiplier (price or demand) is capped at the bound validation
// computed the worst case of a path with (src/scenario/cost_bound.hpp, at
// most 1e6): the walk itself goes on unbounded, only the multiplier it gives
// is capped, so that every cost a path can reach stays finite and within the
// fixed-point range of the aggregation (docs/reference.md §4.2, §9.3).
// Validation keeps the chance of meeting the cap below 1e-23 per path and
// day; when it is met anyway, the path-day is counted (risk.json
// `multiplier_clamp`), never silently.
CP_HD inline double bounded_log(double x, double bound, int& clamped) {
  if (x > bound) {
    ++clamped;
    return bound;
  }
  return x;
}
// A day's price jumps of one provider, from the count in its shock word.
// `no_jump` is exp(−daily rate), computed once a path (poisson_small).
CP_HD inline double price_jumps(const PriceModel& m, double no_jump, std::uint64_t seed, std::uint64_t path,
                                std::uint32_t block, std::uint32_t count_word) {
  double x = 0.0;
  const int jumps = poisson_small(m.jump_rate_per_year * kDayYears, no_jump, count_word);
  for (int j = 0; j < jumps; j += 2) {
    const Words jw = philox(seed, path, block, stream_word(kStreamJump, static_cast<std::uint32_t>(j / 2)));
    x += m.jump_log_mean + m.jump_log_sd * normal(jw.w[0], jw.w[1]);
    if (j + 1 < jumps) x += m.jump_log_mean + m.jump_log_sd * normal(jw.w[2], jw.w[3]);
  }
  return x;
}

// Whether a provider's price multiplier moves at all (else it stays 1 and
// draws nothing).
CP_HD inline bool price_moves(const PriceModel& m) {
  return m.vol_per_year > 0.0 || m.drift_per_year != 0.0 || m.jump_rate_per_year > 0.0;
}

// The sampling loops go through the days in blocks: first the Philox words
// and normals of every day of the block (independent of one another, so
// the CPU computes several days at once in vector registers), then the
// walk in log space day by day (each day adds to the last), then the
// multipliers e^x of the block's days. Each day's arithmetic is the same
// whatever the block, so the block changes no bit. The device takes one day
// at a time: its threads are its parallelism, and a block's arrays would
// sit in local memory.
#if defined(__CUDA_ARCH__)
constexpr int kDayBlock = 1;
#else
constexpr int kDayBlock = 32;
#endif

// The normals of days d0 … d0 + n − 1 of one stream (Box–Muller of words 0
// and 1 of the day's Philox call, block = day · stride + offset), and each
// day's word 2 (the count of a price's jumps).
CP_HD inline void day_normals(std::uint64_t seed, std::uint64_t path, std::uint32_t stream, int d0, int n,
                              std::uint32_t stride, std::uint32_t offset, double* z, std::uint32_t* word2) {
  for (int d = 0; d < n; ++d) {
    const Words w = philox(seed, path, static_cast<std::uint32_t>(d0 + d) * stride + offset, stream);
    z[d] = normal(w.w[0], w.w[1]);
    word2[d] = w.w[2];
  }
}

// The multipliers e^x of n days' logarithms, as floats at out[d · stride].
CP_HD inline void day_multipliers(const double* x, int n, float* out, std::int64_t stride) {
  for (int d = 0; d < n; ++d) out[d * stride] = static_cast<float>(draw_math::exp_any(x[d]));
}

// Correlated price shocks (docs/reference.md §11): day by day, every
// provider's independent normal ε_p from its own counter (the same draw as
// without correlation), then Z = L·ε with L the correlation's symmetric
// square root (identity rows for providers not listed), so each provider's
// path keeps its distribution; jumps stay independent.
CP_HD inline void sample_correlated_prices(const View& v, std::uint64_t seed, std::uint64_t path, float* fs,
                                           int& clamped_days) {
  const double sqrt_dt = sqrt(kDayYears);
  double x[kMaxProviders], mu[kMaxProviders], no_jump[kMaxProviders];
  // A provider whose price does not move and whose shock no other provider
  // mixes in (not in the correlation) needs no draw: its ε and jumps would
  // enter every sum times an exact 0, so skipping them (ε = 0, no jump)
  // changes no bit, and saves a Philox call, a logarithm and a cosine a day.
  bool drawn[kMaxProviders], moves[kMaxProviders];
  for (int p = 0; p < v.n_providers; ++p) {
    const PriceModel m = v.provider_prices[p];
    moves[p] = price_moves(m);
    no_jump[p] = draw_math::exp_any(-(m.jump_rate_per_year * kDayYears));
    const double k = draw_math::exp_any(m.jump_log_mean + 0.5 * m.jump_log_sd * m.jump_log_sd) - 1.0;
    mu[p] = (m.drift_per_year - 0.5 * m.vol_per_year * m.vol_per_year - m.jump_rate_per_year * k) * kDayYears;
    x[p] = 0.0;
    drawn[p] = moves[p];
    for (int q = 0; q < v.n_providers; ++q)
      if (q != p && v.price_loadings[q * v.n_providers + p] != 0.0) drawn[p] = true;
  }
  double eps[kMaxProviders][kDayBlock], logs[kMaxProviders][kDayBlock], jump[kMaxProviders][kDayBlock];
  std::uint32_t counts[kMaxProviders][kDayBlock];
  for (int d0 = 0; d0 < v.n_days; d0 += kDayBlock) {
    const int n = v.n_days - d0 < kDayBlock ? v.n_days - d0 : kDayBlock;
    for (int p = 0; p < v.n_providers; ++p)
      if (drawn[p]) day_normals(seed, path, kStreamPrice, d0, n, kMaxProviders, static_cast<std::uint32_t>(p), eps[p], counts[p]);
    for (int p = 0; p < v.n_providers; ++p)
      for (int d = 0; d < n; ++d)
        jump[p][d] = drawn[p] ? price_jumps(v.provider_prices[p], no_jump[p], seed, path,
                                            static_cast<std::uint32_t>((d0 + d) * kMaxProviders + p), counts[p][d])
                              : 0.0;
    // Provider by provider: each day's shock of the block at once (a day's
    // arithmetic does not depend on another's), then the walk day by day.
    for (int p = 0; p < v.n_providers; ++p) {
      // A still provider adds mu 0 + vol 0 · z + no jump: x stays +0, whose
      // multiplier is exactly 1.
      if (!moves[p]) continue;
      // Terms of providers that draw nothing are ±0, and adding ±0 to a sum
      // that starts at +0 changes no bit of it (round to nearest never
      // gives −0 for x + (−x)): only the drawn providers' terms are added.
      double z[kDayBlock], step[kDayBlock];
      for (int d = 0; d < n; ++d) z[d] = 0.0;
      for (int j = 0; j < v.n_providers; ++j) {
        if (!drawn[j]) continue;
        const double loading = v.price_loadings[p * v.n_providers + j];
        for (int d = 0; d < n; ++d) z[d] += loading * eps[j][d];
      }
      const double vol_dt = v.provider_prices[p].vol_per_year * sqrt_dt;
      for (int d = 0; d < n; ++d) step[d] = mu[p] + vol_dt * z[d] + jump[p][d];
      const double bound = v.provider_prices[p].log_multiplier_bound;
      for (int d = 0; d < n; ++d) {
        logs[p][d] = bounded_log(x[p], bound, clamped_days);
        x[p] += step[d];
      }
    }
    for (int p = 0; p < v.n_providers; ++p) {
      float* out = fs + static_cast<std::int64_t>(d0) * v.n_providers + p;
      if (moves[p]) {
        day_multipliers(logs[p], n, out, v.n_providers);
      } else {
        for (int d = 0; d < n; ++d) out[static_cast<std::int64_t>(d) * v.n_providers] = 1.0f;
      }
    }
  }
}

// Independent price multipliers: GBM in log space with Merton jumps, one
// step a day; the drift is corrected by λ·k so that E[multiplier(t)] =
// exp(drift·t).
CP_HD inline void sample_independent_prices(const View& v, std::uint64_t seed, std::uint64_t path, float* fs,
                                            int& clamped_days) {
  const double sqrt_dt = sqrt(kDayYears);
  double z[kDayBlock], logs[kDayBlock];
  std::uint32_t counts[kDayBlock];
  for (int p = 0; p < v.n_providers; ++p) {
    const PriceModel m = v.provider_prices[p];
    const double k = draw_math::exp_any(m.jump_log_mean + 0.5 * m.jump_log_sd * m.jump_log_sd) - 1.0;
    const double mu = (m.drift_per_year - 0.5 * m.vol_per_year * m.vol_per_year - m.jump_rate_per_year * k) * kDayYears;
    const double no_jump = draw_math::exp_any(-(m.jump_rate_per_year * kDayYears));
    if (!price_moves(m)) {
      // A still provider's multiplier is exactly 1, and it draws nothing.
      for (int d = 0; d < v.n_days; ++d) fs[static_cast<std::int64_t>(d) * v.n_providers + p] = 1.0f;
      continue;
    }
    double x = 0.0;
    for (int d0 = 0; d0 < v.n_days; d0 += kDayBlock) {
      const int n = v.n_days - d0 < kDayBlock ? v.n_days - d0 : kDayBlock;
      day_normals(seed, path, kStreamPrice, d0, n, kMaxProviders, static_cast<std::uint32_t>(p), z, counts);
      for (int d = 0; d < n; ++d) {
        logs[d] = bounded_log(x, m.log_multiplier_bound, clamped_days);
        const std::uint32_t block = static_cast<std::uint32_t>((d0 + d) * kMaxProviders + p);
        x += mu + m.vol_per_year * sqrt_dt * z[d];
        const int jumps = poisson_small(m.jump_rate_per_year * kDayYears, no_jump, counts[d]);
        for (int j = 0; j < jumps; j += 2) {
          const Words jw = philox(seed, path, block, stream_word(kStreamJump, static_cast<std::uint32_t>(j / 2)));
          x += m.jump_log_mean + m.jump_log_sd * normal(jw.w[0], jw.w[1]);
          if (j + 1 < jumps) x += m.jump_log_mean + m.jump_log_sd * normal(jw.w[2], jw.w[3]);
        }
      }
      day_multipliers(logs, n, fs + static_cast<std::int64_t>(d0) * v.n_providers + p, v.n_providers);
    }
  }
}

CP_HD inline void sample_future(const View& v, std::uint64_t seed, std::uint64_t path, float* fs, int* is) {
  // Delivery: on time when the raw word is below p·2^32 (exact across
  // backends). Under the copula (docs/reference.md §11) the lateness and the
  // delay size each mix a factor the path's clusters share with their own.
  const double on_time_threshold = v.delivery_p_on_time * 4294967296.0;
  double common_late = 0.0, common_size = 0.0;
  const double w_common = sqrt(v.delivery_common), w_own = sqrt(1.0 - v.delivery_common);
  if (v.delivery_copula) {
    const Words wc = philox(seed, path, 0u, kStreamDeliveryCommon);
    common_late = normal(wc.w[0], wc.w[1]);
    common_size = normal(wc.w[2], wc.w[3]);
  }
  for (int c = 0; c < v.n_clusters; ++c) {
    const Words w = philox(seed, path, static_cast<std::uint32_t>(c), kStreamDelivery);
    int delay = 0;
    const bool late = v.delivery_copula
                          ? w_common * common_late + w_own * normal(w.w[0], w.w[3]) >= v.delivery_late_threshold
                          : static_cast<double>(w.w[0]) >= on_time_threshold;
    if (late && ((v.delivery_clusters >> c) & 1u)) {
      const double z = v.delivery_copula ? fmin(fmax(w_common * common_size + w_own * normal(w.w[1], w.w[2]),
                                                     -v.delay_normal_bound),
                                                v.delay_normal_bound)
                                         : normal(w.w[1], w.w[2]);
      const double days = v.delay_lognormal ? v.delay_median_days * draw_math::exp_any(v.delay_sigma * z) : v.delay_fixed_days;
      // Whole days: capacity is tabled by day. A delay past the table's span
      // delivers nothing inside the horizon, however long it is: the same as
      // the span (and no overflow of the int).
      const double span = static_cast<double>(v.n_cap_days);
      delay = days < span ? static_cast<int>(floor(days + 0.5)) : v.n_cap_days;
    }
    is[c] = delay;
  }
  int clamped_days = 0;  // path-days on which a multiplier met its bound
  if (v.prices_correlated)
    sample_correlated_prices(v, seed, path, fs, clamped_days);
  else
    sample_independent_prices(v, seed, path, fs, clamped_days);
  const double sqrt_dt = sqrt(kDayYears);
  double z[kDayBlock], logs[kDayBlock];
  std::uint32_t counts[kDayBlock];
  // Demand multiplier: driftless lognormal random walk (mean 1 at all times).
  float* demand = fs + static_cast<std::int64_t>(v.n_days) * v.n_providers;
  const double sv = v.demand_vol_per_year;
  double y = 0.0;
  for (int d0 = 0; d0 < v.n_days; d0 += kDayBlock) {
    const int n = v.n_days - d0 < kDayBlock ? v.n_days - d0 : kDayBlock;
    if (sv > 0.0) day_normals(seed, path, kStreamDemand, d0, n, 1u, 0u, z, counts);
    for (int d = 0; d < n; ++d) {
      logs[d] = bounded_log(y, v.demand_log_multiplier_bound, clamped_days);
      if (sv > 0.0) y += -0.5 * sv * sv * kDayYears + sv * sqrt_dt * z[d];
    }
    day_multipliers(logs, n, demand + d0, 1);
  }
  is[v.n_clusters] = clamped_days;
}

// One region's sampled outages, drawn in arrival order as a walk reaches
// them: Poisson arrivals over the horizon (exponential gaps), lognormal or
// fixed durations (an outage may run past the horizon). Outages of one
// region overlap with the same loss, so they count as their union: the
// cursor holds the current merged outage [start, end) and the next arrival
// not merged into it. Nothing is capped: a path draws as many arrivals as
// its rate gives (validation bounds rate × horizon, docs/reference.md §9.3).
struct OutageCursor {
  double start_s, end_s;            // the current merged outage; start = +inf: none left
  double next_start_s, next_end_s;  // the next arrival; start = +inf: none
  double last_arrival_s;
  std::uint32_t drawn;              // arrivals drawn so far (the Philox block of the next)
};

constexpr double kNever = 1e300;

CP_HD inline void draw_arrival(const View& v, const OutageModel& m, std::uint64_t seed, std::uint64_t path,
                               std::uint32_t stream, OutageCursor& c) {
  if (!(m.rate_per_year > 0.0) || c.last_arrival_s >= v.horizon_s) {
    c.next_start_s = c.next_end_s = kNever;
    return;
  }
  const Words w = philox(seed, path, c.drawn++, stream);
  c.last_arrival_s += -draw_math::log_positive(uniform(w.w[0])) / m.rate_per_year * kYear_s;
  if (c.last_arrival_s >= v.horizon_s) {
    c.next_start_s = c.next_end_s = kNever;
    return;
  }
  const double hours =
      m.duration_lognormal ? m.duration_median_h * draw_math::exp_any(m.duration_sigma * normal(w.w[1], w.w[2])) : m.duration_fixed_h;
  c.next_start_s = c.last_arrival_s;
  c.next_end_s = c.last_arrival_s + hours * 3600.0;
}

// The next merged outage: the next arrival, extended by every later arrival
// that starts before it ends.
CP_HD inline void pull_outage(const View& v, const OutageModel& m, std::uint64_t seed, std::uint64_t path,
                              std::uint32_t stream, OutageCursor& c) {
  c.start_s = c.next_start_s;
  c.end_s = c.next_end_s;
  if (c.start_s >= kNever) return;
  draw_arrival(v, m, seed, path, stream, c);
  while (c.next_start_s < c.end_s) {
    if (c.next_end_s > c.end_s) c.end_s = c.next_end_s;
    draw_arrival(v, m, seed, path, stream, c);
  }
}

// A cursor on a stream of outages (a region's own, or a zone's); `off`: a
// stream switched off (`--sensitivity`), which never has an outage.
CP_HD inline void open_outages(const View& v, const OutageModel& m, std::uint64_t seed, std::uint64_t path,
                               std::uint32_t stream, bool off, OutageCursor& c) {
  c.last_arrival_s = 0.0;
  c.drawn = 0;
  if (off) {
    c.start_s = c.end_s = c.next_start_s = c.next_end_s = kNever;
    return;
  }
  draw_arrival(v, m, seed, path, stream, c);
  pull_outage(v, m, seed, path, stream, c);
}

// Brings a cursor to instant a (the walk only moves forward: merged outages
// that ended are dropped and the next drawn); whether an outage holds a.
CP_HD inline bool outage_at(const View& v, const OutageModel& m, std::uint64_t seed, std::uint64_t path,
                            std::uint32_t stream, OutageCursor& c, double a) {
  while (c.start_s < kNever && c.end_s <= a) pull_outage(v, m, seed, path, stream, c);
  return c.start_s <= a && a < c.end_s;
}

// The next instant after a where a cursor brought to a changes state.
CP_HD inline double outage_edge(const OutageCursor& c, double a) { return c.start_s > a ? c.start_s : c.end_s; }

// ---- phase 2: one portfolio on that future ----

CP_HD inline bool provider_in(std::uint32_t mask, int p) { return (mask >> p) & 1u; }

// The clusters of the providers in `providers` (bit c: cluster c).
CP_HD inline std::uint64_t clusters_of(const View& v, std::uint32_t providers) {
  std::uint64_t bits = 0;
  for (int c = 0; c < v.n_clusters; ++c)
    if (provider_in(providers, v.cluster_provider[c])) bits |= std::uint64_t{1} << c;
  return bits;
}

// The index of a mask's lowest set bit (the mask is not 0): zone masks
// (32 bits), region and cluster masks (64 bits).
CP_HD inline int lowest_bit(std::uint64_t mask) {
#if defined(__CUDA_ARCH__)
  return __ffsll(static_cast<long long>(mask)) - 1;
#else
  return __builtin_ctzll(mask);
#endif
}
// The index of a 64-bit mask's highest set bit (the mask is not 0).
CP_HD inline int highest_bit(std::uint64_t mask) {
#if defined(__CUDA_ARCH__)
  return 63 - __clzll(static_cast<long long>(mask));
#else
  return 63 - __builtin_clzll(mask);
#endif
}

struct JobState {
  int state;  // 0 pending, 1 running, 2 finished
  int item;   // its service item (v.service_items order)
  int cluster, last_provider;
  double progress_s, ready_s, run_start_s;
};

// What a portfolio spends on one path, item by item (docs/reference.md §5:
// spend = billed + shortfall − credits + egress).
struct PortfolioTotals {
  double billed_usd, shortfall_usd, sla_credits_usd, egress_usd, unmet_gpu_hours, unmet_value_usd;
  // Present values at the start (docs/reference.md §13): of what the ledger
  // has closed so far, and of the unmet demand of the months that ended.
  double npv_spend_usd, npv_unmet_value_usd;
  CP_HD double spend_usd() const { return rules::spend_usd(billed_usd, shortfall_usd, sla_credits_usd, egress_usd); }
};

// The sampled outages' state from instant at_s to the next change
// (SampledOutages): what holds, and when it next changes.
struct OutageState {
  double at_s, change_s;
  std::uint64_t regions_hit;
  std::uint32_t zones_active;
};
// Outage changes a step's list holds (StepShared): most steps have none,
// a few one or two; a step with more leaves each walker to redraw its own.
constexpr int kMaxStepOutageChanges = 8;

// What every portfolio of one variant of a path (the same sources of
// uncertainty switched off, the same rofr matches) sees at step s before its
// own choices: capacity after delivery delays and rofr shares, what is
// available under the scenario's own losses, and the placement order of
// every sold cluster. Computed once a step for the variant (share_step), it
// is the same arithmetic on the same inputs as each portfolio computing it
// alone, so the numbers do not depend on how portfolios are grouped.
struct StepShared {
  double cap_phys[kMaxClusters];    // physical GPUs
  double base_avail[kMaxClusters];  // available GPUs when no sampled outage hits
  // The clusters a seller sells at s, cheapest first, less those with no
  // physical GPUs: nothing is free there for inference (a take of +0) or
  // for a job (none fits, jobs_fit_empty aside), and what an empty cluster
  // is billed or delivers is +0, so leaving it out changes no figure.
  int order[kMaxClusters];
  int position[kMaxClusters];       // of a cluster in `order`
  int n_order;                      // -1 before the first step
  std::uint64_t sold;               // bit c: cluster c is in `order`
  std::uint64_t reserved;           // bit c: a reserved contract sells cluster c (ReservedLedger bills it)
  std::uint64_t usage;              // bit c: a usage contract sells cluster c (billed, and delivers, with no use)
  std::uint64_t empty;              // bit c: sold cluster c has no physical GPUs (cap_phys 0)
  // Bit c: the variant's path moves cluster c's capacity (a delivery delay
  // or a rofr share), so its figures are computed, not the step tables'.
  std::uint64_t own_capacity;
  // Bit c: cluster c is part of a rofr offer (the others hold their whole
  // capacity curve: a share of exactly 1, which changes no bit).
  std::uint64_t offered;
  // The step's sampled multipliers as the variant sees them (1 for a
  // source it switches off): read by every portfolio's pieces.
  double price_mult[kMaxProviders];
  // Each inference item's demand in the step (GPUs): its step average
  // times the demand multiplier, the same for every portfolio's pieces.
  double want[kMaxInference];
  // The step's start and end, and its length as a piece that is the whole
  // step bills it (its end less its start, the same difference as the
  // piece's), in seconds and hours: the same for every walker.
  double start_s, end_s, len_s, len_h;
  // Whether bills close at the step's start (s > 0 and a closing step).
  bool closes;
  // The step's row of the scenario's own losses.
  const double* loss_row;
  // The sampled outages' changes inside this step, in order, as the
  // variant's reserved ledger met them (ReservedLedger::step): −1 when the
  // step had more than the list holds. Every walk of the variant meets
  // the same changes at the same instants (each is a cut of every walk,
  // next_edge), so a walker takes them from here instead of redrawing its
  // own cursors (SampledOutages::take).
  OutageState outage_changes[kMaxStepOutageChanges];
  int n_outage_changes;
  // Bumped whenever `order` changes: most steps keep the last step's order
  // (prices move a little a day), and a portfolio that filtered this
  // version already keeps its copy (enter_step).
  std::uint32_t order_version;
  CP_HD void reset() {
    n_order = -1;
    n_outage_changes = 0;
    sold = reserved = usage = empty = offered = 0;
    order_version = 0;
  }
};

// The sampled outages as one walker meets them: a cursor per region and
// per zone (drawn from the path's counters, so every walker of a path sees
// the same outages), and what holds from one change to the next. Every
// sampled outage edge of a region with clusters or of a zone is a cut of
// the walk, so an outage covers a whole piece or none of it.
struct SampledOutages {
  std::uint64_t seed, path;
  OutageCursor regions[kMaxRegions];
  OutageCursor zones[kMaxZones];
  std::uint32_t zones_active;  // at the current piece
  std::uint64_t regions_hit;   // regions whose own sampled outage holds the current piece
  // The next instant an outage of a region with clusters or of a zone
  // starts or ends: before it, zones_active and regions_hit hold.
  double change_s;

  CP_HD static std::uint32_t region_stream(int r) { return stream_word(kStreamOutage, static_cast<std::uint32_t>(r)); }
  CP_HD static std::uint32_t zone_stream(int z) { return stream_word(kStreamZone, static_cast<std::uint32_t>(z)); }

  // `off`: the sources a walker switches off (sensitivity), whose streams
  // never have an outage.
  CP_HD void open(const View& v, std::uint64_t seed_, std::uint64_t path_, const SourcesOff& off) {
    seed = seed_;
    path = path_;
    zones_active = 0;
    regions_hit = 0;
    change_s = -kNever;
    for (int r = 0; r < v.n_regions; ++r)
      open_outages(v, v.region_outages[r], seed, path, region_stream(r),
                   provider_in(off.outage_providers, v.region_provider[r]), regions[r]);
    for (int z = 0; z < v.n_zones; ++z)
      open_outages(v, v.zone_outages[z], seed, path, zone_stream(z), (off.zones >> z) & 1u, zones[z]);
  }

  // Brings every cursor that matters to instant a, and finds the next
  // change: called only when an outage started or ended by then
  // (a >= change_s; most pieces: none did).
  CP_HD void refresh(const View& v, double a) {
    std::uint32_t active = 0;
    for (int z = 0; z < v.n_zones; ++z)
      if (outage_at(v, v.zone_outages[z], seed, path, zone_stream(z), zones[z], a)) active |= 1u << z;
    std::uint64_t hit = 0;
    double change = kNever;
    for (std::uint64_t rs = v.regions_with_clusters; rs != 0; rs &= rs - 1) {
      const int r = lowest_bit(rs);
      if (outage_at(v, v.region_outages[r], seed, path, region_stream(r), regions[r], a)) hit |= std::uint64_t{1} << r;
      change = lo(change, outage_edge(regions[r], a));
    }
    for (int z = 0; z < v.n_zones; ++z) change = lo(change, outage_edge(zones[z], a));
    zones_active = active;
    regions_hit = hit;
    change_s = change;
  }

  // The state from instant a on, as refresh(a) left it.
  CP_HD OutageState state(double a) const { return {a, change_s, regions_hit, zones_active}; }
  // Brings the state to instant a, a change that another walker of the
  // same streams met and listed (`changes`, n of them; −1: the list
  // overflowed): the same values refresh(a) would give. A change not
  // listed is refreshed here; the cursors, left behind meanwhile, catch up
  // then, as they only move forward and draw from the path's counters.
  CP_HD void take(const View& v, double a, const OutageState* changes, int n) {
    for (int k = 0; k < n; ++k)
      if (changes[k].at_s == a) {
        change_s = changes[k].change_s;
        regions_hit = changes[k].regions_hit;
        zones_active = changes[k].zones_active;
        return;
      }
    refresh(v, a);
  }

  // Whether no sampled outage holds the current piece (most pieces).
  CP_HD bool none() const { return regions_hit == 0 && zones_active == 0; }

  // The share of cluster c's capacity lost in the current piece of step s
  // (ci = s * n_clusters + c): the scenario's own loss, combined with the
  // sampled outages of its region and of the region's zones that hold it.
  CP_HD double loss(const View& v, int c, std::int64_t ci) const {
    const int r = v.cluster_region[c];
    double l = v.loss_step[ci];
    if ((regions_hit >> r) & 1u) l = rules::combined_loss(l, v.region_outages[r].lost_fraction);
    for (std::uint32_t zs = zones_active & v.region_zones[r]; zs != 0; zs &= zs - 1)
      l = rules::combined_loss(l, v.zone_outages[lowest_bit(zs)].lost_fraction);
    return l;
  }
};

// The share of each offer the rofr holder matches on one path (docs/reference.md §14),
// and what that gives each contract and cluster.
struct OfferShares {
  double share[kMaxOffers];

  // The same draws for every portfolio of the path (counter-based); none
  // for the scenario without the clause (`no_rofr`).
  CP_HD void draw(const View& v, bool no_rofr, std::uint64_t seed, std::uint64_t path) {
    for (int o = 0; o < v.n_offers; ++o) {
      if (no_rofr) {
        share[o] = 0.0;
      } else if (v.rofr_match_probability >= 0.0) {
        const Words w = philox(seed, path, static_cast<std::uint32_t>(o), kStreamRofr);
        share[o] = rules::rofr_matches(w.w[0], v.rofr_match_probability) ? 1.0 : 0.0;
      } else {
        share[o] = v.rofr_match_share;
      }
    }
  }
  // The share of its offer a contract holds (1 when it is not part of one).
  CP_HD double part_share(int offer, std::uint8_t holder_part) const {
    return offer < 0 ? 1.0 : rules::rofr_part_share(holder_part != 0, share[offer]);
  }
  // The share of its capacity curve cluster c holds at step s: its part's
  // from its offer's start step on, before it whole for the original
  // provider and none for the holder.
  CP_HD double capacity_share(const View& v, int c, int s) const {
    const int offer = v.cluster_offer[c];
    if (offer < 0) return 1.0;
    return rules::rofr_capacity_share(v.cluster_holder_part[c] != 0, s >= v.offer_start_step[offer], share[offer]);
  }
  // Whether capacity_share is other than 1 for cluster c at some step of
  // this path (before or from its offer's start).
  CP_HD bool moves_capacity(const View& v, int c) const {
    const int offer = v.cluster_offer[c];
    if (offer < 0) return false;
    const bool holder = v.cluster_holder_part[c] != 0;
    return rules::rofr_capacity_share(holder, true, share[offer]) != 1.0 ||
           rules::rofr_capacity_share(holder, false, share[offer]) != 1.0;
  }
  CP_HD rules::ContractTerms terms(const View& v, int k) const {
    const double commitment = v.contract_commitment_usd[k];
    return {v.contract_tiers + k * kMaxSlaTiers, v.contract_n_tiers[k], commitment >= 0.0,
            commitment >= 0.0 ? commitment * part_share(v.contract_offer[k], v.contract_holder_part[k]) : 0.0};
  }
};

// One contract's accounts on one path: its book, and what it billed, owed
// and credited, as nominal sums and at present value. A portfolio's figures
// are its own charges plus the accounts of the contracts it holds
// (PortfolioRun::finish).
struct ContractAccount {
  rules::ContractBook book;
  double billed_usd, shortfall_usd, sla_credits_usd;
  double npv_billed_usd;  // the invoices' present value
  double npv_spend_usd;   // invoices + shortfalls − credits, at present value
  CP_HD void open(const View& v, int k) {
    book = rules::opening_book(v.contract_end_step[k] <= 0);  // ended at or before the start
    billed_usd = shortfall_usd = sla_credits_usd = npv_billed_usd = npv_spend_usd = 0.0;
  }
  // A charge billed in a piece, and the capacity the contract delivered
  // then with the share outages took.
  CP_HD void charge(double usd, double delivered_gpu_s, double lost_fraction) {
    book.bill(usd);
    book.deliver(delivered_gpu_s, lost_fraction);
    billed_usd += usd;
  }
};

// Whether a month ends at the start of step s (n_steps: the horizon).
CP_HD inline bool month_ends_at(const View& v, int s) {
  return s == v.n_steps || (s > 0 && v.step_month[s] != v.step_month[s - 1]);
}
// The discount factor of what falls due at instant t_s: the start of a step
// or the horizon, where everything closing then is due (tabled per step,
// StepTables::due_discount_step, and read by due_discount), or the instant
// a job's dataset moves.
CP_HD inline double due_discount_at(double t_s, double discount_rate_per_year) {
  return rules::discount_factor(rules::ledger_seconds(t_s), discount_rate_per_year);
}
// The discount factor of what falls due at the start of step s (n_steps:
// the horizon).
CP_HD inline double due_discount(const View& v, int s) { return v.due_discount_step[s]; }

// Closes contract k's bills due at the start of step s (docs/reference.md §2.3):
// its month's invoice and SLA credit, take-or-pay shortfalls, the commitment's.
CP_HD inline void close_account(const View& v, const OfferShares& offers, int k, int s, bool month_end, double df,
                                ContractAccount& acct) {
  int next = v.contract_first_period[k];
  const int last = next + v.contract_n_periods[k];
  auto next_period = [&](double& minimum_usd) {
    while (next < last && v.period_end_step[next] != s) ++next;
    if (next >= last) return false;
    minimum_usd = v.period_min_usd[next++] * offers.part_share(v.contract_offer[k], v.contract_holder_part[k]);
    return true;
  };
  auto emit = [&](rules::Closing what, double usd, double) {
    if (what == rules::Closing::invoice) {
      // Charged piece by piece; due, and discounted, as invoiced.
      acct.npv_billed_usd += usd * df;
      acct.npv_spend_usd += usd * df;
      return;
    }
    if (what == rules::Closing::sla_credit) {
      acct.sla_credits_usd += usd;
      acct.npv_spend_usd += -usd * df;
      return;
    }
    acct.shortfall_usd += usd;
    acct.npv_spend_usd += usd * df;
  };
  rules::close_contract(acct.book, offers.terms(v, k), month_end, v.contract_end_step[k] <= s, next_period, emit);
}

// The accounts of the reserved contracts of one variant of a path. A
// reserved contract bills its capacity whatever runs on it, and delivers
// what the variant's capacity and sampled outages give, so its accounts are
// the same for every portfolio of the variant that holds its provider: they
// are walked once, here, for all of them. Its pieces are cut where a
// sampled outage starts or ends (the only cuts inside a step that change a
// reserved charge or delivery), not where one portfolio's job does, so the
// accounts do not depend on which portfolios walk together.
struct ReservedLedger {
  std::uint32_t providers;  // whose contracts it keeps: every provider a portfolio of the variant holds
  std::uint64_t clusters;   // the clusters of those providers
  SampledOutages outages;
  OfferShares offers;
  ContractAccount accounts[kMaxContracts];

  CP_HD void open(const View& v, int q, std::uint64_t seed, std::uint64_t path, std::uint32_t providers_) {
    providers = providers_;
    clusters = clusters_of(v, providers);
    outages.open(v, seed, path, v.portfolio_off[q]);
    offers.draw(v, v.portfolio_no_rofr[q] != 0, seed, path);
    for (int k = 0; k < v.n_contracts; ++k) accounts[k].open(v, k);
  }
  CP_HD bool keeps(const View& v, int k) const {
    return v.contract_reserved[k] && provider_in(providers, v.contract_provider[k]);
  }

  // The bills due at the start of step s (s == n_steps: the horizon).
  CP_HD void close_due(const View& v, int s) {
    const bool month_end = month_ends_at(v, s);
    const double df = due_discount(v, s);
    for (int k = 0; k < v.n_contracts; ++k)
      if (keeps(v, k)) close_account(v, offers, k, s, month_end, df, accounts[k]);
  }

  // Step s of the variant (`sh`: its edges, capacity and order, as
  // share_step left them): the bills due at its start, then the reserved
  // charges and deliveries of its pieces.
  // It lists the outage changes it meets in sh (StepShared::outage_changes).
  CP_HD void step(const View& v, int s, StepShared& sh) {
    if (sh.closes) close_due(v, s);
    const std::int64_t cs = static_cast<std::int64_t>(s);
    // Those of our providers with GPUs: an empty cluster's charge and
    // delivery are +0, which changes no account.
    const std::uint64_t reserved = sh.reserved & clusters & ~sh.empty;
    const double step_b = sh.end_s;
    sh.n_outage_changes = 0;
    for (double a = sh.start_s; a < step_b;) {
      if (a >= outages.change_s) {
        outages.refresh(v, a);
        if (sh.n_outage_changes >= 0 && sh.n_outage_changes < kMaxStepOutageChanges)
          sh.outage_changes[sh.n_outage_changes++] = outages.state(a);
        else
          sh.n_outage_changes = -1;
      }
      const double b = lo(outages.change_s, step_b);
      const double len = b - a, len_h = len / 3600.0;
      for (std::uint64_t rest = reserved; rest != 0; rest &= rest - 1) {
        const int c = lowest_bit(rest);
        const std::int64_t ci = cs * v.n_clusters + c;
        // Rates are linear in the GPUs, so GPU-hours in give USD out.
        const double usd = rules::reserved_usd_per_hour(sh.cap_phys[c], v.seller_price_step[ci]) * len_h;
        const double lost = outages.none() ? v.loss_step[ci] : outages.loss(v, c, ci);
        accounts[v.contract_step[ci]].charge(usd, rules::delivered_gpus(sh.cap_phys[c], v.cluster_h100_equiv[c]) * len,
                                             lost);
      }
      a = b;
    }
  }

  // The bills due at the horizon.
  CP_HD void finish(const View& v) { close_due(v, v.n_steps); }
};

// One portfolio walking one path's steps: place (capacity, interruptions,
// service), bill (charges, use, unmet demand), close (monthly invoices, SLA
// credits, take-or-pay, commitments). Its state lives in fixed arrays.
struct PortfolioRun {
  const View& v;
  std::uint32_t mask;
  const float* fs;   // price multipliers, then demand multipliers
  const int* is;     // sampled delivery delays
  SourcesOff off;  // sources this portfolio switches off (sensitivity)
  SampledOutages outages;
  // Its contracts' accounts: those billed for use kept as it walks, the
  // reserved ones taken from its variant's ReservedLedger at the horizon.
  ContractAccount accounts[kMaxContracts];
  // Whether it reports its use per provider (the contracted portfolio, when
  // the problem tracks it): no other figure reads it.
  bool tracks_use;
  CP_HD static bool reports_use(const View& v, int q) { return q == 0 && v.track_contracted_use != 0; }
  JobState js[kMaxJobs];
  double held[kMaxClusters], free_gpus[kMaxClusters], fluid[kMaxClusters], job_use_h[kMaxClusters];
  std::uint64_t holding;  // bit c: held[c] is not 0 (running jobs hold GPUs of cluster c)
  // What the clusters in `order` have available, and the share outages
  // take, in the current piece: the step's shared figures when no sampled
  // outage hits (most pieces), else the portfolio's own arrays. A cluster
  // outside `order` has nothing available, whatever they hold.
  double avail[kMaxClusters], loss[kMaxClusters];
  const double *avail_of, *loss_of;
  std::uint64_t in_order;  // bit c: cluster c is in `order`
  // The step's shared view (share_step), and its order restricted to the
  // portfolio's providers: the same order, as cheaper_first is a strict
  // total order (ties go to the lower cluster index).
  const StepShared* sh;
  std::uint32_t seen_order_version;  // the shared order's version `order` was filtered from (0: none)
  int order[kMaxClusters];
  int n_order;
  std::uint64_t order_prefix[kMaxClusters + 1];  // [o]: the clusters order[0 … o) as bits
  std::uint64_t ran_on;    // bit c: a job ran on cluster c in the current piece (run_jobs)
  std::uint64_t filled;    // bit c: inference visited cluster c in the current piece (serve)
  // Bit c: the use of cluster c is read at this step (bill): it is billed for
  // use, or the portfolio reports its use. A reserved charge does not
  // depend on the use, so the fluid of the others is never read: every
  // fill adds to it all the same (no test of the bit where it adds), and
  // a cluster that becomes metered starts from none (enter_step).
  std::uint64_t metered;
  std::uint32_t running;        // bit j: job j runs (state 1)
  std::uint64_t running_items;  // the same jobs as bits of their service item (v.service_items order)
  // Bit j: job j may still start, run or cut the walk. A finished job, and
  // a waiting one past its ready time that no cluster of the portfolio's
  // providers may serve, are left out of the job loops: each would only
  // `continue` there, so the walk's arithmetic and cuts are the same.
  std::uint32_t live;
  // The service items serve() visits: every inference item, and the live
  // jobs that do not run (a running job only waits to finish or be shed),
  // in v.service_items order (indices into it).
  int live_items[kMaxInference + kMaxJobs];
  int n_live_items;
  // The earliest ready time of a waiting live job, as list_live_items last
  // saw them (kNever: none waits). Before it every job item in live_items
  // only `continue`s in serve(), and a step that ends by it may be quiet
  // (step). A job that serve() drops is relisted at once: left behind, its
  // ready time kept every later step of the walk from being quiet.
  double waiting_ready_s;
  // The earliest instant, after the one next_edge last computed it at, at
  // which a live job's state changes by time alone (a waiting job's ready
  // time, a running job's finish): kept while no job changes state, as
  // those instants do not move meanwhile (job_edges_stale: compute it anew).
  double job_edge_s;
  bool job_edges_stale;
  // A step that ends by this instant is quiet (step): no job runs, no
  // sampled outage holds, none changes and no waiting job is ready before
  // it (−kNever: a step is not). Those facts change only in a step that is
  // not quiet, or when a fork takes its parent's state, so it is worked
  // out after such a step and at the start of a walk (note_quiet), not at
  // every step.
  double quiet_until_s;
  std::uint64_t own_clusters;  // the clusters of the portfolio's providers
  // Per inference item, in the current piece: its demand (GPUs), and what
  // serve() gave it.
  double wanted[kMaxInference], served[kMaxInference];
  // Per service item (v.service_items order): the clusters that may serve it at all (may_serve).
  std::uint64_t item_clusters[kMaxInference + kMaxJobs];
  // Per provider: what it was paid, the GPU-hours used on it (tracks_use),
  // and the present value of its ledger. Arrays of the walker itself, not
  // rows elsewhere: the compiler then knows that no add to them touches
  // another figure, and keeps those in registers across the bill's loop.
  double provider_spend[kMaxProviders], provider_used[kMaxProviders], provider_npv[kMaxProviders];
  // What the month has charged on demand (per provider) and left unmet (its
  // value): due, and discounted, at the month's end as the replay's ledger has it.
  double month_on_demand_usd[kMaxProviders], month_unmet_value_usd;
  OfferShares offers;
  PortfolioTotals t;

  CP_HD PortfolioRun(const View& view, int q, const float* f, const int* i, std::uint64_t seed, std::uint64_t path)
      : v(view), mask(view.portfolio_providers[q]), fs(f), is(i),
        off(view.portfolio_off[q]), tracks_use(reports_use(view, q)), avail_of(avail), loss_of(loss), in_order(0), sh(nullptr), seen_order_version(0), n_order(0), ran_on(0), filled(0), metered(~std::uint64_t{0}), running(0), running_items(0),
        month_unmet_value_usd(0.0), t{0, 0, 0, 0, 0, 0, 0, 0} {
    outages.open(v, seed, path, off);
    for (int k = 0; k < v.n_contracts; ++k) accounts[k].open(v, k);
    for (int j = 0; j < v.n_jobs; ++j) js[j] = {0, -1, -1, -1, 0.0, v.job_submit_s[j], 0.0};
    for (int c = 0; c < v.n_clusters; ++c) {
      held[c] = avail[c] = fluid[c] = job_use_h[c] = loss[c] = free_gpus[c] = 0.0;
    }
    holding = 0;
    order_prefix[0] = 0;
    for (int p = 0; p < v.n_providers; ++p) provider_spend[p] = provider_used[p] = provider_npv[p] = month_on_demand_usd[p] = 0.0;
    for (int it = 0; it < v.n_items; ++it) {
      const int item = v.service_items[it];
      const std::uint32_t elig = item >= 0 ? v.inference_providers[item] : v.job_providers[-item - 1];
      if (item < 0) js[-item - 1].item = it;
      item_clusters[it] = 0;
      for (int c = 0; c < v.n_clusters; ++c)
        if (may_serve(c, elig)) item_clusters[it] |= std::uint64_t{1} << c;
    }
    offers.draw(v, v.portfolio_no_rofr[q] != 0, seed, path);
    follow_providers();
    note_quiet();
  }

  // The clusters of the portfolio's providers, and every job not finished
  // as live: one that none of those clusters may serve is dropped at the
  // first serve it is ready for. A fork calls it again, as its providers
  // differ from its parent's (a job the parent dropped may run here).
  CP_HD void follow_providers() {
    own_clusters = clusters_of(v, mask);
    live = 0;
    for (int j = 0; j < v.n_jobs; ++j)
      if (js[j].state != 2) live |= std::uint32_t{1} << j;
    list_live_items();
  }

  // Lists the service items serve() visits, after a job started, stopped
  // or left the walk.
  CP_HD void list_live_items() {
    n_live_items = 0;
    waiting_ready_s = kNever;
    const std::uint32_t waiting = live & ~running;
    for (int it = 0; it < v.n_items; ++it) {
      const int item = v.service_items[it];
      if (item < 0) {
        if (!((waiting >> (-item - 1)) & 1u)) continue;
        waiting_ready_s = lo(waiting_ready_s, js[-item - 1].ready_s);
      }
      live_items[n_live_items++] = it;
    }
    job_edges_stale = true;
  }
  // Job j leaves the walk. It is not in live_items when it ran (a
  // finished job); serve() relists after dropping a waiting one.
  CP_HD void drop_job(int j) {
    live &= ~(std::uint32_t{1} << j);
    job_edges_stale = true;
  }
  // Job j starts or stops running.
  CP_HD void set_running(int j, bool runs) {
    const std::uint32_t job = std::uint32_t{1} << j;
    const std::uint64_t item = std::uint64_t{1} << js[j].item;
    running = runs ? running | job : running & ~job;
    running_items = runs ? running_items | item : running_items & ~item;
  }

  // Portfolio q forked from `parent`'s walk at the start of a step before
  // which the providers one holds and the other does not sold nothing and
  // closed no bill (fork_step): until then both walked the same clusters through the same
  // arithmetic, so every figure q reads is the parent's, bit for bit. It
  // takes the parent's whole state, its figures so far among it, and keeps
  // its own identity: its providers, its use tracking, and the placement
  // order, refiltered for its providers at the next step.
  CP_HD PortfolioRun(const PortfolioRun& parent, int q)
      : PortfolioRun(parent) {
    mask = v.portfolio_providers[q];
    tracks_use = reports_use(v, q);
    follow_providers();
    avail_of = avail;
    loss_of = loss;
    sh = nullptr;
    seen_order_version = 0;
    note_quiet();
  }

  // From the next step on, the portfolio reads another variant's shared
  // steps (a lifted portfolio once the exclusivity has ended): the
  // placement order is refiltered from them, whatever their version.
  CP_HD void follow_other_steps() { seen_order_version = 0; }

  // A ledger amount of provider p (charges, credits as negative amounts)
  // due where its discount factor is df.
  CP_HD void post_present_value(int p, double usd, double df) {
    provider_npv[p] += usd * df;
    t.npv_spend_usd += usd * df;
  }

  CP_HD const float* demand_multipliers() const { return fs + static_cast<std::int64_t>(v.n_days) * v.n_providers; }
  CP_HD double price_multiplier(int day, int p) const {
    return provider_in(off.price_providers, p) ? 1.0 : fs[static_cast<std::int64_t>(day) * v.n_providers + p];
  }
  CP_HD double demand_multiplier(int day) const { return off.demand ? 1.0 : demand_multipliers()[day]; }
  // ---- close: bills due at the start of step s (s == n_steps: the horizon) ----
  // Its contracts billed for use (the reserved ones close in the ledger),
  // and the month's on-demand charges and unmet demand.
  CP_HD void close_due(int s) {
    const bool month_end = month_ends_at(v, s);
    const double df = due_discount(v, s);
    for (int k = 0; k < v.n_contracts; ++k)
      if (!v.contract_reserved[k] && provider_in(mask, v.contract_provider[k]))
        close_account(v, offers, k, s, month_end, df, accounts[k]);
    if (month_end) {
      for (int p = 0; p < v.n_providers; ++p) {
        post_present_value(p, month_on_demand_usd[p], df);
        month_on_demand_usd[p] = 0.0;
      }
      t.npv_unmet_value_usd += month_unmet_value_usd * df;
      month_unmet_value_usd = 0.0;
    }
  }

  // ---- place, part 0 (once a step, for every portfolio of the variant): capacity and order ----
  CP_HD void share_step(int s, StepShared& out) const {
    const int day = v.step_day[s];
    const double demand_mult = demand_multiplier(day);
    out.start_s = v.step_start_s[s];
    out.end_s = out.start_s + v.step_len_s[s];
    out.len_s = out.end_s - out.start_s;
    out.len_h = out.len_s / 3600.0;
    out.closes = s > 0 && v.step_closes[s];
    out.loss_row = v.loss_step + static_cast<std::int64_t>(s) * v.n_clusters;
    for (int i = 0; i < v.n_inference; ++i)
      out.want[i] = v.demand_step[static_cast<std::int64_t>(s) * v.n_inference + i] * demand_mult;
    for (int p = 0; p < v.n_providers; ++p) out.price_mult[p] = price_multiplier(day, p);
    const std::int64_t row = static_cast<std::int64_t>(s) * v.n_clusters;
    if (out.n_order < 0) {
      out.own_capacity = out.offered = 0;
      for (int c = 0; c < v.n_clusters; ++c) {
        if ((!off.delivery && is[c] != 0) || offers.moves_capacity(v, c)) out.own_capacity |= std::uint64_t{1} << c;
        if (v.cluster_offer[c] >= 0) out.offered |= std::uint64_t{1} << c;
      }
    }
    // The step tables hold every figure a path does not move: a capacity
    // times a rofr share of exactly 1 is that capacity, and a fixed price
    // times no multiplier that price, so they are the same bits.
    const std::uint64_t sold = v.sold_step[s];
    out.reserved = v.reserved_step[s];
    out.usage = sold & ~out.reserved & ~v.on_demand_step[s];
    for (int c = 0; c < v.n_clusters; ++c) {
      out.cap_phys[c] = v.cap_step[row + c];
      out.base_avail[c] = v.avail_step[row + c];
    }
    out.empty = v.empty_step[s] & ~out.own_capacity;
    // Only a sold cluster's capacity is read (the order, the bills and the
    // ledger take sold clusters alone), so an unsold one keeps the table's
    // figures and its empty bit unset.
    for (std::uint64_t rest = out.own_capacity & sold; rest != 0; rest &= rest - 1) {
      const int c = lowest_bit(rest);
      const std::int64_t ci = row + c;
      const int delay = off.delivery ? 0 : is[c];
      double cap = delay != 0 ? rules::delayed_capacity(v.cap_day + static_cast<std::int64_t>(c) * v.n_cap_days,
                                                        v.cap_first_day, v.n_cap_days, day, delay)
                              : v.cap_step[ci];
      if ((out.offered >> c) & 1u) cap *= offers.capacity_share(v, c, s);
      out.cap_phys[c] = cap;
      if (cap == 0.0) out.empty |= std::uint64_t{1} << c;
      out.base_avail[c] = rules::available_gpus(cap, v.cluster_h100_equiv[c], v.loss_step[ci]);
    }
    const std::uint64_t listed = v.jobs_fit_empty ? sold : sold & ~out.empty;
    // On-demand prices move with the path's multiplier.
    const std::uint64_t moved = listed & v.on_demand_step[s];
    double marginal[kMaxClusters];
    for (std::uint64_t rest = moved; rest != 0; rest &= rest - 1) {
      const int c = lowest_bit(rest);
      marginal[c] = rules::marginal_usd_per_gpu_hour(
          rules::Seller::on_demand, v.seller_price_step[row + c] * out.price_mult[v.cluster_provider[c]],
          v.cluster_h100_equiv[c]);
    }
    // cheaper_first is a strict total order (ties go to the lower cluster
    // index), so the sorted order is unique: sorting the last step's order
    // again gives the same as sorting from scratch. The last step's order
    // is sorted by its prices; when only the prices the path moves can
    // have changed (marginal_kept_step), an unsorted pair has a moved
    // cluster in it, so the pairs beside each moved cluster decide (most
    // steps); else every pair, n − 1 comparisons.
    const bool same_list = out.n_order >= 0 && listed == out.sold;
    if (same_list && v.marginal_kept_step[s]) {
      auto price = [&](int c) { return ((moved >> c) & 1u) ? marginal[c] : v.marginal_step[row + c]; };
      bool sorted = true;
      for (std::uint64_t rest = moved; rest != 0 && sorted; rest &= rest - 1) {
        const int c = lowest_bit(rest), o = out.position[c];
        if (o > 0) sorted = rules::cheaper_first(price(out.order[o - 1]), out.order[o - 1], marginal[c], c);
        if (sorted && o + 1 < out.n_order)
          sorted = rules::cheaper_first(marginal[c], c, price(out.order[o + 1]), out.order[o + 1]);
      }
      if (sorted) return;
    }
    for (std::uint64_t rest = listed & ~moved; rest != 0; rest &= rest - 1) {
      const int c = lowest_bit(rest);
      marginal[c] = v.marginal_step[row + c];
    }
    if (!same_list) {
      out.n_order = 0;
      for (std::uint64_t rest = listed; rest != 0; rest &= rest - 1) out.order[out.n_order++] = lowest_bit(rest);
      out.sold = listed;
    } else if (!v.marginal_kept_step[s]) {
      bool sorted = true;
      for (int o = 1; o < out.n_order && sorted; ++o)
        sorted = rules::cheaper_first(marginal[out.order[o - 1]], out.order[o - 1], marginal[out.order[o]], out.order[o]);
      if (sorted) return;
    }
    // Insertion sort by the placement order: a handful of clusters, nearly sorted.
    for (int o = 1; o < out.n_order; ++o) {
      const int c = out.order[o];
      int pos = o;
      while (pos > 0 && rules::cheaper_first(marginal[c], c, marginal[out.order[pos - 1]], out.order[pos - 1])) {
        out.order[pos] = out.order[pos - 1];
        --pos;
      }
      out.order[pos] = c;
    }
    for (int o = 0; o < out.n_order; ++o) out.position[out.order[o]] = o;
    ++out.order_version;
  }

  // Enters step s with its shared view: the clusters the portfolio may use,
  // in placement order. Clusters outside it have nothing available. The
  // filtered copy is redone only when the shared order changed.
  CP_HD void enter_step(const StepShared& shared) {
    sh = &shared;
    const std::uint64_t now_metered = tracks_use ? ~std::uint64_t{0} : ~shared.reserved;
    // An unmetered cluster's fluid holds what the fill added while it was
    // unmetered; the +0 it would have held had nothing been added is where
    // its metered use starts.
    for (std::uint64_t gained = now_metered & ~metered; gained != 0; gained &= gained - 1) fluid[lowest_bit(gained)] = 0.0;
    metered = now_metered;
    if (shared.order_version == seen_order_version) return;
    seen_order_version = shared.order_version;
    int n = 0;
    std::uint64_t bits = 0;
    order_prefix[0] = 0;
    for (int o = 0; o < shared.n_order; ++o) {
      const int c = shared.order[o];
      if (!provider_in(mask, v.cluster_provider[c])) continue;
      order[n++] = c;
      bits |= std::uint64_t{1} << c;
      order_prefix[n] = bits;
    }
    n_order = n;
    in_order = bits;
  }

  // ---- place, part 1: capacity the portfolio may use from instant a of step s, after outages ----
  // Every sampled outage edge is a cut of the walk (next_edge), so an
  // outage covers a whole piece or none of it: the one active at a. Most
  // pieces have none, and take the step's shared figures as they are.
  CP_HD void capacity(int s, double a) {
    const std::int64_t cs = static_cast<std::int64_t>(s);
    if (a >= outages.change_s) outages.take(v, a, sh->outage_changes, sh->n_outage_changes);
    if (outages.none()) {
      avail_of = sh->base_avail;
      loss_of = sh->loss_row;
      return;
    }
    avail_of = avail;
    loss_of = loss;
    for (int o = 0; o < n_order; ++o) {
      const int c = order[o];
      loss[c] = outages.loss(v, c, cs * v.n_clusters + c);
      avail[c] = rules::available_gpus(sh->cap_phys[c], v.cluster_h100_equiv[c], loss[c]);
    }
  }

  // ---- place, part 2: running jobs whose cluster lost capacity stop, the last served first ----
  CP_HD void shed_jobs(double a) {
    bool shed = false;
    for (std::uint64_t rest = running_items; rest != 0;) {
      const int it = highest_bit(rest);
      rest &= ~(std::uint64_t{1} << it);
      const int j = -v.service_items[it] - 1;
      JobState& st = js[j];
      const int c = st.cluster;
      if (rules::hold_margin_gpus((in_order >> c) & 1u ? avail_of[c] : 0.0, held[c]) >= 0.0) continue;
      st.progress_s = rules::progress_after_rollback(rules::progress_at_s(st.progress_s, st.run_start_s, a),
                                                     v.job_checkpoint_s[j]);
      st.state = 0;
      set_running(j, false);
      shed = true;
      st.ready_s = a + v.job_restart_s[j];
      set_held(c, rules::released_gpus(held[c], v.job_gpus[j]));
    }
    if (shed) list_live_items();
  }
  // The free GPUs of every cluster at the piece's start, for serve() to
  // take from. Available GPUs are never negative (capacities, equivalences
  // and 1 − loss are not), so a cluster that holds nothing has
  // free_gpus(available, 0) = available, bit for bit: every cluster's
  // figure is copied in one block (those outside `order` are never read,
  // and the block beats gathering the order's), and the rule computed only
  // where jobs hold GPUs.
  CP_HD void count_free() {
    memcpy(free_gpus, avail_of, static_cast<std::size_t>(v.n_clusters) * sizeof(double));
    for (std::uint64_t rest = holding; rest != 0; rest &= rest - 1) {
      const int c = lowest_bit(rest);
      free_gpus[c] = rules::free_gpus(avail_of[c], held[c]);
    }
  }
  CP_HD void set_held(int c, double gpus) {
    held[c] = gpus;
    if (gpus != 0.0)
      holding |= std::uint64_t{1} << c;
    else
      holding &= ~(std::uint64_t{1} << c);
  }

  // Whether cluster c may serve a workload with eligible providers `elig`
  // at all: its provider is eligible, and the vendor under `single_vendor`.
  CP_HD bool may_serve(int c, std::uint32_t elig) const {
    const int p = v.cluster_provider[c];
    return provider_in(elig, p) && !(v.placement == 1 && p != v.vendor);
  }
  // Whether cluster c, among those, serves in preference round r (`primary`:
  // the provider's rank in the workload's list; one round otherwise).
  CP_HD bool in_round(int c, const int* rank, int n_ranks, int r) const {
    return !(n_ranks > 1 && rank[v.cluster_provider[c]] != r);
  }

  // ---- place, part 3: service in priority order, at instant a ----
  // The fill of one item that every cluster in `order` may serve, in one
  // round: the same visits as fill's general loop, without testing each.
  // Every cluster visited is billed (one that gave nothing adds +0). A
  // cluster with less free than the demand left gives all it has (its
  // free − free is +0, exactly), and remaining stays > 0 (r − f with
  // 0 ≤ f < r is not 0); the first that has enough gives the rest and ends
  // the fill (remaining − remaining is +0 too). Free GPUs are never
  // negative, so a cluster with none adds +0 to every sum, which changes no
  // bit of it; an unmetered cluster's fluid is added to as well, and never
  // read (`metered`). It reads the free GPUs from
  // `free` and, when kKeepsFree, leaves what is left in free_gpus for the
  // items after it; returns what it gave.
  template <bool kKeepsFree>
  CP_HD double fill_in_order(double remaining, const double* free) {
    double got = 0.0;
    int o = 0;
    if (remaining > 0.0)
      for (; o < n_order; ++o) {
        const int c = order[o];
        const double f = free[c];
        if (!rules::fluid_takes_all_free(remaining, f)) {
          if (kKeepsFree) free_gpus[c] = f - remaining;
          fluid[c] += remaining;
          got += remaining;
          ++o;
          break;
        }
        if (kKeepsFree) free_gpus[c] = 0.0;
        fluid[c] += f;
        remaining -= f;
        got += f;
      }
    filled |= order_prefix[o];
    return got;
  }
  // From here on the piece's service reads free_gpus: counted first if
  // `free` still points to what is available (serve).
  CP_HD void use_free_gpus(const double*& free) {
    if (free == free_gpus) return;
    count_free();
    free = free_gpus;
  }
  // Inference item `it` takes its demand of the step from the cheapest
  // eligible free GPUs, which `free` points to. The last item of the
  // piece's service (`last`) that every cluster in `order` may serve in one
  // round reads them in place and leaves none behind, as nothing after it
  // reads them; any other fill takes from free_gpus.
  CP_HD void fill(int it, int n_ranks, const double*& free, bool last) {
    const int idx = v.service_items[it];
    const double want = sh->want[idx];
    double remaining = want;
    double got = 0.0;
    auto take_from = [&](int c) {
      const double take = rules::fluid_take_gpus(remaining, free_gpus[c]);
      if (take <= 0.0) return;
      free_gpus[c] -= take;
      fluid[c] += take;
      remaining -= take;
      got += take;
    };
    if (n_ranks == 1 && (in_order & ~item_clusters[it]) == 0) {
      // One round, and every cluster in `order` may serve it (the usual case).
      if (last) {
        got = fill_in_order<false>(remaining, free);
      } else {
        use_free_gpus(free);
        got = fill_in_order<true>(remaining, free_gpus);
      }
    } else {
      use_free_gpus(free);
      const int* rank = v.inference_provider_rank + idx * kMaxProviders;
      for (int r = 0; r < n_ranks && remaining > 0.0; ++r)
        for (int o = 0; o < n_order && remaining > 0.0; ++o) {
          const int c = order[o];
          if (!((item_clusters[it] >> c) & 1u) || !in_round(c, rank, n_ranks, r)) continue;
          take_from(c);
          filled |= std::uint64_t{1} << c;
        }
    }
    wanted[idx] = want;
    served[idx] = got;
  }
  // Every inference item and waiting job in priority order: inference
  // fills; a waiting job (ready by a: a later ready time is a cut of the
  // walk) starts on the cheapest cluster it fits on.
  CP_HD void serve(double a) {
    const int n_ranks = v.placement == 2 ? kMaxProviders : 1;
    // Where the free GPUs are read: what is available, as long as no job
    // holds GPUs and nothing took any in the piece (free_gpus(available, 0)
    // = available, bit for bit: count_free), else free_gpus, counted at the
    // first take that a later item reads after it.
    const double* free = avail_of;
    if (holding != 0) use_free_gpus(free);
    if (a < waiting_ready_s) {
      // No waiting job is ready at a, so each would only be skipped: the
      // inference items alone, in the same order.
      for (int k = 0; k < v.n_inference; ++k) fill(v.inference_items[k], n_ranks, free, k + 1 == v.n_inference);
      return;
    }
    // A job started or left the walk: the list is made again after the loop
    // (a started job runs, a dropped one is no longer live), and with it the
    // earliest ready time of the jobs still waiting, which gates the quiet
    // step and the inference-only service.
    bool relist = false;
    for (int li = 0; li < n_live_items; ++li) {
      const int it = live_items[li];
      const int item = v.service_items[it];
      if (item >= 0) {
        fill(it, n_ranks, free, li + 1 == n_live_items);
        continue;
      }
      const int idx = -item - 1;
      JobState& st = js[idx];
      if (st.state != 0 || st.ready_s > a) continue;
      if ((item_clusters[it] & own_clusters) == 0) {
        // Ready, and never to start here: nothing of it is left to walk.
        drop_job(idx);
        relist = true;
        continue;
      }
      const double gpus = v.job_gpus[idx];
      const int* rank = v.job_provider_rank + idx * kMaxProviders;
      int chosen = -1;
      for (int r = 0; r < n_ranks && chosen < 0; ++r)
        for (int o = 0; o < n_order; ++o) {
          const int c = order[o];
          if (!((item_clusters[it] >> c) & 1u) || !in_round(c, rank, n_ranks, r)) continue;
          if (rules::fits(free[c], gpus)) {
            chosen = c;
            break;
          }
        }
      if (chosen < 0) continue;
      use_free_gpus(free);
      const int p = v.cluster_provider[chosen];
      if (rules::dataset_moves(st.last_provider, p)) {
        // The dataset follows the job: egress billed by the source provider.
        const double usd = rules::egress_usd(v.job_dataset_gb[idx], v.provider_egress_usd_per_gb[st.last_provider]);
        t.egress_usd += usd;
        provider_spend[st.last_provider] += usd;
        post_present_value(st.last_provider, usd, due_discount_at(a, v.discount_rate_per_year));
      }
      st.state = 1;
      set_running(idx, true);
      relist = true;
      st.cluster = chosen;
      st.last_provider = p;
      st.run_start_s = a;
      set_held(chosen, held[chosen] + gpus);
      free_gpus[chosen] = hi(0.0, free_gpus[chosen] - gpus);
    }
    if (relist) list_live_items();
  }

  // ---- running jobs: their GPU-hours on [a, b), and those that finish in it ----
  CP_HD void run_jobs(double a, double b) {
    for (std::uint32_t rest = running; rest != 0; rest &= rest - 1) {
      const int j = lowest_bit(rest);
      JobState& st = js[j];
      const double finish = rules::run_finish_s(st.run_start_s, v.job_work_s[j], st.progress_s);
      const double from = hi(a, st.run_start_s), to = lo(b, finish);
      if (to > from) {
        job_use_h[st.cluster] += v.job_gpus[j] * (to - from) / 3600.0;
        ran_on |= std::uint64_t{1} << st.cluster;
      }
      if (finish <= b) {
        st.state = 2;
        set_running(j, false);
        st.progress_s = v.job_work_s[j];
        set_held(st.cluster, rules::released_gpus(held[st.cluster], v.job_gpus[j]));
        drop_job(j);
      }
    }
  }

  // ---- bill: charges, use and unmet demand of [a, a + len) in step s ----
  CP_HD void bill(int s, double len, double len_h) {
    const std::int64_t cs = static_cast<std::int64_t>(s);
    // The portfolio's clusters in index order, less those that would add
    // exact zeros: a cluster sold to it is in `order`, and adds something
    // only when inference visited it or a usage contract sells it (billed
    // and delivering whatever runs); one outside `order` has no use but a
    // job's that ran on it. A cluster nothing used has a use of +0, which
    // leaves every sum it would enter the same bits. Reserved charges are
    // the variant's ReservedLedger's: here only what depends on the use
    // (`metered`).
    const std::uint64_t billed_clusters = ((filled | sh->usage) & in_order & metered) | ran_on;
    ran_on = filled = 0;
    for (std::uint64_t rest = billed_clusters; rest != 0; rest &= rest - 1) {
      const int c = lowest_bit(rest);
      const int p = v.cluster_provider[c];
      const std::int64_t ci = cs * v.n_clusters + c;
      const double used_h = fluid[c] * len_h + job_use_h[c];
      fluid[c] = job_use_h[c] = 0.0;  // the piece's use, read: the next piece starts from none
      if (tracks_use) provider_used[p] += used_h;
      const auto seller = static_cast<rules::Seller>(v.seller_step[ci]);
      if (seller == rules::Seller::usage_contract) {
        const double eq = v.cluster_h100_equiv[c];
        accounts[v.contract_step[ci]].charge(rules::usage_usd_per_hour(used_h, eq, v.seller_price_step[ci]),
                                             rules::delivered_gpus(sh->cap_phys[c], eq) * len, loss_of[c]);
      } else if (seller == rules::Seller::on_demand && used_h > 0.0) {
        const double usd = rules::usage_usd_per_hour(used_h, v.cluster_h100_equiv[c],
                                                     v.seller_price_step[ci] * sh->price_mult[p]);
        t.billed_usd += usd;
        provider_spend[p] += usd;
        month_on_demand_usd[p] += usd;
      }
    }
    for (int i = 0; i < v.n_inference; ++i) {
      const double short_h = rules::unmet_gpus(wanted[i], served[i]) * len_h;
      t.unmet_gpu_hours += short_h;
      const double value_usd = rules::unmet_value_usd(short_h, v.inference_value_usd_per_gpu_hour[i]);
      t.unmet_value_usd += value_usd;
      month_unmet_value_usd += value_usd;
    }
  }

  // The end of the piece that starts at a inside a step ending at step_b:
  // the next instant where something changes that the step's averages do
  // not hold, as the replay cuts its segments there too: a sampled outage
  // starts or ends, a running job finishes, a waiting job's submit or
  // restart time comes. So sampled outages count to the second, and a job
  // holds its GPUs from the instant it starts to the instant it finishes.
  CP_HD double next_edge(double a, double step_b) {
    double e = step_b;
    // capacity() has brought the state of the regions with clusters and of
    // the zones to a: their next change lies after a.
    if (outages.change_s < e) e = outages.change_s;
    // A region without clusters keeps its opening cursor: its first outage
    // cuts the walk, as it always has (the cut changes no total).
    for (std::uint64_t rs = v.regions_without_clusters; rs != 0; rs &= rs - 1) {
      const double t = outage_edge(outages.regions[lowest_bit(rs)], a);
      if (t > a && t < e) e = t;
    }
    // The jobs' instants after a: the least is kept until the walk reaches
    // it or a job changes state (min is exact, so this is the same cut).
    if (job_edges_stale || a >= job_edge_s) {
      double m = kNever;
      for (std::uint32_t rest = live; rest != 0; rest &= rest - 1) {
        const int j = lowest_bit(rest);
        const JobState& st = js[j];
        const double t = st.state == 0 ? st.ready_s : rules::run_finish_s(st.run_start_s, v.job_work_s[j], st.progress_s);
        if (t > a && t < m) m = t;
      }
      job_edge_s = m;
      job_edges_stale = false;
    }
    return lo(e, job_edge_s);
  }

  // Until when a step is quiet, from the walk's state now (quiet_until_s).
  // A region without clusters keeps its opening cursor, whose first outage
  // cuts the walk (next_edge): then no step is.
  CP_HD void note_quiet() {
    quiet_until_s = running == 0 && outages.none() && v.regions_without_clusters == 0
                        ? lo(waiting_ready_s, outages.change_s)
                        : -kNever;
  }

  // Step s, once the portfolios of its variant share `shared`: the bills
  // due at its start, then its pieces.
  CP_HD void step(int s, const StepShared& shared) {
    if (shared.closes) close_due(s);
    enter_step(shared);
    const double step_b = shared.end_s;
    // A quiet step (most of them): no sampled outage holds or changes in
    // it, no job runs, and none is ready before its end, so nothing cuts it
    // (next_edge would return step_b), and its one piece skips the calls
    // that would find nothing to do (no job to shed or run, the outages'
    // state already taken).
    const bool quiet = step_b <= quiet_until_s;
    for (double a = shared.start_s; a < step_b;) {
      if (quiet) {
        avail_of = shared.base_avail;
        loss_of = shared.loss_row;
      } else {
        capacity(s, a);
        shed_jobs(a);
      }
      serve(a);
      const double b = quiet ? step_b : next_edge(a, step_b);
      if (!quiet) run_jobs(a, b);
      if (quiet)
        bill(s, shared.len_s, shared.len_h);
      else
        bill(s, b - a, (b - a) / 3600.0);
      a = b;
    }
    if (!quiet) note_quiet();
  }

  // The bills due at the horizon, then the accounts of its contracts (the
  // reserved ones from its variant's ledger, closed at the horizon too)
  // folded into its figures, contract by contract in index order.
  CP_HD void finish(const ReservedLedger& ledger) {
    close_due(v.n_steps);
    for (int k = 0; k < v.n_contracts; ++k) {
      const int p = v.contract_provider[k];
      if (!provider_in(mask, p)) continue;
      if (v.contract_reserved[k]) accounts[k] = ledger.accounts[k];
      const ContractAccount& a = accounts[k];
      t.billed_usd += a.billed_usd;
      t.shortfall_usd += a.shortfall_usd;
      t.sla_credits_usd += a.sla_credits_usd;
      provider_spend[p] += rules::spend_usd(a.billed_usd, a.shortfall_usd, a.sla_credits_usd, 0.0);
      provider_npv[p] += a.npv_spend_usd;
      t.npv_spend_usd += a.npv_spend_usd;
    }
  }

  // What leaving each provider would cost at the horizon: the exit fee on
  // what its contracts still commit, and moving the datasets it holds.
  CP_HD void exit_costs(double* provider_exit) const {
    for (int p = 0; p < v.n_providers; ++p) provider_exit[p] = 0.0;
    for (int k = 0; k < v.n_contracts; ++k) {
      if (!provider_in(mask, v.contract_provider[k])) continue;
      provider_exit[v.contract_provider[k]] +=
          rules::exit_fee_usd(accounts[k].book.commitment_remaining_usd(offers.terms(v, k)), v.contract_exit_fee_pct[k]);
    }
    for (int j = 0; j < v.n_jobs; ++j)
      if (js[j].last_provider >= 0)
        provider_exit[js[j].last_provider] += rules::egress_usd(v.job_dataset_gb[j], v.provider_egress_usd_per_gb[js[j].last_provider]);
  }
};

// Phase 1, one thread a path: sample its future into the scratch.
// `sampler` calls sample_future: inline, or a copy of it that a backend
// compiles its own way (the CPU's, for several instruction sets).
struct InlineSampler {
  CP_HD void operator()(const View& v, std::uint64_t seed, std::uint64_t path, float* fs, int* is) const {
    sample_future(v, seed, path, fs, is);
  }
};
template <class Sampler = InlineSampler>
struct SampleFunctor {
  View v;
  std::uint64_t seed;
  std::int64_t first_path;
  float* scratch_f;
  int* scratch_i;
  ScratchLayout layout;
  Sampler sampler;

  CP_HD void operator()(std::int64_t i) const {
    sampler(v, seed, static_cast<std::uint64_t>(first_path + i), scratch_f + i * layout.floats_per_path,
            scratch_i + i * layout.ints_per_path);
  }
};

// Whether the rofr clause moves nothing on any path: the holder matches no
// share of any offer (match_pct 0 without a probability, or a probability
// of 0), so every portfolio's offer shares are 0 with the clause or without.
CP_HD inline bool rofr_never_matches(const View& v) {
  return v.rofr_match_probability < 0.0 ? v.rofr_match_share == 0.0 : v.rofr_match_probability <= 0.0;
}

// Whether portfolios q and r see the same future once an exclusivity has
// ended (View::lifted_until_step): the same sources switched off and the
// same rofr matches.
CP_HD inline bool same_future(const View& v, int q, int r) {
  const SourcesOff a = v.portfolio_off[q], b = v.portfolio_off[r];
  return a.outage_providers == b.outage_providers && a.zones == b.zones && a.price_providers == b.price_providers &&
         a.demand == b.demand && a.delivery == b.delivery &&
         (v.portfolio_no_rofr[q] == v.portfolio_no_rofr[r] || rofr_never_matches(v));
}

// Whether portfolios q and r see the same future from the start: the same
// future, and both bound by the exclusivity or both free of it. Such
// portfolios share each step's capacity and order (StepShared).
CP_HD inline bool same_variant(const View& v, int q, int r) {
  return same_future(v, q, r) && v.portfolio_lifted[q] == v.portfolio_lifted[r];
}

// Whether portfolios q and r walk a path identically: the same providers,
// the same future, the same rofr shares. Such a twin (no_rofr when the
// holder never matches) is walked once and its figures written twice: the
// same inputs through the same arithmetic give the same bits.
CP_HD inline bool same_portfolio(const View& v, int q, int r) {
  return v.portfolio_providers[q] == v.portfolio_providers[r] && same_variant(v, q, r);
}

// The first step at which portfolios q and r may walk a path differently
// when they see the same future (same_variant): where a provider one of
// them holds and the other does not first sells a cluster or closes a bill
// of a contract billed for use (n_steps: never). Before it the clusters they
// may use, and so their walks, are the same.
CP_HD inline int fork_step(const View& v, int q, int r) {
  int s = v.n_steps;
  for (std::uint32_t ps = v.portfolio_providers[q] ^ v.portfolio_providers[r]; ps != 0; ps &= ps - 1) {
    const int first = v.provider_first_change_step[lowest_bit(ps)];
    if (first < s) s = first;
  }
  return s;
}

// The portfolios a thread walks together: n_groups groups of at most
// `size` consecutive portfolios, as even as they go.
struct PortfolioGroups {
  int n_groups, size;
};
CP_HD inline PortfolioGroups portfolio_groups(int n_portfolios, int max_size) {
  const int n = (n_portfolios + max_size - 1) / max_size;
  return {n, (n_portfolios + n - 1) / n};
}

// Writes one portfolio's figures of path i (the contracted portfolio, q = 0,
// also its breakdown).
CP_HD inline void write_results(const View& v, const OutView& out, const PortfolioRun& run, int q, std::int64_t i,
                                const int* is) {
  const PortfolioTotals& t = run.t;
  const double *spend_p = run.provider_spend, *used_p = run.provider_used, *npv_p = run.provider_npv;
  const std::int64_t o = static_cast<std::int64_t>(q) * out.count + i;
  const double r = v.discount_rate_per_year;
  out.cost_usd[o] = rules::cost_usd(t.spend_usd(), t.unmet_value_usd);
  out.spend_usd[o] = t.spend_usd();
  out.unmet_gpu_hours[o] = t.unmet_gpu_hours;
  out.npv_cost_usd[o] =
      rules::reported_present_value(rules::cost_usd(t.npv_spend_usd, t.npv_unmet_value_usd), out.cost_usd[o], r);
  if (v.rofr_holder >= 0) {
    out.holder_spend_usd[o] = spend_p[v.rofr_holder];
    out.holder_npv_spend_usd[o] = rules::reported_present_value(npv_p[v.rofr_holder], spend_p[v.rofr_holder], r);
  }
  if (q != 0) return;
  double exit_p[kMaxProviders];
  out.npv_spend_usd[i] = rules::reported_present_value(t.npv_spend_usd, t.spend_usd(), r);
  out.npv_unmet_value_usd[i] = rules::reported_present_value(t.npv_unmet_value_usd, t.unmet_value_usd, r);
  run.exit_costs(exit_p);
  for (int p = 0; p < v.n_providers; ++p) {
    const std::int64_t po = static_cast<std::int64_t>(p) * out.count + i;
    out.provider_spend_usd[po] = spend_p[p];
    out.provider_used_gpu_hours[po] = used_p[p];
    out.provider_exit_cost_usd[po] = exit_p[p];
    out.provider_npv_spend_usd[po] = rules::reported_present_value(npv_p[p], spend_p[p], r);
  }
  out.clamped_multiplier_days[i] = static_cast<double>(is[v.n_clusters]);
  out.billed_usd[i] = t.billed_usd;
  out.shortfall_usd[i] = t.shortfall_usd;
  out.sla_credits_usd[i] = t.sla_credits_usd;
  out.egress_usd[i] = t.egress_usd;
  out.unmet_value_usd[i] = t.unmet_value_usd;
  for (int c = 0; c < v.n_contracts; ++c) {
    const std::int64_t ko = static_cast<std::int64_t>(c) * out.count + i;
    const ContractAccount& a = run.accounts[c];
    out.contract_billed_usd[ko] = a.billed_usd;
    out.contract_shortfall_usd[ko] = a.shortfall_usd;
    out.contract_sla_credits_usd[ko] = a.sla_credits_usd;
    out.contract_commitment_remaining_usd[ko] = a.book.commitment_remaining_usd(run.offers.terms(v, c));
    out.contract_npv_billed_usd[ko] = rules::reported_present_value(a.npv_billed_usd, a.billed_usd, r);
  }
}

// Phase 2, one thread a (group of portfolios, path): the group's portfolios
// walk the path's sampled future step by step together, each variant's
// capacity and order computed once a step for all of its portfolios
// (sampled outages redrawn from the same counters). kGroup bounds the group:
// the CPU walks all portfolios of a path at once (their per-step work is
// shared; ~12 KB of state each stays in cache), CUDA up to five a thread
// (kCudaGroup: the same sharing, in a larger local-memory frame). Each
// portfolio's arithmetic is the same either way, so results do not depend
// on kGroup.
template <int kGroup>
struct PathFunctor {
  View v;
  // The problem without the exclusivity (RiskProblem::lifted), which the
  // portfolios free of it walk; v again when there is none.
  View lifted;
  OutView out;
  std::uint64_t seed;
  std::int64_t first_path;
  const float* scratch_f;
  const int* scratch_i;
  ScratchLayout layout;
  PortfolioGroups groups;

  // Group g on path i of the batch, whose future the scratch holds.
  CP_HD void operator()(std::int64_t k) const {
    const std::int64_t i = k % out.count;
    walk(static_cast<int>(k / out.count), i, scratch_f + i * layout.floats_per_path,
         scratch_i + i * layout.ints_per_path);
  }

  // Group g on path i of the batch, whose sampled future is fs and is
  // (sample_future's): wherever it was sampled, the same walk.
  CP_HD void walk(int g, std::int64_t i, const float* fs, const int* is) const {
    const int q0 = g * groups.size;
    const int n = (q0 + groups.size <= v.n_portfolios ? groups.size : v.n_portfolios - q0);
    const auto path = static_cast<std::uint64_t>(first_path + i);
    // PortfolioRun holds a reference: built in place, trivially destroyed.
    alignas(PortfolioRun) unsigned char storage[kGroup][sizeof(PortfolioRun)];
    PortfolioRun* runs[kGroup];
    StepShared shared[kGroup];
    ReservedLedger ledger[kGroup];
    int slot[kGroup];  // the first portfolio of the group with the same variant
    // From v.lifted_until_step on, a lifted variant sells as the bound one
    // with the same future does, and its portfolios read that variant's
    // steps and, at the horizon, its ledger (the same accounts: an
    // exclusivity moves no reserved capacity, and reserved contracts alone
    // are in a ledger). Its own slot when the group has no such variant.
    int slot_after[kGroup];
    int twin[kGroup];  // the first portfolio of the group that walks the path identically
    // A portfolio whose walk is its parent's until step `forks` (fork_step)
    // is not walked before it: it takes the parent's state there. Parents
    // walk from the start (parent −1).
    int parent[kGroup], forks[kGroup];
    std::uint32_t providers[kGroup];  // per variant (at its slot): every provider its portfolios hold
    auto view_of = [&](int j) -> const View& { return v.portfolio_lifted[q0 + j] ? lifted : v; };
    for (int j = 0; j < n; ++j) {
      slot[j] = twin[j] = j;
      parent[j] = -1;
      forks[j] = 0;
      providers[j] = 0;
      shared[j].reset();
      for (int m = 0; m < j; ++m)
        if (same_portfolio(v, q0 + m, q0 + j)) {
          twin[j] = m;
          break;
        }
      for (int m = 0; m < j; ++m)
        if (same_variant(v, q0 + m, q0 + j)) {
          slot[j] = m;
          break;
        }
      providers[slot[j]] |= v.portfolio_providers[q0 + j];
      for (int m = 0; m < j && twin[j] == j; ++m) {
        if (twin[m] != m || parent[m] >= 0 || slot[m] != slot[j]) continue;
        const int at = fork_step(view_of(j), q0 + m, q0 + j);
        if (at > forks[j]) {
          parent[j] = m;
          forks[j] = at;
        }
      }
      if (parent[j] < 0)
        runs[j] = new (storage[j]) PortfolioRun(view_of(j), q0 + j, fs, is, seed, path);
    }
    // Where each lifted variant goes once the exclusivity has ended; the
    // ledger it then shares holds the providers of its portfolios too.
    bool switches = false;
    for (int j = 0; j < n; ++j) {
      slot_after[j] = slot[j];
      if (!v.portfolio_lifted[q0 + j] || v.lifted_until_step >= v.n_steps) continue;
      for (int m = 0; m < n; ++m)
        if (!v.portfolio_lifted[q0 + m] && same_future(v, q0 + m, q0 + j)) {
          slot_after[j] = slot[m];
          switches = true;
          break;
        }
    }
    for (int j = 0; j < n; ++j) providers[slot_after[j]] |= v.portfolio_providers[q0 + j];
    // The portfolios that walk a step, in index order (forked ones join at
    // their fork step), and the variants (their first portfolio).
    int walkers[kGroup], n_walkers = 0, variants[kGroup], n_variants = 0;
    int next_fork = v.n_steps + 1;  // the earliest fork not yet taken
    auto list_walkers = [&](int s) {
      n_walkers = 0;
      next_fork = v.n_steps + 1;
      for (int j = 0; j < n; ++j) {
        if (twin[j] != j) continue;
        if (parent[j] < 0 || s >= forks[j])
          walkers[n_walkers++] = j;
        else if (forks[j] < next_fork)
          next_fork = forks[j];
      }
    };
    // Forks due at the start of step s (s == n_steps: the horizon), before
    // any parent walks it.
    auto fork_due = [&](int s) {
      if (s != next_fork) return;
      for (int j = 0; j < n; ++j)
        if (parent[j] >= 0 && forks[j] == s)
          runs[j] = new (storage[j]) PortfolioRun(*runs[parent[j]], q0 + j);
      list_walkers(s);
    };
    auto list_variants = [&] {
      n_variants = 0;
      for (int j = 0; j < n; ++j)
        if (slot[j] == j) variants[n_variants++] = j;
    };
    list_variants();
    for (int w = 0; w < n_variants; ++w)
      ledger[variants[w]].open(view_of(variants[w]), q0 + variants[w], seed, path, providers[variants[w]]);
    list_walkers(0);
    for (int s = 0; s < v.n_steps; ++s) {
      if (switches && s == v.lifted_until_step) {
        // The lifted variants that have a bound twin stop here; their
        // portfolios walked so far (and those forked from them later, which
        // copy a parent that switched) read the twin's steps from now on.
        for (int j = 0; j < n; ++j) {
          if (slot_after[j] == slot[j]) continue;
          const bool made = twin[j] == j && (parent[j] < 0 || forks[j] < s);
          if (made) runs[j]->follow_other_steps();
          slot[j] = slot_after[j];
        }
        list_variants();
      }
      for (int w = 0; w < n_variants; ++w) {
        const int j = variants[w];
        runs[j]->share_step(s, shared[j]);
        ledger[j].step(view_of(j), s, shared[j]);
      }
      fork_due(s);
      for (int w = 0; w < n_walkers; ++w) {
        const int j = walkers[w];
        runs[j]->step(s, shared[slot[j]]);
      }
    }
    fork_due(v.n_steps);
    for (int j = 0; j < n; ++j)
      if (slot[j] == j) ledger[j].finish(view_of(j));
    for (int j = 0; j < n; ++j) {
      const int m = twin[j];
      if (m == j) runs[j]->finish(ledger[slot[j]]);
      write_results(v, out, *runs[m], q0 + j, i, is);
    }
  }
};

}  // namespace cloudpact::risk::kernel
