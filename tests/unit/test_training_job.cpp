// Training-job arithmetic: uninterrupted duration and checkpoint rollback
// (docs/reference.md §2.4, the rules layer). Pure: no SimGrid.
#include <doctest/doctest.h>

#include <cmath>

#include <initializer_list>

#include "rules/training.hpp"

using cloudpact::rules::kH100FlopsPerSecond;
using cloudpact::rules::progress_after_rollback;
using cloudpact::rules::training_work_s;

TEST_CASE("training: one H100-equivalent performs 989e12 FLOP/s") {
  CHECK(kH100FlopsPerSecond == 989e12);
}

TEST_CASE("training: uninterrupted duration is flops / (gpus * 989e12 * mfu)") {
  // 989e12 FLOP on 1 GPU at mfu 1: exactly one second.
  CHECK(training_work_s(989e12, 1.0, 1.0) == doctest::Approx(1.0).epsilon(1e-15));
  // 3e26 FLOP on 200,000 GPUs at 40%: 3e26 / (2e5 * 989e12 * 0.4)
  //   = 3e26 / 7.912e19 = 3,791,708.79... s (about 43.9 days).
  //   To the microsecond (the next case says why).
  CHECK(training_work_s(3e26, 200000.0, 0.4) == std::round(3e26 / 7.912e19 * 1e6) / 1e6);
  CHECK(training_work_s(3e26, 200000.0, 0.4) == doctest::Approx(3791708.797).epsilon(1e-9));
  // Duration is inversely proportional to GPUs and to mfu: 100 GPUs at 0.5
  // take as long as 50 GPUs at 1.0, and half as long as 50 GPUs at 0.5.
  // 100 * 989e12 * 0.5 = 4.945e16 FLOP/s; 4.945e16 * 3600 = 1.7802e20 FLOP in one hour.
  CHECK(training_work_s(1.7802e20, 100.0, 0.5) == doctest::Approx(3600.0).epsilon(1e-14));
  CHECK(training_work_s(1.7802e20, 50.0, 1.0) == doctest::Approx(3600.0).epsilon(1e-14));
  CHECK(training_work_s(1.7802e20, 50.0, 0.5) == doctest::Approx(7200.0).epsilon(1e-14));
}

TEST_CASE("training: the duration is to the microsecond, so a run meant to end on a whole hour does") {
  // 100 GPUs at 26% for 240 h: 100 * 989e12 * 0.26 * 864000 = 2.2216896e22
  // FLOP. The quotient in doubles is 864000.0000000001; the rule gives 240 h.
  CHECK(2.2216896e22 / (100.0 * 989e12 * 0.26) != 864000.0);
  CHECK(training_work_s(2.2216896e22, 100.0, 0.26) == 864000.0);
  // A duration that is not whole: the nearest microsecond.
  CHECK(training_work_s(1.7802e20 + 1.7802e20 / 3600.0 * 1.2345678, 100.0, 0.5) == 3601.234568);
}

TEST_CASE("training: rollback keeps the last checkpoint at or below the progress") {
  const double h = 3600.0, ck = 4.0 * h;  // a checkpoint every 4 h of running
  // 10 h done: checkpoints at 4 h and 8 h -> back to 8 h (2 h lost).
  CHECK(progress_after_rollback(10.0 * h, ck) == 8.0 * h);
  // 3 h 59 min done: no checkpoint reached yet -> back to 0.
  CHECK(progress_after_rollback(3.0 * h + 59.0 * 60.0, ck) == 0.0);
  // 11 h 59 min 59 s done: still 8 h.
  CHECK(progress_after_rollback(12.0 * h - 1.0, ck) == 8.0 * h);
  // Nothing done: nothing kept.
  CHECK(progress_after_rollback(0.0, ck) == 0.0);
}

TEST_CASE("training: an interruption exactly on a checkpoint keeps it") {
  const double h = 3600.0;
  // Exact multiples: 4 h, 8 h, 12 h of running with a 4 h period.
  CHECK(progress_after_rollback(4.0 * h, 4.0 * h) == 4.0 * h);
  CHECK(progress_after_rollback(8.0 * h, 4.0 * h) == 8.0 * h);
  CHECK(progress_after_rollback(12.0 * h, 4.0 * h) == 12.0 * h);
  // A periodic checkpoint of 0.1 h = 360 s: 3 * 0.1 h computed in floating
  // point (0.30000000000000004 h) and 0.3 h (0.29999999999999999 h) both
  // land on the third checkpoint, 1080 s.
  CHECK(progress_after_rollback(3.0 * (0.1 * h), 0.1 * h) == doctest::Approx(1080.0).epsilon(1e-15));
  CHECK(progress_after_rollback(0.3 * h, 0.1 * h) == doctest::Approx(1080.0).epsilon(1e-15));
  // 0.1 + 0.2 is the classic value a hair above 0.3; ten steps of 0.1 h add
  // up to a hair below 1 h: both still keep the checkpoint they sit on.
  double ten_steps = 0.0;
  for (int i = 0; i < 10; ++i) ten_steps += 0.1;  // 0.9999999999999999
  CHECK(ten_steps < 1.0);
  CHECK(progress_after_rollback(ten_steps * h, 0.1 * h) == doctest::Approx(3600.0).epsilon(1e-15));
}

TEST_CASE("training: with no checkpoints an interruption loses everything") {
  CHECK(progress_after_rollback(0.0, 0.0) == 0.0);
  CHECK(progress_after_rollback(123456.0, 0.0) == 0.0);
  CHECK(progress_after_rollback(1e9, 0.0) == 0.0);
  // A negative period is treated like none.
  CHECK(progress_after_rollback(1e4, -1.0) == 0.0);
}

TEST_CASE("training: rollback never goes beyond the progress and loses less than one period") {
  // For progress p and period k: p - k < kept <= p, and kept is a multiple of k.
  const double k = 4.0 * 3600.0;
  for (double p : {1.0, 14399.0, 14400.5, 28799.0, 100000.0, 1e7 + 0.25}) {
    const double kept = progress_after_rollback(p, k);
    CHECK(kept <= p);
    CHECK(kept > p - k);
    const double n = kept / k;
    CHECK(n == static_cast<double>(static_cast<long long>(n)));
  }
}
