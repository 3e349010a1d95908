#include "sweep/plan.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include <cstdio>
#include <cstdlib>

#include <sys/types.h>

#include "cloudpact_version.h"
#include "sweep/sweep_folder.hpp"

namespace cloudpact {

using Json = nlohmann::ordered_json;

const Variant* SweepPlan::find(const std::string& id) const {
  for (const Variant& v : variants)
    if (v.id == id) return &v;
  return nullptr;
}

std::int64_t SweepPlan::offset_of(const std::string& id) const {
  for (std::size_t i = 0; i < variants.size() && i < variant_offsets.size(); ++i)
    if (variants[i].id == id) return variant_offsets[i];
  return -1;
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
  p.variant_count = static_cast<std::int64_t>(p.variants.size());
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
  j["variant_count"] = p.variant_count;
  j["variants_file"] = kPlanVariantsFile;
  return j.dump(2) + "\n";
}

std::string plan_variants_jsonl(SweepPlan& p) {
  std::string out;
  p.variant_offsets.clear();
  for (const Variant& v : p.variants) {
    p.variant_offsets.push_back(static_cast<std::int64_t>(out.size()));
    // Values are canonical JSON text already: written as they are.
    out += "{\"id\":\"" + v.id + "\",\"values\":[";
    for (std::size_t i = 0; i < v.values_json.size(); ++i) out += (i ? "," : "") + v.values_json[i];
    out += "]}\n";
  }
  return out;
}

namespace {

Variant variant_of(const std::string& line, const std::string& path) {
  try {
    const Json v = Json::parse(line);
    Variant var;
    var.id = v.at("id").get<std::string>();
    for (const auto& value : v.at("values")) var.values_json.push_back(value.dump());
    return var;
  } catch (const Json::exception& e) {
    throw std::runtime_error(path + ": not a sweep plan written by cloudpact: " + e.what());
  }
}

}  // namespace

namespace {

// plan-variants.jsonl, opened without following a link (sweep_folder.hpp).
class LineFile {
 public:
  explicit LineFile(const std::string& path) : f_(open_text_file(path)) {
    if (!f_) throw std::runtime_error("cannot read " + path);
  }
  ~LineFile() {
    std::free(buf_);
    std::fclose(f_);
  }
  LineFile(const LineFile&) = delete;
  LineFile& operator=(const LineFile&) = delete;
  // The next line without its newline; false at the end.
  bool next(std::string& line) {
    const ssize_t n = ::getline(&buf_, &cap_, f_);
    if (n < 0) return false;
    line.assign(buf_, static_cast<std::size_t>(n) - (n > 0 && buf_[n - 1] == '\n' ? 1 : 0));
    return true;
  }
  bool seek(std::int64_t offset) { return ::fseeko(f_, static_cast<off_t>(offset), SEEK_SET) == 0; }

 private:
  std::FILE* f_;
  char* buf_ = nullptr;
  std::size_t cap_ = 0;
};

}  // namespace

void read_plan_variants(SweepPlan& p, const std::string& path) {
  LineFile in(path);
  p.variants.clear();
  p.variant_offsets.clear();
  std::int64_t at = 0;
  for (std::string line; in.next(line);) {
    p.variants.push_back(variant_of(line, path));
    p.variant_offsets.push_back(at);
    at += static_cast<std::int64_t>(line.size()) + 1;
  }
  if (static_cast<std::int64_t>(p.variants.size()) != p.variant_count)
    throw std::runtime_error(path + ": holds " + std::to_string(p.variants.size()) + " variants, plan.json " +
                             std::to_string(p.variant_count));
}

std::optional<Variant> read_plan_variant(const std::string& path, const std::string& id, std::int64_t offset) {
  LineFile in(path);
  const std::string head = "{\"id\":\"" + id + "\"";
  std::string line;
  if (offset >= 0 && in.seek(offset) && in.next(line) && line.rfind(head, 0) == 0) return variant_of(line, path);
  if (!in.seek(0)) return std::nullopt;
  while (in.next(line))
    if (line.rfind(head, 0) == 0) return variant_of(line, path);
  return std::nullopt;
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
    if (j.contains("variants")) {
      // A plan written before plan-variants.jsonl held its variants inline.
      for (const auto& v : j.at("variants")) p.variants.push_back(variant_of(v.dump(), path));
      p.variant_count = static_cast<std::int64_t>(p.variants.size());
    } else {
      p.variant_count = j.at("variant_count").get<std::int64_t>();
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
