// Fuzz target: a scenario through validation and the Monte Carlo problem
// builder (the step grid, capacity tables, take-or-pay periods, portfolios):
// what `risk` does before the first path. The input's first byte chooses
// --uncertainty-off (bit 0) and --sensitivity (bit 1); the rest is the
// scenario text.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "risk/problem.hpp"
#include "scenario/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  try {
    const cloudpact::Scenario sc = cloudpact::parse_scenario(cloudpact::fuzz::as_text(data + 1, size - 1), "fuzz.json");
    (void)cloudpact::build_risk_problem(sc, (data[0] & 1) != 0, (data[0] & 2) != 0);
  } catch (const cloudpact::InputError&) {
  }
  return 0;
}
