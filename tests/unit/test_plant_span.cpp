// The plant's figures held over one span between cuts (model/plant_span.hpp):
// a cluster counts as fixed only where no outage edge, contract term, on-sale
// date or exclusivity end falls strictly inside the span, and then its sale,
// loss, flat capacity and flat price are the plant's own look-ups, the same
// at every instant of the span. Pure: no SimGrid.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "model/plant.hpp"
#include "model/plant_span.hpp"
#include "plant_fixture.hpp"

using namespace cloudpact;
using cloudpact::test::ScenarioBuilder;

namespace {
constexpr double kHorizon = 10000.0;

// The span's figures for cluster c against the plant's look-ups at t.
void check_same_as_plant(const Plant& plant, const PlantSpan& span, int c, double t_s) {
  const PlantSpan::Cluster* fixed = span.fixed(static_cast<size_t>(c), t_s);
  REQUIRE(fixed != nullptr);
  const Plant::Sale sale = plant.sale(c, t_s);
  CHECK(fixed->sale.seller == sale.seller);
  CHECK(fixed->sale.contract == sale.contract);
  CHECK(fixed->sale.price == sale.price);
  CHECK(fixed->lost_fraction == plant.lost_fraction(c, t_s));
  if (fixed->capacity_flat) CHECK(fixed->capacity_phys_gpus == plant.clusters[static_cast<size_t>(c)].capacity_at(t_s));
  if (fixed->price_flat) CHECK(fixed->price_usd_per_gpu_hour == sale.price->at(t_s));
}
}  // namespace

TEST_CASE("plant span: a cluster is fixed unless one of its own dates splits the span") {
  ScenarioBuilder b(kHorizon);
  b.provider("p", {{"H100", 6.0}})
      .cluster("p", "r", "a", "H100", Curve::make_constant(100))
      .cluster("p", "r", "b", "H100", Curve::make_linear({{0, 0}, {2000, 400}}))
      .cluster("p", "s", "c", "H100", Curve::make_step({{0, 50}, {5000, 80}}))
      // a: reserved on [1000, 4000) at 2 $/GPU-h; b and c: on demand at 6.
      .contract("k", "p", {"p/r/a"}, Billing::reserved, Curve::make_constant(2.0), 1000, 4000);
  // Region p/s (cluster c) loses 40% on [2500, 3000).
  b.sc.outages = {OutageEvent{"p/s", 2500, 3000, 40}};
  const Plant plant = build_plant(b.sc);
  PlantSpan span;

  // [0, 1000): the contract starts at the end; the ramp of b moves.
  span.enter(plant, 0, 1000);
  CHECK_FALSE(span.inside(-1));
  CHECK(span.inside(0));
  CHECK_FALSE(span.inside(1000));
  for (double t : {0.0, 500.0, 999.0}) {
    check_same_as_plant(plant, span, 0, t);
    check_same_as_plant(plant, span, 1, t);
    check_same_as_plant(plant, span, 2, t);
  }
  CHECK(span.fixed(0, 500)->sale.seller == rules::Seller::on_demand);
  CHECK(span.fixed(0, 500)->capacity_flat);
  CHECK(span.fixed(0, 500)->capacity_phys_gpus == 100.0);
  CHECK(span.fixed(0, 500)->price_usd_per_gpu_hour == 6.0);
  CHECK_FALSE(span.fixed(1, 500)->capacity_flat);  // b ramps: the caller samples it
  CHECK(span.fixed(2, 500)->capacity_phys_gpus == 50.0);
  CHECK(span.fixed(0, 1000) == nullptr);  // outside the span: the caller looks it up

  // [1000, 2500): a is reserved at 2 $/GPU-h from the start of the span on.
  span.enter(plant, 1000, 2500);
  for (double t : {1000.0, 1999.0, 2499.0}) check_same_as_plant(plant, span, 0, t);
  CHECK(span.fixed(0, 1500)->sale.seller == rules::Seller::reserved_contract);
  CHECK(span.fixed(0, 1500)->sale.contract == 0);
  CHECK(span.fixed(0, 1500)->price_usd_per_gpu_hour == 2.0);
  // b's ramp ends at 2000, inside the span: not flat, though its sale is fixed.
  CHECK_FALSE(span.fixed(1, 1500)->capacity_flat);

  // [2000, 3500): the outage of region p/s starts and ends inside; the
  // contract of a does not move; b is flat from its last point on.
  span.enter(plant, 2000, 3500);
  CHECK(span.fixed(2, 2600) == nullptr);
  check_same_as_plant(plant, span, 0, 3000);
  check_same_as_plant(plant, span, 1, 3000);
  CHECK(span.fixed(1, 3000)->capacity_flat);
  CHECK(span.fixed(1, 3000)->capacity_phys_gpus == 400.0);

  // [2500, 3000): exactly the outage: c is fixed, with its 40% loss.
  span.enter(plant, 2500, 3000);
  check_same_as_plant(plant, span, 2, 2750);
  CHECK(span.fixed(2, 2750)->lost_fraction == doctest::Approx(0.4));

  // [3500, 4500): the contract of a ends inside.
  span.enter(plant, 3500, 4500);
  CHECK(span.fixed(0, 3600) == nullptr);
  // c's step at 5000 is the end of [4500, 5000), the start of [5000, ...).
  span.enter(plant, 4500, 5000);
  CHECK(span.fixed(2, 4999)->capacity_phys_gpus == 50.0);
  span.enter(plant, 5000, kHorizon);
  CHECK(span.fixed(2, 5000)->capacity_phys_gpus == 80.0);
}

