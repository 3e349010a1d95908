// Sweep designs (docs/reference.md §7): grid order and size, stable ids, Latin hypercube
// stratification, reproducibility from the seed.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "sweep/design.hpp"

using namespace cloudpact;

namespace {

SweepParameter grid_param(std::string pointer, std::vector<std::string> values) {
  SweepParameter p;
  p.pointer = std::move(pointer);
  p.values_json = std::move(values);
  return p;
}

SweepParameter range_param(std::string pointer, double lo, double hi, bool integer = false) {
  SweepParameter p;
  p.pointer = std::move(pointer);
  p.min = lo;
  p.max = hi;
  p.integer = integer;
  return p;
}

SweepSpec sampled(SweepMode mode, std::int64_t n, std::uint64_t seed, std::vector<SweepParameter> params) {
  SweepSpec s;
  s.mode = mode;
  s.samples = n;
  s.seed = seed;
  s.parameters = std::move(params);
  return s;
}

}  // namespace

TEST_CASE("a grid is the cartesian product, last parameter fastest") {
  SweepSpec s;
  s.parameters = {grid_param("/a", {"1", "2", "3"}), grid_param("/b", {"\"x\"", "\"y\""})};
  const auto v = expand_design(s);
  REQUIRE(v.size() == 6);
  CHECK(v[0].values_json == std::vector<std::string>{"1", "\"x\""});
  CHECK(v[1].values_json == std::vector<std::string>{"1", "\"y\""});
  CHECK(v[2].values_json == std::vector<std::string>{"2", "\"x\""});
  CHECK(v[5].values_json == std::vector<std::string>{"3", "\"y\""});
  std::set<std::string> ids;
  for (const auto& x : v) ids.insert(x.id);
  CHECK(ids.size() == 6);
}

TEST_CASE("variant ids depend on what a variant sets, not on its position") {
  SweepSpec small, extended;
  small.parameters = {grid_param("/a", {"1", "2"})};
  extended.parameters = {grid_param("/a", {"0", "1", "2", "3"})};
  const auto v1 = expand_design(small), v2 = expand_design(extended);
  CHECK(v1[0].id == v2[1].id);
  CHECK(v1[1].id == v2[2].id);
  // Same value at another pointer is another variant.
  SweepSpec other;
  other.parameters = {grid_param("/b", {"1"})};
  CHECK(expand_design(other)[0].id != v1[0].id);
  // Format: "v" and 12 hex digits (safe as a folder name).
  CHECK(v1[0].id.size() == 13);
  CHECK(v1[0].id[0] == 'v');
  CHECK(v1[0].id.find_first_not_of("0123456789abcdef", 1) == std::string::npos);
  // Numbers by value, at any depth: a grid rewritten from 2 to 2.0 keeps its
  // ids (a --resume runs nothing again); 2.5 is another value.
  SweepSpec floats;
  floats.parameters = {grid_param("/a", {"1.0", "2e0"})};
  const auto v3 = expand_design(floats);
  CHECK(v3[0].id == v1[0].id);
  CHECK(v3[1].id == v1[1].id);
  SweepSpec nested_int, nested_float, nested_other;
  nested_int.parameters = {grid_param("/o", {R"({"h": 24, "k": [1, "x"]})"})};
  nested_float.parameters = {grid_param("/o", {R"({"k": [1.0, "x"], "h": 24.0})"})};
  nested_other.parameters = {grid_param("/o", {R"({"h": 24.5, "k": [1, "x"]})"})};
  CHECK(expand_design(nested_int)[0].id == expand_design(nested_float)[0].id);
  CHECK(expand_design(nested_int)[0].id != expand_design(nested_other)[0].id);
}

TEST_CASE("lhs puts exactly one point in each of the n strata of every parameter") {
  const int n = 50;
  const auto v = expand_design(sampled(SweepMode::lhs, n, 7, {range_param("/p", 1.0, 3.0), range_param("/q", -10, 10)}));
  REQUIRE(v.size() == static_cast<size_t>(n));
  for (int j = 0; j < 2; ++j) {
    const double lo = j == 0 ? 1.0 : -10.0, width = j == 0 ? 2.0 / n : 20.0 / n;
    std::vector<int> hits(n, 0);
    for (const auto& x : v) {
      const double value = std::stod(x.values_json[static_cast<size_t>(j)]);
      const int k = static_cast<int>(std::floor((value - lo) / width));
      REQUIRE(k >= 0);
      REQUIRE(k < n);
      ++hits[static_cast<size_t>(k)];
    }
    CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
  }
}

TEST_CASE("lhs strata are shuffled independently per parameter") {
  const int n = 40;
  const auto v = expand_design(sampled(SweepMode::lhs, n, 3, {range_param("/p", 0, 1), range_param("/q", 0, 1)}));
  // Identical permutations would put p and q in the same stratum every time.
  int same = 0;
  for (const auto& x : v) {
    same += static_cast<int>(std::floor(std::stod(x.values_json[0]) * n)) ==
            static_cast<int>(std::floor(std::stod(x.values_json[1]) * n));
  }
  CHECK(same < n / 4);
}

TEST_CASE("random designs stay in range, repeat with the seed and change with it") {
  const auto a = expand_design(sampled(SweepMode::random, 200, 11, {range_param("/p", 5, 6)}));
  const auto b = expand_design(sampled(SweepMode::random, 200, 11, {range_param("/p", 5, 6)}));
  const auto c = expand_design(sampled(SweepMode::random, 200, 12, {range_param("/p", 5, 6)}));
  REQUIRE(a.size() == 200);
  double mean = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double x = std::stod(a[i].values_json[0]);
    CHECK(x >= 5.0);
    CHECK(x < 6.0);
    CHECK(a[i].values_json == b[i].values_json);
    mean += x / 200.0;
  }
  CHECK(a[0].values_json != c[0].values_json);
  // Mean of 200 uniforms on [5, 6): sd 1/sqrt(12*200) = 0.02; 5 sd bound.
  CHECK(std::abs(mean - 5.5) < 0.1);
}

TEST_CASE("integer parameters round, and coinciding variants are kept once") {
  const auto v = expand_design(sampled(SweepMode::random, 100, 1, {range_param("/days", 0, 3, true)}));
  std::set<std::string> values;
  for (const auto& x : v) values.insert(x.values_json[0]);
  CHECK(v.size() == values.size());
  CHECK(v.size() <= 4);  // 0, 1, 2, 3
  for (const auto& s : values) CHECK(s.find('.') == std::string::npos);
}

TEST_CASE("design_uniform is a 53-bit double in [0, 1) from Philox") {
  for (std::uint64_t i = 0; i < 1000; ++i) {
    const double u = design_uniform(42, i, 0, 0);
    CHECK(u >= 0.0);
    CHECK(u < 1.0);
    CHECK(std::ldexp(u, 53) == std::floor(std::ldexp(u, 53)));
  }
  CHECK(design_uniform(42, 1, 0, 0) != design_uniform(42, 1, 1, 0));
  CHECK(design_uniform(42, 1, 0, 0) != design_uniform(42, 1, 0, 1));
}
