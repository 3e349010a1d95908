// Hidden command `cloudpact compare-json A B [--rel R] [--ignore PTR]...`:
// compares two JSON files number by number (used by scripts/gpu-check on a
// machine without python). Numbers agree when |a − b| ≤ R·max(|a|, |b|)
// (default R = 1e-9); two integers must be equal; strings, booleans, nulls,
// keys and array lengths must match exactly. Prints one line per mismatch on
// stdout, then `max_rel_diff=X mismatches=N compared=M`. Exit 0 when all
// agree, 1 on a mismatch, 2 on usage or unreadable JSON.
#pragma once

#include <string>
#include <vector>

namespace cloudpact {

struct JsonComparison {
  std::vector<std::string> mismatches;  // "PTR: what differs"
  double max_rel_diff = 0.0;            // over every pair of numbers compared
  long long numbers_compared = 0;
};

// `ignore`: JSON pointers whose subtrees are skipped (e.g. "/backend").
JsonComparison compare_json_text(const std::string& a, const std::string& b, double rel,
                                 const std::vector<std::string>& ignore = {});

int cmd_compare_json(const std::vector<std::string>& argv);

}  // namespace cloudpact
