// The commands of `cloudpact`. Each add_* declares one command and its
// options on the root of the command line (cli/options.hpp) and returns what
// runs it with the values parsed into them. Exit codes as in cli/cli.hpp.
#pragma once

#include <functional>

namespace CLI {
class App;
}  // namespace CLI

namespace cloudpact {

struct Command {
  CLI::App* app = nullptr;    // owned by the root it was added to
  std::function<int()> run;   // after a successful parse
};

Command add_validate_command(CLI::App& root);
Command add_run_command(CLI::App& root);
Command add_risk_command(CLI::App& root);
Command add_sweep_command(CLI::App& root);
Command add_optimize_command(CLI::App& root);
Command add_check_command(CLI::App& root);
Command add_schema_command(CLI::App& root);
// Not listed in `cloudpact --help`: run by cloudpact itself or by scripts.
Command add_compare_json_command(CLI::App& root);
Command add_sweep_variant_command(CLI::App& root);
Command add_sweep_worker_command(CLI::App& root);

}  // namespace cloudpact
