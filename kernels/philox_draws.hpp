// Random numbers of the risk kernels: Philox4x32-10 (Random123) in counter
// mode, so that a path's draws depend only on (seed, path, what is drawn),
// never on thread count, backend or batching (docs/reference.md §4).
//
// Counter layout, one Philox call = four 32-bit words:
//   ctr[0], ctr[1] = path index (low, high 32 bits)
//   ctr[2]         = block: which draw of that stream (day, cluster, arrival, ...)
//   ctr[3]         = stream word: kind (kStream* below, < 256) + 256 × sub,
//                    sub = which region's outages, which pair of a day's jumps
//                    (stream_word), so no two draws share a counter however
//                    many arrivals or jumps a path has
//   key[0], key[1] = seed (low, high 32 bits)
// Uniforms come from one 32-bit word each, centred in their bin so they lie
// in (0, 1): enough resolution (2.3e-10) for every model here and identical
// on every backend. Discrete choices compare raw words with thresholds.
#pragma once

#include <math.h>  // the global-namespace math functions that both g++ and nvcc device code know

#include <cstdint>

#include <Random123/philox.h>

#include "draw_math.hpp"
#include "rules/hd.hpp"

namespace cloudpact::risk::kernel {

enum Stream : std::uint32_t {
  kStreamPrice = 1,     // block = day * kMaxProviders + provider: GBM shock
  kStreamDemand = 2,    // block = day: demand random walk
  kStreamDelivery = 3,  // block = cluster: on time or delayed, and by how much
  kStreamOutage = 4,    // sub = region, block = arrival index
  kStreamJump = 5,      // sub = pair of the day's jumps, block = day * kMaxProviders + provider
  kStreamZone = 6,      // sub = outage zone, block = arrival index
  kStreamDeliveryCommon = 7,  // block 0: the path's shared delivery factors (copula)
  kStreamRofr = 8,            // block = offer: whether the holder matches it (right of first refusal)
};

CP_HD inline std::uint32_t stream_word(Stream kind, std::uint32_t sub) { return static_cast<std::uint32_t>(kind) + 256u * sub; }

struct Words {
  std::uint32_t w[4];
};

CP_HD inline Words philox(std::uint64_t seed, std::uint64_t path, std::uint32_t block, std::uint32_t stream) {
  r123::Philox4x32 rng;
  r123::Philox4x32::ctr_type c = {{static_cast<std::uint32_t>(path), static_cast<std::uint32_t>(path >> 32), block, stream}};
  r123::Philox4x32::key_type k = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  const r123::Philox4x32::ctr_type r = rng(c, k);
  return {{r[0], r[1], r[2], r[3]}};
}

// Uniform in (0, 1) from one word.
CP_HD inline double uniform(std::uint32_t w) { return (static_cast<double>(w) + 0.5) * (1.0 / 4294967296.0); }

// Standard normal from two words (Box–Muller, cosine branch).
CP_HD inline double normal(std::uint32_t a, std::uint32_t b) {
  const double u1 = uniform(a), u2 = uniform(b);
  return sqrt(-2.0 * draw_math::log_positive(u1)) * draw_math::cos_turns(u2);
}

// Poisson count with mean `lambda` by inverse CDF on one word. lambda is a
// daily rate, validated small enough (docs/reference.md §9.3) that exp(−λ)
// is a normal double; the search ends where the CDF reaches the uniform or
// the terms vanish (then every count beyond has probability below 1e-300).
// `p0` is exp(−λ), which callers drawing day after day at one rate compute
// once (the same bits as computing it every call).
CP_HD inline int poisson_small(double lambda, double p0, std::uint32_t w) {
  if (lambda <= 0.0) return 0;
  const double u = uniform(w);
  double p = p0, cdf = p;
  int n = 0;
  while (u > cdf && p > 1e-300) {
    ++n;
    p *= lambda / n;
    cdf += p;
  }
  return n;
}

}  // namespace cloudpact::risk::kernel
