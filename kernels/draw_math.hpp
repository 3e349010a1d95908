// The elementary functions of the risk kernels' draws (docs/reference.md §4.4):
// the logarithm and cosine of Box–Muller, the exponential of lognormal
// multipliers, delays and durations, the logarithm of exponential arrival
// gaps.
//
// Why not <cmath>: libm differs between backends (glibc on the CPU, CUDA's
// own on the GPU, each within an ulp or two of the truth, not the same ulp),
// and glibc's are out-of-line calls that also save and restore the FPU
// control word, so a loop over days cannot vectorize them. These are plain
// IEEE arithmetic (+ − × ÷ and integer bit moves, no FMA: the host compiles
// the kernels with -ffp-contract=off, the device with --fmad=false), so both
// backends give the same bits, and the CPU compiler vectorizes them.
//
// Accuracy: the logarithm and the exponential are within 1 ulp of glibc's,
// the cosine within 3e-16 of cos 2πu (tests/risk/test_draw_math.cpp).
// The polynomials are Taylor series, truncated where the next term is below
// 1e-17 of the result: coefficients are exact fractions rounded once.
#pragma once

#include <math.h>    // fabs
#include <string.h>  // memcpy, which device code knows too

#include <cstdint>

#include "rules/hd.hpp"

namespace cloudpact::risk::kernel::draw_math {

CP_HD inline std::uint64_t bits_of(double x) {
  std::uint64_t b;
  memcpy(&b, &x, sizeof b);
  return b;
}
CP_HD inline double double_of(std::uint64_t b) {
  double x;
  memcpy(&x, &b, sizeof x);
  return x;
}

// ln 2 split so that k · kLn2Hi is exact for |k| < 2^32 (its low 32
// mantissa bits are 0), and the rest.
constexpr double kLn2Hi = 0x1.62e42p-1;
constexpr double kLn2Lo = 0x1.fdf473de6af28p-22;

// Natural logarithm of a positive, normal, finite x (a uniform in (0, 1)
// here). x = 2^e · m with m in [√2/2, √2]; f = m − 1 is exact (Sterbenz);
// ln m = 2 atanh(s) with s = f / (2 + f), |s| ≤ 0.1716, whose series
// 2s + s·R(s²) is summed as f − f²/2 + s·(f²/2 + R), the same value with
// the large terms exact.
CP_HD inline double log_positive(double x) {
  const std::uint64_t b = bits_of(x);
  const std::uint64_t mantissa = b & 0x000fffffffffffffULL;
  // Mantissas above √2's take the exponent one up, m = x / 2^(e+1).
  const std::uint64_t up = mantissa > 0x6a09e667f3bcdULL ? 1u : 0u;
  // The exponent as a double without an integer conversion (which the CPU
  // vectorizes poorly): 2^52 + n has the bits of n below 2^52's.
  const double e = (double_of(0x4330000000000000ULL | ((b >> 52) + up)) - 0x1p52) - 1023.0;
  const double m = double_of(mantissa | ((1023ULL - up) << 52));
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  // R = Σ_{k=1..9} 2/(2k+1) · z^k: the next term is below 1e-17 of ln m.
  const double r =
      z * (0x1.5555555555555p-1 +
           z * (0x1.999999999999ap-2 +
                z * (0x1.2492492492492p-2 +
                     z * (0x1.c71c71c71c71cp-3 +
                          z * (0x1.745d1745d1746p-3 +
                               z * (0x1.3b13b13b13b14p-3 +
                                    z * (0x1.1111111111111p-3 + z * (0x1.e1e1e1e1e1e1ep-4 + z * 0x1.af286bca1af28p-4))))))));
  const double hfsq = 0.5 * f * f;
  return e * kLn2Hi + (f - (hfsq - (s * (hfsq + r) + e * kLn2Lo)));
}

// cos(2πu) for u in [0, 1] (Box–Muller's angle in turns). By symmetry
// cos(2πu) = cos(2πv) with v = min(u, 1 − u) = 1/2 − |u − 1/2|, and
// cos(2πv) = −sin(2π(v − 1/4)), whose argument 2π(1/4 − |u − 1/2|) lies in
// [−π/2, π/2], where sin's series to x^21 is within 2e-18. The reduction is
// exact for a uniform of one word (at most 33 significant bits), and
// written without a branch so that a loop of it vectorizes.
CP_HD inline double cos_turns(double u) {
  const double x = 0x1.921fb54442d18p+2 * (0.25 - fabs(u - 0.5));
  const double z = x * x;
  const double p =
      z * (-0x1.5555555555555p-3 +
           z * (0x1.1111111111111p-7 +
                z * (-0x1.a01a01a01a01ap-13 +
                     z * (0x1.71de3a556c734p-19 +
                          z * (-0x1.ae64567f544e4p-26 +
                               z * (0x1.6124613a86d09p-33 +
                                    z * (-0x1.ae7f3e733b81fp-41 +
                                         z * (0x1.952c77030ad4ap-49 +
                                              z * (-0x1.2f49b46814157p-57 + z * 0x1.71b8ef6dcf572p-66)))))))));
  return -(x + x * p);
}

// e^x for any x that is not NaN: 0 far below, +inf far above. x = k·ln 2 + r
// with k the nearest integer (|r| ≤ ln 2 / 2, reduced in two parts, Cody and
// Waite), e^r by its series to r^13 (within 5e-18), times 2^k in two
// factors so that results down to the subnormals keep their scale.
CP_HD inline double exp_any(double x) {
  // Past ±1000 the result is 0 or +inf anyway; clamping keeps k in range.
  const double xc = x < -1000.0 ? -1000.0 : (x > 1000.0 ? 1000.0 : x);
  // Round to nearest by adding and removing 1.5 · 2^52 (the current
  // rounding mode, round to nearest, on both backends).
  const double shifted = xc * 0x1.71547652b82fep+0 + 0x1.8p52;
  const double k = shifted - 0x1.8p52;
  const double r = (xc - k * kLn2Hi) - k * kLn2Lo;
  const double p =
      1.0 +
      r * (1.0 +
           r * (0x1p-1 +
                r * (0x1.5555555555555p-3 +
                     r * (0x1.5555555555555p-5 +
                          r * (0x1.1111111111111p-7 +
                               r * (0x1.6c16c16c16c17p-10 +
                                    r * (0x1.a01a01a01a01ap-13 +
                                         r * (0x1.a01a01a01a01ap-16 +
                                              r * (0x1.71de3a556c734p-19 +
                                                   r * (0x1.27e4fb7789f5cp-22 +
                                                        r * (0x1.ae64567f544e4p-26 +
                                                             r * (0x1.1eed8eff8d898p-29 + r * 0x1.6124613a86d09p-33))))))))))));
  // k in [−1443, 1443], read from the bits of `shifted` (1.5 · 2^52 + k):
  // 2^k as 2^h · 2^(k − h), each a normal double.
  const std::int64_t ki = static_cast<std::int64_t>(bits_of(shifted) & 0x000fffffffffffffULL) - (std::int64_t{1} << 51);
  const std::int64_t h = ki / 2;
  const double scale_a = double_of(static_cast<std::uint64_t>(h + 1023) << 52);
  const double scale_b = double_of(static_cast<std::uint64_t>(ki - h + 1023) << 52);
  return p * scale_a * scale_b;
}

}  // namespace cloudpact::risk::kernel::draw_math
