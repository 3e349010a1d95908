// Test hooks at every step that changes the file system while outputs are
// committed (atomic_file.cpp, fs_ops.cpp), for the fault-injection suites
// (tests/faults, docs/reference.md §7.4). Inert unless these variables are set:
//
//   CLOUDPACT_TEST_STOP_AT=N   the process stops itself (SIGSTOP) just before
//                              its Nth step, so a test can kill it there,
//                              remove its folder, fill the disk, ... and go on
//   CLOUDPACT_TEST_FAIL_AT=N   the Nth step fails with EIO instead of running
//   CLOUDPACT_TEST_TRACE=1     each step is printed on stderr:
//                              "cloudpact: step N: WHAT PATH"
//   CLOUDPACT_TEST_ONLY=CMD    the hooks act only in `cloudpact CMD` (e.g.
//                              sweep-variant), not in its parent or children
//   CLOUDPACT_TEST_NO_EXCHANGE=1  commits behave as on a file system without
//                              renameat2(RENAME_EXCHANGE) (atomic_file.cpp)
#pragma once

#include <string>

namespace cloudpact::fault {

// The command this process runs (for CLOUDPACT_TEST_ONLY).
void set_command(const std::string& command);

// CLOUDPACT_TEST_NO_EXCHANGE is set.
bool no_exchange();

// Called before a step; false (errno = EIO) when the step must fail.
bool step(const char* what, const std::string& path);

}  // namespace cloudpact::fault
