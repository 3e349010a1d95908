// What one `cloudpact check` found, as text (docs/reference.md §8): the table of what
// moved, the summary line, JUnit XML. Pure: results in, text out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "regression/check.hpp"

namespace cloudpact::regression {

// One scenario × one output: a JUnit test case.
struct CaseResult {
  std::string scenario;   // the scenario's name (JUnit classname)
  std::string name;       // "replay" or "risk"
  std::vector<Row> rows;  // what moved or differs
  std::int64_t numbers_compared = 0;
  std::string error;      // it could not run (I/O, device): JUnit <error>, exit code 3
  std::string skipped;    // why it was not run (no risk baseline): JUnit <skipped>
  std::string details;    // shown under the failure (a child's stderr)
  double seconds = 0.0;

  std::int64_t moved() const;
  std::int64_t regressions() const;
};

// Columns scenario, metric, baseline, now, change, tolerance, verdict, basis;
// change and tolerance relative to max(|baseline|, |now|). One row per moved
// number or structural difference; "" when nothing moved.
std::string format_table(const std::vector<CaseResult>& cases);

// "check: 6 scenarios, 4123 numbers compared, 2 moved, 1 regression\n"
// (", 1 error" added when a case could not run).
std::string summary_line(const std::vector<CaseResult>& cases);

// <testsuites>/<testsuite name="cloudpact check">/<testcase classname=SCENARIO
// name=replay|risk>, with <failure message=...> holding the offending rows,
// <error> or <skipped>.
std::string junit_xml(const std::vector<CaseResult>& cases);

// & < > " ' as entities; control characters XML 1.0 cannot hold become '?'.
std::string xml_escape(const std::string& s);

}  // namespace cloudpact::regression
