// A small valid scenario that the scenario tests bend one rule at a time
// (tests/scenario/fixtures/valid/base.json), and a helper that returns the
// problem lines a text produces.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "scenario/load.hpp"

namespace cloudpact::test {

using Json = nlohmann::json;

// A fixture file's bytes ("valid/base.json"); empty when it cannot be read,
// which fails every test that uses it.
inline std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(CLOUDPACT_SOURCE_DIR) + "/tests/scenario/fixtures/" + name, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The base scenario: in a file, so that tests/scenario/test_schema_conformance.py
// checks it against schema.json with an independent validator too.
inline const std::string base_scenario_text = read_fixture("valid/base.json");

inline Json base_scenario() { return Json::parse(base_scenario_text); }

// Every problem line of a scenario text (empty when it loads).
inline std::vector<std::string> problems_of(const std::string& text, const std::vector<Override>& overrides = {}) {
  try {
    (void)parse_scenario(text, "bad.json", overrides);
  } catch (const InputError& e) {
    return e.lines();
  }
  return {};
}

inline std::vector<std::string> problems_of_doc(const Json& doc, const std::vector<Override>& overrides = {}) {
  return problems_of(doc.dump(), overrides);
}

using Lines = std::vector<std::string>;

}  // namespace cloudpact::test

// Failed comparisons of problem lists print one line per problem.
template <>
struct doctest::StringMaker<std::vector<std::string>> {
  static doctest::String convert(const std::vector<std::string>& lines) {
    std::string out = "{";
    for (const auto& line : lines) out += "\n  " + line;
    out += lines.empty() ? "}" : "\n}";
    return out.c_str();
  }
};
