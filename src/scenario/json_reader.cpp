#include "scenario/json_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cmath>
#include <limits>

#include "scenario/dates.hpp"
#include "scenario/input_error.hpp"
#include "scenario/limits.hpp"
#include "scenario/message_text.hpp"

namespace cloudpact::scenario_json {

const char* const id_expected = "an id matching [A-Za-z0-9][A-Za-z0-9._-]*";
const char* const date_expected = "a UTC date \"YYYY-MM-DD\" or \"YYYY-MM-DDTHH:MM:SSZ\"";

Problems::Problems(std::string_view file) : file_(escape_text(file)) {}

void Problems::add(std::string_view pointer, std::string_view what, std::string_view expected) {
  std::string line = file_;
  line += ": ";
  line += pointer.empty() ? std::string("/") : escape_text(pointer);
  line += ": ";
  line += what;
  if (!expected.empty()) {
    line += " (expected ";
    line += expected;
    line += ")";
  }
  lines_.push_back(std::move(line));
}

void Problems::throw_if_any() const {
  if (!lines_.empty()) throw InputError(lines_);
}

std::string child_pointer(std::string_view pointer, std::string_view key) {
  std::string out(pointer);
  out += '/';
  for (const char ch : key) {
    if (ch == '~')
      out += "~0";
    else if (ch == '/')
      out += "~1";
    else
      out += ch;
  }
  return out;
}

std::string child_pointer(std::string_view pointer, std::size_t index) {
  std::string out(pointer);
  out += '/';
  out += std::to_string(index);
  return out;
}

std::string in_quotes(std::string_view text) { return quoted_text(text); }

std::string json_text(const Json& value) {
  // dump() escapes C0 controls in strings; C1 controls and line separators
  // may only sit inside strings, where their \u escapes are JSON too.
  return one_line(value.dump(-1, ' ', false, Json::error_handler_t::replace));
}

std::string number_text(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // Integral values print as integers (capacities, counts): "2000000000", not "2e+09".
  if (value == std::floor(value) && std::fabs(value) < 1e15) return std::to_string(static_cast<long long>(value));
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  return {buf, res.ptr};
}

std::string rounded_text(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return buf;
}

std::string type_phrase(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "a number";
    default:
      return "a binary value";
  }
}

std::string one_of(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (names.empty()) return "a defined id; there are none";
  // A scenario may hold thousands of ids; a message line names a few.
  constexpr std::size_t shown = 20;
  std::string out = "one of: ";
  for (std::size_t i = 0; i < names.size() && i < shown; ++i) {
    if (i) out += ", ";
    out += names[i];
  }
  if (names.size() > shown) out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out;
}

bool is_free_key(std::string_view key) { return key.starts_with("x-") || key.starts_with("$"); }

bool is_valid_id(std::string_view text) { return id_problem(text).empty(); }

