// The comparison of outputs with baselines (src/regression/check.hpp) and
// its report (check_report.hpp): what moved, verdicts, structure changes,
// the table, the summary line and JUnit XML.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "regression/check.hpp"
#include "regression/check_report.hpp"

using namespace cloudpact::regression;
using nlohmann::json;

namespace {

json summary() {
  return json::parse(R"({"scenario": "s", "cloudpact_version": "0.1.0",
    "totals": {"spend_usd": 1000000000.0, "unmet_gpu_hours": 0},
    "workloads": {"j": {"finish": "2026-01-01T00:00:00Z", "interruptions": 2}}})");
}

json risk() {
  return json::parse(R"({"paths": 1000, "seed": 42, "backend": "cpu-omp", "cloudpact_version": "0.1.0",
    "portfolios": {"contracted": {"cost_usd": {"mean": 1000.0, "se_mean": 10.0}}}})");
}

}  // namespace

TEST_CASE("check: identical documents: every number compared, nothing moved") {
  const Comparison c = compare_replay(summary(), summary());
  CHECK(c.rows.empty());
  CHECK(c.numbers_compared == 3);
  CHECK(c.moved() == 0);
  CHECK(c.regressions() == 0);
}

TEST_CASE("check: replay numbers within 1e-9 relative pass, beyond fail") {
  json now = summary();
  now["totals"]["spend_usd"] = 1000000000.5;  // 5e-10 relative
  Comparison c = compare_replay(summary(), now);
  REQUIRE(c.rows.size() == 1);
  CHECK(c.rows[0].metric == "totals.spend_usd");
  CHECK(c.rows[0].baseline == "1000000000.0");
  CHECK(c.rows[0].now == "1000000000.5");
  CHECK(*c.rows[0].rel_change == doctest::Approx(5e-10));
  CHECK(*c.rows[0].rel_tolerance == 1e-9);
  CHECK_FALSE(c.rows[0].regression);
  CHECK(c.moved() == 1);
  CHECK(c.regressions() == 0);

  now["totals"]["spend_usd"] = 1000001000.0;  // 1e-6 relative
  c = compare_replay(summary(), now);
  REQUIRE(c.rows.size() == 1);
  CHECK(c.rows[0].regression);
  CHECK(c.rows[0].basis == "1e-9 relative");

  // An integer and a float of the same value are the same number; from 0 any move fails.
  now = summary();
  now["workloads"]["j"]["interruptions"] = 2.0;
  CHECK(compare_replay(summary(), now).rows.empty());
  now["totals"]["unmet_gpu_hours"] = 1e-12;
  c = compare_replay(summary(), now);
  REQUIRE(c.rows.size() == 1);
  CHECK(c.rows[0].regression);
}

TEST_CASE("check: a version bump is not a regression; structure changes are") {
  json now = summary();
  now["cloudpact_version"] = "0.2.0";
  CHECK(compare_replay(summary(), now).rows.empty());

  now = summary();
  now["workloads"]["j"]["finish"] = nullptr;  // a job that no longer finishes
  now["totals"].erase("unmet_gpu_hours");
  now["totals"]["new_usd"] = 1;
  now["scenario"] = "t";
  const Comparison c = compare_replay(summary(), now);
  REQUIRE(c.rows.size() == 4);
  CHECK(c.regressions() == 4);
  CHECK(c.moved() == 0);
  CHECK(c.rows[0].metric == "scenario");
  CHECK(c.rows[0].basis == "changed");
  CHECK(c.rows[1].metric == "totals.unmet_gpu_hours");
  CHECK(c.rows[1].basis == "missing now");
  CHECK(c.rows[2].metric == "totals.new_usd");
  CHECK(c.rows[2].basis == "not in baseline");
  CHECK(c.rows[3].metric == "workloads.j.finish");
  CHECK(c.rows[3].basis == "type changed: string -> null");

  const Comparison arrays = compare_replay(json::parse(R"({"v": [1, 2]})"), json::parse(R"({"v": [1, 2, 3]})"));
  REQUIRE(arrays.rows.size() == 1);
  CHECK(arrays.rows[0].basis == "array length changed");
  CHECK(dotted({}) == "(document)");
}

