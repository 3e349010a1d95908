// Same scenario, same bytes (docs/reference.md §3), on a scenario that exercises every path.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "replay_in_child.hpp"

TEST_CASE("two replays of the flagship scenario give byte-identical outputs") {
  std::ifstream f(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/openai-2025-2027.json");
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  const auto a = cloudpact::test::replay_in_child(ss.str());
  const auto b = cloudpact::test::replay_in_child(ss.str());
  CHECK(a.summary == b.summary);
  CHECK(a.timeseries == b.timeseries);
  CHECK(a.ledger == b.ledger);
  CHECK(a.events == b.events);
  CHECK(!a.ledger.empty());
}
