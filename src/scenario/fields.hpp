// The scenario and sweep file formats, described once: every object, and for
// each of its fields the JSON type, unit, range, default, whether it is
// required, and what it means. Everything else follows from this table:
//  - the validator (validate*.cpp, sweep_spec.cpp) takes its allowed keys,
//    ranges and defaults from it (field_reader.hpp);
//  - the JSON Schema (`cloudpact schema`, scenarios/schema.json) is generated
//    from it (schema.cpp);
//  - the field reference docs/scenario-format.md is generated from it
//    (format_markdown.cpp).
// What a table cannot say (cross-references, date order, machine limits)
// stays in the validator and in the notes of each object.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/json_reader.hpp"

namespace cloudpact::scenario_format {

using scenario_json::Range;

// What one value is. Strings come in several kinds, each with its own shape.
enum class Type {
  id,            // [A-Za-z0-9][A-Za-z0-9._-]*
  date,          // "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ", UTC
  place,         // "provider", "provider/region" or "provider/region/cluster"
  cluster_path,  // "provider/region/cluster"
  file_path,     // a path on the file system
  pointer,       // a JSON pointer
  text,          // any string
  number,        // finite, within `range`
  integer,       // whole, within `range`
  boolean,
  choice,  // one string of `values`
  curve,   // a number within `range`, or a curve_points object whose values are within it
  point,   // a [date, number within curve_value_range()] pair
  row,     // a non-empty array of numbers within `range` (a row of a matrix)
  object,  // the object (or one of the variants) named by `ref`
  any,     // any JSON value
};

// How a field holds its values: one, an array of them, or an object keyed
// by ids ("map").
enum class Container { single, array, map };

// `conditional`: required only in some cases, told by `only_with` or `when`.
enum class Need { optional, required, conditional };

// The field may appear only while the choice field `key` holds one of
// `values` (and must, when its Need is `conditional`).
struct OnlyWith {
  std::string key;
  std::vector<std::string> values;
};

struct Field {
  std::string key;
  Type type = Type::number;
  Container container = Container::single;
  std::string ref{};       // Type::object: the ObjectSpec's name
  std::string id_of{};     // Type::id: what the id names ("provider"), for the docs
  std::string map_keys{};  // Container::map: what the keys are ("accelerator id")
  std::string unit{};
  Range range{};                      // numbers, integers, and the values of a curve
  std::vector<std::string> values{};  // Type::choice
  std::size_t min_items = 0;          // arrays: 1 when one must not be empty
  Need need = Need::optional;
  std::optional<OnlyWith> only_with{};
  std::string when{};              // Need::conditional without only_with: when it is required, in words
  nlohmann::json default_value{};  // null: no default value
  std::string default_text{};      // what absence means when no value says it, else a note on the value
  std::string meaning;             // one line
};

struct ObjectSpec {
  std::string name;                           // the JSON Schema's $defs name; `ref` of the fields that hold it
  std::string title;                          // its heading in docs/scenario-format.md
  int level = 3;                              // of that heading
  std::string summary;                        // one sentence: the schema's description
  std::string intro{};                        // Markdown before the table
  std::vector<Field> fields{};                // an object's fields, in the order they are documented ...
  std::vector<std::string> variants{};        // ... or none, and it is exactly one of these objects
  std::vector<std::string> exactly_one_of{};  // keys of which exactly one must be given
  std::string notes{};                        // Markdown after the table

  [[nodiscard]] bool is_variants() const { return !variants.empty(); }
  // Throws std::logic_error for a key the object does not have: a typo in
  // the validator fails the first test that reaches it.
  [[nodiscard]] const Field& field(std::string_view key) const;
};

// Every object of both formats, in the order docs/scenario-format.md shows
// them: the scenario ("scenario" and what it holds), then the sweep file
// ("sweep" and its parameters).
const std::vector<ObjectSpec>& objects();
// Throws std::logic_error for a name the table does not have.
const ObjectSpec& object(std::string_view name);

// The keys an object allows; for variants, those of any variant.
const std::vector<std::string>& keys(const ObjectSpec& spec);
// The variant whose field `key` is the single-value choice `value`, if any
// (a workload's kind, an event's type, a distribution's dist).
const ObjectSpec* variant(const ObjectSpec& spec, std::string_view key, std::string_view value);
// The values the field `key` takes across the variants, in table order, once each.
std::vector<std::string> constants(const ObjectSpec& spec, std::string_view key);

// The values any curve may hold (a curve_points object read alone): the
// widest of the curve fields' ranges; each curve field narrows it.
Range curve_value_range();

// A string type with a shape of its own (Type::id, date, place, cluster_path):
// its name in the docs, its pattern (ECMAScript, as JSON Schema reads it) and
// what it is.
struct StringType {
  std::string name;
  std::string pattern;
  std::string description;
};
// Throws std::logic_error for a type that is not such a string.
const StringType& string_type(Type type);

// When a conditional field is required (or, with only_with, allowed), in
// words: "required with `placement` `"single_vendor"`, not allowed otherwise".
std::string condition_text(const ObjectSpec& spec, const Field& field);

}  // namespace cloudpact::scenario_format
