#include "cli/cli.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "cli/args.hpp"
#include "cli/check_command.hpp"
#include "cli/compare_json.hpp"
#include "cli/progress.hpp"
#include "cli/sweep_command.hpp"
#include "cloudpact_version.h"
#include "report/atomic_file.hpp"
#include "report/replay_outputs.hpp"
#include "risk/metrics.hpp"
#include "risk/problem.hpp"
#include "risk/risk_json.hpp"
#include "risk/risk_run.hpp"
#include "risk_api.hpp"
#include "scenario/limits.hpp"
#include "scenario/load.hpp"
#include "scenario/sweep_spec.hpp"
#include "sim/replay.hpp"

namespace cloudpact {

namespace {

const char* kTopHelp =
    "cloudpact — discrete-event simulator of multi-cloud compute contracts\n"
    "\n"
    "usage: cloudpact COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  validate FILE...                      check scenario files; prints nothing on success\n"
    "  run FILE [--out DIR] [--set PTR=VALUE]...\n"
    "                                        deterministic replay; writes summary.json, timeseries.csv,\n"
    "                                        ledger.csv, events.jsonl (default DIR: out/<scenario name>/)\n"
    "  risk FILE [--out DIR] [--paths N] [--seed S] [--backend auto|cpu|cuda] [--threads N]\n"
    "                                        Monte Carlo of sampled futures; writes risk.json\n"
    "  sweep FILE [--out DIR] [-j N] [--resume] [--slurm ...]\n"
    "                                        run every variant of a sweep file; writes sweep.csv and\n"
    "                                        variants/<id>/ (default DIR: out/<sweep name>/)\n"
    "  check [--baseline DIR] [--junit FILE] [--update] [FILE...]\n"
    "                                        re-run every scenario, compare with results/ baselines\n"
    "  schema                                print the JSON Schema of scenario files\n"
    "\n"
    "options: --help (on each command), --version\n"
    "exit codes: 0 ok, 1 regression found, 2 invalid input or usage, 3 runtime failure\n";

const char* kValidateHelp =
    "usage: cloudpact validate FILE... [--set PTR=VALUE]...\n"
    "Checks each scenario file against SPEC §2 and §9. Prints nothing and exits 0\n"
    "when all are valid; otherwise one line per problem on stderr\n"
    "(FILE: /json/pointer: problem (expected ...)) and exit code 2.\n";

const char* kRunHelp =
    "usage: cloudpact run FILE [--out DIR] [--set /json/pointer=VALUE]...\n"
    "Replays the scenario on SimGrid and writes, atomically, into DIR\n"
    "(default out/<scenario name>/): summary.json, timeseries.csv, ledger.csv,\n"
    "events.jsonl. --set overrides one value before validation (VALUE is parsed\n"
    "as JSON, else taken as a string); repeatable.\n";

const char* kRiskHelp =
    "usage: cloudpact risk FILE [--out DIR] [--paths N] [--seed S] [--backend auto|cpu|cuda]\n"
    "                      [--threads N] [--batch N] [--set /json/pointer=VALUE]... [--uncertainty-off]\n"
    "Samples N futures of the scenario (outages, prices, demand, delivery delays from its\n"
    "`uncertainty` section, plus its own events on every path) and evaluates every\n"
    "portfolio on each: contracted, without:P and single:P for every provider P. Writes,\n"
    "atomically, DIR/risk.json (default DIR: out/<scenario name>/): cost and unmet-demand\n"
    "distributions, p_unmet, spend concentration (HHI), lock-in and negotiating leverage.\n"
    "\n"
    "  --paths N          sampled futures (default: uncertainty.paths, else 10000)\n"
    "  --seed S           Philox seed, integer >= 0 (default: uncertainty.seed, else 42)\n"
    "  --backend B        auto (CUDA when built with it and a GPU answers, else cpu), cpu, cuda\n"
    "  --threads N        OpenMP threads for the cpu backend (default 0: all cores)\n"
    "  --batch N          paths per kernel call (default: adaptive, at most 16384 on cpu and\n"
    "                     262144 on cuda); memory beyond the per-path results does not grow\n"
    "                     with --paths\n"
    "  --uncertainty-off  no sampled outages, zero volatilities, deliveries on time: every path\n"
    "                     is the replay's own future (consistency check against `run`)\n"
    "  --set PTR=VALUE    override one scenario value before validation; repeatable\n"
    "\n"
    "risk.json depends only on the scenario, seed and paths: the same for any --threads or\n"
    "--batch; CPU and CUDA agree to 1e-9 relative. Progress on stderr; the output folder on\n"
    "stdout. Exit 2 on invalid input or options, 3 when the device or I/O fails.\n";

const char* kSchemaHelp = "usage: cloudpact schema\nPrints the JSON Schema (draft 2020-12) of scenario files.\n";

int cmd_validate(const std::vector<std::string>& argv) {
  const Args a = parse_args(argv, {});
  if (a.help) {
    std::cout << kValidateHelp;
    return kExitOk;
  }
  if (a.files.empty()) throw UsageError("validate needs at least one FILE");
  std::vector<std::string> problems;
  for (const std::string& f : a.files) {
    try {
      if (looks_like_sweep_file(f)) {
        (void)load_sweep_spec(f);
      } else {
        (void)load_scenario(f, a.overrides);
      }
    } catch (const InputError& e) {
      problems.insert(problems.end(), e.lines().begin(), e.lines().end());
    }
  }
  if (problems.empty()) return kExitOk;
  throw InputError(problems);
}

int cmd_run(const std::vector<std::string>& argv) {
  const Args a = parse_args(argv, {"--out"});
  if (a.help) {
    std::cout << kRunHelp;
    return kExitOk;
  }
  if (a.files.size() != 1) throw UsageError("run needs exactly one scenario FILE");
  const Scenario sc = load_scenario(a.files[0], a.overrides);
  const auto out_it = a.named.find("--out");
  // The scenario name is an id ([A-Za-z0-9][A-Za-z0-9._-]*), so the default
  // folder cannot escape out/.
  const std::string dir = out_it != a.named.end() ? out_it->second : "out/" + sc.name;
  const ReplayResult r = run_replay(sc);
  write_outputs(dir, replay_outputs(sc, r));
  std::cout << dir << "\n";
  return kExitOk;
}

// Bytes of physical memory, 0 when unknown.
double physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0.0;
}

int cmd_risk(const std::vector<std::string>& argv) {
  const Args a = parse_args(argv, {"--out", "--paths", "--seed", "--backend", "--threads", "--batch"},
                            {"--uncertainty-off"});
  if (a.help) {
    std::cout << kRiskHelp;
    return kExitOk;
  }
  if (a.files.size() != 1) throw UsageError("risk needs exactly one scenario FILE");
  // Options first (usage errors before any work), defaults from the scenario after.
  const auto backend_it = a.named.find("--backend");
  const std::string backend_opt = backend_it != a.named.end() ? backend_it->second : "auto";
  if (backend_opt != "auto" && backend_opt != "cpu" && backend_opt != "cuda") {
    throw UsageError("--backend needs auto, cpu or cuda, got '" + backend_opt + "'");
  }
  constexpr std::int64_t kNoValue = -1;
  const std::int64_t paths_opt = integer_option<std::int64_t>(a, "--paths", kNoValue, 1, limits::max_paths);
  const bool seed_given = a.named.count("--seed") != 0;
  const std::uint64_t seed_opt =
      integer_option<std::uint64_t>(a, "--seed", 0, 0, std::numeric_limits<std::uint64_t>::max());
  const int threads = integer_option<int>(a, "--threads", 0, 0, 4096);
  const std::int64_t batch_opt = integer_option<std::int64_t>(a, "--batch", kNoValue, 1, limits::max_paths);
  const bool uncertainty_off = a.flags.count("--uncertainty-off") != 0;

  const Scenario sc = load_scenario(a.files[0], a.overrides);
  const RiskSetup setup = build_risk_problem(sc, uncertainty_off);  // InputError: exit 2
  const std::int64_t paths = paths_opt != kNoValue ? paths_opt : sc.uncertainty.paths;
  const std::uint64_t seed = seed_given ? seed_opt : sc.uncertainty.seed;
  if (paths < 1 || paths > limits::max_paths) {
    throw UsageError("paths must be in [1, " + std::to_string(limits::max_paths) + "], got " + std::to_string(paths));
  }

  // Memory: the per-path results (kept for the quantiles), plus the metrics'
  // sorted copies; everything else is per batch.
  const double need = risk_result_bytes(setup, paths);
  const double have = physical_memory_bytes();
  if (have > 0 && need > 0.8 * have) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "%s: --paths %lld would need about %.1f GiB for the per-path results, more than 80%% of "
                  "this machine's %.1f GiB (use fewer paths)",
                  a.files[0].c_str(), static_cast<long long>(paths), need / (1 << 30), have / (1 << 30));
    throw InputError({buf});
  }

  risk::Backend backend = risk::Backend::cpu;
  if (backend_opt == "cuda") {
    if (!risk::cuda_compiled()) {
      throw std::runtime_error("--backend cuda: this build has no CUDA backend (configure with -Dcuda=enabled)");
    }
    if (!risk::cuda_device_present()) {
      throw std::runtime_error("--backend cuda: no CUDA device answers (driver missing or no GPU visible)");
    }
    backend = risk::Backend::cuda;
  } else if (backend_opt == "auto" && risk::cuda_compiled() && risk::cuda_device_present()) {
    backend = risk::Backend::cuda;
  }
  if (backend == risk::Backend::cuda) {
    // Device information goes to stderr only: risk.json stays byte-stable.
    std::cerr << "risk: backend cuda: " << risk::cuda_device_description() << "\n";
  }
  const auto out_it = a.named.find("--out");
  const std::string dir = out_it != a.named.end() ? out_it->second : "out/" + sc.name;

  const RiskRunOptions options{paths, seed, backend, threads, batch_opt, uncertainty_off};
  std::string text;
  {
    Progress progress("risk", "paths", paths);
    text = run_risk(sc, setup, options, [&](std::int64_t done) { progress.update(done); });
    progress.finish();
  }
  write_outputs(dir, {{"risk.json", text}});
  std::cout << dir << "\n";
  return kExitOk;
}

