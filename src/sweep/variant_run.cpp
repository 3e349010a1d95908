#include "sweep/variant_run.hpp"

#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

#include "report/replay_outputs.hpp"
#include "risk/problem.hpp"
#include "risk/risk_run.hpp"
#include "scenario/input_file.hpp"
#include "scenario/limits.hpp"
#include "scenario/load.hpp"
#include "scenario/sha256.hpp"
#include "sim/replay.hpp"

namespace cloudpact {

bool run_variant(const SweepPlan& plan, const SweepFolder& folder, const Variant& v) {
  std::vector<Override> overrides;
  for (std::size_t i = 0; i < plan.pointers.size(); ++i) overrides.push_back({plan.pointers[i], v.values_json[i]});
  // The replay's outputs are written from the scenario and the replay as
  // they are committed (replay_outputs): both live until then.
  std::optional<Scenario> sc;
  std::optional<ReplayResult> r;
  std::vector<OutputFile> files;
  std::string error;
  try {
    // The base as planned, or no run: a base edited while the sweep runs
    // (or between a Slurm submission and its tasks) would put variants of
    // two bases in one table, a difference no column shows.
    const std::string base = read_input_file(plan.base_path, limits::max_scenario_bytes, "scenario file");
    if (sha256_hex(base) != plan.base_sha256)
      throw std::runtime_error("the base scenario " + plan.base_path +
                               " changed since the sweep was planned (its SHA-256 is not plan.json's base_sha256): "
                               "restore it, or start a new sweep");
    sc.emplace(parse_scenario(base, plan.base_path, overrides));
    if (plan.run_replay) {
      r.emplace(run_replay(*sc));
      files = replay_outputs(*sc, *r);
    }
    if (plan.run_risk) {
      const RiskSetup setup = build_risk_problem(*sc, false);
      const RiskRunOptions o{plan.risk_paths, plan.risk_seed.value_or(sc->uncertainty.seed), risk::Backend::cpu,
                             plan.risk_threads, -1, false};
      files.push_back({"risk.json", run_risk(*sc, setup, o)});
    }
  } catch (const InputError& e) {
    for (const std::string& line : e.lines()) error += (error.empty() ? "" : "; ") + line;
    files.clear();
  } catch (const std::exception& e) {
    error = e.what();
    if (error.empty()) error = "runtime failure";
    files.clear();
  }
  files.push_back({"result.json", variant_result_json(v.id, plan.pointers, v.values_json, error)});
  return folder.commit(v.id, files);
}

}  // namespace cloudpact
