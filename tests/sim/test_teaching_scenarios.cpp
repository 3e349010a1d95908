// The teaching scenarios' hand-worked numbers: a scenario's `x-expected`
// holds, for the file as written and for `--set POINTER=VALUE` variants, the
// summary.json figures its `x-story` works out by hand. Each is replayed and
// every figure checked at 1e-12 relative.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "replay_in_child.hpp"

using cloudpact::test::replay_in_child;
using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The value at a dotted path whose keys may hold dots ("contracts.aws-deal@azure.billed_usd").
const Json* dotted(const Json& node, const std::string& path) {
  if (node.contains(path)) return &node[path];
  for (const auto& [key, value] : node.items())
    if (path.starts_with(key + ".") && value.is_object())
      if (const Json* hit = dotted(value, path.substr(key.size() + 1))) return hit;
  return nullptr;
}

}  // namespace

TEST_CASE("every x-expected figure of the teaching scenarios is what the replay gives") {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".json" || entry.path().filename() == "schema.json") continue;
    std::ifstream in(entry.path());
    const Json doc = Json::parse(in);
    if (!doc.contains("x-expected")) continue;
    for (const auto& [variant, figures] : doc["x-expected"].items()) {
      if (variant.starts_with("x-")) continue;
      Json scenario = doc;
      if (variant != "as written") {
        // "/pointer=VALUE", VALUE as JSON.
        const auto eq = variant.find('=');
        scenario[Json::json_pointer(variant.substr(0, eq))] = Json::parse(variant.substr(eq + 1));
      }
      INFO(entry.path().filename().string() << ", " << variant);
      const Json summary = replay_in_child(scenario.dump()).summary_json();
      for (const auto& [path, expected] : figures.items()) {
        INFO(path);
        const Json* got = dotted(summary, path);
        REQUIRE(got != nullptr);
        CHECK(got->get<double>() == doctest::Approx(expected.get<double>()).epsilon(1e-12));
        ++checked;
      }
    }
  }
  CHECK(checked >= 20);
}
