// From bytes to a checked Scenario: JSON syntax (with line and column),
// duplicate keys, `--set` overrides, then validate.cpp for every rule.
#include "scenario/load.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "scenario/json_document.hpp"
#include "scenario/json_reader.hpp"
#include "scenario/input_file.hpp"
#include "scenario/limits.hpp"
#include "scenario/message_text.hpp"
#include "scenario/sha256.hpp"
#include "scenario/validate.hpp"

namespace cloudpact {
namespace {

using scenario_json::child_pointer;
using scenario_json::in_quotes;
using scenario_json::Json;
using scenario_json::Problems;

const char* const set_expected = "--set /json/pointer=VALUE";

// 1-based line and column of a byte offset, counting bytes like an editor's
// status bar for ASCII text.
std::pair<std::size_t, std::size_t> line_and_column(const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  return {line, offset - line_start + 1};
}

// nlohmann's message is "[json.exception.parse_error.101] parse error at
// line L, column C: syntax error while parsing CONTEXT - PROBLEM; last read:
// 'TOKEN'; expected WHAT". Keep PROBLEM, CONTEXT and WHAT: the token echo can
// span lines and the position is reported separately.
// What a lexer's problem asks for, when the parser's message names nothing.
std::string syntax_expectation(const std::string& problem) {
  if (problem.find("UTF-8") != std::string::npos) return "UTF-8 text";
  if (problem.find("control character") != std::string::npos) return "a control character written as an escape";
  if (problem.find("missing closing quote") != std::string::npos) return "a closing quote";
  if (problem.find("surrogate") != std::string::npos) return "a surrogate pair, \\uD800-\\uDBFF then \\uDC00-\\uDFFF";
  if (problem.find("backslash") != std::string::npos || problem.find("\\u") != std::string::npos)
    return "an escape \\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX";
  if (problem.find("invalid literal") != std::string::npos)
    return "a string, a number, an object, an array, true, false or null; JSON has no comments";
  return "JSON text";
}

// The number a parser's out-of-range message quotes ("number overflow
// parsing '1e400'"); empty when it quotes none.
std::string overflowing_literal(const std::string& what) {
  const auto q = what.find('\'');
  const auto q2 = q == std::string::npos ? q : what.find('\'', q + 1);
  return q2 == std::string::npos ? std::string() : what.substr(q + 1, q2 - q - 1);
}

std::string syntax_reason(const std::string& what) {
  static const std::string marker = "syntax error while parsing ";
  const auto at = what.find(marker);
  if (at == std::string::npos) {
    const auto colon = what.find(": ");
    return colon == std::string::npos ? what : what.substr(colon + 2);
  }
  const std::string rest = what.substr(at + marker.size());
  const auto dash = rest.find(" - ");
  if (dash == std::string::npos) return rest;
  const std::string context = rest.substr(0, dash);
  std::string problem = rest.substr(dash + 3);
  std::string expected;
  if (const auto e = problem.find("; expected "); e != std::string::npos) {
    expected = problem.substr(e + 11);
    problem.erase(e);
  }
  if (const auto l = problem.find("; last read"); l != std::string::npos) problem.erase(l);
  // Every message says what was expected (docs/reference.md §9.1); where
  // the parser's own says nothing, what its kind of problem asks for.
  if (expected.empty()) expected = syntax_expectation(problem);
  return problem + " while parsing " + context + " (expected " + expected + ")";
}

// Watches the events of a parse (CheckedDom's, for a file; a DOM-less pass
// of its own, for a --set value): stops at the first array or object nested
// deeper than limits::max_json_depth (so the document holds a bounded depth,
// and a pointer spelled out for a message is a bounded walk), and reports
// each key given twice in one object, which nlohmann would silently resolve
// to the last. A syntax error stops it; the DOM parse reports that with its
// line and column.
// (Not a parse callback: nlohmann's callback parser rescans the parent
// container at every object end, quadratic in a 100,000-workload file.)
class DuplicateKeys : public nlohmann::json_sax<Json> {
 public:
  explicit DuplicateKeys(Problems& problems) : problems_(problems) {}

  // The pointer of the first value nested too deep, if any.
  [[nodiscard]] const std::optional<std::string>& too_deep() const { return too_deep_; }

