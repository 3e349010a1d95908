// Two JSON documents number by number, for `cloudpact compare-json` (CPU
// against CUDA risk.json in scripts/gpu-check). Pure: JSON in, mismatches out.
//
// Numbers agree when |a − b| ≤ R·max(|a|, |b|); two integers must be equal
// (a seed may not fit a double); strings, booleans, nulls, keys, types and
// array lengths must match exactly.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "regression/json_walk.hpp"

namespace cloudpact::regression {

struct JsonComparison {
  std::vector<std::string> mismatches;  // "POINTER: what differs", in document order
  double max_rel_diff = 0.0;            // over every pair of numbers compared
  long long numbers_compared = 0;
};

JsonComparison compare_json(const nlohmann::json& a, const nlohmann::json& b, double rel, const JsonSubtrees& ignore);

// The same on JSON text; `ignore` as JsonSubtrees's entries. Throws
// nlohmann::json::parse_error on text that is not JSON.
JsonComparison compare_json_text(const std::string& a, const std::string& b, double rel,
                                 const std::vector<std::string>& ignore = {});

}  // namespace cloudpact::regression
