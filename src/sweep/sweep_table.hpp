// DIR/sweep.csv (docs/reference.md §7), rebuilt from the committed variant folders only,
// so it can never hold a row twice or a row of a half-written variant.
// Columns: variant, one per parameter (its JSON pointer), one per metric (its
// dotted path in summary.json / risk.json), status, error. Rows follow the
// plan's order; a variant not yet committed has no row.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sweep/plan.hpp"
#include "sweep/sweep_folder.hpp"

namespace cloudpact {

class SweepTable {
 public:
  SweepTable(const SweepPlan& plan, const SweepFolder& folder);

  // Reads the variants committed since the last call (each is read once).
  void refresh();
  std::string csv() const;
  void write() const;  // atomically, to DIR/sweep.csv

  int rows() const { return static_cast<int>(cells_.size()); }
  int failed() const { return failed_; }
  // "id: error" of each failed variant, in plan order.
  std::vector<std::string> failures() const;

 private:
  const SweepPlan& plan_;
  const SweepFolder& folder_;
  std::map<std::string, std::vector<std::string>> cells_;  // id -> row cells
  std::map<std::string, std::string> errors_;              // id -> error (failed only)
  int failed_ = 0;
};

// RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled.
std::string csv_cell(const std::string& text);

// The value at a dotted path ("totals.spend_usd") in a JSON document, as a
// CSV-ready text (numbers in shortest round-trip form, strings as they are);
// "" when absent. Keys may contain dots ("contracts.cw-11.9b.billed_usd"): every
// key that matches a prefix of the path is tried.
std::string dotted_value(const std::string& json_text, const std::string& path);

// The node at a dotted path, matched key by key as dotted_value does;
// nullptr when there is none.
const nlohmann::json* find_dotted(const nlohmann::json& node, const std::string& path);

}  // namespace cloudpact