  bool null() override { return element_done(); }
  bool boolean(bool /*val*/) override { return element_done(); }
  bool number_integer(number_integer_t /*val*/) override { return element_done(); }
  bool number_unsigned(number_unsigned_t /*val*/) override { return element_done(); }
  bool number_float(number_float_t val, const string_t& s) override {
    // A literal below the least double ("1e-400") reads as 0 without a word
    // from the parser, and the field would hold a 0 the file never says: a
    // zero read from a literal with a digit other than 0 before its exponent.
    if (val == 0.0 && s.find_first_of("123456789") < s.find_first_of("eE"))
      problems_.add(pointer_of(depth_), "number too small for a double: " + s,
                    "0, or a number of magnitude at least 4.9e-324");
    return element_done();
  }
  bool string(string_t& /*val*/) override { return element_done(); }
  bool binary(binary_t& /*val*/) override { return element_done(); }
  bool start_object(std::size_t /*elements*/) override { return open(true); }
  bool start_array(std::size_t /*elements*/) override { return open(false); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& key) override {
    Frame& f = frames_[depth_ - 1];
    f.key = key;
    if (!f.insert(key)) problems_.add(child_pointer(pointer_of(depth_ - 1), key), "duplicate key", "each key once in an object");
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*ex*/) override {
    return false;  // the DOM parse reports it, with its position
  }

 private:
  // Frames are reused from one object or array to the next at the same
  // depth (their strings and key lists keep their capacity), and a frame's
  // pointer is spelled out only for a message: a scenario holds 100,000
  // workload objects, nearly all without a problem.
  struct Frame {
    bool is_object = false;
    std::string key;        // objects: the member being read
    std::size_t index = 0;  // arrays: the element being read
    // The keys met so far: a list while short, a set beyond (an object may
    // have any number of keys).
    std::vector<std::string> few_keys;
    std::set<std::string> many_keys;
    bool insert(const std::string& k) {
      if (!many_keys.empty()) return many_keys.insert(k).second;
      if (std::find(few_keys.begin(), few_keys.end(), k) != few_keys.end()) return false;
      if (few_keys.size() < kFewKeys) {
        few_keys.push_back(k);
        return true;
      }
      many_keys.insert(few_keys.begin(), few_keys.end());
      few_keys.clear();
      return many_keys.insert(k).second;
    }
  };
  static constexpr std::size_t kFewKeys = 16;
  Problems& problems_;
  std::vector<Frame> frames_;  // [0, depth_) are open
  std::size_t depth_ = 0;
  std::optional<std::string> too_deep_;

  // The pointer of the value frames_[d] is (d <= depth_): each open frame
  // names the member or element it is reading.
  [[nodiscard]] std::string pointer_of(std::size_t d) const {
    std::string pointer;
    for (std::size_t i = 0; i < d; ++i) {
      const Frame& f = frames_[i];
      pointer = f.is_object ? child_pointer(pointer, f.key) : child_pointer(pointer, f.index);
    }
    return pointer;
  }

  bool open(bool is_object) {
    if (depth_ >= static_cast<std::size_t>(limits::max_json_depth)) {
      too_deep_ = pointer_of(depth_);  // of the value being opened
      return false;
    }
    if (depth_ == frames_.size()) frames_.emplace_back();
    Frame& f = frames_[depth_++];
    f.is_object = is_object;
    f.key.clear();
    f.index = 0;
    f.few_keys.clear();
    f.many_keys.clear();
    return true;
  }
  bool close() {
    --depth_;
    return element_done();
  }
  bool element_done() {
    if (depth_ > 0 && !frames_[depth_ - 1].is_object) ++frames_[depth_ - 1].index;
    return true;
  }
};

// nlohmann's own DOM builder, with DuplicateKeys watching the same events:
// one pass over the text instead of a checking pass and a parse (the text of
// the stress scenario is 21 MB). DuplicateKeys sees each event first, so the
// parse stops where it found nesting too deep; a syntax error is the DOM
// builder's to report, with its position, as Json::parse would.
class CheckedDom {
 public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  CheckedDom(Json& result, DuplicateKeys& duplicates) : dom_(result, true), duplicates_(duplicates) {}

  bool null() { return duplicates_.null() && dom_.null(); }
  bool boolean(bool val) { return duplicates_.boolean(val) && dom_.boolean(val); }
  bool number_integer(number_integer_t val) { return duplicates_.number_integer(val) && dom_.number_integer(val); }
  bool number_unsigned(number_unsigned_t val) { return duplicates_.number_unsigned(val) && dom_.number_unsigned(val); }
  bool number_float(number_float_t val, const string_t& s) {
    return duplicates_.number_float(val, s) && dom_.number_float(val, s);
  }
  bool string(string_t& val) { return duplicates_.string(val) && dom_.string(val); }
  bool binary(binary_t& val) { return duplicates_.binary(val) && dom_.binary(val); }
  bool start_object(std::size_t elements) { return duplicates_.start_object(elements) && dom_.start_object(elements); }
  bool start_array(std::size_t elements) { return duplicates_.start_array(elements) && dom_.start_array(elements); }
  bool end_object() { return duplicates_.end_object() && dom_.end_object(); }
  bool end_array() { return duplicates_.end_array() && dom_.end_array(); }
  bool key(string_t& val) { return duplicates_.key(val) && dom_.key(val); }
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& last_token, const Exception& ex) {
    return dom_.parse_error(position, last_token, ex);  // throws ex, as Json::parse does
  }

