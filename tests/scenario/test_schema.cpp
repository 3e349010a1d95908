// The JSON Schema of scenario files: scenarios/schema.json holds exactly what
// `cloudpact schema` prints, and every shipped scenario both validates
// against the schema and loads. A small validator below covers the keywords
// the schema uses (and refuses any other, so it cannot silently skip one).
//
// After changing the format table (src/scenario/fields.cpp) or the generator
// (src/scenario/schema.cpp), regenerate the file with
//   CLOUDPACT_UPDATE_SCHEMA=1 build/tests/test_schema
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "scenario_fixture.hpp"

using namespace cloudpact;
using namespace cloudpact::test;

namespace {

const std::string schema_path = std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/schema.json";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// JSON Schema draft 2020-12, the subset scenario_schema_text() uses.
class SchemaValidator {
 public:
  explicit SchemaValidator(Json root) : root_(std::move(root)) {}

  // One "pointer: reason" per failure; empty when `doc` is valid.
  Lines validate(const Json& doc) {
    Lines errors;
    check(root_, doc, "", errors);
    return errors;
  }

 private:
  Json root_;
  std::map<std::string, std::regex> regexes_;

  const std::regex& regex(const std::string& pattern) {
    auto it = regexes_.find(pattern);
    if (it == regexes_.end()) it = regexes_.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
    return it->second;
  }

  static bool has_type(const Json& v, const std::string& type) {
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "boolean") return v.is_boolean();
    if (type == "null") return v.is_null();
    if (type == "number") return v.is_number();
    if (type == "integer") return v.is_number() && std::floor(v.get<double>()) == v.get<double>();
    throw std::runtime_error("unknown type in schema: " + type);
  }

  bool valid(const Json& schema, const Json& v) {
    Lines scratch;
    check(schema, v, "", scratch);
    return scratch.empty();
  }

  void check(const Json& schema, const Json& v, const std::string& ptr, Lines& errors) {
    static const std::set<std::string> annotations{"$schema", "$id",         "$defs",  "$comment",
                                                   "title",   "description", "default"};
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) errors.push_back(ptr + ": not allowed");
      return;
    }
    REQUIRE(schema.is_object());
    const auto fail = [&](const std::string& why) { errors.push_back((ptr.empty() ? "/" : ptr) + ": " + why); };
    for (const auto& [keyword, arg] : schema.items()) {
      if (annotations.count(keyword)) continue;
      if (keyword == "$ref") {
        const std::string ref = arg.get<std::string>();
        REQUIRE(ref.rfind("#/", 0) == 0);
        check(root_.at(Json::json_pointer(ref.substr(1))), v, ptr, errors);
      } else if (keyword == "type") {
        bool ok = false;
        if (arg.is_string())
          ok = has_type(v, arg.get<std::string>());
        else
          for (const Json& t : arg) ok = ok || has_type(v, t.get<std::string>());
        if (!ok) fail("not of type " + arg.dump());
      } else if (keyword == "enum") {
        if (std::find(arg.begin(), arg.end(), v) == arg.end()) fail("not in enum " + arg.dump());
      } else if (keyword == "const") {
        if (v != arg) fail("not " + arg.dump());
      } else if (keyword == "minimum") {
        if (v.is_number() && v.get<double>() < arg.get<double>()) fail("below minimum");
      } else if (keyword == "exclusiveMinimum") {
        if (v.is_number() && v.get<double>() <= arg.get<double>()) fail("not above exclusiveMinimum");
      } else if (keyword == "maximum") {
        if (v.is_number() && v.get<double>() > arg.get<double>()) fail("above maximum");
      } else if (keyword == "exclusiveMaximum") {
        if (v.is_number() && v.get<double>() >= arg.get<double>()) fail("not below exclusiveMaximum");
      } else if (keyword == "pattern") {
        if (v.is_string() && !std::regex_search(v.get<std::string>(), regex(arg.get<std::string>())))
          fail("does not match " + arg.get<std::string>());
      } else if (keyword == "maxLength") {
        if (v.is_string() && v.get<std::string>().size() > arg.get<std::size_t>()) fail("too long");  // ids: ASCII
      } else if (keyword == "minItems") {
        if (v.is_array() && v.size() < arg.get<std::size_t>()) fail("too few items");
      } else if (keyword == "maxItems") {
        if (v.is_array() && v.size() > arg.get<std::size_t>()) fail("too many items");
      } else if (keyword == "prefixItems") {
        if (v.is_array())
          for (std::size_t i = 0; i < arg.size() && i < v.size(); ++i)
            check(arg[i], v[i], ptr + "/" + std::to_string(i), errors);
      } else if (keyword == "items") {
        if (v.is_array()) {
          const std::size_t first = schema.contains("prefixItems") ? schema["prefixItems"].size() : 0;
          for (std::size_t i = first; i < v.size(); ++i) check(arg, v[i], ptr + "/" + std::to_string(i), errors);
        }
      } else if (keyword == "required") {
        if (v.is_object())
          for (const Json& key : arg)
            if (!v.contains(key.get<std::string>())) fail("missing " + key.dump());
      } else if (keyword == "properties") {
        if (v.is_object())
          for (const auto& [key, sub] : arg.items())
            if (v.contains(key)) check(sub, v[key], ptr + "/" + key, errors);
      } else if (keyword == "patternProperties") {
        if (v.is_object())
          for (const auto& [pattern, sub] : arg.items())
            for (const auto& [key, value] : v.items())
              if (std::regex_search(key, regex(pattern))) check(sub, value, ptr + "/" + key, errors);
      } else if (keyword == "additionalProperties") {
        if (!v.is_object()) continue;
        for (const auto& [key, value] : v.items()) {
          bool matched = schema.contains("properties") && schema["properties"].contains(key);
          if (schema.contains("patternProperties"))
            for (const auto& [pattern, sub] : schema["patternProperties"].items())
              matched = matched || std::regex_search(key, regex(pattern));
          if (!matched) check(arg, value, ptr + "/" + key, errors);
        }
      } else if (keyword == "oneOf" || keyword == "anyOf") {
        std::size_t passing = 0;
        for (const Json& sub : arg) passing += valid(sub, v) ? 1 : 0;
        if (keyword == "oneOf" && passing != 1) fail("matches " + std::to_string(passing) + " of oneOf");
        if (keyword == "anyOf" && passing == 0) fail("matches none of anyOf");
      } else if (keyword == "allOf") {
        for (const Json& sub : arg) check(sub, v, ptr, errors);
      } else if (keyword == "not") {
        if (valid(arg, v)) fail("matches a schema it must not");
      } else {
        FAIL("the test validator does not know the schema keyword " << keyword);
      }
    }
  }
};

