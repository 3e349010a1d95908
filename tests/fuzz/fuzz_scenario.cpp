// Fuzz target: a scenario file's text through the parser, the validator and
// the plant builder (what `validate` and the start of `run` do). Any input
// must end in a valid plant or in InputError; a crash, a sanitizer report, a
// leak, a hang or a memory peak beyond the limits is a finding.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "model/plant.hpp"
#include "scenario/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const cloudpact::Scenario sc = cloudpact::parse_scenario(cloudpact::fuzz::as_text(data, size), "fuzz.json");
    const cloudpact::Plant plant = cloudpact::build_plant(sc);
    (void)plant.breakpoints();
  } catch (const cloudpact::InputError&) {
  }
  return 0;
}
