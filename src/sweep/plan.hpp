// DIR/plan.json: everything a variant process or a Slurm task needs to run
// any variant of a sweep, written once by the coordinator. Variant processes
// read it instead of the sweep file, so they see exactly what was planned.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenario/sweep_spec.hpp"
#include "sweep/design.hpp"

namespace cloudpact {

struct SweepPlan {
  std::string name;         // the sweep's id (Slurm job name)
  std::string sweep_file;   // as given
  std::string base_path;    // absolute
  std::string base_sha256;  // the base file's bytes when planned
  bool run_replay = true, run_risk = false;
  std::int64_t risk_paths = 0;
  std::optional<std::uint64_t> risk_seed;
  int risk_threads = 1;  // per variant: the sweep's parallelism is across variants
  std::vector<std::string> pointers;
  std::vector<std::string> metrics;
  std::vector<Variant> variants;

  const Variant* find(const std::string& id) const;
};

SweepPlan make_plan(const SweepSpec& spec, int risk_threads);

std::string plan_json(const SweepPlan& plan);
// Throws std::runtime_error naming `path` when the text is not a plan.
SweepPlan parse_plan(const std::string& text, const std::string& path);

// Why a folder's existing plan cannot be resumed with `now` (a different
// base scenario, steps, risk settings or parameters), or "" when it can.
// Variants may differ: a grid extended with values keeps what it had.
std::string resume_mismatch(const SweepPlan& before, const SweepPlan& now);

}  // namespace cloudpact
