#include "sweep/variant_run.hpp"

#include <exception>
#include <optional>

#include "report/replay_outputs.hpp"
#include "risk/problem.hpp"
#include "risk/risk_run.hpp"
#include "scenario/load.hpp"
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
    sc.emplace(load_scenario(plan.base_path, overrides));
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
