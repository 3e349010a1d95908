#include "cli/cli.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
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
namespace {

int run_command_line(int argc, char** argv) {
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

// What a command printed on stdout (a folder's path, a schema, a report) is
// part of its result: stdout that could not take it all (a full disk, a
// closed pipe's reader gone with SIGPIPE ignored) is an I/O failure, exit 3
// (docs/reference.md §1), not a success. Seen only at the flush: the
// stream writes through stdio's buffer.
bool stdout_lost() {
  errno = 0;
  std::cout.flush();
  const bool lost = std::cout.fail() || std::fflush(stdout) != 0 || std::ferror(stdout) != 0;
  if (lost) {
    const int err = errno;
    std::cerr << "cloudpact: cannot write to standard output" << (err != 0 ? std::string(": ") + std::strerror(err) : "")
              << "\n";
  }
  return lost;
}

}  // namespace

int cli_main(int argc, char** argv) {
  const int code = run_command_line(argc, argv);
  // A usage or input error (2) or a runtime failure (3) already says what
  // went wrong first; a success or a check's "moved" (1) did not happen.
  if (stdout_lost() && code != kExitInvalid) return kExitRuntime;
  return code;
}

}  // namespace cloudpact