 private:
  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  DuplicateKeys& duplicates_;
};

}  // namespace

namespace scenario_json {

// The document, or nullopt after reporting a syntax error. Duplicate keys are
// reported but do not stop the reading: the rest is still worth checking.
std::optional<Json> parse_json(const std::string& text, Problems& problems) {
  // nlohmann reads a NUL byte as the end of the input: the rest of the file
  // would be ignored without a word.
  if (const auto nul = text.find('\0'); nul != std::string::npos) {
    const auto [line, column] = line_and_column(text, nul);
    problems.add_line(problems.file() + ": line " + std::to_string(line) + ", column " + std::to_string(column) +
                      ": NUL byte (expected JSON text: a NUL byte would end it there)");
    return std::nullopt;
  }
  Problems duplicate_lines(std::string_view{});
  DuplicateKeys duplicates(duplicate_lines);
  try {
    Json doc;
    CheckedDom one_pass(doc, duplicates);
    const bool complete = Json::sax_parse(text, &one_pass);
    if (const auto& deep = duplicates.too_deep()) {
      problems.add(*deep, "nested too deep: more than " + std::to_string(limits::max_json_depth) + " levels",
                   "at most " + std::to_string(limits::max_json_depth) + " arrays and objects inside each other");
      return std::nullopt;
    }
    if (!complete) doc = Json::parse(text);  // not expected: a syntax error throws above
    for (const std::string& line : duplicate_lines.lines()) problems.add_line(problems.file() + line);
    return doc;
  } catch (const Json::parse_error& e) {
    // e.byte is the 1-based position of the character that stopped the parser.
    const auto [line, column] = line_and_column(text, e.byte == 0 ? 0 : e.byte - 1);
    problems.add_line(problems.file() + ": line " + std::to_string(line) + ", column " + std::to_string(column) +
                      ": JSON syntax error: " + syntax_reason(e.what()));
  } catch (const Json::exception& e) {
    // A number too large for a double ("1e400") is not a parse_error and has
    // no position; find the literal the message quotes.
    std::string reason = e.what();
    std::size_t offset = 0;
    if (const std::string literal = overflowing_literal(reason); !literal.empty()) {
      offset = std::min(text.find(literal), text.size());
      reason = "number out of range: " + literal;
    }
    const auto [line, column] = line_and_column(text, offset);
    problems.add_line(problems.file() + ": line " + std::to_string(line) + ", column " + std::to_string(column) +
                      ": JSON syntax error: " + reason + " (expected a number a double can hold)");
  }
  return std::nullopt;
}

// Splits a JSON pointer into unescaped tokens; nullopt when ill-formed.
std::optional<std::vector<std::string>> pointer_tokens(const std::string& pointer) {
  if (pointer.empty() || pointer.front() != '/') return std::nullopt;
  std::vector<std::string> tokens;
  std::string token;
  for (std::size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
    } else if (pointer[i] == '~') {
      if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) return std::nullopt;
      token += pointer[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      token += pointer[i];
    }
  }
  return tokens;
}

