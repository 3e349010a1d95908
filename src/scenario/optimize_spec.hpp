// An optimize file (docs/reference.md §15): a base scenario, the numbers of
// it to choose, what to minimise and the limits to respect, typed and
// validated in one place (the format table, fields.cpp, documents it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cloudpact {

struct OptimizeVariable {
  std::string pointer;  // a number of the base scenario
  double min = 0.0, max = 0.0;
  bool integer = false;  // rounded to the nearest whole number
  double base_value = 0.0;  // the number the base scenario holds there
};

// What is minimised, always of the `contracted` portfolio.
enum class ObjectiveKind { cost_mean, cost_cvar95, npv_cost_mean, npv_cost_cvar95, mean_plus_cvar95 };

struct Objective {
  ObjectiveKind kind = ObjectiveKind::cost_mean;
  double lambda = 0.0;  // mean_plus_cvar95: mean + λ·CVaR95 of cost
};

// The name of an objective as optimize.json writes it: "cost_usd.mean", or
// "mean_plus_cvar95(0.5)".
std::string objective_name(const Objective& objective);

// The metrics a constraint may bound, as risk.json names them.
inline const std::vector<std::string>& constraint_metric_names() {
  static const std::vector<std::string> names = {"p_unmet",           "unmet_gpu_hours.mean", "cost_usd.mean",
                                                 "cost_usd.cvar95",   "npv_cost_usd.mean",    "npv_cost_usd.cvar95",
                                                 "hhi_spend.mean"};
  return names;
}

struct OptimizeConstraint {
  std::string metric;  // one of constraint_metric_names()
  double max = 0.0;
};

struct OptimizeSpec {
  std::string path;         // the optimize file as given
  std::string sha256;       // of its bytes
  std::string name;         // an id: "name", else the file stem when it is an id, else "optimize"
  std::string base_path;    // the base scenario, resolved as for sweeps
  std::string base_sha256;  // of its bytes
  std::string base_text;    // its bytes: every evaluation starts from them, whatever happens to the file
  std::vector<OptimizeVariable> variables;
  Objective objective;
  std::vector<OptimizeConstraint> constraints;
  std::int64_t paths = 4000;
  std::optional<std::uint64_t> seed;  // default: the base scenario's uncertainty.seed
  std::int64_t max_evaluations = 200;
  std::vector<double> frontier;       // λ values, in file order
  std::int64_t frontier_evaluations = 0;  // per frontier point (default resolved at load)
};

// Reads and validates an optimize file: every problem, one line each
// (`FILE: /json/pointer: problem (expected ...)`), thrown as InputError.
OptimizeSpec load_optimize_spec(const std::string& path);
// The same, from the file's text already read (`path` names it in messages
// and resolves its base); the optimize file's size limit still applies.
OptimizeSpec parse_optimize_spec(const std::string& text, const std::string& path);

// Whether a file holds an optimize file (a JSON object with "base" and
// "variables") rather than a sweep or a scenario; false for anything
// unreadable or not JSON. The same judged from the file's top-level keys
// (top_level_keys), for a caller that also asks looks_like_sweep_file.
bool looks_like_optimize_file(const std::string& path);
bool looks_like_optimize_file(const std::vector<std::string>& top_keys);

}  // namespace cloudpact