std::string id_problem(std::string_view text) {
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  const bool pattern = !text.empty() && alnum(text.front()) &&
                       std::all_of(text.begin(), text.end(), [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
  if (!pattern) {
    // A long wrong id is shown by its start: the line stays a line.
    constexpr std::size_t shown = 40;
    return "invalid id " + in_quotes(text.substr(0, shown)) + (text.size() > shown ? "..." : "");
  }
  if (text.size() > limits::max_id_length) return "too long: " + std::to_string(text.size()) + " characters";
  return {};
}

std::string id_expected_for(std::string_view text) {
  return is_valid_id(text) || id_problem(text).starts_with("invalid") ? std::string(id_expected) : id_length_expected();
}

std::string id_length_expected() {
  return "an id of at most " + std::to_string(limits::max_id_length) + " characters: ids become file names";
}

bool Range::contains(double v) const {
  if (has_lo && (lo_open ? !(v > lo) : !(v >= lo))) return false;
  if (has_hi && (hi_open ? !(v < hi) : !(v <= hi))) return false;
  return true;
}

std::string Range::expected() const {
  const std::string noun = integer ? "an integer" : "a number";
  if (has_lo && has_hi)
    return noun + " in " + (lo_open ? "(" : "[") + number_text(lo) + ", " + number_text(hi) + (hi_open ? ")" : "]");
  if (has_lo) return noun + (lo_open ? " > " : " >= ") + number_text(lo);
  if (has_hi) return noun + (hi_open ? " < " : " <= ") + number_text(hi);
  return integer ? "an integer" : "a finite number";
}

std::optional<double> Reader::number(const Json& v, const Pointer& ptr, const Range& range) const {
  if (!v.is_number()) {
    problems_.add(ptr.text(), "is " + type_phrase(v), range.expected());
    return std::nullopt;
  }
  const double x = v.get<double>();
  if (!std::isfinite(x)) {
    problems_.add(ptr.text(), "not finite: " + number_text(x), range.expected());
    return std::nullopt;
  }
  if (range.integer && (v.is_number_float() && x != std::floor(x))) {
    problems_.add(ptr.text(), "not an integer: " + number_text(x), range.expected());
    return std::nullopt;
  }
  if (!range.contains(x)) {
    // "negative" is the word an analyst looks for when a cost or a capacity
    // went below zero; every other miss is "out of range".
    const bool negative = x < 0 && range.has_lo && range.lo == 0 && !range.lo_open;
    problems_.add(ptr.text(), (negative ? "negative: " : "out of range: ") + number_text(x), range.expected());
    return std::nullopt;
  }
  return x;
}

std::optional<std::int64_t> Reader::integer(const Json& v, const Pointer& ptr, const Range& range) const {
  // Integral floats (1e5) count: analysts write path counts that way. The
  // range keeps the value well inside int64.
  Range r = range.integers();
  constexpr double int64_safe = 9.0e18;
  if (!r.has_hi || r.hi > int64_safe) r = r.at_most(int64_safe);
  if (!r.has_lo) {
    r.lo = -int64_safe;
    r.has_lo = true;
  }
  // Name the int64 cap only to a value that breaks it and nothing else.
  const auto shown_range = [&](double x) {
    return range.integers().contains(x) ? r.expected() : range.integers().expected();
  };
  if (v.is_number_unsigned() || v.is_number_integer()) {
    // Exact path: large integers are not rounded through a double.
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(int64_safe)) {
      problems_.add(ptr.text(), "out of range: " + v.dump(), r.expected());
      return std::nullopt;
    }
    const auto x = v.get<std::int64_t>();
    if (!r.contains(static_cast<double>(x))) {
      const bool negative = x < 0 && range.has_lo && range.lo == 0;
      problems_.add(ptr.text(), (negative ? "negative: " : "out of range: ") + std::to_string(x),
                    shown_range(static_cast<double>(x)));
      return std::nullopt;
    }
    return x;
  }
  if (!v.is_number()) {
    problems_.add(ptr.text(), "is " + type_phrase(v), range.integers().expected());
    return std::nullopt;
  }
  const double x = v.get<double>();
  if (!std::isfinite(x)) {
    problems_.add(ptr.text(), "not finite: " + number_text(x), range.integers().expected());
    return std::nullopt;
  }
  if (x != std::floor(x)) {
    problems_.add(ptr.text(), "not an integer: " + number_text(x), range.integers().expected());
    return std::nullopt;
  }
  if (!r.contains(x)) {
    const bool negative = x < 0 && range.has_lo && range.lo == 0;
    problems_.add(ptr.text(), (negative ? "negative: " : "out of range: ") + number_text(x), shown_range(x));
    return std::nullopt;
  }
  return static_cast<std::int64_t>(x);
}

std::optional<std::string> Reader::string(const Json& v, const Pointer& ptr, std::string_view expected) const {
  return text(v, ptr, [&] { return expected; });
}

std::optional<std::string> Reader::id(const Json& v, const Pointer& ptr) const {
  auto text = string(v, ptr, id_expected);
  if (!text) return std::nullopt;
  if (const std::string why = id_problem(*text); !why.empty()) {
    problems_.add(ptr.text(), why, id_expected_for(*text));
    return std::nullopt;
  }
  return text;
}

std::optional<Date> Reader::date(const Json& v, const Pointer& ptr) const {
  auto text = string(v, ptr, date_expected);
  if (!text) return std::nullopt;
  const auto epoch_s = parse_utc_date(*text);
  if (!epoch_s) {
    // A text of the right form names the part that does not exist.
    if (const DateProblem why = date_problem(*text); !why.problem.empty())
      problems_.add(ptr.text(), why.problem, why.expected);
    else
      problems_.add(ptr.text(), "invalid date " + in_quotes(*text), date_expected);
    return std::nullopt;
  }
  return Date{*epoch_s, *text};
}

std::optional<std::string> Reader::choice(const Json& v, const Pointer& ptr, std::string_view what,
                                          const std::vector<std::string>& allowed) const {
  auto value = text(v, ptr, [&] { return one_of(allowed); });
  if (!value) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
    problems_.add(ptr.text(), "unknown " + std::string(what) + " " + in_quotes(*value), one_of(allowed));
    return std::nullopt;
  }
  return value;
}

