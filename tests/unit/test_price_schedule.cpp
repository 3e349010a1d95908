// Price schedules: a base curve, then dated `set` and `factor` changes in date
// order (docs/reference.md §2.3, §2.6). Pure: no SimGrid.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "model/price_schedule.hpp"

using cloudpact::Curve;
using cloudpact::PriceChange;
using cloudpact::PriceSchedule;

namespace {
PriceSchedule schedule(Curve base, std::vector<PriceChange> changes) {
  PriceSchedule p;
  p.for_sale = true;
  p.base = std::move(base);
  p.changes = std::move(changes);
  return p;
}
PriceChange set_at(double t, double v) { return {t, true, v}; }
PriceChange factor_at(double t, double f) { return {t, false, f}; }
}  // namespace

TEST_CASE("price: no changes gives the base curve") {
  const PriceSchedule p = schedule(Curve::make_constant(6.88), {});
  CHECK(p.at(-10.0) == 6.88);
  CHECK(p.at(0.0) == 6.88);
  CHECK(p.at(1e9) == 6.88);
}

TEST_CASE("price: a set, then a factor") {
  // $6.88, set to $5.00 at t=100, then x0.9 at t=200: 6.88 | 5.00 | 4.50.
  const PriceSchedule p = schedule(Curve::make_constant(6.88), {set_at(100, 5.0), factor_at(200, 0.9)});
  CHECK(p.at(99.999) == 6.88);
  CHECK(p.at(100.0) == 5.0);  // a change applies from its date on
  CHECK(p.at(199.999) == 5.0);
  CHECK(p.at(200.0) == doctest::Approx(4.5).epsilon(1e-15));
  CHECK(p.at(1e6) == doctest::Approx(4.5).epsilon(1e-15));
}

TEST_CASE("price: a factor, then a set replaces everything before it") {
  // $6.88, x0.5 at t=100 ($3.44), then set to $3.00 at t=200: the set does not
  // inherit the earlier factor (it would be $1.50 if it did).
  const PriceSchedule p = schedule(Curve::make_constant(6.88), {factor_at(100, 0.5), set_at(200, 3.0)});
  CHECK(p.at(50.0) == 6.88);
  CHECK(p.at(150.0) == doctest::Approx(3.44).epsilon(1e-15));
  CHECK(p.at(200.0) == 3.0);
  CHECK(p.at(500.0) == 3.0);
}

TEST_CASE("price: factors compound") {
  // $2.00 x0.9 at t=10, x0.9 again at t=20: 1.80, then 1.62.
  const PriceSchedule p = schedule(Curve::make_constant(2.0), {factor_at(10, 0.9), factor_at(20, 0.9)});
  CHECK(p.at(15.0) == doctest::Approx(1.8).epsilon(1e-15));
  CHECK(p.at(25.0) == doctest::Approx(1.62).epsilon(1e-15));
}

TEST_CASE("price: a factor scales a linear base curve, which keeps moving") {
  // Base ramps from $10 at t=0 to $20 at t=1000 (slope $0.01/s), flat after.
  // x0.5 from t=500 on.
  const PriceSchedule p = schedule(Curve::make_linear({{0, 10}, {1000, 20}}), {factor_at(500, 0.5)});
  CHECK(p.at(250.0) == doctest::Approx(12.5).epsilon(1e-15));        // 10 + 0.01*250, unscaled
  CHECK(p.at(499.0) == doctest::Approx(14.99).epsilon(1e-15));       // 10 + 4.99
  CHECK(p.at(500.0) == doctest::Approx(7.5).epsilon(1e-15));         // 15 * 0.5
  CHECK(p.at(750.0) == doctest::Approx(8.75).epsilon(1e-15));        // 17.5 * 0.5
  CHECK(p.at(2000.0) == doctest::Approx(10.0).epsilon(1e-15));       // 20 * 0.5
  // Before the base's first point the base is 0, and so is any multiple of it.
  CHECK(p.at(-1.0) == 0.0);
}

TEST_CASE("price: a set on a linear base freezes the price at the set value") {
  // Ramp $10 -> $20 over [0, 1000]; set $4 at t=600: from then on $4 flat,
  // the ramp no longer shows; a later factor x0.5 applies to the $4.
  const PriceSchedule p =
      schedule(Curve::make_linear({{0, 10}, {1000, 20}}), {set_at(600, 4.0), factor_at(900, 0.5)});
  CHECK(p.at(599.0) == doctest::Approx(15.99).epsilon(1e-15));
  CHECK(p.at(600.0) == 4.0);
  CHECK(p.at(800.0) == 4.0);
  CHECK(p.at(900.0) == 2.0);
  CHECK(p.at(5000.0) == 2.0);
}

TEST_CASE("price: a step base with changes on the same date applies them in list order") {
  // Step $3 from t=0, $2 from t=100. At t=100: set $5 then x2 -> $10 (a
  // set listed after the factor would give $5).
  const PriceSchedule p = schedule(Curve::make_step({{0, 3}, {100, 2}}), {set_at(100, 5.0), factor_at(100, 2.0)});
  CHECK(p.at(99.0) == 3.0);
  CHECK(p.at(100.0) == 10.0);
  const PriceSchedule q = schedule(Curve::make_step({{0, 3}, {100, 2}}), {factor_at(100, 2.0), set_at(100, 5.0)});
  CHECK(q.at(100.0) == 5.0);
}

TEST_CASE("price: sells_at") {
  PriceSchedule none;  // not for sale at all
  CHECK_FALSE(none.sells_at(0.0));
  CHECK_FALSE(none.sells_at(1e9));

  PriceSchedule always = schedule(Curve::make_constant(1.0), {});
  CHECK(always.sells_at(-1e9));
  CHECK(always.sells_at(0.0));
  CHECK(always.sells_at(1e9));

  // Put on sale by a later `set` at t=100: from that instant on.
  PriceSchedule later = schedule(Curve::make_constant(7.0), {});
  later.on_sale_from_s = 100.0;
  CHECK_FALSE(later.sells_at(99.999));
  CHECK(later.sells_at(100.0));
  CHECK(later.sells_at(1e6));
  // for_sale false wins over any on-sale date.
  later.for_sale = false;
  CHECK_FALSE(later.sells_at(1e6));
}

TEST_CASE("price: breakpoints are the base's points and change dates strictly inside the window") {
  const PriceSchedule p =
      schedule(Curve::make_linear({{0, 10}, {1000, 20}}), {factor_at(500, 0.5), set_at(1500, 1.0), set_at(3000, 2.0)});
  std::vector<double> out;
  p.breakpoints(0.0, 3000.0, out);  // 0 and 3000 are the window's own ends: excluded
  std::sort(out.begin(), out.end());
  CHECK(out == std::vector<double>{500.0, 1000.0, 1500.0});
}

TEST_CASE("price: constant_on is false where a change is dated strictly inside, or the base moves") {
  const PriceSchedule p =
      schedule(Curve::make_linear({{0, 10}, {1000, 20}}), {factor_at(1500, 0.5), set_at(3000, 2.0)});
  CHECK_FALSE(p.constant_on(0, 1000));       // the base is sloped
  CHECK(p.constant_on(1000, 1500));          // flat base, the factor dated at the end
  CHECK(p.constant_on(1500, 3000));          // the factor dated at the start applies on all of it
  CHECK(p.at(1500) == 10.0);
  CHECK(p.at(2999) == 10.0);
  CHECK_FALSE(p.constant_on(1200, 2000));    // the factor at 1500 splits it
  CHECK(p.constant_on(3000, 1e9));
}
