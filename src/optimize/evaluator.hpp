// Evaluations of an optimize file's variables by Monte Carlo, in process:
// the base scenario's bytes with the variables set (as `--set` would), the
// risk problem of its contracted portfolio, and `paths` sampled futures of
// one seed — the same futures at every point (common random numbers), so the
// objective is a deterministic function of the variables (sample average
// approximation). Every point is evaluated once: a cache keyed by the
// variables' exact values answers repeats, which are not counted.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "optimize/figures.hpp"
#include "risk/risk_run.hpp"
#include "scenario/optimize_spec.hpp"

namespace cloudpact::optimize {

struct Evaluation {
  std::int64_t number = 0;      // 1, 2, ... in the order evaluated
  std::string stage;            // "base", "global", "local", "frontier"
  std::vector<double> values;   // one per variable, as set in the scenario
  bool ok = false;              // false: the scenario at this point was refused (error says why)
  std::string error;
  Figures figures;
};

class Evaluator {
 public:
  // `options` gives the backend and threads; its paths and seed are the
  // spec's (seed: resolved by the caller).
  Evaluator(const OptimizeSpec& spec, RiskRunOptions options);

  // The point the variables take for a search point: clamped to the bounds,
  // whole numbers rounded.
  [[nodiscard]] std::vector<double> snap(const std::vector<double>& values) const;

  // The evaluation at `values` (already snapped), from the cache or run now
  // (then `stage` is recorded with it and on_new is called). Throws
  // RunStopped, recording nothing, when stop_requested stopped the run.
  const Evaluation& evaluate(const std::vector<double>& values, const std::string& stage);

  // The evaluation at `values` when there is one, else nullptr.
  [[nodiscard]] const Evaluation* find(const std::vector<double>& values) const;

  // The figures at `values` on another seed, not cached or counted (the
  // out-of-sample check). Throws InputError when the point is refused,
  // RunStopped when stop_requested stopped the run.
  Figures evaluate_on_seed(const std::vector<double>& values, std::uint64_t seed) const;

  [[nodiscard]] std::int64_t count() const { return static_cast<std::int64_t>(all_.size()); }
  [[nodiscard]] const std::deque<Evaluation>& all() const { return all_; }
  [[nodiscard]] const OptimizeSpec& spec() const { return spec_; }
  [[nodiscard]] std::uint64_t seed() const { return options_.seed; }

  std::function<void(const Evaluation&)> on_new;
  // Asked between two batches of an evaluation's paths (run_risk_paths): a
  // stop signal then abandons an evaluation under way instead of waiting
  // for all its paths, which at 10^8 paths is minutes.
  std::function<bool()> stop_requested;

 private:
  Figures run(const std::vector<double>& values, std::uint64_t seed) const;

  const OptimizeSpec& spec_;
  RiskRunOptions options_;
  std::map<std::vector<double>, std::size_t> cache_;
  std::deque<Evaluation> all_;  // deque: references handed out stay valid
};

// The text a variable's value is set with: an integer for whole-number
// variables, else the shortest text that reads back to the same double.
std::string value_text(const OptimizeVariable& variable, double value);

}  // namespace cloudpact::optimize
