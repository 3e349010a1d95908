// Cost histograms compared as samples (src/regression/histogram_compare.hpp):
// what makes a histogram one of a run's paths, and the least
// Kolmogorov–Smirnov distance two binned samples can have, against hand
// values and against the distance of the raw samples they bin.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "regression/histogram_compare.hpp"
#include "risk/metrics.hpp"

using namespace cloudpact::regression;
using nlohmann::json;

namespace {

BinnedSample binned(std::vector<double> edges, std::vector<std::int64_t> counts) {
  BinnedSample s;
  s.edges_usd = std::move(edges);
  s.counts = std::move(counts);
  for (const std::int64_t c : s.counts) s.paths += c;
  return s;
}

// read_histogram's complaint about `h` of a run of `paths` paths ("" when it reads).
std::string complaint(const std::string& h, std::int64_t paths) {
  const auto r = read_histogram(json::parse(h), paths);
  const auto* why = std::get_if<std::string>(&r);
  return why ? *why : "";
}

// The KS distance of two raw samples: the largest gap of their distribution
// functions, which step only at sample values.
double ks_distance(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::vector<double> points = a;
  points.insert(points.end(), b.begin(), b.end());
  double d = 0.0;
  for (const double x : points) {
    const auto fa = static_cast<double>(std::upper_bound(a.begin(), a.end(), x) - a.begin()) / static_cast<double>(a.size());
    const auto fb = static_cast<double>(std::upper_bound(b.begin(), b.end(), x) - b.begin()) / static_cast<double>(b.size());
    d = std::max(d, std::abs(fa - fb));
  }
  return d;
}

// n costs in whole cents: a skewed sample (the square of a uniform), from a
// fixed linear congruential sequence, shifted by `shift_usd`.
std::vector<double> costs(int n, std::uint64_t seed, double shift_usd) {
  std::vector<double> out;
  std::uint64_t x = seed;
  for (int i = 0; i < n; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(x >> 11) / 9007199254740992.0;
    out.push_back(static_cast<double>(static_cast<std::int64_t>(1e6 * u * u)) / 100.0 + shift_usd);
  }
  return out;
}

BinnedSample of(const std::vector<double>& values, int bins) {
  const cloudpact::risk::Histogram h = cloudpact::risk::histogram(values, bins);
  return binned(h.edges, h.counts);
}

}  // namespace

TEST_CASE("histogram compare: a histogram is one of the run's paths, or says why not") {
  CHECK(complaint(R"({"edges_usd": [1, 2, 4], "counts": [3, 1]})", 4).empty());
  CHECK(complaint(R"({"edges_usd": [5, 5], "counts": [7]})", 7).empty());  // one value
  const auto r = read_histogram(json::parse(R"({"edges_usd": [1, 2, 4], "counts": [3, 1]})"), 4);
  const BinnedSample& s = std::get<BinnedSample>(r);
  CHECK(s.edges_usd == std::vector<double>{1, 2, 4});
  CHECK(s.counts == std::vector<std::int64_t>{3, 1});
  CHECK(s.paths == 4);

  CHECK(complaint(R"([1, 2])", 4) == "not an object");
  CHECK(complaint(R"({"edges_usd": [1, 2], "counts": [4], "x": 1})", 4) == "unexpected key \"x\"");
  CHECK(complaint(R"({"counts": [4]})", 4) == "no edges_usd array");
  CHECK(complaint(R"({"edges_usd": [1, 2], "counts": 4})", 4) == "no counts array");
  CHECK(complaint(R"({"edges_usd": [1, 2], "counts": [4.5]})", 4) == "a count is not an integer >= 0");
  CHECK(complaint(R"({"edges_usd": [1, 2], "counts": [-4]})", -4) == "a count is not an integer >= 0");
  CHECK(complaint(R"({"edges_usd": [1, "2"], "counts": [4]})", 4) == "an edge is not a finite number");
  CHECK(complaint(R"({"edges_usd": [1], "counts": []})", 0) == "no bins");
  CHECK(complaint(R"({"edges_usd": [1, 2, 3], "counts": [4]})", 4) == "3 edges for 1 bins");
  CHECK(complaint(R"({"edges_usd": [1, 2], "counts": [4]})", 5) == "counts sum to 4, not the run's 5 paths");
  CHECK(complaint(R"({"edges_usd": [1, 3, 2], "counts": [2, 2]})", 4) == "edges not ascending");
  // Every edge 1 and every count 0 of 40 bins: no sample at all.
  CHECK(complaint(R"({"edges_usd": [1, 1, 1], "counts": [0, 0]})", 1000) == "counts sum to 0, not the run's 1000 paths");
  CHECK(complaint(R"({"edges_usd": [1, 1, 2], "counts": [1, 3]})", 4) == "bin 0 has no width but holds paths");
  CHECK(complaint(R"({"edges_usd": [1, 1, 2], "counts": [0, 4]})", 4).empty());
}

