#include "scenario/sweep_spec.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "scenario/field_reader.hpp"
#include "scenario/fields.hpp"
#include "scenario/input_error.hpp"
#include "scenario/json_document.hpp"
#include "scenario/json_reader.hpp"
#include "scenario/limits.hpp"
#include "scenario/load.hpp"
#include "scenario/sha256.hpp"

namespace cloudpact {
namespace {

namespace fs = std::filesystem;
namespace format = scenario_format;
using scenario_json::child_pointer;
using scenario_json::in_quotes;
using scenario_json::Json;
using scenario_json::Object;
using scenario_json::Problems;
using scenario_json::Reader;


std::optional<std::string> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return bytes.str();
}

// `base` relative to the sweep file's folder first (a sweep next to its
// scenario), then to the current directory (docs/reference.md §7's example, run from the
// repository root).
std::string resolve_base(const std::string& sweep_path, const std::string& base) {
  const fs::path b(base);
  if (b.is_absolute()) return base;
  const fs::path beside = fs::path(sweep_path).parent_path() / b;
  std::error_code ec;
  if (fs::is_regular_file(beside, ec)) return beside.lexically_normal().string();
  return base;
}

std::string file_stem_id(const std::string& path) {
  const std::string stem = fs::path(path).stem().string();
  return scenario_json::is_valid_id(stem) ? stem : "sweep";
}

// The problem, if any, of setting `pointer` to `value` in the base document:
// the line the override machinery reports, without its "FILE: PTR: " prefix.
std::optional<std::string> pointer_problem(const Json& base_doc, const std::string& pointer, const Json& value) {
  Json copy = base_doc;
  Problems p("");
  scenario_json::apply_override(copy, Override{pointer, value.dump()}, p);
  if (p.empty()) return std::nullopt;
  std::string line = p.lines().front();
  // Lines read ": PTR: what (expected ...)" with an empty file name.
  const std::string prefix = ": " + pointer + ": ";
  if (line.rfind(prefix, 0) == 0) line = line.substr(prefix.size());
  return line;
}

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

bool looks_like_sweep_file(const std::string& path) {
  const auto bytes = read_bytes(path);
  if (!bytes) return false;
  const Json doc = Json::parse(*bytes, nullptr, false);
  return doc.is_object() && doc.contains("base");  // scenarios have no "base"
}

SweepSpec load_sweep_spec(const std::string& path) {
  const auto bytes = read_bytes(path);
  if (!bytes) throw InputError({path + ": cannot read (expected a readable sweep file)"});
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

  s.name = top.has("name") ? top.id("name").value_or("sweep") : file_stem_id(path);
  const auto mode = scenario_json::choice(top, spec.field("mode"), "mode");
  if (mode) s.mode = *mode == "grid" ? SweepMode::grid : *mode == "lhs" ? SweepMode::lhs : SweepMode::random;
  const bool sampled = mode && *mode != "grid";

  // The base scenario: readable and valid, or nothing else can be checked.
  std::optional<Json> base_doc;
  if (const auto base = top.string("base", "the path of a scenario file", Object::Need::required)) {
    s.base_path = resolve_base(path, *base);
    const auto base_bytes = read_bytes(s.base_path);
    if (!base_bytes) {
      problems.add(top.at("base"), "cannot read " + in_quotes(s.base_path),
                   "a scenario file, relative to the sweep file's folder or the current directory");
    } else {
      s.base_sha256 = sha256_hex(*base_bytes);
      try {
        (void)parse_scenario(*base_bytes, s.base_path);
        Problems ignore(s.base_path);
        base_doc = scenario_json::parse_json(*base_bytes, ignore);
      } catch (const InputError& e) {
        for (const std::string& line : e.lines()) problems.add_line(line);
      }
    }
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
  std::set<std::string> pointers_seen;
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
      const auto pointer = p.string("pointer", "a JSON pointer into the base scenario", Object::Need::required);
      if (pointer) {
        if (!scenario_json::pointer_tokens(*pointer) || pointer->empty()) {
          problems.add(p.at("pointer"), "ill-formed JSON pointer " + in_quotes(*pointer),
                       "a pointer starting with '/', ~0 for '~' and ~1 for '/'");
        } else if (!pointers_seen.insert(*pointer).second) {
          problems.add(p.at("pointer"), "pointer " + in_quotes(*pointer) + " is swept twice",
                       "each pointer in one parameter");
        } else {
          sp.pointer = *pointer;
        }
      }
      Json probe;  // a value to try the pointer with
      if (sampled) {
        const auto lo = scenario_json::number(p, param.field("min"));
        const auto hi = scenario_json::number(p, param.field("max"));
        if (const Json* integer = p.find("integer")) {
          if (!integer->is_boolean()) {
            problems.add(p.at("integer"), "not a boolean", "true or false");
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
          probe = sp.integer ? Json(std::llround(*lo)) : Json(*lo);
        }
      } else {
        const std::string values_ptr = p.at("values");
        const Json* values = p.require("values", "a non-empty array of values");
        if (values && r.is_array(*values, values_ptr, "a non-empty array of values")) {
          if (values->empty()) problems.add(values_ptr, "empty", "a non-empty array of values");
          std::set<std::string> seen;
          for (std::size_t k = 0; k < values->size(); ++k) {
            const std::string text = (*values)[k].dump();
            if (!seen.insert(text).second) {
              problems.add(child_pointer(values_ptr, k), "value " + text + " listed twice", "distinct values");
            }
            sp.values_json.push_back(text);
          }
          if (!values->empty()) probe = values->front();
        }
      }
      if (base_doc && !sp.pointer.empty() && !probe.is_null()) {
        if (const auto why = pointer_problem(*base_doc, sp.pointer, probe)) {
          problems.add(p.at("pointer"), in_quotes(sp.pointer) + " cannot be set in " + s.base_path + ": " + *why, "");
        }
      }
      s.parameters.push_back(std::move(sp));
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
      for (std::size_t k = 0; k < metrics->size(); ++k) {
        const auto m = r.string((*metrics)[k], child_pointer(m_ptr, k),
                                "a dotted path such as \"totals.spend_usd\"");
        if (!m) continue;
        if (m->empty() || m->find_first_of(",\"\r\n") != std::string::npos) {
          problems.add(child_pointer(m_ptr, k), "not a usable column name " + in_quotes(*m),
                       "a dotted path such as \"totals.spend_usd\"");
          continue;
        }
        s.metrics.push_back(*m);
      }
    }
  } else {
    s.metrics = default_sweep_metrics(s.run_replay, s.run_risk);
  }

  // Size of the plan.
  if (!sampled) {
    double count = 1.0;
    for (const SweepParameter& p : s.parameters) count *= static_cast<double>(p.values_json.size());
    if (count > static_cast<double>(limits::max_sweep_variants)) {
      problems.add(params_ptr,
                   "the grid has " + scenario_json::number_text(count) + " variants, more than " +
                       std::to_string(limits::max_sweep_variants),
                   "fewer values, or mode \"lhs\" with samples");
    }
    s.variant_count = static_cast<std::int64_t>(count);
  } else {
    s.variant_count = s.samples;
  }
  problems.throw_if_any();
  return s;
}

}  // namespace cloudpact
