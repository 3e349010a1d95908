#include "cli/cli.hpp"

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/command_line.hpp"
#include "cli/usage_error.hpp"
#include "scenario/input_error.hpp"

namespace cloudpact {

int cli_main(int argc, char** argv) {
  try {
    CommandLine command_line;
    return command_line.run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const InputError& e) {
    for (const std::string& line : e.lines()) std::cerr << line << "\n";
    return kExitInvalid;
  } catch (const UsageError& e) {
    std::cerr << "cloudpact: " << e.what() << "\n";
    return kExitInvalid;
  } catch (const std::exception& e) {
    std::cerr << "cloudpact: " << e.what() << "\n";
    return kExitRuntime;
  }
}

}  // namespace cloudpact
