// The typed scenario: what a scenario file says, with defaults applied and
// every rule of docs/reference.md §2, §9 already checked (see validate.cpp). Nothing
// outside src/scenario/ reads JSON; everything downstream reads these structs.
//
// Times: every date is held twice, as the UTC epoch second it names
// (`*_epoch_s`, exact integers, used for calendars and output) and as seconds
// since the scenario start (`*_s`, the simulation clock, SimGrid's clock).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rules/sla.hpp"
#include "scenario/curve.hpp"

namespace cloudpact {

struct Accelerator {
  std::string id;
  double h100_equiv = 1.0;  // H100-equivalent GPUs per physical GPU
  double kw = 1.0;          // power per physical GPU (reported, not billed)
};

struct Cluster {
  std::string id;            // local id inside its region
  std::string path;          // "provider/region/cluster"
  std::string accelerator;   // key into Scenario::accelerators
  Curve capacity_gpus;       // physical GPUs over time (delivery delays applied later)
  // Set only by a right of first refusal's split (policy/rofr.hpp): the share
  // of the curve the cluster holds before the offered contract's start
  // (rofr_from_s) and from it on. Files cannot set them.
  double rofr_share_before = 1.0, rofr_share_from = 1.0, rofr_from_s = 0.0;
};

struct Region {
  std::string id;
  std::vector<Cluster> clusters;
};

struct Provider {
  std::string id;
  std::map<std::string, double> on_demand_usd_per_gpu_hour;  // per physical GPU-hour; absent = not for sale
  double egress_usd_per_gb = 0.0;
  std::vector<Region> regions;
};

using SlaTier = rules::SlaTier;  // the SLA rule's own type: both engines read the tiers as written

enum class Billing { reserved, usage };

struct Contract {
  std::string id;
  std::string provider;
  double start_s = 0.0, end_s = 0.0;
  std::int64_t start_epoch_s = 0, end_epoch_s = 0;
  std::vector<std::string> clusters;      // cluster paths "p/r/c"
  Billing billing = Billing::reserved;
  Curve price_usd_per_gpu_hour;           // per physical GPU-hour
  std::optional<double> commitment_usd;   // minimum total billed over the term
  double min_spend_usd_per_year = 0.0;    // take-or-pay per contract-year (0 = none)
  std::vector<SlaTier> sla_credits;       // empty = no SLA
  double exit_fee_pct_of_remaining = 0.0;
};

enum class WorkloadKind { inference, training };

struct Workload {
  std::string id;
  WorkloadKind kind = WorkloadKind::inference;
  std::vector<std::string> providers;  // eligible providers, in preference order (default: all, file order)
  int priority = 0;                    // lower is served first; ties in file order
  // inference
  Curve demand_gpus;                   // H100-equivalents
  double value_usd_per_gpu_hour = 0.0; // value of unmet demand per H100-eq hour
  // training
  double submit_s = 0.0;
  std::int64_t submit_epoch_s = 0;
  double flops = 0.0;
  double gpus = 0.0;                   // H100-equivalents, all on one cluster
  double mfu = 0.4;
  double checkpoint_hours = 0.0;       // 0 = never checkpoints (an interruption loses everything)
  double restart_hours = 0.0;
  double dataset_tb = 0.0;             // moved (egress) when it restarts on another provider
};

enum class Placement { cheapest, single_vendor, primary };

// Deal terms (docs/reference.md §14). Before `until` only `provider`'s
// capacity may serve the buyer.
struct Exclusivity {
  std::string provider;
  std::int64_t until_epoch_s = 0;
  double until_s = 0.0;
};

// A right of first refusal: every contract of another provider that starts
// before `until` is offered to `holder`, who matches `match_pct` % of it on
// clusters in its `region` (policy/rofr.hpp does the split).
struct Rofr {
  std::string holder;
  std::int64_t until_epoch_s = 0;
  double until_s = 0.0;
  std::string region;                        // a region id of the holder
  double match_pct = 0.0;                    // 0..100
  std::optional<double> match_probability;  // `risk`: matched in full with this probability per contract and path
};

struct Policy {
  Placement placement = Placement::cheapest;
  std::string vendor;  // single_vendor only
  std::optional<Exclusivity> exclusivity;
  std::optional<Rofr> rofr;
};

// A place "p", "p/r" or "p/r/c" (an event's target, a delivery target)
// names every cluster whose path equals it or starts with it + "/".
inline bool target_covers(const std::string& target, const std::string& cluster_path) {
  return cluster_path == target ||
         (cluster_path.size() > target.size() && cluster_path.compare(0, target.size(), target) == 0 &&
          cluster_path[target.size()] == '/');
}

struct OutageEvent {
  std::string target;  // "p", "p/r" or "p/r/c"
  double start_s = 0.0, end_s = 0.0;
  double capacity_lost_pct = 100.0;
};

struct PriceChangeEvent {
  double date_s = 0.0;
  // exactly one of target (provider on-demand) or contract
  std::string target;                   // provider id
  std::string accelerator;              // empty = every accelerator of the provider
  std::string contract;
  std::optional<double> set_usd_per_gpu_hour;  // on_demand_usd_per_gpu_hour or price_usd_per_gpu_hour
  std::optional<double> factor;
};

struct DeliveryDelayEvent {
  std::string target;
  double days = 0.0;
};

struct DemandShockEvent {
  std::string workload;
  double start_s = 0.0, end_s = 0.0;
  double factor = 1.0;
};

// ---- uncertainty and negotiation (docs/reference.md §2.7; used by `risk`) ----

struct Distribution {
  enum class Kind { fixed, lognormal };
  Kind kind = Kind::fixed;
  double value = 0.0;   // fixed
  double median = 0.0;  // lognormal
  double sigma = 0.0;   // lognormal
};

struct OutageModel {
  double rate_per_year = 0.0;
  double capacity_lost_pct = 100.0;
  Distribution duration_hours;
};

struct PriceModel {
  double drift_per_year = 0.0;
  double vol_per_year = 0.0;
  double jump_rate_per_year = 0.0;
  double jump_mean_pct = 0.0;
  double jump_sd_pct = 0.0;
};

// What sampled futures share (docs/reference.md §11).
struct PriceCorrelation {
  std::vector<std::string> providers;         // the matrix's rows and columns
  std::vector<std::vector<double>> matrix;    // symmetric, unit diagonal, positive semidefinite
};

struct OutageZone {
  std::string id;
  std::vector<std::string> regions;  // "provider/region"
  OutageModel model;
};

struct Correlation {
  std::optional<PriceCorrelation> prices;
  std::optional<double> delivery_common;  // ρ of the delivery copula; absent: the independent draws of §2.7
  std::vector<OutageZone> zones;
};

struct Uncertainty {
  bool present = false;
  std::int64_t paths = 10000;
  std::uint64_t seed = 42;
  std::optional<OutageModel> default_outages;          // applies to providers without their own
  std::map<std::string, OutageModel> provider_outages; // by provider id
  std::map<std::string, PriceModel> prices;            // by provider id
  // Whether the file has a `demand` or `delivery` model: each is a source of
  // `risk --sensitivity` (docs/reference.md §12.1), even one that changes nothing.
  bool demand_present = false, delivery_present = false;
  double demand_vol_per_year = 0.0;
  double delivery_p_on_time = 1.0;
  Distribution delivery_delay_days;
  // Where deliveries may be late (`delivery.targets`): places "p", "p/r" or
  // "p/r/c"; empty: every cluster. A cluster under none is always on time.
  std::vector<std::string> delivery_targets;
  Correlation correlation;
};

struct Negotiation {
  bool present = false;
  double buyer_power = 0.5;
  std::map<std::string, double> seller_floor_usd_per_gpu_hour;  // per H100-eq hour
};

// Money over time (docs/reference.md §13): the rate at which every dated
// amount is discounted to the scenario's start.
struct Finance {
  double discount_rate_per_year = 0.0;
};

struct Scenario {
  std::string name;
  std::string source_path;      // file it came from (for messages)
  std::string sha256;           // of the file bytes after --set overrides (canonical dump)
  std::int64_t start_epoch_s = 0, end_epoch_s = 0;
  double horizon_s = 0.0;       // end - start
  std::map<std::string, Accelerator> accelerators;
  std::vector<Provider> providers;
  std::vector<Contract> contracts;
  std::vector<Workload> workloads;
  Policy policy;
  std::vector<OutageEvent> outages;
  std::vector<PriceChangeEvent> price_changes;
  std::vector<DeliveryDelayEvent> delivery_delays;
  std::vector<DemandShockEvent> demand_shocks;
  Uncertainty uncertainty;
  Negotiation negotiation;
  Finance finance;
  double output_interval_hours = 24.0;

  [[nodiscard]] double to_sim_s(std::int64_t epoch_s) const {
    return static_cast<double>(epoch_s - start_epoch_s);
  }
};

}  // namespace cloudpact
