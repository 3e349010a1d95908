// A value that changes over simulated time: capacity, demand, prices.
// Pure C++: no JSON, no SimGrid. Times are seconds since the scenario start
// (negative for dates before it), so a curve can be evaluated and integrated
// without knowing the calendar.
#pragma once

#include <utility>
#include <vector>

namespace cloudpact {

struct Curve {
  enum class Shape { constant, step, linear };

  Shape shape = Shape::constant;
  double constant = 0.0;
  // (time_s, value), strictly increasing time_s; empty for a constant curve.
  std::vector<std::pair<double, double>> points;

  static Curve make_constant(double value);
  static Curve make_step(std::vector<std::pair<double, double>> pts);
  static Curve make_linear(std::vector<std::pair<double, double>> pts);

  // Value at t: step = last point at or before t (0 before the first);
  // linear = interpolated between points, last value after, 0 before the first.
  [[nodiscard]] double at(double t_s) const;

  // Exact integral of the curve over [a_s, b_s] (value · seconds), a_s <= b_s.
  [[nodiscard]] double integral(double a_s, double b_s) const;

  // Whether at(t) returns the same bits for every t in [a_s, b_s): no point
  // strictly inside, and the piece holding a_s is flat (a constant, a step,
  // before the first point, after the last, or two equal values).
  [[nodiscard]] bool constant_on(double a_s, double b_s) const;

  // Times strictly inside (a_s, b_s) where the curve changes slope or jumps.
  void breakpoints(double a_s, double b_s, std::vector<double>& out) const;

  // Every point shifted later by delay_s. A constant curve becomes a step
  // curve starting at start_s + delay_s (docs/reference.md §2.6: "a constant capacity counts
  // as one step point at start").
  [[nodiscard]] Curve shifted(double delay_s, double start_s) const;

  // A copy with every value multiplied by factor.
  [[nodiscard]] Curve scaled(double factor) const;

  // Largest value the curve takes anywhere.
  [[nodiscard]] double max_value() const;
};

}  // namespace cloudpact