namespace {

std::optional<std::size_t> array_index(const std::string& token) {
  if (token.empty() || token.size() > 18 || (token.size() > 1 && token.front() == '0')) return std::nullopt;
  std::size_t value = 0;
  for (const char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  return value;
}

// Whether `text` is one JSON number token (RFC 8259), whatever its size.
bool is_number_token(const std::string& text) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t from = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i > from;
  };
  if (i < text.size() && text[i] == '-') ++i;
  if (i < text.size() && text[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < text.size() && text[i] == '.' && (++i, !digits())) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == text.size();
}

// VALUE parsed as JSON, else taken as a string (docs/reference.md §1.2).
// JSON that cannot be held is reported, not silently turned into a string:
// a number beyond a double, nesting deeper than any input may have, a key
// given twice.
std::optional<Json> override_value(const Override& o, Problems& problems) {
  const std::string& text = o.value;
  if (text.size() > limits::max_override_bytes) {
    problems.add(o.pointer, "value too large: " + std::to_string(text.size()) + " bytes",
                 "a value of at most " + std::to_string(limits::max_override_bytes >> 20) + " MiB");
    return std::nullopt;
  }
  Problems duplicates(std::string_view{});
  DuplicateKeys first_pass(duplicates);
  const bool is_json = text.find('\0') == std::string::npos && Json::sax_parse(text, &first_pass);
  if (first_pass.too_deep()) {
    problems.add(o.pointer, "value nested too deep: more than " + std::to_string(limits::max_json_depth) + " levels",
                 "at most " + std::to_string(limits::max_json_depth) + " arrays and objects inside each other");
    return std::nullopt;
  }
  if (!is_json) {
    if (is_number_token(text)) {
      problems.add(o.pointer, "number out of range: " + text, "a number a double can hold");
      return std::nullopt;
    }
    // JSON but for numbers inside it beyond a double ({"points": [["…",
    // 1e309]]}): the first such number is reported, as in a file, not the
    // whole value taken as a string. Each is replaced by 0 in a probe until
    // it parses; anything else wrong ("1e400 apples") leaves a string.
    std::string probe = text, first;
    for (int tries = 0; tries < 64; ++tries) {
      try {
        [[maybe_unused]] const Json parsed = Json::parse(probe);
        if (first.empty()) break;  // not JSON for a reason of its own
        problems.add(o.pointer, "number out of range: " + first, "a number a double can hold");
        return std::nullopt;
      } catch (const Json::out_of_range& e) {
        const std::string literal = overflowing_literal(e.what());
        const auto at = literal.empty() ? std::string::npos : probe.find(literal);
        if (at == std::string::npos) break;
        if (first.empty()) first = literal;
        probe.replace(at, literal.size(), "0");
      } catch (const Json::exception&) {
        break;
      }
    }
    return Json(text);  // not JSON, so a string
  }
  if (!duplicates.empty()) {
    // Lines ": /a: duplicate key (...)", with pointers inside the value; the
    // value itself (a number too small for a double) is ": /: ...".
    for (const std::string& line : duplicates.lines()) {
      const std::string inside = line.substr(2);
      problems.add_line(problems.file() + ": " + escape_text(o.pointer) +
                        (inside.rfind("/:", 0) == 0 ? inside.substr(1) : inside));
    }
    return std::nullopt;
  }
  return Json::parse(text);
}

}  // namespace

// Applies one override; reports why it cannot be applied.
void apply_override(Json& doc, const Override& o, Problems& problems) {
  const auto tokens = pointer_tokens(o.pointer);
  if (!tokens) {
    problems.add(o.pointer, "ill-formed JSON pointer " + in_quotes(o.pointer),
                 "a pointer starting with '/', ~0 for '~' and ~1 for '/'");
    return;
  }
  // Objects missing on the way are created (below), so the pointer's depth
  // bounds the document's as a file's nesting is bounded.
  if (tokens->size() > static_cast<std::size_t>(limits::max_json_depth)) {
    problems.add(o.pointer, "pointer nested too deep: more than " + std::to_string(limits::max_json_depth) + " levels",
                 "at most " + std::to_string(limits::max_json_depth) + " keys and indices");
    return;
  }
  const std::string index_expected = "an index of an existing element, or \"-\" to append";
  Json* node = &doc;
  std::string at;  // pointer of *node
  for (std::size_t i = 0; i + 1 < tokens->size(); ++i) {
    const std::string& token = (*tokens)[i];
    Json* next = nullptr;
    if (node->is_object()) {
      // A missing object on the way is created: an optional section that
      // the file leaves out (--set /finance/discount_rate_per_year=0.08).
      // A mistyped key creates nothing that survives: validation names it
      // as an unknown key.
      const auto it = node->find(token);
      next = it != node->end() ? &*it : &((*node)[token] = Json::object());
    } else if (node->is_array()) {
      if (const auto index = array_index(token); index && *index < node->size()) next = &(*node)[*index];
    }
    if (!next) {
      problems.add(o.pointer, "cannot set: parent " + child_pointer(at, token) + " does not exist",
                   node->is_array() ? "an index of an existing element of " + (at.empty() ? std::string("/") : at)
                                    : "an existing object or array");
      return;
    }
    node = next;
    at = child_pointer(at, token);
  }
  const std::string& last = tokens->back();
  const bool container = node->is_object() || node->is_array();
  std::optional<Json> value = container ? override_value(o, problems) : std::nullopt;
  if (container && !value) return;
  if (node->is_object()) {
    (*node)[last] = std::move(*value);
  } else if (node->is_array()) {
    if (last == "-" || array_index(last) == node->size()) {
      node->push_back(std::move(*value));
    } else if (const auto index = array_index(last); index && *index < node->size()) {
      (*node)[*index] = std::move(*value);
    } else {
      problems.add(o.pointer,
                   "cannot set: no element " + in_quotes(last) + " in an array of " + std::to_string(node->size()),
                   index_expected);
    }
  } else {
    problems.add(
        o.pointer,
        "cannot set: parent " + (at.empty() ? std::string("/") : at) + " is " + scenario_json::type_phrase(*node),
        "an existing object or array");
  }
}

}  // namespace scenario_json

