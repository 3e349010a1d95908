#include "scenario/curve.hpp"

#include <algorithm>

namespace cloudpact {

Curve Curve::make_constant(double value) {
  Curve c;
  c.constant = value;
  return c;
}

Curve Curve::make_step(std::vector<std::pair<double, double>> pts) {
  Curve c;
  c.shape = Shape::step;
  c.points = std::move(pts);
  return c;
}

Curve Curve::make_linear(std::vector<std::pair<double, double>> pts) {
  Curve c;
  c.shape = Shape::linear;
  c.points = std::move(pts);
  return c;
}

namespace {
// Index of the last point at or before t, or -1.
long last_at_or_before(const std::vector<std::pair<double, double>>& pts, double t) {
  auto it = std::upper_bound(pts.begin(), pts.end(), t,
                             [](double v, const std::pair<double, double>& p) { return v < p.first; });
  return static_cast<long>(it - pts.begin()) - 1;
}
}  // namespace

double Curve::at(double t_s) const {
  if (shape == Shape::constant) return constant;
  const long i = last_at_or_before(points, t_s);
  if (i < 0) return 0.0;
  const auto& [t0, v0] = points[static_cast<size_t>(i)];
  if (shape == Shape::step || static_cast<size_t>(i) + 1 == points.size()) return v0;
  const auto& [t1, v1] = points[static_cast<size_t>(i) + 1];
  return v0 + (v1 - v0) * (t_s - t0) / (t1 - t0);
}

bool Curve::constant_on(double a_s, double b_s) const {
  if (shape == Shape::constant) return true;
  for (const auto& [t, v] : points)
    if (t > a_s && t < b_s) return false;
  const long i = last_at_or_before(points, a_s);
  if (i < 0 || shape == Shape::step || static_cast<size_t>(i) + 1 == points.size()) return true;
  // Equal ends: at() adds (v1 - v0) * x = +0 to v0 wherever t is.
  return points[static_cast<size_t>(i)].second == points[static_cast<size_t>(i) + 1].second;
}

double Curve::integral(double a_s, double b_s) const {
  if (b_s <= a_s) return 0.0;
  if (shape == Shape::constant) return constant * (b_s - a_s);
  // Split at the curve's own points: between them the curve is constant or
  // linear, so the midpoint rule (exact for linear pieces) gives the area.
  std::vector<double> cuts{a_s};
  breakpoints(a_s, b_s, cuts);
  cuts.push_back(b_s);
  double area = 0.0;
  for (size_t k = 0; k + 1 < cuts.size(); ++k) {
    const double lo = cuts[k], hi = cuts[k + 1];
    area += at(0.5 * (lo + hi)) * (hi - lo);
  }
  return area;
}

void Curve::breakpoints(double a_s, double b_s, std::vector<double>& out) const {
  for (const auto& [t, v] : points)
    if (t > a_s && t < b_s) out.push_back(t);
}

Curve Curve::shifted(double delay_s, double start_s) const {
  if (shape == Shape::constant) return make_step({{start_s + delay_s, constant}});
  Curve c = *this;
  for (auto& p : c.points) p.first += delay_s;
  return c;
}

Curve Curve::scaled(double factor) const {
  Curve c = *this;
  c.constant *= factor;
  for (auto& p : c.points) p.second *= factor;
  return c;
}

double Curve::max_value() const {
  if (shape == Shape::constant) return constant;
  double m = 0.0;  // every non-constant curve is 0 before its first point
  for (const auto& p : points) m = std::max(m, p.second);
  return m;
}

}  // namespace cloudpact
