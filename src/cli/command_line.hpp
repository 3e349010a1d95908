// The whole `cloudpact` command line, declared once with CLI11: the root
// (--help, --version) and every command with its options (cli/commands.hpp).
// Parsing, `--help` and the tests of the help all read these declarations.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace cloudpact {

class CommandLine {
 public:
  CommandLine();
  ~CommandLine();
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  // Parses `args` (without the program name) and runs the command it names.
  // --help (anywhere on the line, even next to a bad option) prints the help
  // of the command it follows and --version the version: both exit 0.
  // Throws UsageError for a bad command line; whatever the command throws
  // passes through.
  int run(const std::vector<std::string>& args);

  const CLI::App& root() const { return *root_; }
  const std::vector<Command>& commands() const { return commands_; }

 private:
  std::unique_ptr<CLI::App> root_;
  std::vector<Command> commands_;
};

}  // namespace cloudpact
