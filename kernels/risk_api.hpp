// The Monte Carlo kernels' plain C++ API (docs/reference.md §4). No Thrust or CUDA type
// appears here: the rest of the program includes this header only. The same
// implementation (path_model.inl) is compiled by g++ for the CPU (Thrust's
// OpenMP backend) and by nvcc for CUDA.
//
// A RiskProblem is the scenario flattened into arrays over a fixed grid of
// time steps (days, cut at every dated change of the scenario so that its
// own events stay exact), plus the uncertainty models. One path = one
// sampled future; every portfolio is evaluated on the same future (common
// random numbers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rules/sla.hpp"

namespace cloudpact::risk {

// Compile-time bounds of the per-path state (it lives in registers / local
// memory on a GPU). Scenarios beyond them are refused by `risk` (exit 2).
inline constexpr int kMaxClusters = 64;
inline constexpr int kMaxProviders = 16;
inline constexpr int kMaxRegions = 64;
inline constexpr int kMaxContracts = 32;
inline constexpr int kMaxInference = 16;
inline constexpr int kMaxJobs = 32;
inline constexpr int kMaxSlaTiers = 8;
inline constexpr int kMaxZones = 16;  // outage zones (a zone mask per region: 32 bits)
inline constexpr int kMaxOffers = kMaxContracts;  // contracts offered under a right of first refusal

struct OutageModel {       // per region
  double rate_per_year = 0.0;
  double lost_fraction = 1.0;
  int duration_lognormal = 0;  // 1: lognormal(median, sigma); 0: fixed value
  double duration_median_h = 0.0, duration_sigma = 0.0, duration_fixed_h = 0.0;
};

// Sources of uncertainty a portfolio switches off (docs/reference.md §12):
// the sampled outages of the providers in `outage_providers`, the zones in
// `zones`, the price multipliers of `price_providers`, the demand
// multiplier, every delivery delay.
struct SourcesOff {
  std::uint32_t outage_providers = 0, zones = 0, price_providers = 0;
  int demand = 0, delivery = 0;
};

struct PriceModel {        // per provider: multiplier on on-demand prices
  double drift_per_year = 0.0, vol_per_year = 0.0;
  double jump_rate_per_year = 0.0, jump_log_mean = 0.0, jump_log_sd = 0.0;
  // The cap of the log multiplier: the bound validation computed the worst
  // case of a path with (src/scenario/cost_bound.hpp), at most ln(1e6).
  double log_multiplier_bound = 0.0;
};

struct RiskProblem {
  // ---- grid ----
  int n_steps = 0, n_days = 0, n_months = 0;
  std::vector<double> step_start_s, step_len_s;  // [step]
  std::vector<int> step_day, step_month;         // [step]
  double horizon_s = 0.0;

  // ---- places ----
  int n_providers = 0, n_regions = 0, n_clusters = 0;
  std::vector<int> cluster_provider, cluster_region;  // [cluster]
  std::vector<double> cluster_h100_equiv;             // [cluster]
  std::vector<double> provider_egress_usd_per_gb;     // [provider]
  // Physical GPUs, step average (exact integral / length), as delivered
  // with no sampled delay.
  std::vector<double> cap_step;   // [step * n_clusters + cluster]  (step-major: a path walks the steps)
  // Daily averages of the same curves for paths that shift a cluster's
  // deliveries by whole days (rules::delayed_capacity): days cap_first_day
  // .. n_days − 1 relative to the start, the curve written as a delivery
  // schedule (a constant capacity is a step at the start, so it is 0 before).
  int cap_first_day = 0, n_cap_days = 0;
  std::vector<double> cap_day;    // [cluster * n_cap_days + day − cap_first_day]
  std::vector<double> loss_step;  // [step * n_clusters + cluster]: scenario outages, 0..1
  // Who sells the cluster at step s (rules::Seller), the contract when one
  // does (index, else −1) and the seller's price per physical GPU-hour
  // (on-demand: before the path's price multiplier).
  std::vector<std::int8_t> seller_step;      // [step * n_clusters + cluster]
  std::vector<std::int16_t> contract_step;   // [step * n_clusters + cluster]
  std::vector<double> seller_price_step;     // [step * n_clusters + cluster]

  // ---- contracts ----
  int n_contracts = 0;
  std::vector<int> contract_provider;                     // [contract]
  std::vector<double> contract_commitment_usd;            // [contract], < 0: none
  std::vector<int> contract_end_step;                     // [contract]: step at whose start it ends; n_steps: the horizon; n_steps + 1: after it
  std::vector<int> contract_n_tiers;                      // [contract]
  std::vector<rules::SlaTier> contract_tiers;             // [contract * kMaxSlaTiers + i]
  std::vector<double> contract_exit_fee_pct;              // [contract]
  // 1: billed for its capacity (reserved), whatever runs on it, so that its
  // accounts are the same for every portfolio that holds its provider.
  std::vector<std::uint8_t> contract_reserved;            // [contract]
  // Take-or-pay periods ending inside the horizon (rules::take_or_pay_periods),
  // grouped by contract in date order: contract k owns periods
  // [contract_first_period[k], contract_first_period[k] + contract_n_periods[k]).
  std::vector<int> contract_first_period, contract_n_periods;  // [contract]
  std::vector<int> period_end_step;                       // [period]: it closes at that step's start (n_steps: the horizon)
  std::vector<double> period_min_usd;                     // [period]
  std::vector<int> month_end_step;                        // [month]: the month closes at that step's start (n_steps: horizon)
  std::vector<std::uint8_t> step_closes;                  // [step]: 1 if a month, contract or take-or-pay period closes at its start

