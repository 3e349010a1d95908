#include "regression/check.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "regression/json_walk.hpp"

namespace cloudpact::regression {

namespace {

using json = nlohmann::json;

std::string shown(const json& v) {
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

Row structural(const JsonPlace& p, std::string baseline, std::string now, std::string what) {
  Row r;
  r.metric = dotted(reference_tokens(p.pointer));
  r.pointer = p.pointer.to_string();
  r.baseline = std::move(baseline);
  r.now = std::move(now);
  r.basis = std::move(what);
  r.regression = true;
  return r;
}

// A row when the two numbers differ at all, judged by the tolerance of their path.
std::optional<Row> numbers(const JsonPlace& p, const ToleranceFor& tolerance) {
  const json& a = *p.first;
  const json& b = *p.second;
  // Integers exactly as integers (a seed may not fit a double); mixed or
  // floating-point as doubles.
  if ((a.is_number_integer() && b.is_number_integer()) ? a == b : a.get<double>() == b.get<double>()) {
    return std::nullopt;
  }
  const double x = a.get<double>(), y = b.get<double>();
  const std::vector<std::string> path = reference_tokens(p.pointer);
  const Tolerance t = tolerance(path);
  Row r;
  r.metric = dotted(path);
  r.pointer = p.pointer.to_string();
  r.baseline = a.dump();
  r.now = b.dump();
  const double scale = std::max(std::fabs(x), std::fabs(y));
  r.rel_change = scale > 0.0 && std::isfinite(scale) ? (y - x) / scale : 0.0;
  r.rel_tolerance = t.relative_to(x, y);
  r.basis = t.basis;
  r.regression = !t.allows(x, y);
  return r;
}

}  // namespace

std::int64_t Comparison::moved() const {
  return std::count_if(rows.begin(), rows.end(), [](const Row& r) { return r.rel_change.has_value(); });
}

std::int64_t Comparison::regressions() const {
  return std::count_if(rows.begin(), rows.end(), [](const Row& r) { return r.regression; });
}

std::string dotted(const std::vector<std::string>& path) {
  if (path.empty()) return "(document)";
  std::string out;
  for (const std::string& k : path) out += (out.empty() ? "" : ".") + k;
  return out;
}

Comparison compare_documents(const json& baseline, const json& now, const std::vector<std::string>& ignore,
                             const ToleranceFor& tolerance) {
  Comparison out;
  walk_json(baseline, now, JsonIgnore(ignore), [&](const JsonPlace& p) {
    switch (p.kind) {
      case JsonPlace::Kind::numbers:
        ++out.numbers_compared;
        if (std::optional<Row> r = numbers(p, tolerance)) out.rows.push_back(std::move(*r));
        return;
      case JsonPlace::Kind::only_in_first:
        out.rows.push_back(structural(p, shown(*p.first), "-", "missing now"));
        return;
      case JsonPlace::Kind::only_in_second:
        out.rows.push_back(structural(p, "-", shown(*p.second), "not in baseline"));
        return;
      case JsonPlace::Kind::type_changed:
        out.rows.push_back(structural(p, shown(*p.first), shown(*p.second),
                                      std::string("type changed: ") + p.first->type_name() + " -> " +
                                          p.second->type_name()));
        return;
      case JsonPlace::Kind::length_changed:
        out.rows.push_back(structural(p, std::to_string(p.first->size()) + " items",
                                      std::to_string(p.second->size()) + " items", "array length changed"));
        return;
      case JsonPlace::Kind::value_changed:
        out.rows.push_back(structural(p, shown(*p.first), shown(*p.second), "changed"));
        return;
    }
  });
  return out;
}

Comparison compare_replay(const json& baseline, const json& now) {
  return compare_documents(baseline, now, {"/cloudpact_version"},
                           [](const std::vector<std::string>&) { return replay_tolerance(); });
}

Comparison compare_risk(const json& baseline, const json& now, double z) {
  // Histograms are a picture of the same sampled costs whose quantiles are
  // checked with their standard errors; a bin count has no useful tolerance
  // of its own (a path near an edge moves between bins), so they are skipped.
  return compare_documents(baseline, now, {"/backend", "/cloudpact_version", "**/histogram"},
                           [&](const std::vector<std::string>& path) { return risk_tolerance(baseline, now, path, z); });
}

}  // namespace cloudpact::regression
