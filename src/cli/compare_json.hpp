// Hidden command `cloudpact compare-json A B [--rel R] [--ignore PTR]...`:
// compares two JSON files number by number (regression/compare_json.hpp;
// used by scripts/gpu-check on a machine without python). Prints one line
// per mismatch on stdout, then `max_rel_diff=X mismatches=N compared=M`.
// Exit 0 when all agree, 1 on a mismatch, 2 on usage or unreadable JSON.
#pragma once

#include <string>
#include <vector>

namespace cloudpact {

int cmd_compare_json(const std::vector<std::string>& argv);

}  // namespace cloudpact