bool Reader::is_array(const Json& v, const Pointer& ptr, std::string_view expected) const {
  if (v.is_array()) return true;
  problems_.add(ptr.text(), "is " + type_phrase(v), expected);
  return false;
}

bool Reader::is_object(const Json& v, const Pointer& ptr, std::string_view expected) const {
  if (v.is_object()) return true;
  problems_.add(ptr.text(), "is " + type_phrase(v), expected);
  return false;
}

Object::Object(const Reader& reader, const Json& value, std::string ptr, std::string_view what,
               const std::vector<std::string>& allowed, std::string_view unknown_key)
    : reader_(reader), ptr_(std::move(ptr)) {
  if (!reader_.is_object(value, ptr_, what)) return;
  object_ = &value;
  for (const auto& item : value.items()) {
    const std::string& key = item.key();
    if (is_free_key(key) || std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    reader_.problems().add(child_pointer(ptr_, key), unknown_key, one_of(allowed));
  }
}

const Json* Object::find(std::string_view key) const {
  if (!object_) return nullptr;
  const auto it = object_->find(key);
  return it == object_->end() ? nullptr : &*it;
}

const Json* Object::require(std::string_view key, std::string_view expected) const {
  return get(key, Need::required, [&] { return expected; });
}

void Object::missing(std::string_view key, std::string_view expected) const {
  reader_.problems().add(at(key), "missing", expected);
}

std::optional<double> Object::number(std::string_view key, const Range& range, Need need) const {
  const Json* v = get(key, need, [&] { return range.expected(); });
  return v ? reader_.number(*v, Pointer(ptr_, key), range) : std::nullopt;
}

std::optional<std::int64_t> Object::integer(std::string_view key, const Range& range, Need need) const {
  const Json* v = get(key, need, [&] { return range.integers().expected(); });
  return v ? reader_.integer(*v, Pointer(ptr_, key), range) : std::nullopt;
}

std::optional<std::string> Object::id(std::string_view key, Need need) const {
  const Json* v = get(key, need, [] { return std::string_view(id_expected); });
  return v ? reader_.id(*v, Pointer(ptr_, key)) : std::nullopt;
}

std::optional<std::string> Object::string(std::string_view key, std::string_view expected, Need need) const {
  const Json* v = get(key, need, [&] { return expected; });
  return v ? reader_.string(*v, Pointer(ptr_, key), expected) : std::nullopt;
}

std::optional<Date> Object::date(std::string_view key, Need need) const {
  const Json* v = get(key, need, [] { return std::string_view(date_expected); });
  return v ? reader_.date(*v, Pointer(ptr_, key)) : std::nullopt;
}

std::optional<std::string> Object::choice(std::string_view key, std::string_view what,
                                          const std::vector<std::string>& allowed, Need need) const {
  const Json* v = get(key, need, [&] { return one_of(allowed); });
  return v ? reader_.choice(*v, Pointer(ptr_, key), what, allowed) : std::nullopt;
}

}  // namespace cloudpact::scenario_json
