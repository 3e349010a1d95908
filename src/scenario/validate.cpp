// Reads a scenario document into the typed model, checking every rule of
// docs/reference.md §2, §9 on the way. Sections are read in dependency order (horizon,
// accelerators, providers, contracts, workloads, then what refers to them) so
// each cross-reference is checked against what is already known. A bad value
// is reported once: what depends on it is skipped rather than reported again.
// This file holds the order and the top level's own fields (name, horizon,
// output); each section has its file, validate_<section>.cpp.
#include "scenario/validate.hpp"

#include <cmath>

#include "scenario/limits.hpp"
#include "scenario/validate_builder.hpp"

namespace cloudpact::scenario_json {
namespace validation {
Scenario Builder::build(const Json& doc) {
  Object top = object_of(r_, doc, "", "a scenario object", format::object("scenario"));
  if (!top.ok()) return std::move(s_);
  read_horizon(top);
  read_accelerators(top);
  read_providers(top);
  read_contracts(top);
  read_workloads(top);
  read_policy(top);
  read_events(top);
  read_uncertainty(top);
  read_negotiation(top);
  read_finance(top);
  read_output(top);
  check_timeseries_size();
  if (problems_.empty()) check_bounds();
  return std::move(s_);
}

void Builder::read_horizon(const Object& top) {
  if (const Json* name = top.require("name", "a name matching [A-Za-z0-9][A-Za-z0-9._-]*")) {
    const auto text = r_.string(*name, "/name", "a name matching [A-Za-z0-9][A-Za-z0-9._-]*");
    // The name becomes the output folder out/<name>/: no separators, no "..",
    // short enough for a file name.
    const std::string why = text ? id_problem(*text) : std::string();
    if (text && why.starts_with("invalid"))
      problems_.add("/name", "invalid name " + in_quotes(text->substr(0, 40)) + (text->size() > 40 ? "..." : ""),
                    "a name matching [A-Za-z0-9][A-Za-z0-9._-]*, used as a folder name");
    else if (text && !why.empty())
      problems_.add("/name", why,
                    "a name of at most " + std::to_string(limits::max_id_length) + " characters, used as a folder name");
    else if (text)
      s_.name = *text;
  }
  start_ = top.date("start");
  end_ = top.date("end");
  if (start_) s_.start_epoch_s = start_->epoch_s;
  if (end_) s_.end_epoch_s = end_->epoch_s;
  if (start_ && end_) horizon_ok_ = check_order(*start_, "/start", *end_, "/end");
  if (horizon_ok_) s_.horizon_s = static_cast<double>(s_.end_epoch_s - s_.start_epoch_s);
  // Every per-day table and calendar walk is bounded by the horizon.
  if (horizon_ok_ && s_.horizon_s > limits::max_horizon_days * 86400.0) {
    problems_.add("/end",
                  "horizon too long: " + number_text(std::ceil(s_.horizon_s / 86400.0)) + " days",
                  "at most " + number_text(limits::max_horizon_days) + " days (100 years) after /start " +
                      start_->text);
  }
}

void Builder::read_output(const Object& top) {
  const Json* section = top.find("output");
  if (!section) return;
  const format::ObjectSpec& spec = format::object("output");
  Object o = object_of(r_, *section, "/output", "an output object " + braced_keys(spec), spec);
  s_.output_interval_hours = number_or_default(o, spec.field("interval_hours"));
}

void Builder::read_finance(const Object& top) {
  const Json* section = top.find("finance");
  if (!section) return;
  const format::ObjectSpec& spec = format::object("finance");
  Object o = object_of(r_, *section, "/finance", "a finance object " + braced_keys(spec), spec);
  s_.finance.discount_rate_per_year = number_or_default(o, spec.field("discount_rate_per_year"));
}

void Builder::check_timeseries_size() {
  if (!horizon_ok_ || s_.providers.empty() || !(s_.output_interval_hours > 0)) return;
  const double rows =
      static_cast<double>(s_.providers.size()) * std::ceil(s_.horizon_s / 3600.0 / s_.output_interval_hours);
  if (rows > limits::max_timeseries_rows)
    problems_.add("/output/interval_hours", "too many timeseries rows: " + number_text(rows),
                  "at most " + number_text(limits::max_timeseries_rows) +
                      " rows, one per provider per interval over the horizon" + memory_note);
}

}  // namespace validation

Scenario build_scenario(const Json& doc, Problems& problems) { return validation::Builder(problems).build(doc); }

}  // namespace cloudpact::scenario_json