TEST_CASE("check: risk numbers move within z standard errors") {
  json now = risk();
  now["backend"] = "cuda";  // not compared
  CHECK(compare_risk(risk(), now, 5.0).rows.empty());

  now["portfolios"]["contracted"]["cost_usd"]["mean"] = 1000.0 + 0.1 * 10.0;  // 0.1·se
  Comparison c = compare_risk(risk(), now, 5.0);
  REQUIRE(c.rows.size() == 1);
  CHECK(c.rows[0].metric == "portfolios.contracted.cost_usd.mean");
  CHECK_FALSE(c.rows[0].regression);
  CHECK(c.rows[0].basis == "5·se_mean");
  CHECK(*c.rows[0].rel_tolerance == doctest::Approx(50.0 / 1001.0));

  now["portfolios"]["contracted"]["cost_usd"]["mean"] = 1000.0 + 20 * 10.0;  // 20·se
  c = compare_risk(risk(), now, 5.0);
  REQUIRE(c.rows.size() == 1);
  CHECK(c.rows[0].regression);
  CHECK(compare_risk(risk(), now, 25.0).regressions() == 0);  // a looser z

  now = risk();
  now["paths"] = 1001;  // run parameters exactly
  CHECK(compare_risk(risk(), now, 5.0).regressions() == 1);
}

TEST_CASE("check: a cost histogram is compared whole, as a sample of the run's paths") {
  // 4 paths: 3 below 2 USD, 1 in [2, 4].
  const auto with_histogram = [](const json& h) {
    json d = risk();
    d["paths"] = 4;
    d["portfolios"]["contracted"]["cost_usd"]["histogram"] = h;
    return d;
  };
  const json base = with_histogram(json::parse(R"({"edges_usd": [1, 2, 4], "counts": [3, 1]})"));
  Comparison c = compare_risk(base, base, 5.0);
  CHECK(c.rows.empty());
  CHECK(c.numbers_compared == 4 + 5);  // paths, seed, mean, se_mean and the histogram's 5 numbers

  // The same sample in 4 bins: certainly no farther than 0, so it moved within any tolerance.
  c = compare_risk(base, with_histogram(json::parse(R"({"edges_usd": [1, 1.5, 2, 3, 4], "counts": [2, 1, 0, 1]})")), 5.0);
  REQUIRE(c.rows.size() == 1);
  CHECK(c.rows[0].metric == "portfolios.contracted.cost_usd.histogram");
  CHECK(c.rows[0].pointer == "/portfolios/contracted/cost_usd/histogram");
  CHECK(c.rows[0].baseline == "2 bins [1, 4]");
  CHECK(c.rows[0].now == "4 bins [1, 4]");
  CHECK(*c.rows[0].rel_change == 0.0);
  CHECK(*c.rows[0].rel_tolerance == doctest::Approx(2.061548 * std::sqrt(0.5)).epsilon(1e-6));
  CHECK(c.rows[0].basis == "KS distance ≤ 2.06·√(1/n + 1/m)");
  CHECK_FALSE(c.rows[0].regression);
  CHECK(c.moved() == 1);

  // Every path in the top bin: 3 of 4 fewer below 2 USD, within the 1.458
  // that 4 paths a side allow (no distance is beyond it); 4000 a side allow 0.0461.
  c = compare_risk(base, with_histogram(json::parse(R"({"edges_usd": [1, 2, 4], "counts": [0, 4]})")), 5.0);
  REQUIRE(c.rows.size() == 1);
  CHECK(*c.rows[0].rel_change == 0.75);
  CHECK_FALSE(c.rows[0].regression);
  json wide = base;
  wide["paths"] = 4000;
  wide["portfolios"]["contracted"]["cost_usd"]["histogram"]["counts"] = {3000, 1000};
  json moved = wide;
  moved["portfolios"]["contracted"]["cost_usd"]["histogram"]["counts"] = {2000, 2000};
  c = compare_risk(wide, moved, 5.0);
  REQUIRE(c.rows.size() == 1);
  CHECK(*c.rows[0].rel_change == 0.25);
  CHECK(c.rows[0].regression);

  // Not a histogram of the paths: a structure row, whichever side.
  json broken = base;
  broken["portfolios"]["contracted"]["cost_usd"]["histogram"]["counts"] = {0, 0};
  c = compare_risk(broken, base, 5.0);
  REQUIRE(c.rows.size() == 1);
  CHECK(c.rows[0].regression);
  CHECK_FALSE(c.rows[0].rel_change.has_value());
  CHECK(c.rows[0].baseline == R"({"counts":[0,0],"edges_usd":[1,2,4]})");
  CHECK(c.rows[0].now == "2 bins [1, 4]");
  CHECK(c.rows[0].basis == "baseline not a histogram of its paths: counts sum to 0, not the run's 4 paths");
  c = compare_risk(base, broken, 5.0);
  REQUIRE(c.rows.size() == 1);
  CHECK(c.rows[0].basis == "not a histogram of the run's paths: counts sum to 0, not the run's 4 paths");

  // Missing on one side: a member missing as any other.
  json gone = base;
  gone["portfolios"]["contracted"]["cost_usd"].erase("histogram");
  c = compare_risk(base, gone, 5.0);
  REQUIRE(c.rows.size() == 1);
  CHECK(c.rows[0].basis == "missing now");
  CHECK(c.rows[0].regression);
  CHECK(compare_risk(gone, base, 5.0).rows.at(0).basis == "not in baseline");
}