TEST_CASE("histogram compare: the least KS distance by hand") {
  const BinnedSample a = binned({0, 1, 2}, {3, 1});
  CHECK(ks_distance_lower_bound(a, a) == 0.0);
  // Below 1: 3 of 4 paths against 1 of 4.
  CHECK(ks_distance_lower_bound(a, binned({0, 1, 2}, {1, 3})) == 0.5);
  CHECK(ks_distance_lower_bound(binned({0, 1, 2}, {1, 3}), a) == 0.5);
  // All at 1 against all at 2: every path of one below every path of the other.
  CHECK(ks_distance_lower_bound(binned({1, 1}, {4}), binned({2, 2}, {4})) == 1.0);
  // One bin over [0, 2] may hold the same values as [0, 1) and [1, 2]: nothing is certain.
  CHECK(ks_distance_lower_bound(binned({0, 2}, {4}), binned({0, 1, 2}, {4, 0})) == 0.0);
  // {0.5, 1.5, 2.5, 3.5} in 2 bins and in 4: the same sample.
  CHECK(ks_distance_lower_bound(binned({0.5, 2, 3.5}, {2, 2}), binned({0.5, 1.25, 2, 2.75, 3.5}, {1, 1, 1, 1})) == 0.0);
  // Samples of different sizes: 1 of 2 below 1 against 3 of 3 below 1 (a maximum of 0.9 lies in [0, 1)).
  CHECK(ks_distance_lower_bound(binned({0, 1, 2}, {1, 1}), binned({0, 0.9}, {3})) == doctest::Approx(0.5));
}

TEST_CASE("histogram compare: never above the raw samples' KS distance, and near it with 40 bins") {
  for (const double shift_usd : {0.0, 100.0, 1000.0, 5000.0}) {
    CAPTURE(shift_usd);
    const std::vector<double> x = costs(1000, 1, 0.0), y = costs(800, 2, shift_usd);
    const double raw = ks_distance(x, y);
    for (const int bins : {1, 3, 40}) {
      CAPTURE(bins);
      const BinnedSample a = of(x, bins), b = of(y, bins);
      const double lb = ks_distance_lower_bound(a, b);
      CHECK(lb <= raw + 1e-12);
      CHECK(lb == ks_distance_lower_bound(b, a));
      // The gap is at most what the widest bin of each side leaves open.
      const auto widest = [](const BinnedSample& s) {
        return static_cast<double>(*std::max_element(s.counts.begin(), s.counts.end())) / static_cast<double>(s.paths);
      };
      CHECK(raw - lb <= widest(a) + widest(b) + 1e-12);
      if (bins == 40) CHECK(raw - lb <= 0.1);
    }
  }
  // The same sample binned twice: 0.
  const std::vector<double> x = costs(500, 3, 0.0);
  CHECK(ks_distance_lower_bound(of(x, 40), of(x, 7)) == 0.0);
}
