// A number as the JSON outputs write it (risk.json, optimize.json): null
// when it is not finite (a standard error of one path), and never "-0.0"
// (a sum that cancels to zero reads the same on every backend).
#pragma once

#include <cmath>

#include <nlohmann/json.hpp>

namespace cloudpact {

inline nlohmann::ordered_json json_value(double v) {
  if (!std::isfinite(v)) return nullptr;
  if (v == 0.0) return 0.0;
  return v;
}

}  // namespace cloudpact