// Every scenario file shipped in scenarios/: sweeps and the schema itself aside.
std::vector<std::filesystem::path> shipped_scenarios() {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios")) {
    const auto& path = entry.path();
    const std::string name = path.filename().string();
    if (!entry.is_regular_file() || path.extension() != ".json" || name == "schema.json" || name.rfind("sweep", 0) == 0)
      continue;
    // A sweep file under another name is recognised by its shape (docs/reference.md §7).
    const Json doc = Json::parse(read_file(path.string()), nullptr, false);
    if (doc.is_object() && doc.contains("base") && doc.contains("parameters") && !doc.contains("providers")) continue;
    out.push_back(path);
  }
  std::sort(out.begin(), out.end());
  return out;
}

SchemaValidator& validator() {
  static SchemaValidator v(Json::parse(scenario_schema_text()));
  return v;
}

// A scenario using every section and variant the format has.
Json kitchen_sink() { return Json::parse(read_fixture("valid/kitchen-sink.json")); }

// The fixture files of one kind ("valid" or "invalid"), sorted.
std::vector<std::filesystem::path> fixtures(const std::string& kind) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(CLOUDPACT_SOURCE_DIR) + "/tests/scenario/fixtures/" + kind))
    if (entry.path().extension() == ".json") out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("scenarios/schema.json is exactly what scenario_schema_text() prints") {
  const std::string text = scenario_schema_text();
  if (std::getenv("CLOUDPACT_UPDATE_SCHEMA")) std::ofstream(schema_path, std::ios::binary) << text;
  CHECK(read_file(schema_path) == text);
}

TEST_CASE("the schema text is pretty-printed JSON with a trailing newline") {
  const std::string text = scenario_schema_text();
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');
  const Json schema = Json::parse(text);
  CHECK(text == nlohmann::ordered_json::parse(text).dump(2) + "\n");  // 2-space indent
  CHECK(schema["$schema"] == "https://json-schema.org/draft/2020-12/schema");
  CHECK(schema["additionalProperties"] == false);
  CHECK(schema["patternProperties"].contains("^x-"));
  CHECK(schema["patternProperties"].contains("^\\$"));
  for (const char* def : {"curve_points", "date", "id", "distribution", "event", "provider", "contract"})
    CHECK(schema["$defs"].contains(def));
}

TEST_CASE("every shipped scenario validates against the schema and loads") {
  for (const auto& path : shipped_scenarios()) {
    CAPTURE(path.string());
    const Json doc = Json::parse(read_file(path.string()));
    CHECK(validator().validate(doc) == Lines{});
    CHECK_NOTHROW((void)load_scenario(path.string()));
  }
}

