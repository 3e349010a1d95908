#include "optimize/optimize_outputs.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "cloudpact_version.h"
#include "report/json_text.hpp"
#include "report/json_value.hpp"
#include "sweep/sweep_table.hpp"

namespace cloudpact::optimize {

namespace {

using ojson = nlohmann::ordered_json;

ojson num(double v) { return json_value(v); }

// A CSV number: the shortest text that reads back to the same double, "" for none.
std::string cell(double v) { return std::isfinite(v) ? json_number(v == 0.0 ? 0.0 : v) : std::string(); }

bool is_feasible(const Evaluation& e, const std::vector<OptimizeConstraint>& constraints) {
  return e.ok && feasible(constraints, e.figures);
}

ojson values_of(const Evaluator& ev, const Evaluation& e) {
  ojson v = ojson::object();
  for (std::size_t i = 0; i < e.values.size(); ++i) v[ev.spec().variables[i].pointer] = num(e.values[i]);
  return v;
}

ojson metrics_of(const Figures& f) {
  ojson m = ojson::object();
  for (std::size_t i = 0; i < kMetricCount; ++i) m[constraint_metric_names()[i]] = num(f.value[i]);
  return m;
}

ojson ses_of(const Figures& f) {
  ojson m = ojson::object();
  for (std::size_t i = 0; i < kMetricCount; ++i) m[constraint_metric_names()[i]] = num(f.se[i]);
  return m;
}

// A point of the search: its values, objective and metrics.
ojson point(const Evaluator& ev, const Evaluation& e, const Objective& objective) {
  ojson p;
  p["evaluation"] = e.number;
  p["values"] = values_of(ev, e);
  if (!e.ok) {
    p["objective"] = nullptr;
    p["error"] = e.error;
    p["feasible"] = false;
    return p;
  }
  p["objective"] = num(objective_value(objective, e.figures));
  p["metrics"] = metrics_of(e.figures);
  p["se"] = ses_of(e.figures);
  p["feasible"] = is_feasible(e, ev.spec().constraints);
  return p;
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) line += (i ? "," : "") + csv_cell(cells[i]);
  return line + "\n";
}

}  // namespace

std::string optimize_json(const Evaluator& ev, const SearchOutcome& outcome,
                          const std::optional<OutOfSample>& oos) {
  const OptimizeSpec& spec = ev.spec();
  ojson j;
  ojson about;
  about["name"] = spec.name;  // what names the output folder, out/<name>/
  about["file"] = spec.path;
  about["sha256"] = spec.sha256;
  about["base"] = spec.base_path;
  about["base_sha256"] = spec.base_sha256;
  about["objective"] = objective_name(spec.objective);
  ojson vars = ojson::array();
  for (const OptimizeVariable& v : spec.variables)
    vars.push_back({{"pointer", v.pointer}, {"min", num(v.min)}, {"max", num(v.max)}, {"integer", v.integer}});
  about["variables"] = vars;
  ojson cons = ojson::array();
  for (const OptimizeConstraint& c : spec.constraints) cons.push_back({{"metric", c.metric}, {"max", num(c.max)}});
  about["constraints"] = cons;
  about["paths"] = spec.paths;
  about["seed"] = ev.seed();
  about["max_evaluations"] = spec.max_evaluations;
  about["cloudpact_version"] = CLOUDPACT_VERSION;
  j["optimize"] = about;
  j["best"] = outcome.best ? point(ev, *outcome.best, spec.objective) : ojson(nullptr);
  j["evaluations"] = ev.count();
  j["search_evaluations"] = outcome.search_evaluations;
  j["feasible"] = outcome.feasible;
  j["stopped"] = outcome.stopped;
  if (oos && outcome.best && outcome.best->ok) {
    const double in_sample = objective_value(spec.objective, outcome.best->figures);
    const double out_of_sample = objective_value(spec.objective, oos->figures);
    j["out_of_sample"] = {{"seed", oos->seed},
                          {"objective", num(out_of_sample)},
                          {"optimism_usd", num(out_of_sample - in_sample)},
                          {"metrics", metrics_of(oos->figures)},
                          {"feasible", feasible(spec.constraints, oos->figures)}};
  } else {
    j["out_of_sample"] = nullptr;
  }
  // The scenario as written, for comparison.
  j["base"] = outcome.base ? point(ev, *outcome.base, spec.objective) : ojson(nullptr);
  if (outcome.base && outcome.best && outcome.base->ok && outcome.best->ok) {
    j["improvement_usd"] = num(objective_value(spec.objective, outcome.base->figures) -
                               objective_value(spec.objective, outcome.best->figures));
  } else {
    j["improvement_usd"] = nullptr;
  }
  if (!spec.frontier.empty()) {
    ojson f = ojson::array();
    for (const FrontierPoint& p : outcome.frontier) {
      ojson row = point(ev, *p.best, {ObjectiveKind::mean_plus_cvar95, p.lambda});
      row["lambda"] = num(p.lambda);
      f.push_back(row);
    }
    j["frontier"] = f;
  }
  return j.dump(2) + "\n";
}

std::string evaluations_csv(const Evaluator& ev) {
  const OptimizeSpec& spec = ev.spec();
  std::vector<std::string> header = {"evaluation", "stage"};
  for (const OptimizeVariable& v : spec.variables) header.push_back(v.pointer);
  header.emplace_back("objective");
  std::vector<std::string> extra_metrics = {"cost_usd.mean", "cost_usd.cvar95"};
  for (const OptimizeConstraint& c : spec.constraints) {
    header.push_back(c.metric);
    std::erase(extra_metrics, c.metric);
  }
  header.emplace_back("feasible");
  for (const std::string& m : extra_metrics) header.push_back(m);
  header.emplace_back("error");
  std::string out = csv_line(header);
  for (const Evaluation& e : ev.all()) {
    std::vector<std::string> row = {std::to_string(e.number), e.stage};
    for (const double x : e.values) row.push_back(cell(x));
    row.push_back(e.ok ? cell(objective_value(spec.objective, e.figures)) : "");
    for (const OptimizeConstraint& c : spec.constraints) row.push_back(e.ok ? cell(e.figures.metric(c.metric)) : "");
    row.emplace_back(is_feasible(e, spec.constraints) ? "true" : "false");
    for (const std::string& m : extra_metrics) row.push_back(e.ok ? cell(e.figures.metric(m)) : "");
    row.push_back(e.error);
    out += csv_line(row);
  }
  return out;
}

std::string frontier_csv(const Evaluator& ev, const SearchOutcome& outcome) {
  const OptimizeSpec& spec = ev.spec();
  std::vector<std::string> header = {"lambda"};
  for (const OptimizeVariable& v : spec.variables) header.push_back(v.pointer);
  for (const char* k : {"mean", "cvar95", "objective", "feasible"}) header.emplace_back(k);
  std::string out = csv_line(header);
  for (const FrontierPoint& p : outcome.frontier) {
    const Evaluation& e = *p.best;
    std::vector<std::string> row = {cell(p.lambda)};
    for (const double x : e.values) row.push_back(cell(x));
    const Objective o{ObjectiveKind::mean_plus_cvar95, p.lambda};
    row.push_back(e.ok ? cell(e.figures.metric("cost_usd.mean")) : "");
    row.push_back(e.ok ? cell(e.figures.metric("cost_usd.cvar95")) : "");
    row.push_back(e.ok ? cell(objective_value(o, e.figures)) : "");
    row.emplace_back(is_feasible(e, spec.constraints) ? "true" : "false");
    out += csv_line(row);
  }
  return out;
}

}  // namespace cloudpact::optimize
