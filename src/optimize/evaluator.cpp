#include "optimize/evaluator.hpp"

#include <algorithm>
#include <cmath>

#include "report/json_text.hpp"
#include "risk/problem.hpp"
#include "scenario/input_error.hpp"
#include "scenario/load.hpp"

namespace cloudpact::optimize {

std::string value_text(const OptimizeVariable& variable, double value) {
  return variable.integer ? std::to_string(std::llround(value)) : json_number(value);
}

Evaluator::Evaluator(const OptimizeSpec& spec, RiskRunOptions options) : spec_(spec), options_(options) {
  options_.paths = spec.paths;
}

std::vector<double> Evaluator::snap(const std::vector<double>& values) const {
  std::vector<double> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const OptimizeVariable& v = spec_.variables[i];
    double x = std::clamp(values[i], v.min, v.max);
    if (v.integer) x = std::round(x);
    // +0 and −0 are one point (and one cache key).
    out[i] = x == 0.0 ? 0.0 : x;
  }
  return out;
}

Figures Evaluator::run(const std::vector<double>& values, std::uint64_t seed) const {
  std::vector<Override> overrides;
  for (std::size_t i = 0; i < values.size(); ++i)
    overrides.push_back({spec_.variables[i].pointer, value_text(spec_.variables[i], values[i])});
  const Scenario sc = parse_scenario(spec_.base_text, spec_.base_path, overrides);
  const RiskSetup setup = build_contracted_problem(sc);
  RiskRunOptions o = options_;
  o.seed = seed;
  const risk::PathResults results = run_risk_paths(setup, o, {}, stop_requested);
  const risk::NegotiationTerms terms{sc.negotiation.buyer_power, sc.negotiation.seller_floor_usd_per_gpu_hour};
  return contracted_figures(risk::compute_metrics(results, terms, o.threads));
}

const Evaluation& Evaluator::evaluate(const std::vector<double>& values, const std::string& stage) {
  if (const auto it = cache_.find(values); it != cache_.end()) return all_[it->second];
  Evaluation e;
  e.number = count() + 1;
  e.stage = stage;
  e.values = values;
  try {
    e.figures = run(values, options_.seed);
    e.ok = true;
  } catch (const InputError& err) {
    // Bounds were checked alone; a combination of values can still be
    // refused (a cross-field rule). The point is infeasible, not fatal.
    e.error = err.lines().empty() ? err.what() : err.lines().front();
  }
  cache_.emplace(values, all_.size());
  all_.push_back(std::move(e));
  if (on_new) on_new(all_.back());
  return all_.back();
}

const Evaluation* Evaluator::find(const std::vector<double>& values) const {
  const auto it = cache_.find(values);
  return it == cache_.end() ? nullptr : &all_[it->second];
}

Figures Evaluator::evaluate_on_seed(const std::vector<double>& values, std::uint64_t seed) const {
  return run(values, seed);
}

}  // namespace cloudpact::optimize
