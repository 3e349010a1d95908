#include "sweep/sweep_check.hpp"

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/replay_outputs.hpp"
#include "risk/problem.hpp"
#include "risk/risk_run.hpp"
#include "scenario/input_error.hpp"
#include "scenario/load.hpp"
#include "scenario/message_text.hpp"
#include "sweep/sweep_table.hpp"

namespace cloudpact {

void check_sweep_outputs(const SweepSpec& spec, int concurrent) {
  using Json = nlohmann::json;
  const std::string file = escape_text(spec.path);
  std::vector<std::string> problems;
  const Scenario base = load_scenario(spec.base_path);
  const Json summary = Json::parse(summary_json_shape(base));
  std::optional<Json> risk;
  try {
    const RiskSetup setup = build_risk_problem(base, false);
    risk = Json::parse(risk_json_shape(base, setup));
    if (spec.run_risk) {
      // Each variant keeps its paths' results; `concurrent` run at once.
      const RiskRunOptions options{spec.risk_paths, 0, risk::Backend::cpu, 1, -1, false};
      const double need = risk_memory_bytes(setup, options) * concurrent;
      if (double have = 0; beyond_memory(need, have)) {
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      ": /risk_paths: %d variants at once of %lld paths would need about %.1f GiB, more than 80%% "
                      "of this machine's %.1f GiB (expected fewer risk_paths, or a lower -j)",
                      concurrent, static_cast<long long>(spec.risk_paths), need / (1 << 30), have / (1 << 30));
        problems.push_back(file + buf);
      }
    }
  } catch (const InputError&) {
    // The base exceeds what risk handles: a problem only for a sweep that
    // runs it, and then the only one, as no metric of risk.json can be
    // looked up in a base that has none.
    if (spec.run_risk) throw;
  }

  for (std::size_t k = 0; k < spec.metrics.size(); ++k) {
    const std::string& m = spec.metrics[k];
    const bool in_summary = find_dotted(summary, m) != nullptr, in_risk = risk && find_dotted(*risk, m) != nullptr;
    if ((spec.run_replay && in_summary) || (spec.run_risk && in_risk)) continue;
    const std::string at = file + ": /metrics/" + std::to_string(k) + ": ";
    if (in_summary || in_risk) {
      const char* step = in_summary ? "run" : "risk";
      problems.push_back(at + "metric " + quoted_text(m) + " is in " + (in_summary ? "summary.json" : "risk.json") +
                         ", which this sweep does not write (expected \"" + step + "\" in /run)");
    } else {
      problems.push_back(at + "unknown metric " + quoted_text(m) + " (expected a dotted path into " +
                         (spec.run_replay && spec.run_risk ? "summary.json or risk.json"
                          : spec.run_replay                ? "summary.json"
                                                           : "risk.json") +
                         " of the base scenario, such as " +
                         (spec.run_replay ? "totals.spend_usd" : "portfolios.contracted.cost_usd.mean") + ")");
    }
  }
  if (!problems.empty()) throw InputError(problems);
}

}  // namespace cloudpact
