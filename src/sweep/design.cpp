#include "sweep/design.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "report/json_text.hpp"
#include "scenario/sha256.hpp"

namespace cloudpact {

namespace {

// The id of the assignment whose i-th value, by value (value_key), is key(i).
template <class KeyOf>
std::string id_of(const std::vector<SweepParameter>& parameters, KeyOf key) {
  // Unit and record separators cannot appear in a pointer or in JSON text
  // unescaped, so distinct assignments never hash the same text.
  std::string text;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    text += parameters[i].pointer;
    text += '\x1f';
    text += key(i);  // 2 and 2.0: one value, one id
    text += '\x1e';
  }
  return "v" + sha256_hex(text).substr(0, 12);
}

}  // namespace

std::string variant_id(const std::vector<SweepParameter>& parameters, const std::vector<std::string>& values_json) {
  return id_of(parameters, [&](std::size_t i) { return value_key(values_json[i]); });
}

double design_uniform(std::uint64_t seed, std::uint64_t sample, std::uint32_t parameter, std::uint32_t stream) {
  r123::Philox4x32 rng;
  const r123::Philox4x32::ctr_type c = {
      {static_cast<std::uint32_t>(sample), static_cast<std::uint32_t>(sample >> 32), parameter, stream}};
  const r123::Philox4x32::key_type k = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  const r123::Philox4x32::ctr_type w = rng(c, k);
  // 53 random bits -> a double in [0, 1), exactly representable.
  const std::uint64_t bits = ((static_cast<std::uint64_t>(w[0]) << 32) | w[1]) >> 11;
  return static_cast<double>(bits) * 0x1.0p-53;
}

namespace {

constexpr std::uint32_t kStreamPoint = 0;    // position inside the stratum (or the range)
constexpr std::uint32_t kStreamShuffle = 1;  // sort keys of the strata permutation

std::string point_json(const SweepParameter& p, double u) {
  // u in [0, 1) maps to [min, max); the clamp guards the rounding of min + span*u.
  const double v = std::min(p.max, p.min + (p.max - p.min) * u);
  if (p.integer) return std::to_string(std::llround(v));
  return json_number(v);
}

std::vector<std::vector<std::string>> grid_points(const SweepSpec& spec) {
  std::vector<std::vector<std::string>> points(1);
  for (const SweepParameter& p : spec.parameters) {
    std::vector<std::vector<std::string>> next;
    next.reserve(points.size() * p.values_json.size());
    for (const auto& prefix : points) {
      for (const std::string& v : p.values_json) {
        next.push_back(prefix);
        next.back().push_back(v);
      }
    }
    points = std::move(next);
  }
  return points;
}

std::vector<std::vector<std::string>> sampled_points(const SweepSpec& spec) {
  const auto n = static_cast<std::size_t>(spec.samples);
  std::vector<std::vector<std::string>> points(n, std::vector<std::string>(spec.parameters.size()));
  for (std::size_t j = 0; j < spec.parameters.size(); ++j) {
    const SweepParameter& p = spec.parameters[j];
    const auto pj = static_cast<std::uint32_t>(j);
    std::vector<std::size_t> stratum(n);
    std::iota(stratum.begin(), stratum.end(), std::size_t{0});
    if (spec.mode == SweepMode::lhs) {
      // A random permutation of the strata: sort by Philox keys, ties by index.
      std::vector<double> key(n);
      for (std::size_t i = 0; i < n; ++i) key[i] = design_uniform(spec.seed, i, pj, kStreamShuffle);
      std::sort(stratum.begin(), stratum.end(),
                [&](std::size_t a, std::size_t b) { return key[a] != key[b] ? key[a] < key[b] : a < b; });
    }
    for (std::size_t i = 0; i < n; ++i) {
      const double u = design_uniform(spec.seed, i, pj, kStreamPoint);
      const double x = spec.mode == SweepMode::lhs ? (static_cast<double>(stratum[i]) + u) / static_cast<double>(n) : u;
      points[i][j] = point_json(p, x);
    }
  }
  return points;
}

}  // namespace

std::vector<Variant> expand_design(const SweepSpec& spec) {
  const bool grid = spec.mode == SweepMode::grid;
  const auto points = grid ? grid_points(spec) : sampled_points(spec);
  // A grid repeats each parameter's few values across up to 10^6 points:
  // their keys are made once each, not parsed again at every point.
  std::vector<std::map<std::string, std::string>> key_of(grid ? spec.parameters.size() : 0);
  for (std::size_t j = 0; j < key_of.size(); ++j)
    for (const std::string& v : spec.parameters[j].values_json) key_of[j].emplace(v, value_key(v));
  std::vector<Variant> out;
  out.reserve(points.size());
  std::set<std::string> seen;
  for (const auto& values : points) {
    std::string id = grid ? id_of(spec.parameters, [&](std::size_t i) { return key_of[i].at(values[i]); })
                          : variant_id(spec.parameters, values);
    if (!seen.insert(id).second) continue;
    out.push_back(Variant{std::move(id), values});
  }
  return out;
}

}  // namespace cloudpact