using scenario_json::apply_override;
using scenario_json::parse_json;
using scenario_json::pointer_tokens;

Override parse_override(const std::string& text) {
  // The argument as messages show it: escaped, and cut short.
  const std::string shown = escape_text(text.substr(0, 100)) + (text.size() > 100 ? "..." : "");
  const auto eq = text.find('=');
  if (eq == std::string::npos)
    throw InputError({"--set " + shown + ": missing '=' (expected " + std::string(set_expected) + ")"});
  Override o{text.substr(0, eq), text.substr(eq + 1)};
  if (!pointer_tokens(o.pointer))
    throw InputError({"--set " + shown + ": ill-formed JSON pointer " + in_quotes(o.pointer) + " (expected " +
                      std::string(set_expected) + " with a pointer starting with '/', ~0 for '~' and ~1 for '/')"});
  // The pointer's tokens become keys and a VALUE that is not JSON a string:
  // JSON text is UTF-8 (a file's keys and strings are checked by the parser;
  // these are not parsed).
  if (!is_utf8(o.pointer))
    throw InputError({"--set " + shown + ": the JSON pointer is not valid UTF-8 (expected " +
                      std::string(set_expected) + " with a pointer of UTF-8 text)"});
  if (!is_utf8(o.value))
    throw InputError({"--set " + shown + ": the VALUE is not valid UTF-8 (expected " + std::string(set_expected) +
                      " with a VALUE of UTF-8 text)"});
  if (o.value.size() > limits::max_override_bytes)
    throw InputError({"--set " + shown + ": value too large: " + std::to_string(o.value.size()) +
                      " bytes (expected a value of at most " + std::to_string(limits::max_override_bytes >> 20) +
                      " MiB)"});
  return o;
}

namespace {
// A --set VALUE that is not JSON is taken as text (docs/reference.md §1.2),
// so `--set /x=01` (a leading zero) or `=NaN` where a number belongs is
// refused as "is a string", which the user never meant to write: such a
// line says where the string came from. Throws with the lines rewritten.
void explain_text_overrides(const std::vector<Override>& overrides, const Problems& problems) {
  std::vector<std::string> lines = problems.lines();
  bool changed = false;
  for (const Override& o : overrides) {
    if (Json::accept(o.value)) continue;
    const std::string at = problems.file() + ": " + escape_text(o.pointer) + ": is a string";
    for (std::string& line : lines)
      if (line.rfind(at + " (", 0) == 0) {
        line.insert(at.size(), ": --set " + escape_text(o.value) + " is not JSON, so it was taken as text");
        changed = true;
      }
  }
  if (changed) throw InputError(lines);
}
}  // namespace

Scenario parse_scenario(const std::string& text, const std::string& path, const std::vector<Override>& overrides) {
  Problems problems(path);
  std::optional<Json> parsed = parse_json(text, problems);
  if (!parsed) problems.throw_if_any();
  Json& doc = *parsed;
  const std::size_t before_overrides = problems.lines().size();
  for (const Override& o : overrides) apply_override(doc, o, problems);
  // A document the overrides could not be applied to is not the one the user
  // meant: validating it would report problems they did not write.
  if (problems.lines().size() > before_overrides) problems.throw_if_any();
  Scenario s = scenario_json::build_scenario(doc, problems);
  if (!problems.empty() && !overrides.empty()) explain_text_overrides(overrides, problems);
  problems.throw_if_any();
  s.source_path = path;
  // Two calls, not one of `overrides.empty() ? text : doc.dump()`: that
  // expression is a new string, a copy of the whole text (21 MB for the
  // stress scenario, in memory touched for the first time at the load's peak).
  s.sha256 = overrides.empty() ? sha256_hex(text) : sha256_hex(doc.dump());
  return s;
}

Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides) {
  return parse_scenario(read_input_file(path, limits::max_scenario_bytes, "scenario file"), path, overrides);
}

}  // namespace cloudpact
