// Curves: step and linear evaluation, exact integrals, shifts (docs/reference.md §2.2, §2.6).
#include <doctest/doctest.h>

#include "scenario/curve.hpp"

using cloudpact::Curve;

TEST_CASE("step curve holds the last point at or before t, 0 before the first") {
  const Curve c = Curve::make_step({{10, 5}, {20, 8}});
  CHECK(c.at(9.999) == 0);
  CHECK(c.at(10) == 5);
  CHECK(c.at(19.9) == 5);
  CHECK(c.at(20) == 8);
  CHECK(c.at(1e9) == 8);
}

TEST_CASE("linear curve interpolates, is 0 before and constant after") {
  const Curve c = Curve::make_linear({{0, 0}, {100, 200}});
  CHECK(c.at(-1) == 0);
  CHECK(c.at(25) == doctest::Approx(50));
  CHECK(c.at(500) == 200);
}

TEST_CASE("integral of a linear ramp is the trapezoid area") {
  // Ramp 0 -> 3600 GPUs over one hour, then flat: first two hours hold
  // 0.5*3600*3600 + 3600*3600 GPU-seconds = 1.5 * 3600^2.
  const Curve c = Curve::make_linear({{0, 0}, {3600, 3600}});
  CHECK(c.integral(0, 7200) == doctest::Approx(1.5 * 3600.0 * 3600.0).epsilon(1e-12));
  // A window that starts inside the ramp: from 1800 s (value 1800) to 3600 s.
  CHECK(c.integral(1800, 3600) == doctest::Approx(0.5 * (1800 + 3600) * 1800).epsilon(1e-12));
}

TEST_CASE("integral of a step curve sums the rectangles") {
  const Curve c = Curve::make_step({{100, 2}, {200, 10}});
  CHECK(c.integral(0, 300) == doctest::Approx(100 * 2 + 100 * 10));
  CHECK(c.integral(150, 250) == doctest::Approx(50 * 2 + 50 * 10));
}

TEST_CASE("shifting a constant makes one step at start + delay") {
  const Curve c = Curve::make_constant(7).shifted(86400 * 90, 0);
  CHECK(c.at(86400 * 90 - 1) == 0);
  CHECK(c.at(86400 * 90) == 7);
}

TEST_CASE("constant_on: one value on [a, b) exactly where no point splits a flat piece") {
  CHECK(Curve::make_constant(7).constant_on(-1e9, 1e9));
  const Curve step = Curve::make_step({{10, 5}, {20, 8}});
  CHECK(step.constant_on(0, 10));    // before the first point: 0; the point at b belongs to [b, ...)
  CHECK(step.constant_on(10, 20));   // a step holds its value to the next point
  CHECK(step.constant_on(20, 1e9));  // after the last
  CHECK_FALSE(step.constant_on(5, 15));  // the point at 10 is inside
  const Curve ramp = Curve::make_linear({{0, 0}, {100, 200}, {300, 200}});
  CHECK(ramp.constant_on(-50, 0));
  CHECK_FALSE(ramp.constant_on(0, 100));  // sloped
  CHECK_FALSE(ramp.constant_on(10, 20));  // sloped between the points
  CHECK(ramp.constant_on(100, 300));      // two equal values
  CHECK(ramp.constant_on(150, 250));
  CHECK(ramp.constant_on(300, 1e9));
  CHECK_FALSE(ramp.constant_on(50, 150));
  // Where it says so, at() is the same everywhere on the span, to the bit.
  for (double t : {100.0, 137.25, 299.999}) CHECK(ramp.at(t) == 200.0);
}
