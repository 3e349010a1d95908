// The plan of a sweep, written once by the coordinator: everything a variant
// process or a Slurm task needs to run any variant. Variant processes read it
// instead of the sweep file, so they see exactly what was planned.
//   DIR/plan.json            the header: base, steps, risk settings, pointers,
//                            metrics, the number of variants (small)
//   DIR/plan-variants.jsonl  one line per variant, {"id": ..., "values": [...]},
//                            in plan order
// A variant process reads the header and only its own line (found at the
// byte offset the coordinator passes, else by scanning line heads), so its
// cost does not grow with the sweep (docs/reference.md §7.3).
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
  std::int64_t variant_count = 0;  // as planned (plan.json)
  std::vector<Variant> variants;   // empty until read (read_plan_variants)
  // Byte offset of each variant's line in plan-variants.jsonl, parallel to `variants`.
  std::vector<std::int64_t> variant_offsets;

  const Variant* find(const std::string& id) const;
  std::int64_t offset_of(const std::string& id) const;  // -1 when unknown
};

SweepPlan make_plan(const SweepSpec& spec, int risk_threads);

inline constexpr const char* kPlanVariantsFile = "plan-variants.jsonl";

// plan.json (the header) and plan-variants.jsonl; the latter fills
// plan.variant_offsets.
std::string plan_json(const SweepPlan& plan);
std::string plan_variants_jsonl(SweepPlan& plan);
// Throws std::runtime_error naming `path` when the text is not a plan header.
SweepPlan parse_plan(const std::string& text, const std::string& path);
// Every variant of plan-variants.jsonl at `path` into `plan`, with offsets.
// Throws std::runtime_error when a line is not a variant.
void read_plan_variants(SweepPlan& plan, const std::string& path);
// One variant of plan-variants.jsonl: the line at `offset` when it holds
// `id`, else the first line that does; nullopt when none does.
std::optional<Variant> read_plan_variant(const std::string& path, const std::string& id, std::int64_t offset);

// Why a folder's existing plan cannot be resumed with `now` (a different
// base scenario, steps, risk settings or parameters), or "" when it can.
// Variants may differ: a grid extended with values keeps what it had.
std::string resume_mismatch(const SweepPlan& before, const SweepPlan& now);

}  // namespace cloudpact
