#include "scenario/sweep_spec.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "scenario/base_file.hpp"
#include "scenario/field_reader.hpp"
#include "scenario/fields.hpp"
#include "scenario/input_error.hpp"
#include "scenario/input_file.hpp"
#include "scenario/json_document.hpp"
#include "scenario/json_reader.hpp"
#include "scenario/limits.hpp"
#include "scenario/load.hpp"
#include "scenario/message_text.hpp"
#include "scenario/sha256.hpp"
#include "scenario/validate.hpp"

namespace cloudpact {
namespace {

namespace fs = std::filesystem;
using scenario_json::file_stem_id;
using scenario_json::pointer_problem;
using scenario_json::resolve_base;
using scenario_json::shown_value;
using scenario_json::value_problems;
namespace format = scenario_format;
using scenario_json::child_pointer;
using scenario_json::in_quotes;
using scenario_json::Json;
using scenario_json::Object;
using scenario_json::Problems;
using scenario_json::Reader;



}  // namespace

std::vector<std::string> default_sweep_metrics(bool replay, bool risk) {
  std::vector<std::string> m;
  if (replay) {
    m = {"totals.spend_usd",      "totals.billed_usd",       "totals.shortfall_usd",
         "totals.sla_credits_usd", "totals.egress_usd",       "totals.used_gpu_hours",
         "totals.unmet_gpu_hours", "totals.unmet_value_usd"};
  }
  if (risk) {
    for (const char* k : {"portfolios.contracted.cost_usd.mean", "portfolios.contracted.cost_usd.p95",
                          "portfolios.contracted.cost_usd.cvar95", "portfolios.contracted.unmet_gpu_hours.mean",
                          "portfolios.contracted.p_unmet", "hhi_spend.mean"}) {
      m.emplace_back(k);
    }
  }
  return m;
}

bool looks_like_sweep_file(const std::vector<std::string>& top_keys) {
  return std::find(top_keys.begin(), top_keys.end(), "base") != top_keys.end();  // scenarios have no "base"
}

namespace {
// Integral floats within int64 as the integer they equal, at any depth.
Json by_value(const Json& v) {
  if (v.is_number_float()) {
    if (const double x = v.get<double>(); std::nearbyint(x) == x && std::fabs(x) < 9.2e18)
      return Json(static_cast<std::int64_t>(x));
    return v;
  }
  if (v.is_array() || v.is_object()) {
    Json out = v;
    for (auto& item : out) item = by_value(item);
    return out;
  }
  return v;
}

// What makes two grid values the same value: 2, 2.0 and 2e0 are one number
// (each would set the same scenario, and sweep.csv would show two equal
// rows); other values by their JSON text.
std::string distinct_key(const Json& v) { return by_value(v).dump(); }
}  // namespace

std::string value_key(const std::string& json_text) { return distinct_key(Json::parse(json_text)); }

SweepSpec load_sweep_spec(const std::string& path) {
  return parse_sweep_spec(read_input_file(path, limits::max_sweep_bytes, "sweep file"), path);
}

SweepSpec parse_sweep_spec(const std::string& text, const std::string& path) {
  check_input_size(path, text, limits::max_sweep_bytes, "sweep file");
  const std::string* bytes = &text;
  Problems problems(path);
  const std::optional<Json> parsed = scenario_json::parse_json(*bytes, problems);
  if (!parsed) problems.throw_if_any();
  const Json& doc = *parsed;
  if (doc.is_object() && !doc.contains("base") && doc.contains("providers")) {
    problems.add("", "a scenario, not a sweep", "a sweep file with \"base\", \"mode\" and \"parameters\"");
    problems.throw_if_any();
  }
  const Reader r(problems);
  const format::ObjectSpec& spec = format::object("sweep");
  const Object top = scenario_json::object_of(r, doc, "", "a sweep object", spec, "unknown key for a sweep");
  SweepSpec s;
  s.path = path;
  s.sha256 = sha256_hex(*bytes);
  if (!top.ok()) problems.throw_if_any();

  s.name = top.has("name") ? top.id("name").value_or("sweep") : file_stem_id(path, "sweep");
  const auto mode = scenario_json::choice(top, spec.field("mode"), "mode");
  if (mode) s.mode = *mode == "grid" ? SweepMode::grid : *mode == "lhs" ? SweepMode::lhs : SweepMode::random;
  const bool sampled = mode && *mode != "grid";

  // The base scenario: readable and valid, or nothing else can be checked.
  std::optional<Json> base_doc;
  if (const auto base = top.string("base", "the path of a scenario file", Object::Need::required)) {
    s.base_path = resolve_base(path, *base);
    base_doc = read_base(s.base_path, top.at("base"), "the sweep file's folder", problems, s.base_sha256);
  }

  if (sampled) {
    const format::Field& samples = spec.field("samples");
    s.samples = top.integer(samples.key, samples.range, Object::Need::required).value_or(0);
    // The range starts at 0: the cast keeps the value.
    s.seed = static_cast<std::uint64_t>(scenario_json::integer_or_default(top, spec.field("seed")));
  } else {
    for (const format::Field& f : spec.fields) {
      if (f.only_with && top.has(f.key))
        problems.add(top.at(f.key), "only for mode \"lhs\" or \"random\"", "no such key in a grid sweep");
    }
  }

  // Parameters.
  const std::string params_ptr = top.at("parameters");
  const Json* params = top.require("parameters", "a non-empty array of parameters");
  // Each accepted pointer's tokens and where it was given: two pointers
  // overlap when one is the other or lies inside it (a variant would set
  // the same value twice, the later silently winning).
  scenario_json::AcceptedPointers accepted;
  // The values to try each parameter with, before anything runs: every grid
  // value, or a sampled range's ends (rounded when integer).
  std::vector<std::vector<std::pair<Json, std::string>>> trials;
  if (params && r.is_array(*params, params_ptr, "a non-empty array of parameters")) {
    if (params->empty()) problems.add(params_ptr, "empty", "a non-empty array of parameters");
    for (std::size_t i = 0; i < params->size(); ++i) {
      const std::string ptr = child_pointer(params_ptr, i);
      const format::ObjectSpec& param = format::object(sampled ? "sampled_parameter" : "grid_parameter");
      const Object p = scenario_json::object_of(
          r, (*params)[i], ptr, "a parameter object", param,
          sampled ? "unknown key for a sampled parameter" : "unknown key for a grid parameter");
      if (!p.ok()) continue;
      SweepParameter sp;
      std::vector<std::pair<Json, std::string>> tries;
      const auto pointer = p.string("pointer", "a JSON pointer into the base scenario", Object::Need::required);
      if (pointer) {
        const auto tokens = scenario_json::pointer_tokens(*pointer);
        const auto overlap = tokens ? scenario_json::overlapping(accepted, *tokens) : accepted.end();
        if (!tokens || pointer->empty()) {
          problems.add(p.at("pointer"), "ill-formed JSON pointer " + in_quotes(*pointer),
                       "a pointer starting with '/', ~0 for '~' and ~1 for '/'");
        } else if (overlap != accepted.end() && overlap->first == *tokens) {
          problems.add(p.at("pointer"), "pointer " + in_quotes(*pointer) + " is swept twice",
                       "each pointer in one parameter");
        } else if (overlap != accepted.end()) {
          const bool inside = overlap->first.size() < tokens->size();
          problems.add(p.at("pointer"),
                       "pointer " + in_quotes(*pointer) + (inside ? " lies inside " : " holds ") + "the pointer of " +
                           overlap->second,
                       "pointers that do not overlap: a variant would set one value twice");
        } else {
          sp.pointer = *pointer;
          accepted.emplace_back(*tokens, p.at("pointer"));
        }
      }
      Json probe;  // a value to try the pointer with
      if (sampled) {
        const auto lo = scenario_json::number(p, param.field("min"));
        const auto hi = scenario_json::number(p, param.field("max"));
        bool integer_ok = true;
        if (const Json* integer = p.find("integer")) {
          if (!integer->is_boolean()) {
            problems.add(p.at("integer"), "not a boolean", "true or false");
            integer_ok = false;
          } else {
            sp.integer = integer->get<bool>();
          }
        }
        if (lo && hi) {
          if (*hi < *lo) {
            problems.add(p.at("max"), "below min " + scenario_json::number_text(*lo), "max >= min");
          }
          sp.min = *lo;
          sp.max = *hi;
          const auto as_value = [&](double x) { return sp.integer ? Json(std::llround(x)) : Json(x); };
          probe = as_value(*lo);
          // Without a readable `integer` the values tried could be the wrong kind.
          if (integer_ok) tries = {{as_value(*lo), p.at("min")}, {as_value(*hi), p.at("max")}};
        }
      } else {
        const std::string values_ptr = p.at("values");
        const Json* values = p.require("values", "a non-empty array of values");
        if (values && r.is_array(*values, values_ptr, "a non-empty array of values")) {
          if (values->empty()) problems.add(values_ptr, "empty", "a non-empty array of values");
          std::set<std::string> seen;
          for (std::size_t k = 0; k < values->size(); ++k) {
            const std::string text = (*values)[k].dump();
            sp.values_json.push_back(text);
            if (!seen.insert(distinct_key((*values)[k])).second) {
              problems.add(child_pointer(values_ptr, k), "value " + shown_value((*values)[k]) + " listed twice",
                           "distinct values");
              continue;  // tried once, at its first place
            }
            tries.emplace_back((*values)[k], child_pointer(values_ptr, k));
          }
          if (!values->empty()) probe = values->front();
        }
      }
      if (base_doc && !sp.pointer.empty() && !probe.is_null()) {
        if (const auto why = pointer_problem(*base_doc, sp.pointer, probe)) {
          problems.add(p.at("pointer"),
                       in_quotes(sp.pointer) + " cannot be set in " + escape_text(s.base_path) + ": " + *why, "");
          tries.clear();
        }
      }
      if (sp.pointer.empty()) tries.clear();
      trials.push_back(std::move(tries));
      s.parameters.push_back(std::move(sp));
    }
  }
  // Each value on the base alone must make a valid scenario: a typo in a
  // pointer, or a value out of its range, is refused here rather than in
  // every variant. (Combinations can still be invalid; such a variant fails
  // alone, recorded in sweep.csv.) A parameter whose pointer was refused has
  // no values to try, so these lines come with the file's other problems,
  // never instead of them.
  if (base_doc) {
    for (std::size_t i = 0; i < s.parameters.size(); ++i) {
      for (const auto& [value, at] : trials[i]) {
        for (const std::string& why : value_problems(*base_doc, s.base_path, s.parameters[i].pointer, value))
          problems.add(at, shown_value(value) + " makes an invalid scenario: " + why, "");
      }
    }
  }

  // What each variant runs.
  if (const Json* run = top.find("run")) {
    const std::string run_ptr = top.at("run");
    if (r.is_array(*run, run_ptr, "a non-empty array of \"run\" and \"risk\"")) {
      if (run->empty()) problems.add(run_ptr, "empty", "a non-empty array of \"run\" and \"risk\"");
      s.run_replay = s.run_risk = false;
      for (std::size_t k = 0; k < run->size(); ++k) {
        const auto what = r.choice((*run)[k], child_pointer(run_ptr, k), "step", spec.field("run").values);
        if (!what) continue;
        bool& flag = *what == "run" ? s.run_replay : s.run_risk;
        if (flag) problems.add(child_pointer(run_ptr, k), "step " + in_quotes(*what) + " listed twice", "each step once");
        flag = true;
      }
    }
  }
  s.risk_paths = scenario_json::integer_or_default(top, spec.field("risk_paths"));
  if (const auto seed = scenario_json::integer(top, spec.field("risk_seed")))
    s.risk_seed = static_cast<std::uint64_t>(*seed);
  if (const Json* metrics = top.find("metrics")) {
    const std::string m_ptr = top.at("metrics");
    if (r.is_array(*metrics, m_ptr, "an array of dotted paths into summary.json or risk.json")) {
      std::map<std::string, std::string> metric_at;  // metric -> where first listed
      for (std::size_t k = 0; k < metrics->size(); ++k) {
        const auto m = r.string((*metrics)[k], child_pointer(m_ptr, k),
                                "a dotted path such as \"totals.spend_usd\"");
        if (!m) continue;
        if (m->empty() || m->find_first_of(",\"\r\n") != std::string::npos) {
          problems.add(child_pointer(m_ptr, k), "not a usable column name " + in_quotes(*m),
                       "a dotted path such as \"totals.spend_usd\"");
          continue;
        }
        // Two equal columns of sweep.csv would say nothing more, and a table
        // reader keyed by header would keep one.
        if (const auto [it, fresh] = metric_at.emplace(*m, child_pointer(m_ptr, k)); !fresh) {
          problems.add(child_pointer(m_ptr, k), "metric " + in_quotes(*m) + " listed twice",
                       "each metric once, first at " + it->second);
          continue;
        }
        s.metrics.push_back(*m);
      }
    }
  } else {
    s.metrics = default_sweep_metrics(s.run_replay, s.run_risk);
  }

  // Size of the plan, before anything is expanded: variants, the bytes of
  // their ids and values (plan-variants.jsonl, which the coordinator holds
  // and writes), and the cells of sweep.csv.
  const std::string size_ptr = sampled ? top.at("samples") : params_ptr;
  constexpr double line_bytes = 40;  // {"id":"v0123456789ab","values":[...]} and a newline
  double plan_bytes = 0.0;
  if (!sampled) {
    double count = 1.0;
    for (const SweepParameter& p : s.parameters) count *= static_cast<double>(p.values_json.size());
    if (count > static_cast<double>(limits::max_sweep_variants)) {
      problems.add(params_ptr,
                   "the grid has " + scenario_json::number_text(count) + " variants, more than " +
                       std::to_string(limits::max_sweep_variants),
                   "fewer values, or mode \"lhs\" with samples");
    }
    s.variant_count = static_cast<std::int64_t>(std::min(count, 9e18));
    // Each value of a parameter appears in count / (its number of values) variants.
    plan_bytes = count * line_bytes;
    for (const SweepParameter& p : s.parameters) {
      double text = 0.0;
      for (const std::string& v : p.values_json) text += static_cast<double>(v.size()) + 1.0;
      if (!p.values_json.empty()) plan_bytes += count / static_cast<double>(p.values_json.size()) * text;
    }
  } else {
    s.variant_count = s.samples;
    // A sampled value is at most 24 characters (the shortest text of a double) and a comma.
    plan_bytes = static_cast<double>(s.samples) * (line_bytes + 25.0 * static_cast<double>(s.parameters.size()));
  }
  if (problems.empty() && plan_bytes > limits::max_sweep_plan_bytes) {
    problems.add(size_ptr, "the plan would hold about " + scenario_json::number_text(std::round(plan_bytes)) +
                               " bytes of variant values",
                 "at most " + scenario_json::number_text(limits::max_sweep_plan_bytes) +
                     " bytes: fewer variants, or shorter values");
  }
  const double cells = static_cast<double>(s.variant_count) *
                       static_cast<double>(s.parameters.size() + s.metrics.size() + 3);
  if (problems.empty() && cells > limits::max_sweep_table_cells) {
    problems.add(size_ptr,
                 "sweep.csv would have " + scenario_json::number_text(cells) + " cells: " +
                     std::to_string(s.variant_count) + " variants x " +
                     std::to_string(s.parameters.size() + s.metrics.size() + 3) + " columns",
                 "at most " + scenario_json::number_text(limits::max_sweep_table_cells) +
                     " cells: fewer variants, parameters or metrics");
  }
  problems.throw_if_any();
  return s;
}

}  // namespace cloudpact
