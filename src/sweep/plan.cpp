#include "sweep/plan.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cloudpact_version.h"

namespace cloudpact {

using Json = nlohmann::ordered_json;

const Variant* SweepPlan::find(const std::string& id) const {
  for (const Variant& v : variants)
    if (v.id == id) return &v;
  return nullptr;
}

SweepPlan make_plan(const SweepSpec& spec, int risk_threads) {
  SweepPlan p;
  p.name = spec.name;
  p.sweep_file = spec.path;
  p.base_path = std::filesystem::absolute(spec.base_path).lexically_normal().string();
  p.base_sha256 = spec.base_sha256;
  p.run_replay = spec.run_replay;
  p.run_risk = spec.run_risk;
  p.risk_paths = spec.risk_paths;
  p.risk_seed = spec.risk_seed;
  p.risk_threads = risk_threads;
  for (const SweepParameter& sp : spec.parameters) p.pointers.push_back(sp.pointer);
  p.metrics = spec.metrics;
  p.variants = expand_design(spec);
  return p;
}

std::string plan_json(const SweepPlan& p) {
  Json j;
  j["cloudpact_version"] = CLOUDPACT_VERSION;
  j["name"] = p.name;
  j["sweep_file"] = p.sweep_file;
  j["base"] = p.base_path;
  j["base_sha256"] = p.base_sha256;
  Json run = Json::array();
  if (p.run_replay) run.push_back("run");
  if (p.run_risk) run.push_back("risk");
  j["run"] = run;
  j["risk_paths"] = p.risk_paths;
  j["risk_seed"] = p.risk_seed ? Json(*p.risk_seed) : Json(nullptr);
  j["risk_threads"] = p.risk_threads;
  j["parameters"] = p.pointers;
  j["metrics"] = p.metrics;
  Json variants = Json::array();
  for (const Variant& v : p.variants) {
    Json values = Json::array();
    for (const std::string& text : v.values_json) values.push_back(Json::parse(text));
    variants.push_back(Json{{"id", v.id}, {"values", values}});
  }
  j["variants"] = variants;
  return j.dump(1) + "\n";
}

SweepPlan parse_plan(const std::string& text, const std::string& path) {
  try {
    const Json j = Json::parse(text);
    SweepPlan p;
    p.name = j.at("name").get<std::string>();
    p.sweep_file = j.at("sweep_file").get<std::string>();
    p.base_path = j.at("base").get<std::string>();
    p.base_sha256 = j.at("base_sha256").get<std::string>();
    p.run_replay = p.run_risk = false;
    for (const auto& r : j.at("run")) (r.get<std::string>() == "run" ? p.run_replay : p.run_risk) = true;
    p.risk_paths = j.at("risk_paths").get<std::int64_t>();
    if (!j.at("risk_seed").is_null()) p.risk_seed = j.at("risk_seed").get<std::uint64_t>();
    p.risk_threads = j.at("risk_threads").get<int>();
    p.pointers = j.at("parameters").get<std::vector<std::string>>();
    p.metrics = j.at("metrics").get<std::vector<std::string>>();
    for (const auto& v : j.at("variants")) {
      Variant var;
      var.id = v.at("id").get<std::string>();
      for (const auto& value : v.at("values")) var.values_json.push_back(value.dump());
      p.variants.push_back(std::move(var));
    }
    return p;
  } catch (const Json::exception& e) {
    throw std::runtime_error(path + ": not a sweep plan written by cloudpact: " + e.what());
  }
}

std::string resume_mismatch(const SweepPlan& before, const SweepPlan& now) {
  if (before.base_sha256 != now.base_sha256) return "the base scenario changed since the sweep started";
  if (before.base_path != now.base_path) return "the sweep now uses another base scenario (" + now.base_path + ")";
  if (before.run_replay != now.run_replay || before.run_risk != now.run_risk) return "the steps in \"run\" changed";
  if (before.run_risk && (before.risk_paths != now.risk_paths || before.risk_seed != now.risk_seed)) {
    return "risk_paths or risk_seed changed";
  }
  if (before.pointers != now.pointers) return "the swept parameters changed";
  return "";
}

}  // namespace cloudpact
