#include "cli/cli.hpp"

#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "cloudpact_version.h"
#include "report/atomic_file.hpp"
#include "report/replay_outputs.hpp"
#include "scenario/load.hpp"
#include "sim/replay.hpp"

namespace cloudpact {

namespace {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

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

const char* kSchemaHelp = "usage: cloudpact schema\nPrints the JSON Schema (draft 2020-12) of scenario files.\n";

bool is_help(const std::string& a) { return a == "--help" || a == "-h"; }

// Parsed options of one command: positional files, --set overrides, and
// named options with a value.
struct Args {
  std::vector<std::string> files;
  std::vector<Override> overrides;
  std::map<std::string, std::string> named;
  bool help = false;
};

Args parse_args(const std::vector<std::string>& argv, const std::vector<std::string>& valued) {
  Args a;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& s = argv[i];
    if (is_help(s)) {
      a.help = true;
      continue;
    }
    auto take_value = [&](const std::string& name) -> std::string {
      const std::string eq = name + "=";
      if (s.rfind(eq, 0) == 0) return s.substr(eq.size());
      if (i + 1 >= argv.size()) throw UsageError(name + " needs a value");
      return argv[++i];
    };
    if (s == "--set" || s.rfind("--set=", 0) == 0) {
      a.overrides.push_back(parse_override(take_value("--set")));
      continue;
    }
    bool matched = false;
    for (const std::string& name : valued) {
      if (s == name || s.rfind(name + "=", 0) == 0) {
        a.named[name] = take_value(name);
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (s.size() > 1 && s[0] == '-') throw UsageError("unknown option " + s);
    a.files.push_back(s);
  }
  return a;
}

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
      (void)load_scenario(f, a.overrides);
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
        {"validate", cmd_validate}, {"run", cmd_run}, {"schema", cmd_schema}};
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