int cmd_schema(const std::vector<std::string>& argv) {
  const Args a = parse_args(argv, {});
  if (a.help) {
    std::cout << kSchemaHelp;
    return kExitOk;
  }
  if (!a.files.empty()) throw UsageError("schema takes no arguments");
  std::cout << scenario_schema_text();
  return kExitOk;
}

}  // namespace

int cli_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty()) throw UsageError("missing COMMAND");
    const std::string cmd = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (is_help(cmd)) {
      std::cout << kTopHelp;
      return kExitOk;
    }
    if (cmd == "--version") {
      std::cout << "cloudpact " << CLOUDPACT_VERSION << " (git " << CLOUDPACT_GIT_REVISION << ")\n";
      return kExitOk;
    }
    const std::map<std::string, std::function<int(const std::vector<std::string>&)>> commands = {
        {"validate", cmd_validate}, {"run", cmd_run},         {"risk", cmd_risk},
        {"schema", cmd_schema},     {"compare-json", cmd_compare_json},
        {"sweep", cmd_sweep},       {"sweep-variant", cmd_sweep_variant},
        {"sweep-worker", cmd_sweep_worker}, {"check", cmd_check}};
    const auto it = commands.find(cmd);
    if (it == commands.end()) throw UsageError("unknown command " + cmd);
    return it->second(rest);
  } catch (const InputError& e) {
    for (const std::string& line : e.lines()) std::cerr << line << "\n";
    return kExitInvalid;
  } catch (const UsageError& e) {
    std::cerr << "cloudpact: " << e.what() << "\n" << "try 'cloudpact --help'\n";
    return kExitInvalid;
  } catch (const std::exception& e) {
    std::cerr << "cloudpact: " << e.what() << "\n";
    return kExitRuntime;
  }
}

}  // namespace cloudpact
