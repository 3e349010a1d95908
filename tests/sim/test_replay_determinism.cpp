// Same scenario, same bytes (docs/reference.md §3), on a scenario that exercises every path.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "replay_in_child.hpp"

namespace {
std::string scenario_text(const std::string& name) {
  std::ifstream f(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/" + name);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("two replays of the flagship scenario give byte-identical outputs") {
  const std::string text = scenario_text("openai-2025-2027.json");
  const auto a = cloudpact::test::replay_in_child(text);
  const auto b = cloudpact::test::replay_in_child(text);
  CHECK(a.summary == b.summary);
  CHECK(a.timeseries == b.timeseries);
  CHECK(a.ledger == b.ledger);
  CHECK(a.events == b.events);
  CHECK(!a.ledger.empty());
}

namespace {
// Seconds since 1970 of a "YYYY-MM-DDTHH:MM:SSZ" date.
std::int64_t epoch_s(const nlohmann::json& date) {
  std::tm tm{};
  std::istringstream in(date.get<std::string>());
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  REQUIRE(!in.fail());
  return static_cast<std::int64_t>(timegm(&tm));
}
}  // namespace

TEST_CASE("no total depends on output.interval_hours: only timeseries.csv does") {
  // Report intervals are not cuts of the replay (docs/reference.md §3.2): the
  // same pieces, so the same totals to the bit, the same ledger and events.
  // Intervals of an hour, 7 hours (never on a day or month boundary), the
  // default day, and 31 days, on the flagship (ramps, outages, price
  // changes) and on the training scenario (jobs interrupted and restarted).
  for (const char* name : {"openai-2025-2027.json", "05-training-rollback.json"}) {
    CAPTURE(name);
    const nlohmann::json base = nlohmann::json::parse(scenario_text(name));
    const auto with_interval = [&](double hours) {
      nlohmann::json s = base;
      s["output"]["interval_hours"] = hours;
      return cloudpact::test::replay_in_child(s.dump());
    };
    const auto day = with_interval(24);
    nlohmann::json day_summary = day.summary_json();
    day_summary.erase("scenario_sha256");  // the files differ in the interval
    const size_t n_providers = day_summary["providers"].size();
    for (const double hours : {1.0, 7.0, 744.0}) {
      CAPTURE(hours);
      const auto other = with_interval(hours);
      nlohmann::json summary = other.summary_json();
      summary.erase("scenario_sha256");
      CHECK(summary == day_summary);
      CHECK(other.ledger == day.ledger);
      CHECK(other.events == day.events);
      // One row per provider and interval; each provider's spend adds up to its total.
      std::istringstream in(other.timeseries);
      std::string line;
      std::getline(in, line);
      size_t rows = 0;
      std::map<std::string, double> spend;
      while (std::getline(in, line)) {
        ++rows;
        const size_t p0 = line.find(',') + 1;
        spend[line.substr(p0, line.find(',', p0) - p0)] += std::stod(line.substr(line.rfind(',') + 1));
      }
      const double horizon_h = static_cast<double>(epoch_s(summary["end"]) - epoch_s(summary["start"])) / 3600.0;
      CHECK(rows == n_providers * static_cast<size_t>(std::ceil(horizon_h / hours)));
      CHECK(spend.size() == n_providers);
      for (const auto& [provider, usd] : spend) {
        CAPTURE(provider);
        CHECK(usd == doctest::Approx(summary["providers"][provider]["spend_usd"].get<double>()).epsilon(1e-9));
      }
    }
  }
}

TEST_CASE("timeseries figures are written to a millionth: a constant 1,000 GPUs reads 1000") {
  // Scenario 02: two providers of 400 GB200 (1,000 H100-eq) each all of
  // April 2025, one reserved ($48,000 a day), one usage-billed ($36,000 a
  // day at 500 GPUs used, $64,800 at 900); demand 500 on each to the 15th,
  // 900 from the 16th. Every day's averages and spend are whole; the
  // integrals behind them once showed as 1000.0000000000002 and
  // 35999.99999999999.
  const auto out = cloudpact::test::replay_in_child(scenario_text("02-reserved-vs-usage.json"));
  std::istringstream in(out.timeseries);
  std::string line;
  std::getline(in, line);
  int rows = 0;
  while (std::getline(in, line)) {
    ++rows;
    std::vector<std::string> cells;
    std::stringstream cs(line);
    for (std::string c; std::getline(cs, c, ',');) cells.push_back(c);
    REQUIRE(cells.size() == 7);
    CAPTURE(line);
    CHECK(cells[2] == "1000");  // capacity_gpus
    CHECK(cells[3] == "1000");  // available_gpus
    CHECK(cells[4] == (cells[0] < "2025-04-16" ? "500" : "900"));  // used_gpus
    CHECK(cells[5] == "0");     // unmet_gpus
    CHECK(cells[6] == (cells[1] == "cloud-a" ? "48000" : cells[0] < "2025-04-16" ? "36000" : "64800"));
  }
  CHECK(rows == 60);  // 30 days, 2 providers
}