TEST_CASE("check report: table, summary line, JUnit") {
  json now = summary();
  now["totals"]["spend_usd"] = 1000001000.0;
  CaseResult replay;
  replay.scenario = "01-x";
  replay.name = "replay";
  const Comparison c = compare_replay(summary(), now);
  replay.rows = c.rows;
  replay.numbers_compared = c.numbers_compared;
  CaseResult risk_case;
  risk_case.scenario = "01-x";
  risk_case.name = "risk";
  risk_case.skipped = "no risk.json baseline";

  const std::string table = format_table({replay, risk_case});
  CHECK(table ==
        "scenario  metric            baseline      now           change  tolerance  verdict     basis\n"
        "01-x      totals.spend_usd  1000000000.0  1000001000.0  +1e-06  1e-09      REGRESSION  1e-9 relative\n");
  CHECK(format_table({risk_case}).empty());
  CHECK(summary_line({replay, risk_case}) ==
        "check: 1 scenario, 3 numbers compared, 1 moved, 1 regression, 1 skipped (no risk.json baseline)\n");
  CHECK(summary_line({replay}) == "check: 1 scenario, 3 numbers compared, 1 moved, 1 regression\n");
  CaseResult other = risk_case;
  other.scenario = "02-y";
  other.error = "cloudpact risk failed (exit code 3)";
  CHECK(summary_line({replay, risk_case, other}) ==
        "check: 2 scenarios, 3 numbers compared, 1 moved, 1 regression, 1 error, 1 skipped (no risk.json baseline)\n");

  const std::string xml = junit_xml({replay, risk_case, other});
  CHECK(xml.find("<testsuites name=\"cloudpact check\" tests=\"3\" failures=\"1\" errors=\"1\" skipped=\"1\"") !=
        std::string::npos);
  CHECK(xml.find("<testsuite name=\"cloudpact check\" tests=\"3\" failures=\"1\"") != std::string::npos);
  CHECK(xml.find("<testcase classname=\"01-x\" name=\"replay\"") != std::string::npos);
  CHECK(xml.find("<failure message=\"1 regression: totals.spend_usd\" type=\"regression\">") != std::string::npos);
  CHECK(xml.find("<skipped message=\"no risk.json baseline\"/>") != std::string::npos);
  CHECK(xml.find("<error message=\"cloudpact risk failed (exit code 3)\" type=\"runtime\">") != std::string::npos);
  CHECK(xml.rfind("</testsuites>\n") == xml.size() - 14);

  CHECK(xml_escape("a<b & \"c\" 'd'>\x01") == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;?");
  // XML is UTF-8: whole sequences pass, a byte that starts none is '?'
  // (a lone lead byte, a stray continuation byte, an overlong form).
  CHECK(xml_escape("caf\xC3\xA9 \xE2\x82\xAC") == "caf\xC3\xA9 \xE2\x82\xAC");
  CHECK(xml_escape("a\xC3") == "a?");
  CHECK(xml_escape("\xA9" "b\xC0\xAF\x7F") == "?b???");
  // U+FFFE and U+FFFF are UTF-8 but no XML character; U+FFFD is one.
  CHECK(xml_escape("a\xEF\xBF\xBE" "b\xEF\xBF\xBF" "c\xEF\xBF\xBD") == "a?b?c\xEF\xBF\xBD");
  CaseResult odd = replay;
  odd.scenario = "x<&>";
  CHECK(junit_xml({odd}).find("classname=\"x&lt;&amp;&gt;\"") != std::string::npos);
}
