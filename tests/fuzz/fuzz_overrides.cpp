// Fuzz target: `--set PTR=VALUE` overrides, one per input line, applied to a
// shipped scenario and validated (what `run --set ...` does before it runs).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "scenario/load.hpp"

namespace {
std::string base_text;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  base_text = cloudpact::fuzz::read_source_file("scenarios/05-training-rollback.json");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<cloudpact::Override> overrides;
  std::istringstream lines(cloudpact::fuzz::as_text(data, size));
  try {
    for (std::string line; std::getline(lines, line);) overrides.push_back(cloudpact::parse_override(line));
    (void)cloudpact::parse_scenario(base_text, "base.json", overrides);
  } catch (const cloudpact::InputError&) {  // also a line that is not PTR=VALUE
  }
  return 0;
}