TEST_CASE("what the loader accepts, the schema accepts") {
  const auto valid = fixtures("valid");
  CHECK(valid.size() >= 8);
  for (const auto& path : valid) {
    CAPTURE(path.string());
    const std::string text = read_file(path.string());
    CHECK(problems_of(text) == Lines{});
    CHECK(validator().validate(Json::parse(text)) == Lines{});
  }
}

// Each invalid fixture breaks one rule a schema can state, at its "x-pointer";
// test_schema_conformance.py checks the same files with python3-jsonschema
// and the cloudpact binary.
TEST_CASE("every invalid fixture is refused by the loader, at its pointer, and by the schema") {
  const auto invalid = fixtures("invalid");
  CHECK(invalid.size() >= 50);
  for (const auto& path : invalid) {
    CAPTURE(path.string());
    const std::string text = read_file(path.string());
    const Json doc = Json::parse(text);
    REQUIRE(doc.contains("x-pointer"));
    const Lines lines = problems_of(text);
    REQUIRE(lines.size() == 1);  // one rule broken, one line
    CHECK(lines.front().rfind("bad.json: " + doc["x-pointer"].get<std::string>() + ": ", 0) == 0);
    CHECK_FALSE(validator().validate(doc).empty());
  }
}

TEST_CASE("the schema refuses what the loader refuses, where a schema can say so") {
  const auto refused = [](auto edit) {
    Json doc = kitchen_sink();
    edit(doc);
    CHECK_FALSE(problems_of_doc(doc).empty());
    return !validator().validate(doc).empty();
  };
  CHECK(refused([](Json& d) { d["colour"] = "red"; }));
  CHECK(refused([](Json& d) { d["providers"][0]["regions"][0]["colour"] = "red"; }));
  CHECK(refused([](Json& d) { d["name"] = "../evil"; }));
  CHECK(refused([](Json& d) { d["start"] = "2025-1-1"; }));
  CHECK(refused([](Json& d) { d.erase("workloads"); }));
  CHECK(refused([](Json& d) { d["providers"] = Json::array(); }));
  CHECK(refused([](Json& d) { d["providers"][0]["egress_usd_per_gb"] = -1; }));
  CHECK(refused([](Json& d) { d["workloads"][0]["demand_gpus"] = {{"shape", "step"}, {"points", Json::array()}}; }));
  CHECK(refused([](Json& d) { d["workloads"][0]["demand_gpus"] = {{"shape", "step"}, {"points", {{1, 2, 3}}}}; }));
  CHECK(refused([](Json& d) { d["workloads"][0]["flops"] = 1e24; }));
  CHECK(refused([](Json& d) { d["workloads"][1]["mfu"] = 1.5; }));
  CHECK(refused([](Json& d) { d["workloads"][1]["priority"] = 0.5; }));
  CHECK(refused([](Json& d) { d["policy"].erase("vendor"); }));
  CHECK(refused([](Json& d) { d["policy"]["placement"] = "cheapest"; }));
  CHECK(refused([](Json& d) { d["events"][1]["factor"] = 0.5; }));
  CHECK(refused([](Json& d) { d["events"][3]["target"] = "aws"; }));
  CHECK(refused([](Json& d) { d["events"][0]["type"] = "storm"; }));
  CHECK(refused([](Json& d) { d["uncertainty"]["outages"]["default"]["duration_hours"]["value"] = 1; }));
  CHECK(refused([](Json& d) { d["uncertainty"]["paths"] = 0; }));
  CHECK(refused([](Json& d) { d["accelerators"]["H100"]["h100_equiv"] = 0; }));
  CHECK(refused([](Json& d) { d["contracts"][0]["sla"]["credits"][0]["below_pct"] = 0; }));
  // Every number's upper end, ids' length, and curves' values by their field's range.
  CHECK(refused([](Json& d) { d["name"] = std::string(101, 'n'); }));
  CHECK(refused([](Json& d) { d["accelerators"][std::string(101, 'a')] = Json::object(); }));
  CHECK(refused([](Json& d) { d["providers"][0]["egress_usd_per_gb"] = 1e4; }));
  CHECK(refused([](Json& d) { d["contracts"][0]["price_usd_per_gpu_hour"] = 2e6; }));
  CHECK(refused([](Json& d) {
    d["contracts"][0]["price_usd_per_gpu_hour"] = {{"shape", "step"}, {"points", {{"2025-01-01", 2e6}}}};
  }));
  CHECK(refused([](Json& d) { d["uncertainty"]["prices"]["aws"]["drift_per_year"] = 1e6; }));
  CHECK(refused([](Json& d) { d["output"]["interval_hours"] = 1e9; }));
}
