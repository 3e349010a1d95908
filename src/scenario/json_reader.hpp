// Small building blocks for reading a JSON document while collecting every
// problem (docs/reference.md §9: one line per problem, all of them, not just the first).
// Internal to src/scenario/: nothing else in the program reads JSON input.
//
// Every reader takes the JSON value and its JSON pointer, records a problem
// `FILE: /pointer: what is wrong (expected what)` when the value is wrong and
// returns nullopt, so callers simply skip what depends on a bad value.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cloudpact::scenario_json {

using Json = nlohmann::json;

class Problems {
 public:
  // `file` is kept as messages show it (escaped: message_text.hpp).
  explicit Problems(std::string_view file);

  // `pointer` is shown as "/" for the document root, escaped like a key.
  void add(std::string_view pointer, std::string_view what, std::string_view expected);
  void add_line(std::string line) { lines_.push_back(std::move(line)); }

  [[nodiscard]] bool empty() const { return lines_.empty(); }
  [[nodiscard]] const std::string& file() const { return file_; }  // escaped
  [[nodiscard]] const std::vector<std::string>& lines() const { return lines_; }
  // Throws InputError with every line collected so far, if any.
  void throw_if_any() const;

 private:
  std::string file_;
  std::vector<std::string> lines_;
};

// ---- message text ----

std::string child_pointer(std::string_view pointer, std::string_view key);  // escapes '~' and '/'
std::string child_pointer(std::string_view pointer, std::size_t index);
std::string in_quotes(std::string_view text);  // as a JSON string literal, so control bytes stay visible
std::string json_text(const Json& value);      // compact JSON, with no control character left raw
std::string number_text(double value);         // shortest text that reads back to the same double
std::string rounded_text(double value);        // six significant digits: for bounds and estimates
std::string type_phrase(const Json& value);    // "a string", "an array", "null", ...
// "one of: a, b, c" (sorted; long lists are cut short so a line stays a line).
std::string one_of(std::vector<std::string> names);

// Keys anyone may add anywhere (docs/reference.md §2): "x-..." and "$...".
bool is_free_key(std::string_view key);

extern const char* const id_expected;    // what an id looks like, for "(expected ...)"
extern const char* const date_expected;  // the two date forms
// An id matches [A-Za-z0-9][A-Za-z0-9._-]* and has at most limits::max_id_length characters.
bool is_valid_id(std::string_view text);
// What is wrong with an id ("invalid id \"a b\"", "too long: 120 characters"), "" when nothing is,
// and what was expected instead.
std::string id_problem(std::string_view text);
std::string id_expected_for(std::string_view text);
std::string id_length_expected();

// The allowed values of a number, and how to say so.
struct Range {
  double lo = -1e308, hi = 1e308;
  bool lo_open = false, hi_open = false;
  bool has_lo = false, has_hi = false;
  bool integer = false;

  static Range any() { return {}; }
  static Range at_least(double lo) { return {lo, 0, false, false, true, false, false}; }
  static Range above(double lo) { return {lo, 0, true, false, true, false, false}; }
  static Range closed(double lo, double hi) { return {lo, hi, false, false, true, true, false}; }
  static Range open_closed(double lo, double hi) { return {lo, hi, true, false, true, true, false}; }
  [[nodiscard]] Range integers() const {
    Range r = *this;
    r.integer = true;
    return r;
  }
  [[nodiscard]] Range at_most(double h) const {
    Range r = *this;
    r.hi = h;
    r.has_hi = true;
    return r;
  }
  [[nodiscard]] bool contains(double v) const;
  [[nodiscard]] std::string expected() const;  // "a number in (0, 1]", "an integer >= 1", ...
};

struct Date {
  std::int64_t epoch_s = 0;
  std::string text;  // as written, for messages
};

// A JSON pointer as a reader takes it: written out already, or a parent's
// and a key, joined (child_pointer) only when a message names it. A large
// scenario reads a million values, and joining each one's pointer up front
// was a good part of loading it. It refers to the strings it is made of:
// build it for the call that reads the value.
class Pointer {
 public:
  // Implicit: most callers hand a pointer already written.
  Pointer(const std::string& text) : base_(text) {}
  Pointer(const char* text) : base_(text) {}
  Pointer(std::string_view parent, std::string_view key) : base_(parent), key_(key), child_(true) {}
  [[nodiscard]] std::string text() const { return child_ ? child_pointer(base_, key_) : std::string(base_); }

