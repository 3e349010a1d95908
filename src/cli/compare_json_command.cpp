// `cloudpact compare-json A B [--rel R] [--ignore PTR]...` (unlisted): two
// JSON files number by number (regression/compare_json.hpp), for
// scripts/gpu-check on a machine without python. Prints one line per
// mismatch, then `max_rel_diff=X mismatches=N compared=M`. Exit 0 when all
// agree, 1 on a mismatch, 2 on usage or unreadable JSON.
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "regression/compare_json.hpp"
#include "scenario/input_error.hpp"
#include "scenario/input_file.hpp"
#include "scenario/limits.hpp"

namespace cloudpact {

namespace {

struct CompareJsonOptions {
  std::string a, b;
  std::optional<double> rel;
  std::vector<std::string> ignore;
};

// Unreadable, too large or not JSON: invalid input, one line per problem
// naming the file (exit 2).
nlohmann::json read_json(const std::string& path) {
  return parse_input_json(read_input_file(path, limits::max_baseline_bytes, "JSON file"), path);
}

int compare_json_command(const CompareJsonOptions& o) {
  if (o.a.empty() || o.b.empty()) throw UsageError("compare-json needs two files A B");
  std::optional<regression::JsonSubtrees> ignore;
  try {
    ignore.emplace(o.ignore);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--ignore: ") + e.what());
  }
  const nlohmann::json a = read_json(o.a);
  const nlohmann::json b = read_json(o.b);
  const regression::JsonComparison c = regression::compare_json(a, b, o.rel.value_or(1e-9), *ignore);
  for (const std::string& m : c.mismatches) std::cout << m << "\n";
  char buf[128];
  std::snprintf(buf, sizeof buf, "max_rel_diff=%.6g mismatches=%zu compared=%lld\n", c.max_rel_diff,
                c.mismatches.size(), c.numbers_compared);
  std::cout << buf;
  return c.mismatches.empty() ? kExitOk : kExitRegression;
}

}  // namespace

Command add_compare_json_command(CLI::App& root) {
  auto o = std::make_shared<CompareJsonOptions>();
  CLI::App& cmd = add_command(
      root, "compare-json", "compare two JSON files number by number (scripts/gpu-check)",
      "Numbers agree within relative difference R, integers exactly; strings, booleans, nulls,\n"
      "keys and array lengths must match exactly. Prints each mismatch named by its JSON pointer,\n"
      "then 'max_rel_diff=X mismatches=N compared=M'. Exit 0 agree, 1 mismatch, 2 usage or\n"
      "unreadable JSON.",
      Listed::no);
  add_positional(cmd, "A", o->a, "the first JSON file");
  add_positional(cmd, "B", o->b, "the second JSON file");
  add_number(cmd, "--rel", o->rel, 0.0, Bound::inclusive, "R", "relative tolerance of numbers (default 1e-9)");
  add_repeatable_text(cmd, "--ignore", o->ignore, "PTR",
                      "leave out the subtree at this JSON pointer (/backend), or every member "
                      "named KEY with **/KEY; repeatable");
  return {&cmd, [o] { return compare_json_command(*o); }};
}

}  // namespace cloudpact
