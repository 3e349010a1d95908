// `cloudpact optimize`: the best values of a scenario's numbers for the
// contracted portfolio's risk (docs/reference.md §15).
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/progress.hpp"
#include "cli/risk_backend.hpp"
#include "optimize/evaluator.hpp"
#include "optimize/optimize_check.hpp"
#include "optimize/optimize_outputs.hpp"
#include "optimize/search.hpp"
#include "proc/stop_signals.hpp"
#include "report/atomic_file.hpp"
#include "report/json_text.hpp"
#include "scenario/load.hpp"
#include "scenario/optimize_spec.hpp"

namespace cloudpact {

namespace {

struct OptimizeOptions {
  std::vector<std::string> files;
  std::optional<std::string> out;
  std::string backend = "auto";
  std::optional<int> threads;
};

int optimize_command(const OptimizeOptions& o) {
  if (o.files.size() != 1) throw UsageError("optimize needs exactly one optimize FILE");
  if (o.out) (void)output_folder(o.out, "", true);  // a bad --out before the file is read
  const OptimizeSpec spec = load_optimize_spec(o.files[0]);
  const std::string dir = output_folder(o.out, "out/" + spec.name, true);

  // The base scenario's risk problem, once, before any search: what the
  // kernels cannot take, or the memory cannot hold, is bad input (exit 2).
  const Scenario base = parse_scenario(spec.base_text, spec.base_path);
  const std::uint64_t seed = spec.seed.value_or(base.uncertainty.seed);
  constexpr std::int64_t kAdaptiveBatch = -1;
  RiskRunOptions options{spec.paths, seed, wanted_backend(o.backend), o.threads.value_or(0), kAdaptiveBatch, false};
  check_optimize_runs(spec, base, options);
  options.backend = choose_backend(o.backend, "optimize");

  // SIGINT, SIGTERM, SIGHUP: asked between evaluations and between an
  // evaluation's batches of paths.
  const auto stop_requested = [] { return StopSignals::received() != 0; };
  optimize::Evaluator evaluator(spec, options);
  evaluator.stop_requested = stop_requested;
  const std::int64_t most = spec.max_evaluations + static_cast<std::int64_t>(spec.frontier.size()) * spec.frontier_evaluations;
  const StopSignals stop_signals;  // SIGINT, SIGTERM, SIGHUP: stop the search, write the best so far
  optimize::SearchOutcome outcome;
  std::optional<optimize::OutOfSample> oos;
  {
    Progress progress("optimize", "evaluations", most);
    // The best so far, kept as evaluations come (not searched again each
    // time: a search may run 100,000 of them).
    const optimize::Evaluation* best = nullptr;
    evaluator.on_new = [&](const optimize::Evaluation& e) {
      if (!best || optimize::better(e, *best, spec.objective, spec.constraints)) best = &e;
      // Six significant digits: a line to watch, where the 17 of the exact
      // figure (optimize.json's) would be noise.
      if (best->ok && optimize::feasible(spec.constraints, best->figures)) {
        char note[48];
        std::snprintf(note, sizeof note, "best %.6g", optimize::objective_value(spec.objective, best->figures));
        progress.set_note(note);
      }
      progress.update(evaluator.count());
    };
    outcome = optimize::run_search(evaluator, stop_requested);
    // The optimum on fresh paths: how much of its advantage is luck of the
    // sample (the in-sample minimum is biased low).
    // A stop during it leaves the run stopped, as one before it would.
    if (!outcome.stopped && outcome.best && outcome.best->ok) {
      try {
        oos = optimize::OutOfSample{seed + 1, evaluator.evaluate_on_seed(outcome.best->values, seed + 1)};
      } catch (const RunStopped&) {
        outcome.stopped = true;
      }
    }
    if (!outcome.stopped) {
      progress.set_total(evaluator.count());
      progress.finish();
    }
  }

  std::vector<OutputFile> files = {{"optimize.json", optimize::optimize_json(evaluator, outcome, oos)},
                                   {"evaluations.csv", optimize::evaluations_csv(evaluator)}};
  // A run that writes no frontier removes the one an earlier run left in
  // DIR: the set in DIR is this run's alone (docs/reference.md §1.2).
  CommitOptions commit;
  if (!spec.frontier.empty() && !outcome.stopped)
    files.push_back({"frontier.csv", optimize::frontier_csv(evaluator, outcome)});
  else
    commit.remove.push_back("frontier.csv");
  commit_outputs(dir, files, commit);
  std::cout << dir << "\n";
  const int sig = StopSignals::received();
  if (outcome.stopped)
    std::cerr << "optimize: stopped after " << evaluator.count()
              << " evaluations; the best point so far is in optimize.json (\"stopped\": true)\n";
  else if (sig != 0)
    // The search had ended: what was written is the whole run's.
    std::cerr << "optimize: signal " << sig << " after the search ended; optimize.json is complete\n";
  if (sig != 0) die_by(sig);
  if (!outcome.feasible) {
    // Points the scenario refused are not infeasible: said apart, with the
    // first reason, so that a box where nothing runs does not read as
    // constraints that nothing meets.
    std::int64_t refused = 0;
    const optimize::Evaluation* first_refused = nullptr;
    for (const optimize::Evaluation& e : evaluator.all()) {
      if (e.ok) continue;
      ++refused;
      if (first_refused == nullptr) first_refused = &e;
    }
    if (refused == evaluator.count() && first_refused != nullptr) {
      std::cerr << "optimize: every one of the " << evaluator.count()
                << " evaluated points was refused (the first: " << one_line(first_refused->error)
                << "); each is in evaluations.csv\n";
    } else {
      std::cerr << "optimize: no feasible point among " << evaluator.count() << " evaluations"
                << (refused > 0 ? " (" + std::to_string(refused) + " refused)" : std::string())
                << "; each is in evaluations.csv\n";
    }
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace

Command add_optimize_command(CLI::App& root) {
  auto o = std::make_shared<OptimizeOptions>();
  CLI::App& cmd = add_command(
      root, "optimize", "the best values of a scenario's numbers for its risk; writes optimize.json, evaluations.csv, frontier.csv",
      "Searches the variables of an optimize FILE (numbers of a base scenario, each within\n"
      "bounds) for the lowest objective of the contracted portfolio (mean or CVaR95 of cost,\n"
      "or mean + λ·CVaR95) under upper bounds on its metrics. Every evaluation is a Monte\n"
      "Carlo run on the same paths and seed (common random numbers), cached by the\n"
      "variables' values. NLopt: DIRECT-L over the box, then COBYLA from its best point;\n"
      "with `frontier`, one optimum of mean + λ·CVaR95 per λ (docs/reference.md §15).\n"
      "\n"
      "Writes, as one set, DIR/optimize.json (the best point, its metrics with standard\n"
      "errors, the base scenario's own point, and the optimum re-evaluated on fresh paths\n"
      "with seed + 1: the optimism of the in-sample figure), DIR/evaluations.csv and, with a\n"
      "frontier, DIR/frontier.csv. The same file gives the same bytes, for any --threads.\n"
      "SIGINT, SIGTERM or SIGHUP stop the search and write the best point so far (\"stopped\": true).\n"
      "Exit 2 on invalid input, 3 when no evaluated point is feasible (the files are still\n"
      "written) or on an I/O or device failure.");
  add_positionals(cmd, "FILE", "FILE", o->files, "the optimize file");
  add_path(cmd, "--out", o->out, "DIR", "a folder", "output folder (default out/<name>/)");
  add_choice(cmd, "--backend", o->backend, {"auto", "cpu", "cuda"},
             "auto: CUDA when built with it and a GPU answers, else cpu (default auto)");
  add_integer<int>(cmd, "--threads", o->threads, 0, 4096, "N", "OpenMP threads of the cpu backend (default 0: all cores)");
  return {&cmd, [o] { return optimize_command(*o); }};
}

}  // namespace cloudpact
