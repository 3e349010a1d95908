#include "regression/compare_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace cloudpact::regression {

namespace {

using json = nlohmann::json;

double relative_difference(double a, double b) {
  if (a == b) return 0.0;
  const double scale = std::max(std::fabs(a), std::fabs(b));
  if (!std::isfinite(scale)) return std::numeric_limits<double>::infinity();
  return std::fabs(a - b) / scale;
}

}  // namespace

JsonComparison compare_json(const json& a, const json& b, double rel, const JsonSubtrees& ignore) {
  JsonComparison out;
  walk_json(a, b, ignore, [&](const JsonPlace& p) {
    const std::string where = pointer_text(p.pointer) + ": ";
    switch (p.kind) {
      case JsonPlace::Kind::numbers: {
        const json& x = *p.first;
        const json& y = *p.second;
        ++out.numbers_compared;
        const double d = relative_difference(x.get<double>(), y.get<double>());
        if (x.is_number_integer() && y.is_number_integer()) {
          if (x != y) {  // nlohmann compares signed and unsigned integers by value
            out.mismatches.push_back(where + "integer " + shown_value(x) + " vs " + shown_value(y));
            out.max_rel_diff = std::max(out.max_rel_diff, d);
          }
          return;
        }
        out.max_rel_diff = std::max(out.max_rel_diff, d);
        if (!(d <= rel)) {
          char buf[64];
          std::snprintf(buf, sizeof buf, " (relative difference %.3g)", d);
          out.mismatches.push_back(where + shown_value(x) + " vs " + shown_value(y) + buf);
        }
        return;
      }
      case JsonPlace::Kind::only_in_first:
        out.mismatches.push_back(where + "only in the first file");
        return;
      case JsonPlace::Kind::only_in_second:
        out.mismatches.push_back(where + "only in the second file");
        return;
      case JsonPlace::Kind::type_changed:
        out.mismatches.push_back(where + shown_value(*p.first) + " vs " + shown_value(*p.second) + " (different types)");
        return;
      case JsonPlace::Kind::length_changed:
        out.mismatches.push_back(where + "arrays of " + std::to_string(p.first->size()) + " vs " +
                                 std::to_string(p.second->size()) + " items");
        return;
      case JsonPlace::Kind::value_changed:
        out.mismatches.push_back(where + shown_value(*p.first) + " vs " + shown_value(*p.second));
        return;
      case JsonPlace::Kind::whole:
        // compare_json takes no subtree whole (it passes none to the walk);
        // were one taken, anything but equal text would be a mismatch.
        if (*p.first != *p.second) out.mismatches.push_back(where + shown_value(*p.first) + " vs " + shown_value(*p.second));
        return;
    }
  });
  return out;
}

JsonComparison compare_json_text(const std::string& a, const std::string& b, double rel,
                                 const std::vector<std::string>& ignore) {
  return compare_json(json::parse(a), json::parse(b), rel, JsonSubtrees(ignore));
}

}  // namespace cloudpact::regression