TEST_CASE("plant span: an exclusivity that ends inside the span fixes no cluster") {
  ScenarioBuilder b(kHorizon);
  b.provider("p", {{"H100", 6.0}})
      .provider("q", {{"H100", 5.0}})
      .cluster("p", "r", "a", "H100", Curve::make_constant(100))
      .cluster("q", "r", "b", "H100", Curve::make_constant(100));
  b.sc.policy.exclusivity = Exclusivity{"p", b.sc.start_epoch_s + 3000, 3000.0};
  const Plant plant = build_plant(b.sc);
  PlantSpan span;
  span.enter(plant, 2000, 4000);
  CHECK(span.fixed(0, 2500) == nullptr);
  CHECK(span.fixed(1, 2500) == nullptr);
  span.enter(plant, 0, 3000);
  CHECK(span.fixed(1, 1000)->sale.seller == rules::Seller::none);  // q is shut out until 3000
  check_same_as_plant(plant, span, 1, 2999);
  span.enter(plant, 3000, kHorizon);
  CHECK(span.fixed(1, 3000)->sale.seller == rules::Seller::on_demand);
  CHECK(span.fixed(1, 3000)->price_usd_per_gpu_hour == 5.0);
}

TEST_CASE("affine_flat: the same bits as affine_from with two equal samples") {
  // Bit patterns, so that -0 against +0 and NaN against NaN compare as the
  // output files would see them.
  const auto bits = [](double x) {
    std::uint64_t u = 0;
    std::memcpy(&u, &x, sizeof u);
    return u;
  };
  const double inf = std::numeric_limits<double>::infinity();
  const double values[] = {0.0, -0.0, 1.0, -3.5, 123456.789, 1e-310, 1e300, inf, -inf,
                           std::numeric_limits<double>::quiet_NaN()};
  // Ordinary intervals, one far from 0, and one so short that its two sample
  // points round to the same time (q == m: affine_from divides 0 by 0).
  // 1e8 has an even last bit, so the next double up has an odd one and the
  // midpoint of one step up from it ties to the even end, where q rounds too.
  const double t0_odd = std::nextafter(1e8, 2e8), t1_odd = std::nextafter(t0_odd, 2e8);
  const AffineSamples intervals[] = {affine_samples(0.0, 3600.0), affine_samples(9.46e7, 9.47e7),
                                     affine_samples(t0_odd, t1_odd)};
  CHECK(intervals[2].q_s == intervals[2].m_s);
  for (const AffineSamples& s : intervals)
    for (const double v : values) {
      const Affine want = affine_from(s, v, v), got = affine_flat(s, v);
      CHECK(bits(got.v0) == bits(want.v0));
      CHECK(bits(got.slope) == bits(want.slope));
    }
}

TEST_CASE("plant span: a look-up takes the span's figures where they hold and asks the plant elsewhere") {
  ScenarioBuilder b(kHorizon);
  b.provider("p", {{"H100", 6.0}})
      .cluster("p", "r", "a", "H100", Curve::make_constant(100))
      .cluster("p", "r", "b", "H100", Curve::make_linear({{0, 0}, {2000, 400}}));
  // Cluster a loses 40% on [2500, 3000).
  b.sc.outages = {OutageEvent{"p/r/a", 2500, 3000, 40}};
  const Plant plant = build_plant(b.sc);
  PlantSpan span;
  span.enter(plant, 2000, 3500);  // the outage of a starts and ends inside

  const AffineSamples s = affine_samples(2100, 2300);
  const PlantSpan::Piece piece = span.piece(2200, s);
  // a is not fixed: the plant's look-ups at the middle, nothing flat.
  const PlantSpan::Lookup a = span.look_up(0, piece);
  CHECK(a.lost_fraction == 0.0);
  CHECK(a.sale.seller == rules::Seller::on_demand);
  CHECK(a.flat_capacity_phys_gpus == nullptr);
  CHECK(a.flat_price_usd_per_gpu_hour == nullptr);
  CHECK(span.look_up(0, span.piece(2750, affine_samples(2600, 2900))).lost_fraction == doctest::Approx(0.4));
  // b is fixed and flat from its last point on: 400 GPUs at 6 $/GPU-h.
  const PlantSpan::Lookup flat_b = span.look_up(1, piece);
  REQUIRE(flat_b.flat_capacity_phys_gpus != nullptr);
  CHECK(*flat_b.flat_capacity_phys_gpus == 400.0);
  REQUIRE(flat_b.flat_price_usd_per_gpu_hour != nullptr);
  CHECK(*flat_b.flat_price_usd_per_gpu_hour == 6.0);
  // A piece whose samples reach past the span: figures, but nothing flat.
  const PlantSpan::Lookup past = span.look_up(1, span.piece(3400, affine_samples(3300, 3600)));
  CHECK(past.sale.seller == rules::Seller::on_demand);
  CHECK(past.flat_capacity_phys_gpus == nullptr);
  CHECK(past.flat_price_usd_per_gpu_hour == nullptr);
}
