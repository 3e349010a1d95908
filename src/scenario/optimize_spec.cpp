#include "scenario/optimize_spec.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "scenario/base_file.hpp"
#include "scenario/field_reader.hpp"
#include "scenario/fields.hpp"
#include "scenario/input_error.hpp"
#include "scenario/input_file.hpp"
#include "scenario/json_document.hpp"
#include "scenario/json_reader.hpp"
#include "scenario/limits.hpp"
#include "scenario/message_text.hpp"
#include "scenario/sha256.hpp"

namespace cloudpact {
namespace {

namespace format = scenario_format;
using scenario_json::child_pointer;
using scenario_json::in_quotes;
using scenario_json::Json;
using scenario_json::number_text;
using scenario_json::Object;
using scenario_json::Problems;
using scenario_json::Reader;

constexpr const char* kObjectiveExpected =
    "\"cost_usd.mean\", \"cost_usd.cvar95\", \"npv_cost_usd.mean\", \"npv_cost_usd.cvar95\" or "
    "{\"mean_plus_cvar95\": a number >= 0}";

// The value at `pointer` in the base document, nullptr when there is none.
const Json* value_at(const Json& doc, const std::vector<std::string>& tokens) {
  const Json* node = &doc;
  for (const std::string& t : tokens) {
    if (node->is_object()) {
      const auto it = node->find(t);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      if (t.empty() || t.size() > 9 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
          (t.size() > 1 && t[0] == '0'))
        return nullptr;
      const std::size_t i = std::stoul(t);
      if (i >= node->size()) return nullptr;
      node = &(*node)[i];
    } else {
      return nullptr;
    }
  }
  return node;
}

std::optional<Objective> read_objective(const Json& v, const std::string& ptr, Problems& problems) {
  static const std::vector<std::pair<std::string, ObjectiveKind>> named = {
      {"cost_usd.mean", ObjectiveKind::cost_mean},
      {"cost_usd.cvar95", ObjectiveKind::cost_cvar95},
      {"npv_cost_usd.mean", ObjectiveKind::npv_cost_mean},
      {"npv_cost_usd.cvar95", ObjectiveKind::npv_cost_cvar95}};
  if (v.is_string()) {
    for (const auto& [name, kind] : named)
      if (v.get<std::string>() == name) return Objective{kind, 0.0};
    problems.add(ptr, "unknown objective " + in_quotes(v.get<std::string>()), kObjectiveExpected);
    return std::nullopt;
  }
  if (v.is_object()) {
    if (v.size() != 1 || !v.contains("mean_plus_cvar95")) {
      problems.add(ptr, "an object other than {\"mean_plus_cvar95\": λ}", kObjectiveExpected);
      return std::nullopt;
    }
    const Reader r(problems);
    const auto lambda = r.number(v["mean_plus_cvar95"], child_pointer(ptr, "mean_plus_cvar95"), scenario_json::Range::closed(0, 1e6));
    if (!lambda) return std::nullopt;
    return Objective{ObjectiveKind::mean_plus_cvar95, *lambda};
  }
  problems.add(ptr, scenario_json::type_phrase(v), kObjectiveExpected);
  return std::nullopt;
}

}  // namespace

std::string objective_name(const Objective& o) {
  switch (o.kind) {
    case ObjectiveKind::cost_mean:
      return "cost_usd.mean";
    case ObjectiveKind::cost_cvar95:
      return "cost_usd.cvar95";
    case ObjectiveKind::npv_cost_mean:
      return "npv_cost_usd.mean";
    case ObjectiveKind::npv_cost_cvar95:
      return "npv_cost_usd.cvar95";
    case ObjectiveKind::mean_plus_cvar95:
      return "mean_plus_cvar95(" + number_text(o.lambda) + ")";
  }
  return "";
}

namespace {
// A number in (lo, hi) that is not whole: the middle, halved towards lo
// while it is whole (a dyadic fraction of the interval is reached within
// a few halvings; lo < hi).
double not_whole_between(double lo, double hi) {
  double x = lo + (hi - lo) / 2;
  for (int k = 0; k < 64 && std::nearbyint(x) == x; ++k) x = lo + (x - lo) / 2;
  return x;
}
}  // namespace

bool looks_like_optimize_file(const std::vector<std::string>& top_keys) {
  const auto has = [&](const char* key) { return std::find(top_keys.begin(), top_keys.end(), key) != top_keys.end(); };
  return has("base") && has("variables");
}

bool looks_like_optimize_file(const std::string& path) {
  return looks_like_optimize_file(top_level_keys(path, limits::max_scenario_bytes));
}

OptimizeSpec load_optimize_spec(const std::string& path) {
  // An optimize file is as small as a sweep file: the same size limit.
  return parse_optimize_spec(read_input_file(path, limits::max_sweep_bytes, "optimize file"), path);
}

OptimizeSpec parse_optimize_spec(const std::string& text, const std::string& path) {
  check_input_size(path, text, limits::max_sweep_bytes, "optimize file");
  Problems problems(path);
  const std::optional<Json> parsed = scenario_json::parse_json(text, problems);
  if (!parsed) problems.throw_if_any();
  const Json& doc = *parsed;
  if (doc.is_object() && !doc.contains("base") && doc.contains("providers")) {
    problems.add("", "a scenario, not an optimize file", "an optimize file with \"base\", \"variables\" and \"objective\"");
    problems.throw_if_any();
  }
  const Reader r(problems);
  const format::ObjectSpec& spec = format::object("optimize");
  const Object top = scenario_json::object_of(r, doc, "", "an optimize object", spec, "unknown key for an optimize file");
  OptimizeSpec s;
  s.path = path;
  s.sha256 = sha256_hex(text);
  if (!top.ok()) problems.throw_if_any();
  s.name = top.has("name") ? top.id("name").value_or("optimize") : scenario_json::file_stem_id(path, "optimize");

  std::optional<Json> base_doc;
  if (const auto base = top.string("base", "the path of a scenario file", Object::Need::required)) {
    s.base_path = scenario_json::resolve_base(path, *base);
    base_doc = scenario_json::read_base(s.base_path, top.at("base"), "the optimize file's folder", problems,
                                        s.base_sha256, &s.base_text);
  }

  // Variables: each a number of the base, within bounds that leave room.
  const std::string vars_ptr = top.at("variables");
  const Json* vars = top.require("variables", "a non-empty array of variables");
  scenario_json::AcceptedPointers accepted;
  std::vector<std::pair<std::string, std::string>> min_max_at;  // per variable: pointers of min and max
  std::vector<bool> tryable;  // per variable: its pointer, both bounds and `integer` were read
  std::vector<std::string> variable_at;  // per variable: its own pointer
  if (vars && r.is_array(*vars, vars_ptr, "a non-empty array of variables")) {
    if (vars->empty()) problems.add(vars_ptr, "empty", "a non-empty array of variables");
    if (vars->size() > limits::max_optimize_variables) {
      problems.add(vars_ptr, std::to_string(vars->size()) + " variables",
                   "at most " + std::to_string(limits::max_optimize_variables));
    }
    const format::ObjectSpec& vspec = format::object("optimize_variable");
    for (std::size_t i = 0; i < vars->size() && i < limits::max_optimize_variables; ++i) {
      const std::string ptr = child_pointer(vars_ptr, i);
      const Object v = scenario_json::object_of(r, (*vars)[i], ptr, "a variable object", vspec,
                                                "unknown key for a variable");
      if (!v.ok()) continue;
      OptimizeVariable ov;
      const auto pointer = v.string("pointer", "a JSON pointer to a number of the base scenario", Object::Need::required);
      const auto lo = scenario_json::number(v, vspec.field("min"));
      const auto hi = scenario_json::number(v, vspec.field("max"));
      bool integer_ok = true;
      if (const Json* integer = v.find("integer")) {
        if (!integer->is_boolean()) {
          problems.add(v.at("integer"), "not a boolean", "true or false");
          integer_ok = false;
        } else {
          ov.integer = integer->get<bool>();
        }
      }
      bool pointer_ok = false;
      if (pointer) {
        const auto tokens = scenario_json::pointer_tokens(*pointer);
        const auto overlap = tokens ? scenario_json::overlapping(accepted, *tokens) : accepted.end();
        if (!tokens || pointer->empty()) {
          problems.add(v.at("pointer"), "ill-formed JSON pointer " + in_quotes(*pointer),
                       "a pointer starting with '/', ~0 for '~' and ~1 for '/'");
        } else if (overlap != accepted.end()) {
          problems.add(v.at("pointer"),
                       "pointer " + in_quotes(*pointer) + " is also the variable of " + overlap->second,
                       "each number of the base in one variable");
        } else if (base_doc) {
          const Json* at = value_at(*base_doc, *tokens);
          if (!at) {
            problems.add(v.at("pointer"), in_quotes(*pointer) + " is not in " + escape_text(s.base_path),
                         "a pointer to a number of the base scenario");
          } else if (at->is_object() && at->contains("points")) {
            // A curve: the analyst means one of its points' values.
            problems.add(v.at("pointer"), in_quotes(*pointer) + " is a curve in " + escape_text(s.base_path),
                         "a pointer to a number of the base scenario: a value of the curve, " +
                             in_quotes(*pointer + "/points/0/1") + " for its first point");
          } else if (!at->is_number()) {
            problems.add(v.at("pointer"),
                         in_quotes(*pointer) + " is " + scenario_json::type_phrase(*at) + " in " +
                             escape_text(s.base_path),
                         "a pointer to a number of the base scenario");
          } else {
            pointer_ok = true;
            ov.base_value = at->get<double>();
          }
        } else {
          pointer_ok = true;
        }
        if (pointer_ok) {
          ov.pointer = *pointer;
          accepted.emplace_back(*tokens, ptr);
        }
      }
      if (lo && hi) {
        ov.min = *lo;
        ov.max = *hi;
        if (!(*hi > *lo)) {
          problems.add(v.at("max"), "not above min " + number_text(*lo), "max > min: bounds that leave room");
        } else if (ov.integer && std::ceil(*lo) >= std::floor(*hi)) {
          // One whole number is a constant, not a variable: its zero-width
          // range would leave the search's local and frontier stages no
          // room to step, and they would end at once, unannounced.
          problems.add(v.at("max"),
                       std::ceil(*lo) > std::floor(*hi)
                           ? "no whole number between min " + number_text(*lo) + " and max " + number_text(*hi)
                           : "only one whole number, " + number_text(std::ceil(*lo)) + ", between min " +
                                 number_text(*lo) + " and max " + number_text(*hi),
                       "bounds around at least two whole numbers: a variable of one value is a constant of the base");
        }
        if (ov.integer) {
          ov.min = std::ceil(ov.min);
          ov.max = std::floor(ov.max);
        }
      }
      min_max_at.emplace_back(v.at("min"), v.at("max"));
      variable_at.push_back(ptr);
      tryable.push_back(pointer_ok && lo && hi && integer_ok);
      s.variables.push_back(std::move(ov));
    }
  }
  // The base with each variable alone at each bound must be a valid
  // scenario: a bound outside the field's range (a negative capacity) is
  // refused here, not half-way through a search. Reported with the file's
  // other problems: a variable whose pointer was refused is not listed.
  if (base_doc) {
    for (std::size_t i = 0; i < s.variables.size(); ++i) {
      if (!tryable[i]) continue;
      const OptimizeVariable& v = s.variables[i];
      for (const auto& [x, at] : {std::pair{v.min, min_max_at[i].first}, std::pair{v.max, min_max_at[i].second}}) {
        const Json value = v.integer ? Json(std::llround(x)) : Json(x);
        for (const std::string& why : scenario_json::value_problems(*base_doc, s.base_path, v.pointer, value))
          problems.add(at, scenario_json::shown_value(value) + " makes an invalid scenario: " + why, "");
      }
      // A field of whole numbers (a priority, a count) moved continuously
      // would refuse most of the points the search tries: one value between
      // the bounds that is not whole tells, before the search.
      if (!v.integer && v.max > v.min) {
        const std::string refused = v.pointer + ": not an integer";
        for (const std::string& why :
             scenario_json::value_problems(*base_doc, s.base_path, v.pointer, Json(not_whole_between(v.min, v.max))))
          if (why.rfind(refused, 0) == 0)
            problems.add(variable_at[i], in_quotes(v.pointer) + " takes whole numbers only", "\"integer\": true for this variable");
      }
    }
  }

  if (const Json* objective = top.require("objective", kObjectiveExpected)) {
    if (const auto o = read_objective(*objective, top.at("objective"), problems)) s.objective = *o;
  }

  if (const Json* cons = top.find("constraints")) {
    const std::string cons_ptr = top.at("constraints");
    if (r.is_array(*cons, cons_ptr, "an array of constraints")) {
      const format::ObjectSpec& cspec = format::object("optimize_constraint");
      std::set<std::string> seen;
      for (std::size_t i = 0; i < cons->size(); ++i) {
        const std::string ptr = child_pointer(cons_ptr, i);
        const Object c = scenario_json::object_of(r, (*cons)[i], ptr, "a constraint object", cspec,
                                                  "unknown key for a constraint");
        if (!c.ok()) continue;
        const auto metric = scenario_json::choice(c, cspec.field("metric"), "metric");
        const auto max = scenario_json::number(c, cspec.field("max"));
        if (metric && !seen.insert(*metric).second) {
          problems.add(c.at("metric"), "metric " + in_quotes(*metric) + " bounded twice", "each metric once");
        } else if (metric && max) {
          s.constraints.push_back({*metric, *max});
        }
      }
    }
  }

  s.paths = scenario_json::integer_or_default(top, spec.field("paths"));
  if (const auto seed = scenario_json::integer(top, spec.field("seed"))) s.seed = static_cast<std::uint64_t>(*seed);
  s.max_evaluations = scenario_json::integer_or_default(top, spec.field("max_evaluations"));
  if (const Json* frontier = top.find("frontier")) {
    const std::string f_ptr = top.at("frontier");
    if (r.is_array(*frontier, f_ptr, "an array of numbers >= 0 (values of λ)")) {
      if (frontier->size() > limits::max_frontier_points) {
        problems.add(f_ptr, std::to_string(frontier->size()) + " values",
                     "at most " + std::to_string(limits::max_frontier_points) + " values of λ");
      } else {
        std::set<double> seen;
        for (std::size_t k = 0; k < frontier->size(); ++k) {
          const auto lambda = r.number((*frontier)[k], child_pointer(f_ptr, k), spec.field("frontier").range);
          if (!lambda) continue;
          if (!seen.insert(*lambda).second) {
            problems.add(child_pointer(f_ptr, k), "λ " + number_text(*lambda) + " listed twice", "distinct values");
            continue;
          }
          s.frontier.push_back(*lambda);
        }
      }
    }
  }
  s.frontier_evaluations = scenario_json::integer(top, spec.field("frontier_evaluations"))
                               .value_or(std::max<std::int64_t>(10, s.max_evaluations / 4));
  if (top.has("frontier_evaluations") && !top.has("frontier")) {
    problems.add(top.at("frontier_evaluations"), "given without a frontier", "\"frontier\" with values of λ");
  }
  // The work asked for, before any of it starts: every evaluation is a run of `paths` paths.
  const double runs = static_cast<double>(s.max_evaluations) +
                      static_cast<double>(s.frontier.size()) * static_cast<double>(s.frontier_evaluations) + 1.0;
  if (problems.empty() && runs * static_cast<double>(s.paths) > limits::max_optimize_path_evaluations) {
    problems.add(top.at("paths"),
                 number_text(static_cast<double>(s.paths)) + " paths x " + number_text(runs) +
                     " evaluations is more than " + number_text(limits::max_optimize_path_evaluations) + " path evaluations",
                 "fewer paths or evaluations");
  }
  problems.throw_if_any();
  return s;
}

}  // namespace cloudpact
