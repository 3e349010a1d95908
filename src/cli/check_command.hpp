// `cloudpact check [--baseline DIR] [--junit FILE] [--update] [--paths N] [--z Z] [FILE...]`
// (SPEC §8): re-runs every scenario's replay (and risk, where a baseline
// risk.json exists) in child processes of this binary and compares the
// outputs with the committed baselines DIR/<name>/ (regression/check.hpp),
// or with --update rewrites them.
#pragma once

#include <string>
#include <vector>

namespace cloudpact {

// Exit 0 all within tolerance (or baselines written), 1 a regression, 2
// invalid input or usage (nothing written), 3 a child or I/O failed.
int cmd_check(const std::vector<std::string>& argv);

}  // namespace cloudpact
