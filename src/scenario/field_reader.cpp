#include "scenario/field_reader.hpp"

#include <stdexcept>

namespace cloudpact::scenario_json {
namespace {

using scenario_format::Field;

Object::Need need_of(const Field& f) {
  return f.need == scenario_format::Need::required ? Object::Need::required : Object::Need::optional;
}

// A default the table does not give is a bug in the caller, not in the input.
const nlohmann::json& default_of(const Field& f) {
  if (!f.default_value.is_number()) throw std::logic_error("the format table gives no number default for " + f.key);
  return f.default_value;
}

}  // namespace

std::string braced_keys(const scenario_format::ObjectSpec& spec) {
  std::string out = "{";
  for (const std::string& key : scenario_format::keys(spec)) out += (out.size() > 1 ? ", " : "") + key;
  return out + "}";
}

Object object_of(const Reader& reader, const Json& value, std::string ptr, std::string_view what,
                 const scenario_format::ObjectSpec& spec, std::string_view unknown_key) {
  return Object(reader, value, std::move(ptr), what, scenario_format::keys(spec), unknown_key);
}

std::optional<double> number(const Object& o, const Field& f) { return o.number(f.key, f.range, need_of(f)); }

std::optional<std::int64_t> integer(const Object& o, const Field& f) { return o.integer(f.key, f.range, need_of(f)); }

double number_or_default(const Object& o, const Field& f) {
  return o.number(f.key, f.range).value_or(default_of(f).get<double>());
}

std::int64_t integer_or_default(const Object& o, const Field& f) {
  return o.integer(f.key, f.range).value_or(default_of(f).get<std::int64_t>());
}

std::optional<std::string> choice(const Object& o, const Field& f, std::string_view what) {
  return o.choice(f.key, what, f.values, need_of(f));
}

}  // namespace cloudpact::scenario_json
