#include "cli/command_line.hpp"

#include <algorithm>
#include <iostream>
#include <set>
#include <stdexcept>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "cli/help_format.hpp"
#include "cli/options.hpp"
#include "cli/usage_error.hpp"
#include "cloudpact_git_revision.h"
#include "cloudpact_version.h"
#include "report/fault_points.hpp"
#include "scenario/message_text.hpp"

namespace cloudpact {

namespace {

const char* kDescription = "cloudpact — discrete-event simulator of multi-cloud compute contracts";

const char* kFooter =
    "`cloudpact COMMAND --help` describes one command.\n"
    "exit codes: 0 ok, 1 regression found, 2 invalid input or usage (nothing written), 3 runtime failure";

bool is_option(const std::string& arg) { return arg.size() > 1 && arg[0] == '-'; }

bool help_requested(const CLI::App& app) {
  const CLI::Option* help = app.get_help_ptr();
  if (help != nullptr && help->count() > 0) return true;
  for (const CLI::App* sub : app.get_subcommands()) {
    if (help_requested(*sub)) return true;
  }
  return false;
}

// CLI11's words for what it rejects itself, in cloudpact's.
std::string usage_message(const CLI::ParseError& e, const std::vector<std::string>& args) {
  // CLI11 reports a missing value only when the arguments ran out, so the
  // option lacking it is the last one ("--out"; "--out=" is an empty value
  // by then, normalised_args).
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr && !args.empty() && is_option(args.back()))
    return args.back() + " needs a value";
  return e.what();
}

// The arguments as CLI11 is to read them, in one pass up to `--`:
// - a flag given a value (`--update=x`, `--sensitivity=no`) is refused:
//   CLI11 would read the value as a boolean, `no` switching the flag off and
//   `x` an error in its own words, where a flag of cloudpact's is given or
//   not (§1.1). Every flag name is one command's only (no command has a
//   valued option of that name), so all commands' flags are known before
//   the parse; help still wins (`--update=x --help` prints the help);
// - `--opt=` becomes `--opt` and an empty value, as `--opt ''` (§1.2: the
//   two forms are equivalent), where CLI11 would take the next argument as
//   the value (`check --junit= s.json` wrote the report over the scenario).
std::vector<std::string> normalised_args(const CLI::App& root, const std::vector<std::string>& args) {
  std::set<std::string> flags;
  const auto collect = [&](const CLI::App& app) {
    for (const CLI::Option* opt : app.get_options())
      if (opt->get_expected_max() == 0)
        for (const std::string& name : opt->get_lnames()) flags.insert("--" + name);
  };
  collect(root);
  for (const CLI::App* sub : root.get_subcommands([](const CLI::App*) { return true; })) collect(*sub);
  const bool help = std::find(args.begin(), args.end(), "--help") != args.end() ||
                    std::find(args.begin(), args.end(), "-h") != args.end();
  std::vector<std::string> out;
  bool positional = false;  // after `--`
  for (const std::string& arg : args) {
    positional = positional || arg == "--";
    const std::size_t eq = arg.find('=');
    if (positional || arg.rfind("--", 0) != 0 || eq == std::string::npos) {
      out.push_back(arg);
    } else if (flags.count(arg.substr(0, eq)) != 0) {
      if (!help) throw UsageError(arg.substr(0, eq) + " takes no value, got '" + escape_text(arg.substr(eq + 1)) + "'");
      out.push_back(arg);
    } else if (eq == arg.size() - 1 && eq > 2) {
      out.push_back(arg.substr(0, eq));
      out.emplace_back();
    } else {
      out.push_back(arg);
    }
  }
  return out;
}

// Arguments no option or positional of `cmd` took.
void reject_leftovers(const CLI::App& cmd, const std::string& help_command) {
  for (const std::string& arg : cmd.remaining()) {
    if (arg == "--") continue;  // CLI11 keeps the separator it honoured
    if (is_option(arg)) throw UsageError("unknown option " + escape_text(arg) + " (see " + help_command + ")");
    throw UsageError("unexpected argument '" + escape_text(arg) + "' (see " + help_command + ")");
  }
}

}  // namespace

CommandLine::CommandLine() : root_(std::make_unique<CLI::App>(kDescription, "cloudpact")) {
  CLI::App& root = *root_;
  root.formatter(make_help_formatter());
  root.option_defaults()->group("options");
  root.set_help_flag("-h,--help", "print this help and exit");
  root.set_version_flag("--version",
                        std::string("cloudpact ") + CLOUDPACT_VERSION + " (git " + CLOUDPACT_GIT_REVISION + ")",
                        "print the version and git revision and exit");
  root.footer(kFooter);
  // Unknown options and stray arguments are collected, not thrown, so that
  // run() can name them in cloudpact's words and --help can still win.
  root.allow_extras();
  root.require_subcommand(0, 1);
  commands_ = {add_validate_command(root),     add_run_command(root),          add_risk_command(root),
               add_sweep_command(root),        add_optimize_command(root),     add_check_command(root),
               add_schema_command(root),
               add_compare_json_command(root), add_sweep_variant_command(root), add_sweep_worker_command(root)};
}

CommandLine::~CommandLine() = default;

namespace {
// A word where a command belongs that names none: help cannot win over it,
// as there is no such command to describe (`cloudpact frob --help`).
void reject_unknown_command(const CLI::App& root) {
  if (!root.get_subcommands().empty()) return;
  for (const std::string& arg : root.remaining())
    if (arg != "--" && !is_option(arg))
      throw UsageError("unknown command " + escape_text(arg) + " (see cloudpact --help)");
}
}  // namespace

int CommandLine::run(const std::vector<std::string>& args) {
  const std::vector<std::string> split = normalised_args(*root_, args);
  std::vector<std::string> reversed(split.rbegin(), split.rend());  // CLI11 takes the last argument first
  try {
    root_->parse(reversed);
  } catch (const CLI::CallForHelp&) {
    reject_unknown_command(*root_);
    std::cout << root_->help();
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    if (help_requested(*root_)) {
      std::cout << root_->help();
      return kExitOk;
    }
    throw UsageError(usage_message(e, split));
  } catch (const std::exception&) {
    // An option's own conversion failed (UsageError, InputError): help
    // still wins, as it does over CLI11's errors.
    if (help_requested(*root_)) {
      std::cout << root_->help();
      return kExitOk;
    }
    throw;
  }
  const std::vector<CLI::App*> chosen = root_->get_subcommands();
  if (chosen.empty()) {
    for (const std::string& arg : root_->remaining()) {
      if (arg == "--") continue;
      if (is_option(arg)) throw UsageError("unknown option " + escape_text(arg) + " (see cloudpact --help)");
      throw UsageError("unknown command " + escape_text(arg) + " (see cloudpact --help)");
    }
    throw UsageError("missing COMMAND (see cloudpact --help)");
  }
  reject_leftovers(*root_, "cloudpact --help");
  const CLI::App* cmd = chosen.front();
  reject_leftovers(*cmd, "cloudpact " + cmd->get_name() + " --help");
  fault::set_command(cmd->get_name());
  for (const Command& c : commands_) {
    if (c.app == cmd) return c.run();
  }
  throw std::logic_error("command " + cmd->get_name() + " has nothing to run it");
}

}  // namespace cloudpact