  // ---- demand ----
  int n_inference = 0;
  std::vector<std::uint32_t> inference_providers; // provider bit mask [inference]
  std::vector<double> inference_value_usd_per_gpu_hour;
  std::vector<double> demand_step;                // [step * n_inference + inference], H100-eq, shocks applied
  int n_jobs = 0;
  std::vector<std::uint32_t> job_providers;
  std::vector<double> job_submit_s, job_gpus, job_work_s, job_checkpoint_s, job_restart_s, job_dataset_gb;

  // Everything that asks for capacity, in service order (priority, then file
  // order): an inference index i >= 0, or a job j as -(j + 1).
  std::vector<int> service_items;

  // ---- policy ----
  int placement = 0;   // 0 cheapest, 1 single_vendor, 2 primary
  int vendor = -1;     // single_vendor
  std::vector<int> inference_provider_rank;  // [inference * kMaxProviders + provider], primary policy
  std::vector<int> job_provider_rank;        // [job * kMaxProviders + provider]

  // ---- uncertainty (all off = the replay's future) ----
  std::vector<OutageModel> region_outages;  // [region]
  std::vector<int> region_provider;         // [region]
  std::vector<PriceModel> provider_prices;  // [provider]
  double demand_vol_per_year = 0.0;
  double demand_log_multiplier_bound = 0.0;  // as PriceModel::log_multiplier_bound, for the demand multiplier
  double delivery_p_on_time = 1.0;
  // Bit c: cluster c's deliveries may be late (`delivery.targets`; all by
  // default). Another cluster is always on time; its draws are made all the
  // same, so a target list changes no other cluster's delay.
  std::uint64_t delivery_clusters = ~std::uint64_t{0};
  int delay_lognormal = 0;
  double delay_median_days = 0.0, delay_sigma = 0.0, delay_fixed_days = 0.0;

  // ---- correlation (docs/reference.md §11); absent: the independent draws ----
  // Prices: the daily shocks Z = L·ε, L [provider * n_providers + provider]
  // the correlation's symmetric square root on the listed providers and the
  // identity elsewhere. prices_correlated 0: ε itself (no product at all).
  int prices_correlated = 0;
  std::vector<double> price_loadings;
  // Deliveries: a one-factor Gaussian copula with weight ρ; a cluster is late
  // when √ρ·Z + √(1 − ρ)·Z_c ≥ delivery_late_threshold = Φ⁻¹(p_on_time).
  // The delay size's mixed normal is clamped at ±delay_normal_bound, the
  // largest normal a single draw gives (limits::max_abs_normal): without it
  // the mix could reach (√ρ + √(1 − ρ)) times that, so the longest delay,
  // which sizes the capacity tables, would grow with ρ. The clamp is met
  // with probability below 1e-10 per draw; the marginal is otherwise exact.
  int delivery_copula = 0;
  double delivery_common = 0.0, delivery_late_threshold = 0.0, delay_normal_bound = 0.0;
  // Outage zones: a shared arrival stream each, hitting every region of its mask.
  std::vector<OutageModel> zone_outages;   // [zone]
  std::vector<std::uint32_t> region_zones; // [region]: bit z set when zone z covers the region

  // ---- money over time (docs/reference.md §13): every dated amount discounted to the start ----
  double discount_rate_per_year = 0.0;

  // ---- right of first refusal (docs/reference.md §14); n_offers 0: none ----
  // Both parts of every offered contract are in the problem whole; a path
  // scales each by rules::rofr_part_share of the share the holder matches
  // there: rofr_match_share on every path, or, with rofr_match_probability
  // ≥ 0, the whole contract with that probability (one draw per offer and
  // path), else nothing. A `portfolio_no_rofr` portfolio matches nothing.
  int n_offers = 0;
  int rofr_holder = -1;                      // provider index
  double rofr_match_share = 0.0;
  double rofr_match_probability = -1.0;
  std::vector<int> cluster_offer, contract_offer;                   // [cluster], [contract]: −1 none
  // The step from which an offer's clusters hold their parts' shares: its
  // contract's start (0 when it starts at or before the horizon's).
  std::vector<int> offer_start_step;                                // [offer]
  std::vector<std::uint8_t> cluster_holder_part, contract_holder_part;  // 1: the holder's part

