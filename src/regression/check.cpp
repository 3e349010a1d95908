#include "regression/check.hpp"

#include <algorithm>
#include <cmath>

#include "report/json_text.hpp"

namespace cloudpact::regression {

namespace {

using json = nlohmann::json;

std::string pointer(const std::vector<std::string>& path) {
  std::string out;
  for (const std::string& k : path) out += "/" + json_pointer_token(k);
  return out;
}

std::string shown(const json& v) {
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

struct Walker {
  const std::vector<std::string>& ignore;
  const ToleranceFor& tolerance;
  Comparison& out;
  std::vector<std::string> path;

  // An entry "**/KEY" skips every member named KEY, wherever it is.
  bool ignored() const {
    if (std::find(ignore.begin(), ignore.end(), pointer(path)) != ignore.end()) return true;
    return !path.empty() && std::find(ignore.begin(), ignore.end(), "**/" + path.back()) != ignore.end();
  }

  void structural(const std::string& base, const std::string& now, const std::string& what) {
    Row r;
    r.metric = dotted(path);
    r.baseline = base;
    r.now = now;
    r.basis = what;
    r.regression = true;
    out.rows.push_back(std::move(r));
  }

  void numbers(const json& a, const json& b) {
    ++out.numbers_compared;
    // Integers exactly as integers (a seed may not fit a double); mixed or
    // floating-point as doubles.
    if ((a.is_number_integer() && b.is_number_integer()) ? a == b : a.get<double>() == b.get<double>()) return;
    const double x = a.get<double>(), y = b.get<double>();
    const Tolerance t = tolerance(path);
    Row r;
    r.metric = dotted(path);
    r.baseline = a.dump();
    r.now = b.dump();
    const double scale = std::max(std::fabs(x), std::fabs(y));
    r.rel_change = scale > 0.0 && std::isfinite(scale) ? (y - x) / scale : 0.0;
    r.rel_tolerance = t.relative_to(x, y);
    r.basis = t.basis;
    r.regression = !t.allows(x, y);
    out.rows.push_back(std::move(r));
  }

  void walk(const json& a, const json& b) {
    if (ignored()) return;
    if (a.is_number() && b.is_number()) return numbers(a, b);
    if (a.type() != b.type()) {
      return structural(shown(a), shown(b), std::string("type changed: ") + a.type_name() + " -> " + b.type_name());
    }
    if (a.is_object()) {
      for (const auto& [key, value] : a.items()) {
        path.push_back(key);
        if (!ignored()) {
          if (b.contains(key)) walk(value, b.at(key));
          else structural(shown(value), "-", "missing now");
        }
        path.pop_back();
      }
      for (const auto& [key, value] : b.items()) {
        if (a.contains(key)) continue;
        path.push_back(key);
        if (!ignored()) structural("-", shown(value), "not in baseline");
        path.pop_back();
      }
      return;
    }
    if (a.is_array()) {
      if (a.size() != b.size()) {
        structural(std::to_string(a.size()) + " items", std::to_string(b.size()) + " items", "array length changed");
      }
      for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
        path.push_back(std::to_string(i));
        walk(a[i], b[i]);
        path.pop_back();
      }
      return;
    }
    if (a != b) structural(shown(a), shown(b), "changed");
  }
};

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
  Walker{ignore, tolerance, out, {}}.walk(baseline, now);
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
