// `cloudpact validate`, `run` and `schema`: the commands on one scenario
// file that need no more than loading it (and, for run, one replay).
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "optimize/optimize_check.hpp"
#include "report/atomic_file.hpp"
#include "report/replay_outputs.hpp"
#include "scenario/input_file.hpp"
#include "scenario/limits.hpp"
#include "scenario/load.hpp"
#include "scenario/optimize_spec.hpp"
#include "scenario/sweep_spec.hpp"
#include "sim/replay.hpp"
#include "sweep/sweep_check.hpp"

namespace cloudpact {

namespace {

struct ValidateOptions {
  std::vector<std::string> files;
  std::vector<Override> overrides;
};

int validate_command(const ValidateOptions& o) {
  if (o.files.empty()) throw UsageError("validate needs at least one FILE");
  std::vector<std::string> problems;
  for (const std::string& f : o.files) {
    try {
      // Read once, then judged by its top-level keys: a pipe (`validate
      // /dev/stdin`, `<(...)`) can be read only once, and a file that
      // changes meanwhile must not be judged in one form and checked in
      // another. Unreadable, it is reported as a scenario file would be.
      const std::string text = read_input_file(f, limits::max_scenario_bytes, "scenario file");
      const std::vector<std::string> keys = top_level_keys_of(text);
      const bool optimize = looks_like_optimize_file(keys), sweep = !optimize && looks_like_sweep_file(keys);
      // `sweep` and `optimize` take no --set: validating such a file as if
      // an override reached it would pass what they would never run.
      if ((optimize || sweep) && !o.overrides.empty())
        problems.push_back(f + ": --set applies to scenario files only, and this is " +
                           (optimize ? "an optimize" : "a sweep") + " file (expected it without --set: " +
                           (optimize ? "optimize" : "sweep") + " takes none)");
      if (optimize) {
        // As `optimize` checks it before its search: on the CPU backend,
        // whose adaptive batches are what a machine without a GPU runs.
        const OptimizeSpec spec = parse_optimize_spec(text, f);
        check_optimize_runs(spec, parse_scenario(spec.base_text, spec.base_path),
                            RiskRunOptions{spec.paths, 0, risk::Backend::cpu, 0, -1, false});
      } else if (sweep) {
        check_sweep_outputs(parse_sweep_spec(text, f));
      } else {
        (void)parse_scenario(text, f, o.overrides);
      }
    } catch (const InputError& e) {
      problems.insert(problems.end(), e.lines().begin(), e.lines().end());
    }
  }
  if (problems.empty()) return kExitOk;
  throw InputError(problems);
}

struct RunOptions {
  std::vector<std::string> files;
  std::optional<std::string> out;
  std::vector<Override> overrides;
};

int run_command(const RunOptions& o) {
  if (o.files.size() != 1) throw UsageError("run needs exactly one scenario FILE");
  if (o.out) (void)output_folder(o.out, "", true);  // a bad --out before the scenario is read
  const Scenario sc = load_scenario(o.files[0], o.overrides);
  // The scenario name is an id ([A-Za-z0-9][A-Za-z0-9._-]*), so the default
  // folder cannot escape out/.
  const std::string dir = output_folder(o.out, "out/" + sc.name, true);
  const ReplayResult r = run_replay(sc);
  commit_outputs(dir, replay_outputs(sc, r));
  std::cout << dir << "\n";
  return kExitOk;
}

}  // namespace

Command add_validate_command(CLI::App& root) {
  auto o = std::make_shared<ValidateOptions>();
  CLI::App& cmd = add_command(root, "validate", "check scenario, sweep or optimize files; prints nothing on success",
                              "Checks each scenario file against docs/reference.md §2, §9, each sweep file against §7, each\n"
                              "optimize file against §15. Prints nothing and exits 0 when all are valid; otherwise one\n"
                              "line per problem on stderr (FILE: /json/pointer: problem (expected ...)) and exit code 2.");
  add_positionals(cmd, "FILE", "FILE...", o->files, "scenario, sweep or optimize files");
  add_overrides(cmd, o->overrides);
  return {&cmd, [o] { return validate_command(*o); }};
}

Command add_run_command(CLI::App& root) {
  auto o = std::make_shared<RunOptions>();
  CLI::App& cmd =
      add_command(root, "run", "deterministic replay; writes summary.json, timeseries.csv, ledger.csv, events.jsonl",
                  "Replays the scenario on SimGrid and writes into DIR: summary.json, timeseries.csv,\n"
                  "ledger.csv and events.jsonl (docs/reference.md §5), as one set: DIR holds the\n"
                  "previous four or the new four, never a mix, whatever stops the command; other files\n"
                  "in DIR are kept (docs/reference.md §1.2). Prints DIR. Exit 3 on an I/O failure.");
  add_positionals(cmd, "FILE", "FILE", o->files, "the scenario file");
  add_path(cmd, "--out", o->out, "DIR", "a folder", "output folder (default out/<scenario name>/)");
  add_overrides(cmd, o->overrides);
  return {&cmd, [o] { return run_command(*o); }};
}

Command add_schema_command(CLI::App& root) {
  CLI::App& cmd = add_command(root, "schema", "print the JSON Schema of scenario files (also scenarios/schema.json)",
                              "Prints the JSON Schema (draft 2020-12) of scenario files.");
  return {&cmd, [] {
            std::cout << scenario_schema_text();
            return kExitOk;
          }};
}

}  // namespace cloudpact