  // ---- portfolios: which providers' contracts and capacity exist ----
  std::vector<std::uint32_t> portfolio_providers;  // [portfolio] provider bit mask
  // And which sources of uncertainty each switches off (`risk --sensitivity`:
  // the contracted portfolio again with one source off, on the same draws).
  std::vector<SourcesOff> portfolio_off;           // [portfolio]
  std::vector<std::uint8_t> portfolio_no_rofr;     // [portfolio]: 1 = the scenario without its rofr clause
  // An exclusivity binds only the portfolios that hold its provider
  // (docs/reference.md §6.1, §14.1). `lifted` is this problem without the
  // clause, on the same step grid, with the same clusters, contracts,
  // models and portfolios (only the sellers of the steps before `until`
  // and what derives from them differ); portfolio q walks it when
  // portfolio_lifted[q] is 1. Null (and every flag 0) without an exclusivity.
  std::shared_ptr<const RiskProblem> lifted;
  std::vector<std::uint8_t> portfolio_lifted;     // [portfolio]
  int lifted_until_step = 0;                      // the first step from which both problems sell the same
  // Whether the contracted portfolio's GPU-hours per provider are tracked
  // (BatchResults::provider_used_gpu_hours; else 0): `risk` reports them
  // (breakdown, leverage); `optimize` reads none of them, and tracking them
  // makes the contracted portfolio bill every cluster it may use, every piece.
  bool track_contracted_use = true;
};

// What one path gives, per portfolio (index p) and, for the contracted
// portfolio (index 0), per provider (index q), per contract (index k) and
// per billing item: the figures the replay reports in summary.json, so the
// two engines can be compared item by item.
struct BatchResults {
  std::int64_t first_path = 0, count = 0;
  int n_portfolios = 0, n_providers = 0, n_contracts = 0;
  std::vector<double> cost_usd;         // [portfolio * count + i]: spend + value of unmet demand
  std::vector<double> spend_usd;        // [portfolio * count + i]
  std::vector<double> unmet_gpu_hours;  // [portfolio * count + i]
  std::vector<double> provider_spend_usd;       // [provider * count + i], contracted
  std::vector<double> provider_used_gpu_hours;  // [provider * count + i], contracted
  std::vector<double> provider_exit_cost_usd;   // [provider * count + i], contracted, at the horizon
  // Contracted: spend = billed + shortfall − credits + egress; cost = spend + unmet value.
  std::vector<double> billed_usd, shortfall_usd, sla_credits_usd, egress_usd, unmet_value_usd;  // [i]
  // Path-days on which a sampled price or demand multiplier met its bound
  // (1000 either way): a count per path, as a double like every row.
  std::vector<double> clamped_multiplier_days;  // [i]
  std::vector<double> contract_billed_usd, contract_shortfall_usd, contract_sla_credits_usd,
      contract_commitment_remaining_usd;  // [contract * count + i], contracted
  // Present values at the start (docs/reference.md §13), each beside its
  // nominal figure above: cost per portfolio; for the contracted portfolio
  // spend per provider, spend and unmet value in total, billed per contract.
  std::vector<double> npv_cost_usd;             // [portfolio * count + i]
  std::vector<double> provider_npv_spend_usd;   // [provider * count + i], contracted
  std::vector<double> npv_spend_usd, npv_unmet_value_usd;  // [i], contracted
  std::vector<double> contract_npv_billed_usd;  // [contract * count + i], contracted
  // The rofr holder's spend, nominal and present value, per portfolio (0
  // without a rofr clause): what the right is worth to it.
  std::vector<double> holder_spend_usd, holder_npv_spend_usd;  // [portfolio * count + i]
};

enum class Backend { cpu, cuda };

// Whether this build has the CUDA backend, and whether a device answers.
bool cuda_compiled();
bool cuda_device_present();
std::string cuda_device_description();  // "NVIDIA H100 80GB HBM3 (driver 12.8)" or ""

// Evaluates paths [first_path, first_path + count). `threads` bounds the
// OpenMP threads (0: all). Path i's draws depend only on (seed, i).
// `portfolios_per_thread` (CPU backend; 0: its default, all of a usual
// scenario's; CUDA walks up to five, fixed when it is built) groups the
// portfolios a thread walks together on a path, sharing each step's capacity and placement order: a speed
// knob only, the results are the same bytes for every value.
void evaluate_paths(const RiskProblem& problem, std::uint64_t seed, std::int64_t first_path, std::int64_t count,
                    Backend backend, int threads, BatchResults& out, int portfolios_per_thread = 0);

// The instruction sets the CPU backend's sampling is compiled for that this
// machine runs, best first ("x86-64-v4", "x86-64-v3", "x86-64"):
// evaluate_paths takes the first. Every one gives the same bits.
std::vector<std::string> cpu_sampling_isas();
// The sampled futures of paths [first_path, first_path + count) as the CPU
// sampling compiled for `isa` (one of cpu_sampling_isas()) draws them: per
// path its price and demand multipliers, and its delivery delays and clamped
// path-days (the kernels' scratch rows). For tests that compare the sets.
void sample_paths_cpu(const RiskProblem& problem, const std::string& isa, std::uint64_t seed, std::int64_t first_path,
                      std::int64_t count, std::vector<float>& floats, std::vector<int>& ints);

// Philox4x32-10 of one counter/key, for known-answer tests.
void philox4x32_10(const std::uint32_t ctr[4], const std::uint32_t key[2], std::uint32_t out[4]);

}  // namespace cloudpact::risk
