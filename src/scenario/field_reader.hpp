// Reading a member of an Object as the format table (fields.hpp) describes
// it: the key, the range, whether it is required and, when it is absent, the
// default all come from the Field, so the validator and the documentation
// cannot drift apart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/fields.hpp"
#include "scenario/json_reader.hpp"

namespace cloudpact::scenario_json {

// An Object whose allowed keys are those of `spec` (any variant's, for variants).
Object object_of(const Reader& reader, const Json& value, std::string ptr, std::string_view what,
                 const scenario_format::ObjectSpec& spec, std::string_view unknown_key = "unknown key");

// The object's keys as messages show them, in table order: "{h100_equiv, kw}".
std::string braced_keys(const scenario_format::ObjectSpec& spec);

// A number or integer within the field's range; missing is reported when the
// field is required. Absent optional fields give nullopt ...
std::optional<double> number(const Object& o, const scenario_format::Field& f);
std::optional<std::int64_t> integer(const Object& o, const scenario_format::Field& f);
// ... or, with these, the field's default (also when the value is wrong: that
// was reported, and the default keeps the rest of the reading going).
double number_or_default(const Object& o, const scenario_format::Field& f);
std::int64_t integer_or_default(const Object& o, const scenario_format::Field& f);
// One of the field's values; `what` names it in messages ("unknown billing \"monthly\"").
std::optional<std::string> choice(const Object& o, const scenario_format::Field& f, std::string_view what);

}  // namespace cloudpact::scenario_json
