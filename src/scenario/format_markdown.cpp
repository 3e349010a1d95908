// docs/scenario-format.md, generated from the format table (fields.hpp): one
// table per object with its key, type, unit, range, default and meaning,
// between the object's intro and notes. The prose here only explains how to
// read the tables; what a field means belongs in the table.
// tests/scenario/test_format_doc.cpp keeps the committed file equal to this.
#include <cctype>
#include <string>

#include "scenario/fields.hpp"
#include "scenario/json_reader.hpp"
#include "scenario/limits.hpp"
#include "scenario/load.hpp"

namespace cloudpact {
namespace {

namespace format = scenario_format;
using format::Container;
using format::Field;
using format::ObjectSpec;
using format::Type;
using scenario_json::number_text;

// GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes.
std::string anchor(const std::string& title) {
  std::string out;
  for (const char c : title) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_')
      out += static_cast<char>(std::tolower(u));
    else if (c == ' ')
      out += '-';
  }
  return out;
}

std::string link(const std::string& name) {
  const ObjectSpec& spec = format::object(name);
  return "[" + spec.title + "](#" + anchor(spec.title) + ")";
}

// Table cells are one line, and a bare '|' would end the cell.
std::string cell(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out.empty() ? "—" : out;
}

std::string range_text(const format::Range& r) {
  if (r.has_lo && r.has_hi)
    return (r.lo_open ? "(" : "[") + number_text(r.lo) + ", " + number_text(r.hi) + (r.hi_open ? ")" : "]");
  if (r.has_lo) return (r.lo_open ? "> " : "≥ ") + number_text(r.lo);
  if (r.has_hi) return (r.hi_open ? "< " : "≤ ") + number_text(r.hi);
  return "any";
}

std::string choices(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) out += (out.empty() ? "`\"" : " | `\"") + v + "\"`";
  return out;
}

// One value of the field, whatever holds it.
std::string value_type(const Field& f) {
  switch (f.type) {
    case Type::id:
      return f.id_of.empty() ? "id" : f.id_of + " id";
    case Type::date:
    case Type::place:
    case Type::cluster_path:
      return format::string_type(f.type).name;
    case Type::file_path:
      return "file path";
    case Type::pointer:
      return "JSON pointer";
    case Type::text:
    case Type::choice:
      return "string";
    case Type::number:
      return "number";
    case Type::integer:
      return "integer";
    case Type::boolean:
      return "boolean";
    case Type::curve:
      return "[curve](#" + anchor(format::object("curve_points").title) + ")";
    case Type::point:
      return "[date, number]";
    case Type::row:
      return "array of numbers";
    case Type::object:
      return link(f.ref);
    case Type::any:
      return "any";
  }
  return "";
}

std::string type_text(const Field& f) {
  switch (f.container) {
    case Container::array:
      return (f.min_items ? "non-empty array of " : "array of ") + value_type(f);
    case Container::map:
      return "object: " + f.map_keys + " → " + value_type(f);
    case Container::single:
      break;
  }
  return value_type(f);
}

std::string range_cell(const Field& f) {
  switch (f.type) {
    case Type::number:
    case Type::integer:
      return range_text(f.range);
    case Type::choice:
      return choices(f.values);
    case Type::curve:
      return range_text(f.range);
    case Type::point:
      return range_text(format::curve_value_range());
    case Type::row:
      return range_text(f.range);
    default:
      return "";
  }
}

std::string default_cell(const ObjectSpec& spec, const Field& f) {
  if (f.need == format::Need::required) return "required";
  std::string out = format::condition_text(spec, f);
  std::string value;
  if (!f.default_value.is_null()) value = "`" + f.default_value.dump() + "`";
  if (!f.default_text.empty()) value += (value.empty() ? "" : " ") + f.default_text;
  if (!value.empty()) out += (out.empty() ? "" : "; default ") + value;
  return out;
}

void object_section(std::string& md, const ObjectSpec& spec) {
  md += "\n" + std::string(static_cast<std::size_t>(spec.level), '#') + " " + spec.title + "\n\n";
  if (!spec.intro.empty()) md += spec.intro + "\n\n";
  if (spec.is_variants()) {
    md += "One of:";
    for (const std::string& name : spec.variants) md += (name == spec.variants.front() ? " " : ", ") + link(name);
    md += ".\n";
  } else {
    md += "| key | type | unit | range | default | meaning |\n| --- | --- | --- | --- | --- | --- |\n";
    for (const Field& f : spec.fields)
      md += "| `" + f.key + "` | " + cell(type_text(f)) + " | " + cell(f.unit) + " | " + cell(range_cell(f)) + " | " +
            cell(default_cell(spec, f)) + " | " + cell(f.meaning) + " |\n";
  }
  if (!spec.notes.empty()) md += "\n" + spec.notes + "\n";
}

