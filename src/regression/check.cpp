#include "regression/check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <variant>

#include "regression/histogram_compare.hpp"
#include "regression/json_walk.hpp"

namespace cloudpact::regression {

namespace {

using json = nlohmann::json;

// The numbers a subtree holds, as the walk counts them.
std::int64_t count_numbers(const json& j) {
  std::int64_t n = 0;
  walk_json(j, j, JsonSubtrees(), [&](const JsonPlace& p) { n += p.kind == JsonPlace::Kind::numbers; });
  return n;
}

// A histogram in a table cell: its bins and the range of its edges.
std::string histogram_text(const BinnedSample& s) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%zu bins [%.4g, %.4g]", s.counts.size(), s.edges_usd.front(), s.edges_usd.back());
  return buf;
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
                             const ToleranceFor& tolerance, const std::vector<std::string>& whole,
                             const WholeJudge& judge) {
  Comparison out;
  walk_json(baseline, now, JsonSubtrees(ignore), [&](const JsonPlace& p) {
    switch (p.kind) {
      case JsonPlace::Kind::whole: {
        WholeVerdict v = judge(reference_tokens(p.pointer), *p.first, *p.second);
        out.numbers_compared += v.numbers_compared;
        if (v.row) {
          v.row->metric = dotted(reference_tokens(p.pointer));
          v.row->pointer = p.pointer.to_string();
          out.rows.push_back(std::move(*v.row));
        }
        return;
      }
      case JsonPlace::Kind::numbers:
        ++out.numbers_compared;
        if (std::optional<Row> r = numbers(p, tolerance)) out.rows.push_back(std::move(*r));
        return;
      case JsonPlace::Kind::only_in_first:
        out.rows.push_back(structural(p, shown_value(*p.first), "-", "missing now"));
        return;
      case JsonPlace::Kind::only_in_second:
        out.rows.push_back(structural(p, "-", shown_value(*p.second), "not in baseline"));
        return;
      case JsonPlace::Kind::type_changed:
        out.rows.push_back(structural(p, shown_value(*p.first), shown_value(*p.second),
                                      std::string("type changed: ") + p.first->type_name() + " -> " +
                                          p.second->type_name()));
        return;
      case JsonPlace::Kind::length_changed:
        out.rows.push_back(structural(p, std::to_string(p.first->size()) + " items",
                                      std::to_string(p.second->size()) + " items", "array length changed"));
        return;
      case JsonPlace::Kind::value_changed:
        out.rows.push_back(structural(p, shown_value(*p.first), shown_value(*p.second), "changed"));
        return;
    }
  }, JsonSubtrees(whole));
  return out;
}

Comparison compare_replay(const json& baseline, const json& now) {
  return compare_documents(baseline, now, {"/cloudpact_version"},
                           [](const std::vector<std::string>&) { return replay_tolerance(); });
}

Comparison compare_risk(const json& baseline, const json& now, double z) {
  // A histogram pictures one run's sample of costs: a bin count has no
  // tolerance of its own (a path near an edge changes bins, and the edges
  // are the sample's extremes), so the two are compared as samples.
  const WholeJudge histograms = [&](const std::vector<std::string>&, const json& a, const json& b) {
    WholeVerdict v;
    v.numbers_compared = count_numbers(a);
    if (a == b) return v;
    const auto was = read_histogram(a, run_paths(baseline));
    const auto is = read_histogram(b, run_paths(now));
    const auto text = [](const std::variant<BinnedSample, std::string>& h, const json& j) {
      const auto* s = std::get_if<BinnedSample>(&h);
      return s ? histogram_text(*s) : shown_value(j);
    };
    Row r;
    r.regression = true;
    r.baseline = text(was, a);
    r.now = text(is, b);
    if (const auto* why = std::get_if<std::string>(&was)) {
      r.basis = "baseline not a histogram of its paths: " + *why;
    } else if (const auto* why_now = std::get_if<std::string>(&is)) {
      r.basis = "not a histogram of the run's paths: " + *why_now;
    } else {
      const BinnedSample& x = std::get<BinnedSample>(was);
      const BinnedSample& y = std::get<BinnedSample>(is);
      const double d = ks_distance_lower_bound(x, y);
      const double tol = ks_tolerance(z, x.paths, y.paths);
      r.rel_change = d;
      r.rel_tolerance = tol;
      char buf[96];
      std::snprintf(buf, sizeof buf, "KS distance ≤ %.3g·√(1/n + 1/m)", ks_critical_factor(z));
      r.basis = buf;
      r.regression = d > tol;
    }
    v.row = std::move(r);
    return v;
  };
  return compare_documents(
      baseline, now, {"/backend", "/cloudpact_version"},
      [&](const std::vector<std::string>& path) { return risk_tolerance(baseline, now, path, z); }, {"**/histogram"},
      histograms);
}

}  // namespace cloudpact::regression
