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
  std::string out = problem + " while parsing " + context;
  if (!expected.empty()) out += " (expected " + expected + ")";
  return out;
}

// A second, DOM-less pass over a text that parsed: reports each key given
// twice in one object, which nlohmann would silently resolve to the last.
// (Not a parse callback: nlohmann's callback parser rescans the parent
// container at every object end, quadratic in a 100,000-workload file.)
class DuplicateKeys : public nlohmann::json_sax<Json> {
 public:
  explicit DuplicateKeys(Problems& problems) : problems_(problems) {}

  bool null() override { return element_done(); }
  bool boolean(bool /*val*/) override { return element_done(); }
  bool number_integer(number_integer_t /*val*/) override { return element_done(); }
  bool number_unsigned(number_unsigned_t /*val*/) override { return element_done(); }
  bool number_float(number_float_t /*val*/, const string_t& /*s*/) override { return element_done(); }
  bool string(string_t& /*val*/) override { return element_done(); }
  bool binary(binary_t& /*val*/) override { return element_done(); }
  bool start_object(std::size_t /*elements*/) override { return open(true); }
  bool start_array(std::size_t /*elements*/) override { return open(false); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& key) override {
    Frame& f = frames_.back();
    f.key = key;
    if (!f.keys.insert(key).second)
      problems_.add(child_pointer(f.pointer, key), "duplicate key", "each key once in an object");
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*ex*/) override {
    return false;  // only run on text that already parsed
  }

 private:
  struct Frame {
    bool is_object;
    std::string pointer;
    std::set<std::string> keys;
    std::string key;        // objects: the member being read
    std::size_t index = 0;  // arrays: the element being read
  };
  Problems& problems_;
  std::vector<Frame> frames_;

  bool open(bool is_object) {
    std::string pointer;
    if (!frames_.empty()) {
      const Frame& f = frames_.back();
      pointer = f.is_object ? child_pointer(f.pointer, f.key) : child_pointer(f.pointer, f.index);
    }
    frames_.push_back({is_object, std::move(pointer), {}, {}, 0});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return element_done();
  }
  bool element_done() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().index;
    return true;
  }
};

}  // namespace

namespace scenario_json {

// The document, or nullopt after reporting a syntax error. Duplicate keys are
// reported but do not stop the reading: the rest is still worth checking.
std::optional<Json> parse_json(const std::string& text, Problems& problems) {
  try {
    Json doc = Json::parse(text);
    DuplicateKeys duplicates(problems);
    Json::sax_parse(text, &duplicates);
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
    if (const auto q = reason.find('\''); q != std::string::npos) {
      const auto q2 = reason.find('\'', q + 1);
      const std::string literal = reason.substr(q + 1, q2 == std::string::npos ? std::string::npos : q2 - q - 1);
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

Json override_value(const std::string& text) {
  try {
    return Json::parse(text);
  } catch (const Json::exception&) {
    return text;  // docs/reference.md §1: not JSON, so a string
  }
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
  const std::string index_expected = "an index of an existing element, or \"-\" to append";
  Json* node = &doc;
  std::string at;  // pointer of *node
  for (std::size_t i = 0; i + 1 < tokens->size(); ++i) {
    const std::string& token = (*tokens)[i];
    Json* next = nullptr;
    if (node->is_object()) {
      if (const auto it = node->find(token); it != node->end()) next = &*it;
    } else if (node->is_array()) {
      if (const auto index = array_index(token); index && *index < node->size()) next = &(*node)[*index];
    }
    if (!next) {
      problems.add(o.pointer, "cannot set: parent " + child_pointer(at, token) + " does not exist",
                   "an existing object or array");
      return;
    }
    node = next;
    at = child_pointer(at, token);
  }
  const std::string& last = tokens->back();
  if (node->is_object()) {
    (*node)[last] = override_value(o.value);
  } else if (node->is_array()) {
    if (last == "-" || array_index(last) == node->size()) {
      node->push_back(override_value(o.value));
    } else if (const auto index = array_index(last); index && *index < node->size()) {
      (*node)[*index] = override_value(o.value);
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
  const auto eq = text.find('=');
  if (eq == std::string::npos)
    throw InputError({"--set " + text + ": missing '=' (expected " + std::string(set_expected) + ")"});
  Override o{text.substr(0, eq), text.substr(eq + 1)};
  if (!pointer_tokens(o.pointer))
    throw InputError({"--set " + text + ": ill-formed JSON pointer " + in_quotes(o.pointer) + " (expected " +
                      std::string(set_expected) + " with a pointer starting with '/', ~0 for '~' and ~1 for '/')"});
  return o;
}

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
  problems.throw_if_any();
  s.source_path = path;
  s.sha256 = sha256_hex(overrides.empty() ? text : doc.dump());
  return s;
}

Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    throw InputError({path + ": cannot read: " + std::strerror(err) + " (expected a readable scenario file)"});
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw InputError({path + ": cannot read (expected a readable scenario file)"});
  return parse_scenario(bytes.str(), path, overrides);
}

}  // namespace cloudpact
