// Deal terms (docs/reference.md §14): exclusivity and the right of first
// refusal. The replay asks who may sell at an instant (Plant::seller) and
// splits an offered contract once (policy/rofr.cpp); the path model scales
// each part path by path and draws whether the holder matches: all through
// these.
#pragma once

#include <cstdint>

#include "rules/hd.hpp"

namespace cloudpact::rules {

// Whether provider p's capacity may serve the buyer at instant t_s under an
// exclusivity held by `holder` (−1: none) until `until_s`: before it, only
// the holder's.
CP_HD inline bool may_serve_under_exclusivity(int provider, int holder, double t_s, double until_s) {
  return holder < 0 || provider == holder || t_s >= until_s;
}

// The share of an offered contract (its clusters' capacity curves, its
// commitment, its minimum spend) that each part holds when the holder
// matches `matched_share` of it: the holder's part that share, the original
// provider's the rest.
CP_HD inline double rofr_part_share(bool holder_part, double matched_share) {
  return holder_part ? matched_share : 1.0 - matched_share;
}

// The share of its capacity curve a cluster of an offered contract holds
// at an instant: its part's share from the offered contract's start on, in
// its term and after it (the matched capacity is the holder's, sold on
// demand at the holder's prices once no term reserves it); before that
// start the original provider's cluster holds its whole curve and the
// holder's none, as the deal that moves the capacity is not made yet.
CP_HD inline double rofr_capacity_share(bool holder_part, bool from_start, double matched_share) {
  return from_start ? rofr_part_share(holder_part, matched_share) : (holder_part ? 0.0 : 1.0);
}

// Whether the holder matches an offered contract in full on a path
// (`match_probability`): a raw 32-bit word below p·2³², exact on every backend.
CP_HD inline bool rofr_matches(std::uint32_t word, double match_probability) {
  return static_cast<double>(word) < match_probability * 4294967296.0;
}

}  // namespace cloudpact::rules
