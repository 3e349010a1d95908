// What a replay produces, before it is written out (report/). Plain data.
// GPU quantities are H100-equivalents; *_gpu_s are GPU-seconds (the writers
// turn them into GPU-hours), money is USD.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cloudpact {

struct LedgerRow {
  std::int64_t epoch_s = 0;
  std::string contract;   // contract id, or "provider:<id>" for on-demand and egress
  std::string item;       // usage|reserved|shortfall|sla_credit|egress|on_demand
  double amount_usd = 0.0;
  std::string provider;
};

struct TimeseriesRow {
  std::int64_t epoch_s = 0;  // interval start
  std::string provider;      // provider id
  double capacity_gpus = 0.0, available_gpus = 0.0, used_gpus = 0.0, unmet_gpus = 0.0;  // interval averages
  double spend_usd = 0.0;    // interval sum
};

// One line of events.jsonl: a type, the simulated time, and its fields as a
// JSON object (keys in the order they are written). The simulation records
// values; how they become text is the writer's business (report/).
struct EventRecord {
  double t_s = 0.0;
  std::string type;
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
};

struct ProviderTotals {
  double spend_usd = 0.0, used_gpu_s = 0.0, available_gpu_s = 0.0, outage_gpu_s = 0.0, capacity_gpu_s = 0.0;
  double npv_spend_usd = 0.0;  // its ledger rows discounted to the start (docs/reference.md §13)
};

struct ContractTotals {
  double billed_usd = 0.0, shortfall_usd = 0.0, sla_credits_usd = 0.0;
  double commitment_remaining_usd = 0.0;
  double npv_billed_usd = 0.0;  // its invoices discounted to the start
};

struct WorkloadTotals {
  bool training = false;
  double served_gpu_s = 0.0, unmet_gpu_s = 0.0, unmet_value_usd = 0.0;
  std::optional<double> start_s, finish_s;
  int interruptions = 0;
  double lost_gpu_s = 0.0;
  double egress_usd = 0.0;
};

struct ReplayResult {
  std::vector<std::string> provider_ids, contract_ids, workload_ids;  // file order
  std::vector<ProviderTotals> providers;
  std::vector<ContractTotals> contracts;
  std::vector<WorkloadTotals> workloads;
  double billed_usd = 0.0, shortfall_usd = 0.0, sla_credits_usd = 0.0, egress_usd = 0.0;
  // Present values at the start (docs/reference.md §13): of every ledger row,
  // and of each calendar month's unmet demand at the month's end.
  double npv_spend_usd = 0.0, npv_unmet_value_usd = 0.0;
  std::vector<LedgerRow> ledger;
  std::vector<TimeseriesRow> timeseries;
  std::vector<EventRecord> events;
  double end_clock_s = 0.0;  // SimGrid clock at the end (== horizon)
};

}  // namespace cloudpact
