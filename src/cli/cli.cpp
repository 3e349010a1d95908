#include "cli/cli.hpp"

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/command_line.hpp"
#include "cli/usage_error.hpp"
#include "scenario/input_error.hpp"
#include "scenario/message_text.hpp"

namespace cloudpact {

// Every message is one line of text (docs/reference.md §9.1): whatever a
// user wrote that reached it is escaped where it was put in; one_line is the
// last defence against a control byte or a line break that got through.
int cli_main(int argc, char** argv) {
  try {
    CommandLine command_line;
    return command_line.run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const InputError& e) {
    for (const std::string& line : e.lines()) std::cerr << one_line(line) << "\n";
    return kExitInvalid;
  } catch (const UsageError& e) {
    std::cerr << "cloudpact: " << one_line(e.what()) << "\n";
    return kExitInvalid;
  } catch (const std::exception& e) {
    std::cerr << "cloudpact: " << one_line(e.what()) << "\n";
    return kExitRuntime;
  }
}

}  // namespace cloudpact