// 100000 as 100,000: limits are read, not copied.
std::string grouped(double value) {
  const std::string digits = number_text(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string type_line(Type type) {
  const format::StringType& s = format::string_type(type);
  return "- *" + s.name + "*: " + s.description + "\n";
}

std::string reading_guide() {
  std::string md =
      "Every key of scenario, sweep and optimize files, one table per object: its JSON type, unit, the range a number must "
      "lie in (or the strings allowed), its default and what it means. The JSON Schema `scenarios/schema.json` "
      "(`cloudpact schema`) and the checks of `cloudpact validate` come from the same table, "
      "`src/scenario/fields.cpp`; this file is generated from it (do not edit it by hand: change the table, then "
      "run `CLOUDPACT_UPDATE_SCHEMA=1 build/tests/test_format_doc`). How to write a scenario, with examples: "
      "[`scenarios/README.md`](../scenarios/README.md).\n\n"
      "## Reading the tables\n\n"
      "Types:\n\n";
  md += type_line(Type::id);
  md += type_line(Type::date);
  md += type_line(Type::place);
  md += type_line(Type::cluster_path);
  md +=
      "- *number*: any finite JSON number; *integer*: a whole number (`1e5` counts).\n"
      "- a list of quoted strings (`\"a\"` | `\"b\"`, in the range column): one of them.\n"
      "- *curve*: a number, or an object of points (" +
      link("curve_points") +
      ").\n"
      "- *file path*, *JSON pointer*, *string*: strings; *any*: any JSON value.\n"
      "- *array of X*: a JSON array of X; *object: K → X*: a JSON object whose keys are K and values X.\n\n"
      "Range: `≥ 0`, `> 0`; `[0, 100]` includes both ends, `(0, 100]` excludes 0. A number outside its range is "
      "an error, named with its JSON pointer.\n\n"
      "Default: what an absent key means. *required*: the key must be given; *required with …* or *required when "
      "…*: only then; *only with …*: allowed only then. A dash: optional, with no value when absent (the meaning "
      "says what that does).\n\n"
      "Limits that protect the machine (an input beyond them is refused with a clear message, not a crash; every "
      "one, with its message, is in docs/reference.md §9.3): files of at most " +
      grouped(static_cast<double>(limits::max_scenario_bytes >> 20)) + " MiB (sweep and optimize files " +
      grouped(static_cast<double>(limits::max_sweep_bytes >> 20)) + " MiB) with arrays and objects nested at most " +
      grouped(limits::max_json_depth) + " levels, ids and names of at most " +
      grouped(static_cast<double>(limits::max_id_length)) + " characters, a horizon of at most " +
      grouped(limits::max_horizon_days) + " days (100 years), at most " +
      grouped(static_cast<double>(limits::max_clusters)) + " clusters, " + grouped(limits::max_gpus_per_cluster) +
      " physical GPUs in one cluster at any instant, " + grouped(static_cast<double>(limits::max_workloads)) +
      " workloads, " + grouped(static_cast<double>(limits::max_contracts)) + " contracts, " +
      grouped(static_cast<double>(limits::max_events)) + " events, " +
      grouped(static_cast<double>(limits::max_curve_points)) + " points per curve and " +
      grouped(limits::max_timeseries_rows) +
      " rows of `timeseries.csv` (providers × intervals over the horizon); a sweep of at most " +
      grouped(static_cast<double>(limits::max_sweep_variants)) +
      " variants.\n\n"
      "What a table cannot say is checked too: ids unique in their scope, every reference (provider, region, "
      "cluster, accelerator, contract, workload) to something defined, dates in order, calendar dates that "
      "exist; and what several fields make together: a training job's running time, overlapping demand shocks, a "
      "price after its price changes, the sampled price and demand multipliers, delivery delays and outages over "
      "the horizon, and the worst case of one Monte Carlo path, which must stay below " +
      number_text(limits::max_path_value) + " USD and GPU-hours (docs/reference.md §9.3).\n";
  return md;
}

}  // namespace

std::string scenario_format_markdown() {
  std::string md = "# Scenario format\n\n" + reading_guide();
  for (const ObjectSpec& spec : format::objects()) object_section(md, spec);
  return md;
}

}  // namespace cloudpact
