// Two cost histograms of risk.json compared as what they are, pictures of
// two samples of a distribution (docs/reference.md §8.3): by the
// two-sample Kolmogorov–Smirnov distance between the samples they bin, not
// bin by bin. A bin count has no tolerance of its own: the edges are the
// sample's own extremes, so a re-run that moves the lowest or highest cost
// shifts every edge, and a path near an edge changes bins. Pure: JSON in,
// numbers out.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace cloudpact::regression {

// A sample known only by its bins: bin i holds the values x with
// edges_usd[i] <= x < edges_usd[i + 1], the last bin also its upper edge
// (the sample's maximum; the lowest edge is its minimum).
struct BinnedSample {
  std::vector<double> edges_usd;     // bins + 1, ascending (equal only around an empty bin, or [v, v] for one value)
  std::vector<std::int64_t> counts;  // bins >= 1
  std::int64_t paths = 0;            // the sum of counts
};

// The histogram `h` of a run of `paths` paths ({"edges_usd": [...],
// "counts": [...]}, risk.json's form), or what is wrong with it.
std::variant<BinnedSample, std::string> read_histogram(const nlohmann::json& h, std::int64_t paths);

// The least Kolmogorov–Smirnov distance sup_x |F_a(x) − F_b(x)| between any
// two samples binned as `a` and `b` (F: the share of a sample <= x). Each
// sample's distribution function is known exactly just below and at or
// above every inner edge, and only between two bounds inside a bin, so the
// distance is bounded below where the bounds of the two do not overlap.
// A distance above a test's critical value is one the samples have for sure.
double ks_distance_lower_bound(const BinnedSample& a, const BinnedSample& b);

}  // namespace cloudpact::regression
