#include "sweep/sweep_table.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "report/json_text.hpp"

namespace cloudpact {

namespace {

using Json = nlohmann::json;

std::string value_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return json_number(v.get<double>());
  if (v.is_null()) return "";
  return v.dump();
}

}  // namespace

const Json* find_dotted(const Json& node, const std::string& path) {
  if (path.empty()) return &node;
  if (!node.is_object()) return nullptr;
  for (const auto& item : node.items()) {
    const std::string& key = item.key();
    if (path == key) return &item.value();
    if (path.size() > key.size() && path.compare(0, key.size(), key) == 0 && path[key.size()] == '.') {
      if (const Json* hit = find_dotted(item.value(), path.substr(key.size() + 1))) return hit;
    }
  }
  return nullptr;
}

std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string dotted_value(const std::string& json_text, const std::string& path) {
  const Json doc = Json::parse(json_text, nullptr, false);
  if (doc.is_discarded()) return "";
  const Json* v = find_dotted(doc, path);
  return v ? value_text(*v) : "";
}

SweepTable::SweepTable(const SweepPlan& plan, const SweepFolder& folder) : plan_(plan), folder_(folder) {}

void SweepTable::refresh() {
  namespace fs = std::filesystem;
  const std::set<std::string> committed = folder_.committed_ids();
  for (const Variant& v : plan_.variants) {
    if (cells_.count(v.id) || !committed.count(v.id)) continue;
    const Json result = Json::parse(folder_.read_result(v.id), nullptr, false);
    std::vector<std::string> row{v.id};
    for (const std::string& value : v.values_json) row.push_back(value_text(Json::parse(value)));
    const bool ok = result.is_object() && result.value("status", "") == "ok";
    std::string error = result.is_object() ? result.value("error", "") : "variant folder without a readable result.json";
    if (ok) {
      // Each output document is parsed once per row, not once per metric.
      std::vector<Json> docs;
      for (const char* name : {"summary.json", "risk.json"}) {
        Json d = Json::parse(read_text_file((fs::path(folder_.variant_dir(v.id)) / name).string()), nullptr, false);
        if (!d.is_discarded()) docs.push_back(std::move(d));
      }
      for (const std::string& m : plan_.metrics) {
        std::string cell;
        for (const Json& d : docs) {
          if (const Json* hit = find_dotted(d, m)) {
            cell = value_text(*hit);
            break;
          }
        }
        row.push_back(cell);
      }
    } else {
      row.resize(row.size() + plan_.metrics.size());
      ++failed_;
      errors_[v.id] = error;
    }
    row.push_back(ok ? "ok" : "failed");
    row.push_back(ok ? "" : error);
    cells_[v.id] = std::move(row);
  }
}

std::string SweepTable::csv() const {
  std::string out = "variant";
  for (const std::string& p : plan_.pointers) out += "," + csv_cell(p);
  for (const std::string& m : plan_.metrics) out += "," + csv_cell(m);
  out += ",status,error\n";
  for (const Variant& v : plan_.variants) {
    const auto it = cells_.find(v.id);
    if (it == cells_.end()) continue;
    for (std::size_t i = 0; i < it->second.size(); ++i) {
      if (i) out += ',';
      out += csv_cell(it->second[i]);
    }
    out += '\n';
  }
  return out;
}

void SweepTable::write() const { commit_outputs(folder_.dir(), {{"sweep.csv", csv()}}, {.create = false, .remove = {}}); }

std::vector<std::string> SweepTable::failures() const {
  std::vector<std::string> out;
  for (const Variant& v : plan_.variants) {
    const auto it = errors_.find(v.id);
    if (it != errors_.end()) out.push_back(v.id + ": " + it->second);
  }
  return out;
}

}  // namespace cloudpact
