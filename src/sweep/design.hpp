// The variants of a sweep (docs/reference.md §7): the cartesian product of a grid, or
// `samples` points of a Latin hypercube / uniform random design over ranges.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenario/sweep_spec.hpp"

namespace cloudpact {

struct Variant {
  std::string id;                        // stable: see variant_id
  std::vector<std::string> values_json;  // one per parameter, in the sweep's order
};

// "v" + 12 hex digits of sha256 over (pointer, value) pairs. It depends only on
// what the variant sets, not on its position in the plan, so a grid extended
// with more values keeps the ids (and results) of the variants it had.
std::string variant_id(const std::vector<SweepParameter>& parameters, const std::vector<std::string>& values_json);

// Grid: the last parameter varies fastest. lhs: each parameter's range is cut
// into `samples` equal strata, one point per stratum, strata shuffled per
// parameter. random: independent uniform points. Both draw from Philox4x32-10
// keyed by the sweep's seed and counted by (sample, parameter), so the design
// depends only on the file. Variants that coincide (integer rounding) are
// kept once, at their first position.
std::vector<Variant> expand_design(const SweepSpec& spec);

// The double in [0, 1) that lhs/random use for (seed, sample, parameter, word
// pair); exposed for tests.
double design_uniform(std::uint64_t seed, std::uint64_t sample, std::uint32_t parameter, std::uint32_t stream);

}  // namespace cloudpact
