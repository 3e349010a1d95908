// The fuzzers' dictionary (tests/fuzz/format.dict) holds every key and every
// choice of the format table (src/scenario/fields.cpp), so a field added to
// the format is one the fuzzers try at once.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "scenario/fields.hpp"

TEST_CASE("tests/fuzz/format.dict names every key and choice of the format") {
  std::ifstream f(std::string(CLOUDPACT_SOURCE_DIR) + "/tests/fuzz/format.dict");
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string dict = ss.str();
  int checked = 0;
  for (const auto& spec : cloudpact::scenario_format::objects())
    for (const auto& field : spec.fields) {
      INFO(spec.name << "." << field.key);
      CHECK(dict.find("\"\\\"" + field.key + "\\\"\"") != std::string::npos);
      ++checked;
      for (const std::string& v : field.values) {
        INFO(v);
        CHECK(dict.find("\"\\\"" + v + "\\\"\"") != std::string::npos);
      }
    }
  CHECK(checked > 80);
}
