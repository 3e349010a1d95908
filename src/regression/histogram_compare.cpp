#include "regression/histogram_compare.hpp"

#include <algorithm>
#include <cmath>

namespace cloudpact::regression {

namespace {

using json = nlohmann::json;

// Bounds of a sample's distribution function at a point, in paths.
struct Bounds {
  std::int64_t lo, hi;
};

// The paths of `s` below x (`below`: x < value excluded, i.e. the count of
// values < x) or at most x, as the bins bound them. below(x) is exact at
// every edge (the bins before it hold exactly the values under it), and so
// is at(x) outside the bins and at the top edge; inside a bin only the
// paths of the bins before it and of those up to it bound the count. The
// edges are the doubles nearest to the exact rationals the bins were cut
// at, as each cost is the double nearest its fixed-point value, so a cost
// on an edge is that same double.
Bounds paths_up_to(const BinnedSample& s, double x, bool below) {
  const auto& e = s.edges_usd;
  const std::size_t k = s.counts.size();
  if (below ? x <= e.front() : x < e.front()) return {0, 0};
  if (below ? x > e.back() : x >= e.back()) return {s.paths, s.paths};
  // i: the bin that holds the values just below x (below), or x itself (at).
  const auto first_past =
      below ? std::lower_bound(e.begin(), e.end(), x) : std::upper_bound(e.begin(), e.end(), x);
  const auto i = static_cast<std::size_t>(first_past - e.begin()) - 1;
  std::int64_t before = 0;
  for (std::size_t j = 0; j < i; ++j) before += s.counts[j];
  const std::int64_t through = before + s.counts[i];
  // Just below an inner edge: exactly the bins under it.
  if (below && x == e[i + 1] && i + 1 < k) return {through, through};
  return {before, through};
}

}  // namespace

std::variant<BinnedSample, std::string> read_histogram(const json& h, std::int64_t paths) {
  if (!h.is_object()) return std::string("not an object");
  for (const auto& [key, value] : h.items())
    if (key != "edges_usd" && key != "counts") return "unexpected key \"" + key + "\"";
  if (!h.contains("edges_usd") || !h["edges_usd"].is_array()) return std::string("no edges_usd array");
  if (!h.contains("counts") || !h["counts"].is_array()) return std::string("no counts array");
  BinnedSample s;
  for (const json& c : h["counts"]) {
    if (!c.is_number_integer() || c.get<std::int64_t>() < 0) return std::string("a count is not an integer >= 0");
    s.counts.push_back(c.get<std::int64_t>());
    s.paths += s.counts.back();
  }
  for (const json& x : h["edges_usd"]) {
    if (!x.is_number() || !std::isfinite(x.get<double>())) return std::string("an edge is not a finite number");
    s.edges_usd.push_back(x.get<double>());
  }
  if (s.counts.empty()) return std::string("no bins");
  if (s.edges_usd.size() != s.counts.size() + 1)
    return std::to_string(s.edges_usd.size()) + " edges for " + std::to_string(s.counts.size()) + " bins";
  if (s.paths != paths)
    return "counts sum to " + std::to_string(s.paths) + ", not the run's " + std::to_string(paths) + " paths";
  for (std::size_t i = 0; i + 1 < s.edges_usd.size(); ++i) {
    if (s.edges_usd[i + 1] < s.edges_usd[i]) return std::string("edges not ascending");
    // A bin of no width holds nothing, but for a sample of one value (one bin, [v, v]).
    if (s.edges_usd[i + 1] == s.edges_usd[i] && s.counts[i] != 0 && s.counts.size() > 1)
      return "bin " + std::to_string(i) + " has no width but holds paths";
  }
  return s;
}

double ks_distance_lower_bound(const BinnedSample& a, const BinnedSample& b) {
  if (a.paths <= 0 || b.paths <= 0) return 0.0;
  const auto na = static_cast<double>(a.paths), nb = static_cast<double>(b.paths);
  // Both bounds are step functions whose steps are at the edges of a or b:
  // just below and at each edge, every interval between is seen.
  std::vector<double> points = a.edges_usd;
  points.insert(points.end(), b.edges_usd.begin(), b.edges_usd.end());
  double d = 0.0;
  for (const double x : points)
    for (const bool below : {true, false}) {
      const Bounds fa = paths_up_to(a, x, below), fb = paths_up_to(b, x, below);
      // The gap between the two intervals of shares, when they do not overlap.
      d = std::max({d, static_cast<double>(fa.lo) / na - static_cast<double>(fb.hi) / nb,
                    static_cast<double>(fb.lo) / nb - static_cast<double>(fa.hi) / na});
    }
  return d;
}

}  // namespace cloudpact::regression
