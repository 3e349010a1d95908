// Turns what happened into money and reports: integrates usage over pieces of
// time (exactly: see add_piece), issues monthly invoices per contract and
// per provider's on-demand use, SLA credits, take-or-pay and commitment
// shortfalls, and fills the per-interval time series. Pure C++: the replay
// feeds it; unit tests can too.
#pragma once

#include <cstdint>
#include <vector>

#include "model/plant.hpp"
#include "model/plant_span.hpp"
#include "model/replay_result.hpp"
#include "rules/contract_book.hpp"

namespace cloudpact {

// The state of every cluster and workload at one instant of a piece.
struct Sample {
  double t_s = 0.0;
  std::vector<double> used_gpus;      // per cluster: inference + running training (H100-eq)
  // Per inference workload, in file order among the inference workloads
  // (training is accounted by the replay from its runs' start and end).
  std::vector<double> served_gpus;
  std::vector<double> unmet_gpus;
};

class Accountant {
 public:
  Accountant(const Plant& plant, ReplayResult& out);

  // Every time at which a bill is closed: the replay must stop at each (they
  // are cuts of its pieces), and call close_due(t) there. Report intervals
  // are not cuts (add_piece divides a piece among them).
  [[nodiscard]] std::vector<double> cuts() const;

  // Integrates [s0.t_s, s2.t_s] from samples at its start, middle and end.
  // Within a piece every rate is linear and every price is linear, so their
  // products are quadratic and Simpson's rule is exact: no accounting step.
  // The piece must not straddle a cut. The totals take the piece's
  // integrals; a report interval its part of them (the whole piece's when
  // the piece lies inside it), so no total depends on the interval.
  void add_piece(const Sample& s0, const Sample& s1, const Sample& s2, const PlantSpan& span);

  // Closes the bills due at t (month ends, contract ends, contract-years, horizon).
  void close_due(double t_s);

  // A dataset moved out of `provider` at t.
  void add_egress(double t_s, int provider, int workload, double usd);

  // Final totals; call once, after close_due(horizon).
  void finish();

 private:
  // A contract's take-or-pay periods that end inside the horizon, and the
  // next one to close.
  struct Periods {
    std::vector<std::int64_t> end_epoch_s;
    std::vector<double> minimum_usd;
    size_t next = 0;
  };
  struct Bin {
    double capacity_gpu_s = 0.0, available_gpu_s = 0.0, used_gpu_s = 0.0, unmet_gpu_s = 0.0, spend_usd = 0.0;
  };

  void charge(double t_s, int provider, double usd);  // spend that appears in the time series
  // A ledger row of `provider`: written, and its present value counted; returns that value.
  double post(std::int64_t at_epoch_s, std::string contract, const char* item, double usd, size_t provider);
  [[nodiscard]] double discount_factor(std::int64_t at_epoch_s) const;
  void close_contract(size_t k, double t_s, bool month_end);
  void flush_on_demand_month(double t_s);
  [[nodiscard]] std::int64_t epoch(double t_s) const;
  [[nodiscard]] size_t interval_of(double t_s) const;

  const Plant& plant_;
  ReplayResult& out_;
  double interval_s_ = 86400.0;
  size_t n_intervals_ = 0;
  std::vector<double> month_cuts_s_;      // month starts inside the horizon, then the horizon
  size_t next_month_ = 0;
  // One rules::ContractBook per contract: the same account the path model
  // keeps per path (kernels/path_model.inl), so both close the same bills.
  std::vector<rules::ContractBook> books_;
  std::vector<rules::ContractTerms> terms_;
  std::vector<Periods> periods_;
  std::vector<double> on_demand_month_usd_;  // per provider
  double month_unmet_value_usd_ = 0.0;       // the value of this month's unmet demand, due at its end
  std::vector<Bin> bins_;                    // [interval][provider]
  std::vector<int> inference_;               // workload index of each inference workload
  std::vector<int> attributed_provider_;     // per workload: where its unmet demand is reported
};

}  // namespace cloudpact
