// `cloudpact risk`: Monte Carlo of sampled futures (docs/reference.md §2.7), risk.json.
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/progress.hpp"
#include "cli/risk_backend.hpp"
#include "report/atomic_file.hpp"
#include "risk/problem.hpp"
#include "risk/risk_run.hpp"
#include "risk_api.hpp"
#include "scenario/limits.hpp"
#include "scenario/load.hpp"
#include "scenario/message_text.hpp"

namespace cloudpact {

namespace {

struct RiskOptions {
  std::vector<std::string> files;
  std::optional<std::string> out;
  std::optional<std::int64_t> paths;
  std::optional<std::uint64_t> seed;
  std::string backend = "auto";
  std::optional<int> threads;
  std::optional<std::int64_t> batch;
  bool uncertainty_off = false;
  bool sensitivity = false;
  std::vector<Override> overrides;
};


int risk_command(const RiskOptions& o) {
  if (o.files.size() != 1) throw UsageError("risk needs exactly one scenario FILE");
  if (o.out) (void)output_folder(o.out, "", false);  // a bad --out before the scenario is read
  const Scenario sc = load_scenario(o.files[0], o.overrides);
  const std::string dir = output_folder(o.out, "out/" + sc.name, false);
  const RiskSetup setup = build_risk_problem(sc, o.uncertainty_off, o.sensitivity);  // InputError: exit 2
  const std::int64_t paths = o.paths.value_or(sc.uncertainty.paths);
  const std::uint64_t seed = o.seed.value_or(sc.uncertainty.seed);
  if (paths < 1 || paths > limits::max_paths) {
    throw UsageError("paths must be in [1, " + std::to_string(limits::max_paths) + "], got " + std::to_string(paths));
  }

  constexpr std::int64_t kAdaptiveBatch = -1;
  // Memory before the device: a run that cannot fit is bad input (exit 2)
  // whichever backend would run it.
  RiskRunOptions options{paths,        seed, wanted_backend(o.backend), o.threads.value_or(0), o.batch.value_or(kAdaptiveBatch),
                         o.uncertainty_off};
  check_risk_memory(o.files[0], "--paths " + std::to_string(paths), setup, options);
  options.backend = choose_backend(o.backend, "risk");

  std::string text;
  {
    Progress progress("risk", "paths", paths);
    text = run_risk(sc, setup, options, [&](std::int64_t done) { progress.update(done); });
    progress.finish();
  }
  commit_outputs(dir, {{"risk.json", text}});
  std::cout << dir << "\n";
  return kExitOk;
}

}  // namespace

Command add_risk_command(CLI::App& root) {
  auto o = std::make_shared<RiskOptions>();
  CLI::App& cmd = add_command(
      root, "risk", "Monte Carlo of sampled futures; writes risk.json",
      "Samples futures of the scenario (outages, prices, demand, delivery delays from its\n"
      "`uncertainty` section, plus its own events on every path) and evaluates every portfolio\n"
      "on each: contracted, without:P and single:P for every provider P. Writes, atomically,\n"
      "DIR/risk.json: cost and unmet-demand distributions, p_unmet, spend concentration (HHI),\n"
      "lock-in and negotiating leverage, each with its Monte Carlo standard error; with\n"
      "--sensitivity, what each source of uncertainty adds to the contracted cost.\n"
      "\n"
      "risk.json depends only on the scenario, seed and paths: the same for any --threads or\n"
      "--batch; CPU and CUDA agree to 1e-9 relative. Progress on stderr; DIR on stdout.\n"
      "Exit 2 on invalid input or options, 3 when the device or I/O fails.");
  add_positionals(cmd, "FILE", "FILE", o->files, "the scenario file");
  add_path(cmd, "--out", o->out, "DIR", "a folder", "output folder (default out/<scenario name>/)");
  add_integer<std::int64_t>(cmd, "--paths", o->paths, 1, limits::max_paths, "N",
                            "sampled futures (default: uncertainty.paths, else 10000)");
  add_integer<std::uint64_t>(cmd, "--seed", o->seed, 0, limits::max_seed, "S",
                             "Philox seed, a whole number in digits, 0 to 9000000000000000000 "
                             "(default: uncertainty.seed, else 42)");
  add_choice(cmd, "--backend", o->backend, {"auto", "cpu", "cuda"},
             "auto: CUDA when built with it and a GPU answers, else cpu (default auto)");
  add_integer<int>(cmd, "--threads", o->threads, 0, 4096, "N", "OpenMP threads of the cpu backend (default 0: all cores)");
  add_integer<std::int64_t>(cmd, "--batch", o->batch, 1, limits::max_paths, "N",
                            "paths per kernel call (default: on cpu adaptive, at most 16384; on cuda "
                            "262144); memory beyond the per-path results does not grow with --paths");
  add_flag(cmd, "--uncertainty-off", o->uncertainty_off,
           "no sampled outages, no price model (drift, volatility, jumps), no demand volatility, deliveries "
           "on time, no correlation: every path is the replay's own future (a consistency check against `run`)");
  add_flag(cmd, "--sensitivity", o->sensitivity,
           "also evaluate the contracted portfolio with each source of uncertainty switched off, on the same "
           "paths, and write what each source adds to its mean, p95 and CVaR95 (docs/reference.md §12)");
  add_overrides(cmd, o->overrides);
  return {&cmd, [o] { return risk_command(*o); }};
}

}  // namespace cloudpact
