// Runs the real `cloudpact` binary (CLOUDPACT_BIN, set by meson for every
// suite) with its stdout and stderr captured: what the end-to-end tests of
// tests/cli assert on.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace cloudpact::test {

struct Run {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out, err;
};

// `cloudpact ARGS...` in `cwd` (default: this process's).
Run run_cloudpact(const std::vector<std::string>& args, const std::filesystem::path& cwd = {});

// A temporary folder for the whole test run, removed at exit.
const std::filesystem::path& temp_root();

// The bytes of a file (empty when it cannot be read).
std::string read_text(const std::filesystem::path& p);

}  // namespace cloudpact::test
