// Fuzz target: a sweep or optimize file (read from disk next to a shipped
// base scenario, as `sweep`, `optimize` and `validate` read them) through its
// reader and, for a sweep, the design of its variants. Told apart as
// `validate` tells them: an object with "base" and "variables" is an
// optimize file.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "scenario/load.hpp"
#include "scenario/optimize_spec.hpp"
#include "scenario/sweep_spec.hpp"
#include "sweep/design.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  cloudpact::fuzz::write_file(cloudpact::fuzz::scratch_dir() / "base.json",
                              cloudpact::fuzz::read_source_file("scenarios/01-one-vendor-vs-two.json"));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = cloudpact::fuzz::scratch_dir() / "sweep.json";
  cloudpact::fuzz::write_file(file, cloudpact::fuzz::as_text(data, size));
  try {
    if (cloudpact::looks_like_optimize_file(file.string())) {
      (void)cloudpact::load_optimize_spec(file.string());
    } else {
      const cloudpact::SweepSpec spec = cloudpact::load_sweep_spec(file.string());
      (void)cloudpact::expand_design(spec);
    }
  } catch (const cloudpact::InputError&) {
  }
  return 0;
}
