// The JSON Schema (draft 2020-12) of scenario files, generated from the
// format table (fields.hpp): for editors and for tools outside cloudpact.
// The validator stays the authority (it also checks cross-references, date
// order and machine limits, which a schema cannot). Kept in step by
// tests/scenario/test_schema.cpp (every shipped scenario validates and loads;
// scenarios/schema.json is this text) and test_schema_conformance.py
// (python3-jsonschema against the valid and invalid fixtures).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>

#include "scenario/fields.hpp"
#include "scenario/limits.hpp"
#include "scenario/load.hpp"

namespace cloudpact {
namespace {

namespace format = scenario_format;
using format::Container;
using format::Field;
using format::ObjectSpec;
using format::Type;

// Key order matters here: the schema is read by people, top to bottom.
using J = nlohmann::ordered_json;

// Map keys: an id (at most limits::max_id_length characters), but "x-..."
// keys are free everywhere and so never ids.
const std::string key_pattern =
    "^(?!x-)[A-Za-z0-9][A-Za-z0-9._-]{0," + std::to_string(limits::max_id_length - 1) + "}$";

J ref(const std::string& def) { return {{"$ref", "#/$defs/" + def}}; }

J free_keys() { return {{"^x-", J::object()}, {"^\\$", J::object()}}; }

// Whole numbers print as integers ("minimum": 0, not 0.0).
J number_value(double x) {
  if (x == std::floor(x) && std::fabs(x) < 1e15) return static_cast<std::int64_t>(x);
  return x;
}

J numeric(const char* type, const format::Range& range) {
  J out = {{"type", type}};
  if (range.has_lo) out[range.lo_open ? "exclusiveMinimum" : "minimum"] = number_value(range.lo);
  if (range.has_hi) out[range.hi_open ? "exclusiveMaximum" : "maximum"] = number_value(range.hi);
  return out;
}

J choice(const std::vector<std::string>& values) {
  if (values.size() == 1) return {{"const", values.front()}};
  return {{"enum", values}};
}

// A point of a curve whose values lie in `range`.
J point_schema(const format::Range& range) {
  return {{"type", "array"}, {"prefixItems", {ref("date"), numeric("number", range)}}, {"minItems", 2}, {"items", false}};
}

// A curve field: a number in its range, or a curve_points object whose
// points' values lie in that range.
J curve_schema(const format::Range& range) {
  J narrowed = {{"properties", {{"points", {{"items", point_schema(range)}}}}}};
  return {{"oneOf", {numeric("number", range), {{"allOf", {ref("curve_points"), std::move(narrowed)}}}}}};
}

// One value of the field, whatever holds it.
J value_schema(const Field& f) {
  switch (f.type) {
    case Type::id:
      return ref("id");
    case Type::date:
      return ref("date");
    case Type::place:
      return ref("target");
    case Type::cluster_path:
      return ref("cluster_path");
    case Type::file_path:
    case Type::pointer:
    case Type::text:
      return {{"type", "string"}};
    case Type::number:
      return numeric("number", f.range);
    case Type::integer:
      return numeric("integer", f.range);
    case Type::boolean:
      return {{"type", "boolean"}};
    case Type::choice:
      return choice(f.values);
    case Type::curve:
      return curve_schema(f.range);
    case Type::point:
      return point_schema(format::curve_value_range());
    case Type::object:
      return ref(f.ref);
    case Type::any:
      return J::object();
  }
  return J::object();
}

std::string description(const ObjectSpec& spec, const Field& f) {
  std::string out = f.meaning;
  if (!f.unit.empty()) out += " Unit: " + f.unit + ".";
  if (std::string when = format::condition_text(spec, f); !when.empty()) {
    when.front() = static_cast<char>(std::toupper(static_cast<unsigned char>(when.front())));
    out += " " + when + ".";
  }
  if (f.default_value.is_null() && !f.default_text.empty()) out += " Default: " + f.default_text + ".";
  return out;
}

J field_schema(const ObjectSpec& spec, const Field& f) {
  J out = {{"description", description(spec, f)}};
  J body = value_schema(f);
  if (f.container == Container::array) {
    J array = {{"type", "array"}};
    if (f.min_items) array["minItems"] = f.min_items;
    array["items"] = std::move(body);
    body = std::move(array);
  } else if (f.container == Container::map) {
    J patterns = free_keys();
    patterns[key_pattern] = std::move(body);
    body = {{"type", "object"}, {"patternProperties", std::move(patterns)}, {"additionalProperties", false}};
  }
  for (auto& [key, value] : body.items()) out[key] = value;
  if (!f.default_value.is_null()) out["default"] = J::parse(f.default_value.dump());
  return out;
}

// A field allowed only while a choice field holds some values: one branch
// where it holds them (and the field is there, if required), one where it
// does not (and the field is absent).
J only_with_schema(const ObjectSpec& spec, const Field& f) {
  const format::OnlyWith& with = *f.only_with;
  std::vector<std::string> others;
  for (const std::string& v : spec.field(with.key).values)
    if (std::find(with.values.begin(), with.values.end(), v) == with.values.end()) others.push_back(v);
  J required = J::array({with.key});
  if (f.need == format::Need::conditional) required.push_back(f.key);
  return {{"oneOf",
           {{{"properties", {{with.key, choice(with.values)}}}, {"required", std::move(required)}},
            {{"properties", {{with.key, choice(others)}}}, {"not", {{"required", J::array({f.key})}}}}}}};
}

J object_schema(const ObjectSpec& spec) {
  J out = {{"description", spec.summary}};
  if (spec.is_variants()) {
    J refs = J::array();
    for (const std::string& name : spec.variants) refs.push_back(ref(name));
    out["oneOf"] = std::move(refs);
    return out;
  }
  out["type"] = "object";
  J required = J::array();
  for (const Field& f : spec.fields)
    if (f.need == format::Need::required) required.push_back(f.key);
  if (!required.empty()) out["required"] = std::move(required);
  J properties = J::object();
  for (const Field& f : spec.fields) properties[f.key] = field_schema(spec, f);
  out["properties"] = std::move(properties);
  out["patternProperties"] = free_keys();
  out["additionalProperties"] = false;

  std::vector<J> constraints;
  if (!spec.exactly_one_of.empty()) {
    J one_of = J::array();
    for (const std::string& key : spec.exactly_one_of) one_of.push_back({{"required", J::array({key})}});
    constraints.push_back({{"oneOf", std::move(one_of)}});
  }
  for (const Field& f : spec.fields)
    if (f.only_with) constraints.push_back(only_with_schema(spec, f));
  if (constraints.size() == 1) {
    for (auto& [key, value] : constraints.front().items()) out[key] = value;
  } else if (!constraints.empty()) {
    out["allOf"] = constraints;
  }
  return out;
}

J string_def(Type type) {
  const format::StringType& s = format::string_type(type);
  return {{"description", s.description}, {"type", "string"}, {"pattern", s.pattern}};
}

// The objects a scenario holds, in table order (the sweep file's are not).
std::vector<const ObjectSpec*> scenario_objects() {
  std::set<std::string> seen;
  std::vector<std::string> todo{"scenario"};
  while (!todo.empty()) {
    const std::string name = todo.back();
    todo.pop_back();
    if (!seen.insert(name).second) continue;
    const ObjectSpec& spec = format::object(name);
    for (const std::string& v : spec.variants) todo.push_back(v);
    for (const Field& f : spec.fields) {
      if (f.type == Type::object) todo.push_back(f.ref);
      if (f.type == Type::curve) todo.push_back("curve_points");
    }
  }
  std::vector<const ObjectSpec*> out;
  for (const ObjectSpec& spec : format::objects())
    if (seen.count(spec.name)) out.push_back(&spec);
  return out;
}

J build_schema() {
  J defs;
  defs["id"] = string_def(Type::id);
  defs["id"]["maxLength"] = limits::max_id_length;
  defs["date"] = string_def(Type::date);
  defs["target"] = string_def(Type::place);
  defs["cluster_path"] = string_def(Type::cluster_path);
  J root;
  for (const ObjectSpec* spec : scenario_objects()) {
    if (spec->name == "scenario")
      root = object_schema(*spec);
    else
      defs[spec->name] = object_schema(*spec);
  }
  J out = {{"$schema", "https://json-schema.org/draft/2020-12/schema"}, {"title", "cloudpact scenario"}};
  for (auto& [key, value] : root.items()) out[key] = value;
  out["$defs"] = std::move(defs);
  return out;
}

}  // namespace

std::string scenario_schema_text() { return build_schema().dump(2) + "\n"; }

}  // namespace cloudpact