 private:
  std::string_view base_, key_;
  bool child_ = false;
};

// ---- leaf readers ----

class Reader {
 public:
  explicit Reader(Problems& problems) : problems_(problems) {}
  [[nodiscard]] Problems& problems() const { return problems_; }

  std::optional<double> number(const Json& v, const Pointer& ptr, const Range& range) const;
  std::optional<std::int64_t> integer(const Json& v, const Pointer& ptr, const Range& range) const;
  std::optional<std::string> string(const Json& v, const Pointer& ptr, std::string_view expected) const;
  std::optional<std::string> id(const Json& v, const Pointer& ptr) const;
  std::optional<Date> date(const Json& v, const Pointer& ptr) const;
  // A string out of a fixed set; `what` names it in the message ("unknown shape \"ramp\"").
  std::optional<std::string> choice(const Json& v, const Pointer& ptr, std::string_view what,
                                    const std::vector<std::string>& allowed) const;
  // Type checks for containers; `expected` completes "(expected ...)".
  bool is_array(const Json& v, const Pointer& ptr, std::string_view expected) const;
  bool is_object(const Json& v, const Pointer& ptr, std::string_view expected) const;

 private:
  Problems& problems_;
  // A string, or the report that v is none, with the text `expected()`
  // gives (written only then).
  template <class Expected>
  std::optional<std::string> text(const Json& v, const Pointer& ptr, const Expected& expected) const {
    if (v.is_string()) return v.get<std::string>();
    problems_.add(ptr.text(), "is " + type_phrase(v), expected());
    return std::nullopt;
  }
};

// A JSON object being read. The constructor checks the type and reports
// every key that is neither allowed nor free; the members then hand out
// values: optional ones return nullopt when absent, required ones also
// report `missing`.
class Object {
 public:
  // `what` completes "(expected ...)" on a type error, e.g. "a provider object".
  // `unknown_key` is the wording for a key not allowed, e.g. "unknown key for
  // an outage event".
  Object(const Reader& reader, const Json& value, std::string ptr, std::string_view what,
         const std::vector<std::string>& allowed, std::string_view unknown_key = "unknown key");

  [[nodiscard]] bool ok() const { return object_ != nullptr; }
  [[nodiscard]] const std::string& ptr() const { return ptr_; }
  [[nodiscard]] std::string at(std::string_view key) const { return child_pointer(ptr_, key); }
  [[nodiscard]] const Json* find(std::string_view key) const;
  [[nodiscard]] bool has(std::string_view key) const { return find(key) != nullptr; }
  // Reports `PTR/key: missing (expected ...)` when absent; returns the value otherwise.
  const Json* require(std::string_view key, std::string_view expected) const;

  enum class Need { optional, required };

  std::optional<double> number(std::string_view key, const Range& range, Need need = Need::optional) const;
  double number_or(std::string_view key, const Range& range, double fallback) const {
    return number(key, range).value_or(fallback);
  }
  std::optional<std::int64_t> integer(std::string_view key, const Range& range, Need need = Need::optional) const;
  std::optional<std::string> id(std::string_view key, Need need = Need::required) const;
  std::optional<std::string> string(std::string_view key, std::string_view expected, Need need) const;
  std::optional<Date> date(std::string_view key, Need need = Need::required) const;
  std::optional<std::string> choice(std::string_view key, std::string_view what,
                                    const std::vector<std::string>& allowed, Need need = Need::optional) const;

 private:
  const Reader& reader_;
  const Json* object_ = nullptr;
  std::string ptr_;

  // The value of `key`; when it is absent and `need` is required, reports
  // it missing with the text `expected()` gives (written only then).
  template <class Expected>
  const Json* get(std::string_view key, Need need, const Expected& expected) const {
    const Json* v = find(key);
    if (!v && object_ && need == Need::required) missing(key, expected());
    return v;
  }
  void missing(std::string_view key, std::string_view expected) const;
};

}  // namespace cloudpact::scenario_json
