// The draws' elementary functions (kernels/draw_math.hpp) against libm and
// long double references: within a few ulp over the domain the kernels
// give them, exact where the draws need exact values, and the same bits
// as the vectorized loops the CPU sampling runs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "draw_math.hpp"
#include "risk/problem.hpp"
#include "risk_api.hpp"
#include "scenario/load.hpp"

using namespace cloudpact;
using namespace cloudpact::risk::kernel;

namespace {
// Distance from `got` to `want` in ulps of `want`.
double ulps(double got, double want) {
  if (got == want) return 0.0;
  const double a = std::fabs(want);
  return std::fabs(got - want) / (std::nextafter(a, std::numeric_limits<double>::infinity()) - a);
}
// The uniforms the kernels take from one Philox word (philox_draws.hpp uniform).
double uniform_of(std::uint32_t w) { return (static_cast<double>(w) + 0.5) * (1.0 / 4294967296.0); }
}  // namespace

TEST_CASE("log_positive is within 1 ulp of libm on uniforms of a word and on every binade") {
  std::mt19937 words(1);
  double worst = 0.0;
  for (int i = 0; i < 2000000; ++i) {
    const double u = uniform_of(words());
    worst = std::max(worst, ulps(draw_math::log_positive(u), std::log(u)));
  }
  // The ends of a word's range, and 1 − 2^-33 (f = m − 1 at its smallest).
  for (const std::uint32_t w : {0u, 1u, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu})
    worst = std::max(worst, ulps(draw_math::log_positive(uniform_of(w)), std::log(uniform_of(w))));
  std::mt19937_64 g(2);
  std::uniform_real_distribution<double> decade(-300.0, 300.0);
  for (int i = 0; i < 500000; ++i) {
    const double x = std::pow(10.0, decade(g));
    worst = std::max(worst, ulps(draw_math::log_positive(x), std::log(x)));
  }
  CHECK(worst <= 1.0);
  CHECK(draw_math::log_positive(1.0) == 0.0);
  CHECK(draw_math::log_positive(0.5) == -0x1.62e42fefa39efp-1);  // −ln 2 rounded
}

TEST_CASE("cos_turns is within 3e-16 of cos(2πu) on uniforms of a word, exact at the quarter turns") {
  // The reference is long double (64-bit mantissa), so that it, not libm's
  // cosine of a rounded 2πu (itself off by up to 6e-16), is the truth.
  const long double two_pi = 6.283185307179586476925286766559L;
  std::mt19937 words(3);
  double worst = 0.0;
  for (int i = 0; i < 2000000; ++i) {
    const double u = uniform_of(words());
    worst = std::max(worst, static_cast<double>(std::fabs(draw_math::cos_turns(u) - std::cos(two_pi * u))));
  }
  CHECK(worst <= 3e-16);
  CHECK(draw_math::cos_turns(0.0) == 1.0);
  CHECK(draw_math::cos_turns(1.0) == 1.0);
  CHECK(draw_math::cos_turns(0.5) == -1.0);
  CHECK(draw_math::cos_turns(0.25) == 0.0);
  CHECK(draw_math::cos_turns(0.75) == 0.0);
}

TEST_CASE("exp_any is within 1 ulp of libm, 1 at 0, and 0 or +inf past the double range") {
  std::mt19937_64 g(4);
  std::uniform_real_distribution<double> wide(-745.0, 709.7), narrow(-20.0, 20.0);
  double worst = 0.0;
  for (int i = 0; i < 1000000; ++i) {
    const double a = wide(g), b = narrow(g);
    worst = std::max({worst, ulps(draw_math::exp_any(a), std::exp(a)), ulps(draw_math::exp_any(b), std::exp(b))});
  }
  CHECK(worst <= 1.0);
  // A multiplier whose log stays +0 (no volatility) is exactly 1.
  CHECK(draw_math::exp_any(0.0) == 1.0);
  CHECK(draw_math::exp_any(-0.0) == 1.0);
  CHECK(draw_math::exp_any(-1000.0) == 0.0);
  CHECK(draw_math::exp_any(-1e300) == 0.0);
  CHECK(draw_math::exp_any(710.0) == std::numeric_limits<double>::infinity());
  CHECK(draw_math::exp_any(1e300) == std::numeric_limits<double>::infinity());
  // Subnormal results keep their scale (two factors of 2^k).
  CHECK(ulps(draw_math::exp_any(-740.0), std::exp(-740.0)) <= 1.0);
}

TEST_CASE("a loop of the functions gives the same bits as one call at a time") {
  // The CPU sampling runs these in day loops the compiler vectorizes; each
  // lane must round as the scalar call does (no contraction, no reassociation).
  std::mt19937 words(5);
  std::vector<double> u(1003), logs(u.size()), coss(u.size()), exps(u.size());
  for (double& x : u) x = uniform_of(words());
  for (size_t i = 0; i < u.size(); ++i) {
    logs[i] = draw_math::log_positive(u[i]);
    coss[i] = draw_math::cos_turns(u[i]);
    exps[i] = draw_math::exp_any(40.0 * u[i] - 20.0);
  }
  for (size_t i = 0; i < u.size(); i += 97) {
    const volatile double x = u[i];  // one value at a time, outside any loop the compiler could fuse
    CHECK(logs[i] == draw_math::log_positive(x));
    CHECK(coss[i] == draw_math::cos_turns(x));
    CHECK(exps[i] == draw_math::exp_any(40.0 * x - 20.0));
  }
}

TEST_CASE("the CPU sampling gives the same futures, bit for bit, on every instruction set this machine runs") {
  // Correlated prices (the flagship as it is) and independent ones (its
  // correlation removed) take different day loops: both are compared.
  std::ifstream f(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/openai-2025-2027.json");
  std::stringstream text;
  text << f.rdbuf();
  nlohmann::ordered_json independent = nlohmann::ordered_json::parse(text.str());
  independent["uncertainty"].erase("correlation");
  const std::vector<std::string> isas = risk::cpu_sampling_isas();
  REQUIRE(isas.back() == "x86-64");  // the baseline is always there
  MESSAGE("instruction sets compared: " << isas.size());
  for (const std::string& scenario : {text.str(), independent.dump()}) {
    const RiskSetup setup = build_risk_problem(parse_scenario(scenario, "flagship.json"));
    std::vector<float> base_f, f_isa;
    std::vector<int> base_i, i_isa;
    risk::sample_paths_cpu(setup.problem, "x86-64", 42, 100, 24, base_f, base_i);
    // The futures are not trivial: multipliers move, some deliveries are late.
    CHECK(std::count(base_f.begin(), base_f.end(), 1.0f) < static_cast<long>(base_f.size() / 2));
    CHECK(std::count(base_i.begin(), base_i.end(), 0) < static_cast<long>(base_i.size()));
    for (const std::string& isa : isas) {
      risk::sample_paths_cpu(setup.problem, isa, 42, 100, 24, f_isa, i_isa);
      CAPTURE(isa);
      REQUIRE(f_isa.size() == base_f.size());
      CHECK(std::memcmp(f_isa.data(), base_f.data(), base_f.size() * sizeof(float)) == 0);
      CHECK(i_isa == base_i);
    }
  }
  std::vector<float> fs;
  std::vector<int> is;
  CHECK_THROWS_WITH_AS(risk::sample_paths_cpu(build_risk_problem(parse_scenario(text.str(), "f.json")).problem,
                                              "sse9", 1, 0, 1, fs, is),
                       "sample_paths_cpu: this machine does not run sse9", std::invalid_argument);
}
