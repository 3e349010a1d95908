// Bad input (docs/reference.md §9): one rule per test case, each asserting the exact lines
// `FILE: /json/pointer: what is wrong (expected what)`. The base scenario of
// scenario_fixture.hpp is valid; each case breaks one rule.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "scenario/limits.hpp"
#include "scenario/validate.hpp"
#include "scenario_fixture.hpp"

using namespace cloudpact::test;
using cloudpact::InputError;

namespace {

// The problems of the base scenario after `edit`.
template <typename Edit>
Lines with(Edit edit) {
  Json doc = base_scenario();
  edit(doc);
  return problems_of_doc(doc);
}

// Straight to the validator, for documents that text cannot hold (NaN) or
// that are too big to print and parse in a unit test.
Lines validated(const Json& doc) {
  cloudpact::scenario_json::Problems problems("bad.json");
  (void)cloudpact::scenario_json::build_scenario(doc, problems);
  return problems.lines();
}

Json& cluster(Json& doc, int provider, int region, int index) {
  return doc["providers"][provider]["regions"][region]["clusters"][index];
}

}  // namespace

TEST_CASE("the base scenario is valid") { CHECK(problems_of(base_scenario_text) == Lines{}); }

// ---- JSON syntax ----

TEST_CASE("JSON syntax errors give line and column") {
  CHECK(problems_of("{\n  \"name\": \"x\",\n  \"start\": 2025-01-01\n}") ==
        Lines{"bad.json: line 3, column 17: JSON syntax error: unexpected number literal while parsing object "
              "(expected '}')"});
  CHECK(problems_of("{\"a\": 1,}") ==
        Lines{"bad.json: line 1, column 9: JSON syntax error: unexpected '}' while parsing object key "
              "(expected string literal)"});
  CHECK(problems_of("{\"name\": \"x\",") ==
        Lines{"bad.json: line 1, column 14: JSON syntax error: unexpected end of input while parsing object key "
              "(expected string literal)"});
  CHECK(problems_of("") == Lines{"bad.json: line 1, column 1: JSON syntax error: unexpected end of input while "
                                 "parsing value (expected '[', '{', or a literal)"});
  CHECK(problems_of("{}\n\n  x") == Lines{"bad.json: line 3, column 3: JSON syntax error: invalid literal while "
                                          "parsing value (expected end of input)"});
  CHECK(problems_of("{\"a\": 1e400}") == Lines{"bad.json: line 1, column 7: JSON syntax error: number out of range: "
                                               "1e400 (expected a number a double can hold)"});
}

TEST_CASE("JSON syntax errors say what was expected where the parser's message does not") {
  const auto one = [](const std::string& text) {
    const Lines lines = problems_of(text);
    return lines.size() == 1 ? lines.front() : std::string("not one line");
  };
  CHECK(one("// a comment\n{}") == "bad.json: line 1, column 1: JSON syntax error: invalid literal while parsing value "
                                    "(expected a string, a number, an object, an array, true, false or null; JSON has no "
                                    "comments)");
  CHECK(one("{\"name\": \"a\xff\"}") == "bad.json: line 1, column 12: JSON syntax error: invalid string: ill-formed "
                                          "UTF-8 byte while parsing value (expected UTF-8 text)");
  CHECK(one("{\"name\": \"a\nb\"}") == "bad.json: line 1, column 12: JSON syntax error: invalid string: control "
                                          "character U+000A (LF) must be escaped to \\u000A or \\n while parsing value "
                                          "(expected a control character written as an escape)");
  CHECK(one("{\"name\": \"a\\qb\"}") == "bad.json: line 1, column 13: JSON syntax error: invalid string: forbidden "
                                           "character after backslash while parsing value (expected an escape \\\", "
                                           "\\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX)");
  CHECK(one("{\"name\": \"a\\ud800\"}") == "bad.json: line 1, column 18: JSON syntax error: invalid string: "
                                              "surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF while "
                                              "parsing value (expected a surrogate pair, \\uD800-\\uDBFF then "
                                              "\\uDC00-\\uDFFF)");
  CHECK(one("{\"name\": \"ab") == "bad.json: line 1, column 13: JSON syntax error: invalid string: missing closing "
                                   "quote while parsing value (expected a closing quote)");
}

TEST_CASE("a key given twice in one object") {
  Json doc = base_scenario();
  std::string text = doc.dump();
  text.insert(1, "\"name\":\"first\",");
  CHECK(problems_of(text) == Lines{"bad.json: /name: duplicate key (expected each key once in an object)"});
  CHECK(problems_of(R"({"providers": [{"id": "a"}, {"id": "b", "id": "c"}]})").front() ==
        "bad.json: /providers/1/id: duplicate key (expected each key once in an object)");
}

TEST_CASE("the document must be an object") {
  CHECK(problems_of("[1]") == Lines{"bad.json: /: is an array (expected a scenario object)"});
}

// ---- keys ----

TEST_CASE("unknown keys are errors at every level") {
  CHECK(with([](Json& d) { d["providers"][0]["colour"] = "red"; }) ==
        Lines{"bad.json: /providers/0/colour: unknown key (expected one of: egress_usd_per_gb, id, "
              "on_demand_usd_per_gpu_hour, regions)"});
  CHECK(with([](Json& d) { d["nmae"] = "x"; }) ==
        Lines{"bad.json: /nmae: unknown key (expected one of: accelerators, contracts, end, events, finance, name, "
              "negotiation, output, policy, providers, start, uncertainty, workloads)"});
  CHECK(with([](Json& d) { cluster(d, 0, 0, 1)["capacity_gpus"]["interpolation"] = "cubic"; }) ==
        Lines{"bad.json: /providers/0/regions/0/clusters/1/capacity_gpus/interpolation: unknown key (expected one "
              "of: points, shape)"});
  CHECK(with([](Json& d) { d["output"]["interval"] = 6; }) ==
        Lines{"bad.json: /output/interval: unknown key (expected one of: interval_hours)"});
}

TEST_CASE("keys of the other workload kind are unknown for this kind") {
  CHECK(with([](Json& d) {
          d["workloads"][0]["flops"] = 1;
          d["workloads"][1]["demand_gpus"] = 5;
        }) == Lines{"bad.json: /workloads/0/flops: unknown key for kind \"inference\" (expected one of: demand_gpus, "
                    "id, kind, priority, providers, value_usd_per_gpu_hour)",
                    "bad.json: /workloads/1/demand_gpus: unknown key for kind \"training\" (expected one of: "
                    "checkpoint_hours, dataset_tb, flops, gpus, id, kind, mfu, priority, providers, restart_hours, "
                    "submit)"});
}

TEST_CASE("required keys") {
  CHECK(with([](Json& d) {
          d.erase("name");
          d.erase("start");
          d["contracts"][0].erase("price_usd_per_gpu_hour");
          d["workloads"][1].erase("gpus");
        }) == Lines{"bad.json: /name: missing (expected a name matching [A-Za-z0-9][A-Za-z0-9._-]*)",
                    "bad.json: /start: missing (expected a UTC date \"YYYY-MM-DD\" or \"YYYY-MM-DDTHH:MM:SSZ\")",
                    "bad.json: /contracts/0/price_usd_per_gpu_hour: missing (expected a number >= 0 or a "
                    "{\"shape\", \"points\"} curve)",
                    "bad.json: /workloads/1/gpus: missing (expected a number in (0, 1000000000000])"});
}

// ---- types ----

TEST_CASE("wrong JSON types") {
  CHECK(with([](Json& d) {
          d["workloads"][1]["mfu"] = "high";
          d["providers"][1]["id"] = 7;
          d["contracts"][0]["clusters"] = "aws/us-east-1/h100";
          d["workloads"][0]["demand_gpus"] = true;
          d["uncertainty"] = Json::array();
        }) == Lines{"bad.json: /providers/1/id: is a number (expected an id matching [A-Za-z0-9][A-Za-z0-9._-]*)",
                    "bad.json: /contracts/0/clusters: is a string (expected a non-empty array of cluster paths "
                    "\"provider/region/cluster\")",
                    "bad.json: /workloads/0/demand_gpus: is a boolean (expected a number >= 0 or a "
                    "{\"shape\", \"points\"} curve)",
                    "bad.json: /workloads/1/mfu: is a string (expected a number in (0, 1])",
                    "bad.json: /uncertainty: is an array (expected an uncertainty object)"});
}

TEST_CASE("an object of the wrong type: the message names its keys") {
  CHECK(with([](Json& d) { d["accelerators"] = 5; }) ==
        Lines{"bad.json: /accelerators: is a number (expected an object of accelerator id -> {h100_equiv, kw})"});
  CHECK(with([](Json& d) {
          d["accelerators"]["H100"] = Json::array();
          d["contracts"][0]["sla"] = {{"credits", {1}}};
          d["policy"] = "cheapest";
          d["uncertainty"] = {{"outages", {{"default", 1}}}, {"demand", 1}, {"delivery", 1}};
          d["output"] = 24;
        }) == Lines{"bad.json: /accelerators/H100: is an array (expected an accelerator object {h100_equiv, kw})",
                    "bad.json: /contracts/0/sla/credits/0: is a number (expected an SLA tier {below_pct, credit_pct})",
                    "bad.json: /policy: is a string (expected a policy object {placement, vendor, exclusivity, rofr})",
                    "bad.json: /uncertainty/outages/default: is a number (expected an outage model {rate_per_year, "
                    "capacity_lost_pct, duration_hours})",
                    "bad.json: /uncertainty/demand: is a number (expected a demand model {vol_per_year})",
                    "bad.json: /uncertainty/delivery: is a number (expected a delivery model {p_on_time, delay_days, "
                    "targets})",
                    "bad.json: /output: is a number (expected an output object {interval_hours})"});
  CHECK(with([](Json& d) { d["contracts"][0]["sla"] = {{"credits", 1}}; }) ==
        Lines{"bad.json: /contracts/0/sla/credits: is a number (expected an array of {below_pct, credit_pct} tiers)"});
}

TEST_CASE("integers must be integers") {
  CHECK(with([](Json& d) { d["workloads"][1]["priority"] = 1.5; }) ==
        Lines{"bad.json: /workloads/1/priority: not an integer: 1.5 (expected an integer in [-2147483648, "
              "2147483647])"});
  CHECK(with([](Json& d) { d["workloads"][1]["priority"] = 1e12; }) ==
        Lines{"bad.json: /workloads/1/priority: out of range: 1000000000000 (expected an integer in "
              "[-2147483648, 2147483647])"});
}

// ---- ids and names ----

TEST_CASE("ids match [A-Za-z0-9][A-Za-z0-9._-]*") {
  CHECK(with([](Json& d) { d["providers"][1]["id"] = "az ure"; }) ==
        Lines{"bad.json: /providers/1/id: invalid id \"az ure\" (expected an id matching [A-Za-z0-9][A-Za-z0-9._-]*)"});
  CHECK(with([](Json& d) { d["workloads"][0]["id"] = "-chat"; }) ==
        Lines{"bad.json: /workloads/0/id: invalid id \"-chat\" (expected an id matching [A-Za-z0-9][A-Za-z0-9._-]*)"});
  CHECK(with([](Json& d) { d["contracts"][0]["id"] = "a;rm -rf"; }) ==
        Lines{"bad.json: /contracts/0/id: invalid id \"a;rm -rf\" (expected an id matching "
              "[A-Za-z0-9][A-Za-z0-9._-]*)"});
  CHECK(with([](Json& d) { d["accelerators"]["bad/id"] = Json::object(); }) ==
        Lines{"bad.json: /accelerators/bad~1id: invalid id \"bad/id\" (expected an id matching "
              "[A-Za-z0-9][A-Za-z0-9._-]*)"});
}

TEST_CASE("the name becomes a folder name") {
  CHECK(with([](Json& d) { d["name"] = "../evil"; }) ==
        Lines{"bad.json: /name: invalid name \"../evil\" (expected a name matching [A-Za-z0-9][A-Za-z0-9._-]*, used "
              "as a folder name)"});
  CHECK(with([](Json& d) { d["name"] = ".hidden"; }).size() == 1);
  CHECK(with([](Json& d) { d["name"] = ""; }).size() == 1);
}

TEST_CASE("duplicate ids in their scope") {
  CHECK(with([](Json& d) { d["providers"][1]["id"] = "aws"; }) ==
        Lines{"bad.json: /providers/1/id: duplicate id \"aws\" (expected an id unique among providers, first used at "
              "/providers/0/id)"});
  CHECK(with([](Json& d) {
          d["providers"][0]["regions"] = Json::parse(R"([
            { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 1 } ] },
            { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 1 },
                                       { "id": "c", "accelerator": "H100", "capacity_gpus": 1 } ] }])");
          d["contracts"] = Json::array();
          d["events"] = Json::array();
        }) == Lines{"bad.json: /providers/0/regions/1/id: duplicate id \"r\" (expected an id unique among the "
                    "provider's regions, first used at /providers/0/regions/0/id)",
                    "bad.json: /providers/0/regions/1/clusters/1/id: duplicate id \"c\" (expected an id unique among "
                    "the region's clusters, first used at /providers/0/regions/1/clusters/0/id)"});
  CHECK(with([](Json& d) {
          d["contracts"].push_back(d["contracts"][0]);
          d["contracts"][1]["clusters"] = {"aws/us-east-1/gb200"};
          d["workloads"][1]["id"] = "chat";
        }) == Lines{"bad.json: /contracts/1/id: duplicate id \"aws-1\" (expected an id unique among contracts, first "
                    "used at /contracts/0/id)",
                    "bad.json: /workloads/1/id: duplicate id \"chat\" (expected an id unique among workloads, first "
                    "used at /workloads/0/id)"});
  // The same local id in different scopes is fine.
  CHECK(with([](Json& d) { cluster(d, 1, 0, 0)["id"] = "gb200"; }) == Lines{});
}

// ---- cross-references ----

TEST_CASE("unknown provider") {
  CHECK(with([](Json& d) {
          d["contracts"][0]["provider"] = "gcp";
          d["workloads"][1]["providers"] = {"aws", "gcp", "aws"};
        }) == Lines{"bad.json: /contracts/0/provider: unknown provider \"gcp\" (expected one of: aws, azure)",
                    "bad.json: /workloads/1/providers/1: unknown provider \"gcp\" (expected one of: aws, azure)",
                    "bad.json: /workloads/1/providers/2: provider \"aws\" listed twice (expected each provider once, "
                    "first at /workloads/1/providers/0)"});
  CHECK(with([](Json& d) { d["workloads"][1]["providers"] = Json::array(); }) ==
        Lines{"bad.json: /workloads/1/providers: empty (expected a non-empty array of provider ids)"});
}

TEST_CASE("unknown cluster, or a cluster of another provider") {
  CHECK(
      with([](Json& d) {
        d["contracts"][0]["clusters"] = {"aws/us-east-1/h100", "azure/eastus/h100", "aws/x/y", "aws/us-east-1/h100", 3};
      }) == Lines{"bad.json: /contracts/0/clusters/1: cluster \"azure/eastus/h100\" belongs to provider \"azure\" "
                  "(expected a cluster of provider \"aws\")",
                  "bad.json: /contracts/0/clusters/2: unknown cluster \"aws/x/y\" (expected one of: "
                  "aws/us-east-1/gb200, aws/us-east-1/h100)",
                  "bad.json: /contracts/0/clusters/3: cluster \"aws/us-east-1/h100\" listed twice (expected each "
                  "cluster once, first at /contracts/0/clusters/0)",
                  "bad.json: /contracts/0/clusters/4: is a number (expected a cluster path "
                  "\"provider/region/cluster\")"});
  CHECK(with([](Json& d) { d["contracts"][0]["clusters"] = Json::array(); }) ==
        Lines{"bad.json: /contracts/0/clusters: empty (expected a non-empty array of cluster paths "
              "\"provider/region/cluster\")"});
}

TEST_CASE("unknown contract") {
  CHECK(with([](Json& d) {
          d["events"] = {{{"type", "price_change"}, {"contract", "nope"}, {"date", "2025-05-01"}, {"factor", 0.9}}};
        }) == Lines{"bad.json: /events/0/contract: unknown contract \"nope\" (expected one of: aws-1)"});
  CHECK(with([](Json& d) {
          d.erase("contracts");
          d["events"] = {{{"type", "price_change"}, {"contract", "nope"}, {"date", "2025-05-01"}, {"factor", 0.9}}};
        }) == Lines{"bad.json: /events/0/contract: unknown contract \"nope\" (expected a defined id; there are none)"});
}

TEST_CASE("unknown workload, or a demand shock on a training workload") {
  CHECK(with([](Json& d) {
          d["events"] = Json::parse(R"([
            { "type": "demand_shock", "workload": "nope", "start": "2025-03-01", "end": "2025-04-01", "factor": 2 },
            { "type": "demand_shock", "workload": "train", "start": "2025-03-01", "end": "2025-04-01",
              "factor": 2 }])");
        }) == Lines{"bad.json: /events/0/workload: unknown workload \"nope\" (expected one of: chat)",
                    "bad.json: /events/1/workload: workload \"train\" is a training workload (expected an inference "
                    "workload)"});
}

TEST_CASE("unknown accelerator") {
  CHECK(with([](Json& d) { cluster(d, 0, 0, 1)["accelerator"] = "B300"; }) ==
        Lines{"bad.json: /providers/0/regions/0/clusters/1/accelerator: unknown accelerator \"B300\" (expected one of: "
              "GB200, H100)"});
  CHECK(with([](Json& d) {
          d["providers"][1]["on_demand_usd_per_gpu_hour"] = {{"MI300X", 3.0}};
          d["events"].push_back({{"type", "price_change"},
                                 {"target", "aws"},
                                 {"accelerator", "TPU"},
                                 {"date", "2025-05-01"},
                                 {"factor", 0.5}});
        }) == Lines{"bad.json: /providers/1/on_demand_usd_per_gpu_hour/MI300X: unknown accelerator \"MI300X\" "
                    "(expected one of: GB200, H100)",
                    "bad.json: /events/1/accelerator: unknown accelerator \"TPU\" (expected one of: GB200, H100)"});
  // Without an accelerators section, any name is accepted (h100_equiv 1).
  CHECK(with([](Json& d) {
          d.erase("accelerators");
          cluster(d, 0, 0, 1)["accelerator"] = "B300";
        }) == Lines{});
}

TEST_CASE("unknown event target") {
  CHECK(with([](Json& d) {
          d["events"] = Json::parse(R"([
            { "type": "outage", "target": "aws/eu-west-1", "start": "2025-03-01", "end": "2025-03-02" },
            { "type": "delivery_delay", "target": "azure/eastus/gb200", "days": 30 },
            { "type": "price_change", "target": "aws/us-east-1", "date": "2025-05-01", "factor": 0.5 }])");
        }) == Lines{"bad.json: /events/0/target: unknown target \"aws/eu-west-1\" (expected a provider \"p\", region "
                    "\"p/r\" or cluster \"p/r/c\" of this scenario)",
                    "bad.json: /events/1/target: unknown target \"azure/eastus/gb200\" (expected a provider \"p\", "
                    "region \"p/r\" or cluster \"p/r/c\" of this scenario)",
                    "bad.json: /events/2/target: unknown provider \"aws/us-east-1\" (expected one of: aws, azure)"});
}

TEST_CASE("a broken section is reported once, not again by every reference to it") {
  CHECK(with([](Json& d) { d["providers"] = Json::array(); }) ==
        Lines{"bad.json: /providers: empty (expected a non-empty array of providers)"});
  CHECK(with([](Json& d) {
          d["workloads"] = 5;
          d["events"] = {{{"type", "demand_shock"},
                          {"workload", "chat"},
                          {"start", "2025-03-01"},
                          {"end", "2025-04-01"},
                          {"factor", 2}}};
        }) == Lines{"bad.json: /workloads: is a number (expected an array of workloads)"});
}

TEST_CASE("an id that could not be read: the references that may have meant it are not reported again") {
  const std::string id_expected = "(expected an id matching [A-Za-z0-9][A-Za-z0-9._-]*)";
  // A region id of the wrong type: the contract's cluster aws/us-east-1/h100
  // and the outage's target aws/us-east-1 may mean it.
  CHECK(with([](Json& d) { d["providers"][0]["regions"][0]["id"] = 5; }) ==
        Lines{"bad.json: /providers/0/regions/0/id: is a number " + id_expected});
  // A malformed provider id: any reference may mean it.
  CHECK(with([](Json& d) { d["providers"][0]["id"] = "aws west"; }) ==
        Lines{"bad.json: /providers/0/id: invalid id \"aws west\" " + id_expected});
  // A cluster id taken twice in its region: only references under
  // aws/us-east-1/ are unsure; a wrong cluster of azure is still reported,
  // and so is an unknown target outside aws/us-east-1/.
  CHECK(with([](Json& d) {
          d["providers"][0]["regions"][0]["clusters"][1]["id"] = "h100";
          d["contracts"][0]["clusters"][0] = "aws/us-east-1/gb200";
          d["events"][0]["target"] = "azure/westus";
          d["contracts"].push_back(d["contracts"][0]);
          d["contracts"][1]["id"] = "azure-1";
          d["contracts"][1]["provider"] = "azure";
          d["contracts"][1]["clusters"] = Json::array({"azure/eastus/a100"});
        }) == Lines{"bad.json: /providers/0/regions/0/clusters/1/id: duplicate id \"h100\" (expected an id unique "
                    "among the region's clusters, first used at /providers/0/regions/0/clusters/0/id)",
                    "bad.json: /contracts/1/clusters/0: unknown cluster \"azure/eastus/a100\" (expected one of: "
                    "azure/eastus/h100)",
                    "bad.json: /events/0/target: unknown target \"azure/westus\" (expected a provider \"p\", region "
                    "\"p/r\" or cluster \"p/r/c\" of this scenario)"});
}

// ---- dates and order ----

TEST_CASE("dates parse, in two forms only") {
  CHECK(with([](Json& d) {
          d["end"] = "2025-13-01";
          d["workloads"][1]["submit"] = "2025-02-01 00:00";
        }) == Lines{"bad.json: /end: no such month \"2025-13-01\" (expected a month from 01 to 12)",
                    "bad.json: /workloads/1/submit: invalid date \"2025-02-01 00:00\" (expected a UTC date "
                    "\"YYYY-MM-DD\" or \"YYYY-MM-DDTHH:MM:SSZ\")"});
}

TEST_CASE("the horizon ends after it starts") {
  CHECK(with([](Json& d) { d["end"] = "2024-06-01"; }) ==
        Lines{"bad.json: /end: ends before it starts (expected a date after /start 2025-01-01)"});
  CHECK(with([](Json& d) { d["end"] = "2025-01-01T00:00:00Z"; }) ==
        Lines{"bad.json: /end: ends when it starts (expected a date after /start 2025-01-01)"});
}

TEST_CASE("a contract ending before it starts") {
  CHECK(with([](Json& d) {
          d["contracts"][0]["start"] = "2025-11-03";
          d["contracts"][0]["end"] = "2024-11-03";
        }) == Lines{"bad.json: /contracts/0/end: ends before it starts (expected a date after /contracts/0/start "
                    "2025-11-03)"});
}

TEST_CASE("an event ending before it starts") {
  CHECK(with([](Json& d) { d["events"][0]["end"] = "2025-10-20T06:00:00Z"; }) ==
        Lines{"bad.json: /events/0/end: ends before it starts (expected a date after /events/0/start "
              "2025-10-20T06:48:00Z)"});
}

TEST_CASE("an event entirely outside the horizon") {
  CHECK(with([](Json& d) {
          d["events"] = Json::parse(R"([
            { "type": "outage", "target": "azure", "start": "2024-01-01", "end": "2025-01-01" },
            { "type": "outage", "target": "azure", "start": "2026-01-01", "end": "2026-02-01" },
            { "type": "price_change", "target": "azure", "date": "2026-01-01", "factor": 2 },
            { "type": "demand_shock", "workload": "chat", "start": "2027-01-01", "end": "2027-02-01", "factor": 2 }])");
        }) == Lines{"bad.json: /events/0/end: event is entirely before the horizon (expected a date after /start "
                    "2025-01-01)",
                    "bad.json: /events/1/start: event is entirely after the horizon (expected a date before /end "
                    "2026-01-01)",
                    "bad.json: /events/2/date: event is after the horizon (expected a date before /end 2026-01-01)",
                    "bad.json: /events/3/start: event is entirely after the horizon (expected a date before /end "
                    "2026-01-01)"});
  // Overlapping the horizon by one second is enough; a price change before
  // the start applies from the start.
  CHECK(with([](Json& d) {
          d["events"] = Json::parse(R"([
            { "type": "outage", "target": "azure", "start": "2024-01-01", "end": "2025-01-01T00:00:01Z" },
            { "type": "outage", "target": "azure", "start": "2025-12-31T23:59:59Z", "end": "2026-02-01" },
            { "type": "price_change", "target": "azure", "date": "2020-01-01", "factor": 2 },
            { "type": "delivery_delay", "target": "azure", "days": 3650 }])");
        }) == Lines{});
}

// ---- curves ----

TEST_CASE("curve points in strictly increasing date order") {
  CHECK(with([](Json& d) {
          cluster(d, 0, 0, 1)["capacity_gpus"]["points"] =
              Json::parse(R"([["2025-06-01", 0], ["2025-03-01", 5], ["2025-03-01", 5]])");
        }) == Lines{"bad.json: /providers/0/regions/0/clusters/1/capacity_gpus/points/1/0: 2025-03-01 is not after the "
                    "previous point's date 2025-06-01 (expected strictly increasing dates)",
                    "bad.json: /providers/0/regions/0/clusters/1/capacity_gpus/points/2/0: 2025-03-01 is not after the "
                    "previous point's date 2025-03-01 (expected strictly increasing dates)"});
}

TEST_CASE("an empty curve") {
  CHECK(with([](Json& d) { cluster(d, 0, 0, 1)["capacity_gpus"]["points"] = Json::array(); }) ==
        Lines{"bad.json: /providers/0/regions/0/clusters/1/capacity_gpus/points: empty curve (expected at least one "
              "[date, value] point)"});
}

TEST_CASE("a malformed curve") {
  CHECK(with([](Json& d) {
          d["contracts"][0]["price_usd_per_gpu_hour"] =
              Json::parse(R"({ "shape": "ramp", "points": [["2025-01-01"], "x", ["2025-02-30", -1]] })");
        }) == Lines{"bad.json: /contracts/0/price_usd_per_gpu_hour/shape: unknown shape \"ramp\" (expected one of: "
                    "linear, step)",
                    "bad.json: /contracts/0/price_usd_per_gpu_hour/points/0: has 1 element (expected a [date, value] "
                    "pair)",
                    "bad.json: /contracts/0/price_usd_per_gpu_hour/points/1: is a string (expected a [date, value] "
                    "pair)",
                    "bad.json: /contracts/0/price_usd_per_gpu_hour/points/2/0: no such day \"2025-02-30\" (expected a "
                    "day from 01 to 28: February 2025 has 28 days)",
                    "bad.json: /contracts/0/price_usd_per_gpu_hour/points/2/1: negative: -1 (expected a number in [0, 1000000])"});
  CHECK(with([](Json& d) {
          d["workloads"][0]["demand_gpus"] = {{"points", Json::parse(R"([["2025-01-01", 1]])")}};
        }) == Lines{"bad.json: /workloads/0/demand_gpus/shape: missing (expected one of: linear, step)"});
}

// ---- numbers ----

TEST_CASE("negative numbers") {
  CHECK(with([](Json& d) {
          d["providers"][0]["egress_usd_per_gb"] = -1;
          d["providers"][0]["on_demand_usd_per_gpu_hour"]["H100"] = -6.88;
          cluster(d, 1, 0, 0)["capacity_gpus"] = -2000;
          d["contracts"][0]["price_usd_per_gpu_hour"] = -2;
          d["contracts"][0]["commitment_usd"] = -1e9;
          d["workloads"][0]["demand_gpus"] = -800;
          d["workloads"][1]["checkpoint_hours"] = -4;
        }) == Lines{"bad.json: /providers/0/on_demand_usd_per_gpu_hour/H100: negative: -6.88 (expected a number in [0, 1000000])",
                    "bad.json: /providers/0/egress_usd_per_gb: negative: -1 (expected a number in [0, 1000])",
                    "bad.json: /providers/1/regions/0/clusters/0/capacity_gpus: negative: -2000 (expected a number "
                    "in [0, 1000000000])",
                    "bad.json: /contracts/0/price_usd_per_gpu_hour: negative: -2 (expected a number in [0, 1000000])",
                    "bad.json: /contracts/0/commitment_usd: negative: -1000000000 (expected a number in [0, 1e+15])",
                    "bad.json: /workloads/0/demand_gpus: negative: -800 (expected a number in [0, 10000000000])",
                    "bad.json: /workloads/1/checkpoint_hours: negative: -4 (expected a number in [0, 876600])"});
}

TEST_CASE("numbers out of their range") {
  CHECK(with([](Json& d) {
          d["accelerators"]["H100"]["h100_equiv"] = 0;
          d["contracts"][0]["exit_fee_pct_of_remaining"] = 150;
          d["workloads"][1]["mfu"] = 1.5;
          d["workloads"][1]["flops"] = 0;
          d["events"][0]["capacity_lost_pct"] = 0;
          d["output"] = {{"interval_hours", 0}};
        }) == Lines{"bad.json: /accelerators/H100/h100_equiv: out of range: 0 (expected a number in [0.001, 1000])",
                    "bad.json: /contracts/0/exit_fee_pct_of_remaining: out of range: 150 (expected a number in "
                    "[0, 100])",
                    "bad.json: /workloads/1/flops: out of range: 0 (expected a number in (0, 1e+35])",
                    "bad.json: /workloads/1/mfu: out of range: 1.5 (expected a number in (0, 1])",
                    "bad.json: /events/0/capacity_lost_pct: out of range: 0 (expected a number in (0, 100])",
                    "bad.json: /output/interval_hours: out of range: 0 (expected a number in [0.001, 876600])"});
}

TEST_CASE("non-finite numbers") {
  // JSON text cannot hold them; a document built in memory can.
  Json doc = base_scenario();
  doc["providers"][0]["egress_usd_per_gb"] = std::numeric_limits<double>::infinity();
  doc["workloads"][0]["demand_gpus"] = std::nan("");
  doc["workloads"][1]["flops"] = -std::numeric_limits<double>::infinity();
  CHECK(validated(doc) == Lines{"bad.json: /providers/0/egress_usd_per_gb: not finite: inf (expected a number in [0, 1000])",
                                "bad.json: /workloads/0/demand_gpus: not finite: nan (expected a number in [0, 10000000000])",
                                "bad.json: /workloads/1/flops: not finite: -inf (expected a number in (0, 1e+35])"});
}

// ---- contracts ----

TEST_CASE("a cluster reserved by two contracts over overlapping terms") {
  CHECK(with([](Json& d) {
          Json second = d["contracts"][0];
          second["id"] = "aws-2";
          second["start"] = "2025-06-01";
          second["end"] = "2027-01-01";
          d["contracts"].push_back(second);
        }) == Lines{"bad.json: /contracts/1/clusters/0: cluster \"aws/us-east-1/h100\" is already reserved by contract "
                    "\"aws-1\" from 2025-01-01 to 2026-01-01 (expected a term that does not overlap)"});
  // Terms are [start, end): one may start the second the other ends.
  CHECK(with([](Json& d) {
          Json second = d["contracts"][0];
          second["id"] = "aws-2";
          second["start"] = "2026-01-01";
          second["end"] = "2027-01-01";
          d["contracts"].push_back(second);
        }) == Lines{});
}

TEST_CASE("billing and SLA tiers") {
  CHECK(with([](Json& d) {
          d["contracts"][0]["billing"] = "monthly";
          d["contracts"][0]["sla"] = Json::parse(R"({ "credits": [
            { "below_pct": 0, "credit_pct": 101 }, { "below_pct": 99 },
            { "below_pct": 99, "credit_pct": 5 }, { "below_pct": 99, "credit_pct": 6 } ] })");
        }) == Lines{"bad.json: /contracts/0/billing: unknown billing \"monthly\" (expected one of: reserved, usage)",
                    "bad.json: /contracts/0/sla/credits/0/below_pct: out of range: 0 (expected a number in (0, 100])",
                    "bad.json: /contracts/0/sla/credits/0/credit_pct: out of range: 101 (expected a number in "
                    "[0, 100])",
                    "bad.json: /contracts/0/sla/credits/1/credit_pct: missing (expected a number in [0, 100])",
                    "bad.json: /contracts/0/sla/credits/3/below_pct: duplicate tier below_pct 99 (expected each "
                    "below_pct once, first at /contracts/0/sla/credits/2/below_pct)"});
}

// ---- workloads ----

TEST_CASE("workload kind") {
  CHECK(with([](Json& d) { d["workloads"][0]["kind"] = "batch"; }) ==
        Lines{"bad.json: /workloads/0/kind: unknown kind \"batch\" (expected one of: inference, training)"});
}

// ---- policy ----

TEST_CASE("single_vendor without a vendor") {
  CHECK(with([](Json& d) {
          d["policy"] = {{"placement", "single_vendor"}};
        }) ==
        Lines{"bad.json: /policy/vendor: missing (expected a provider id, required with placement \"single_vendor\")"});
  CHECK(with([](Json& d) {
          d["policy"] = {{"placement", "single_vendor"}, {"vendor", "gcp"}};
        }) == Lines{"bad.json: /policy/vendor: unknown provider \"gcp\" (expected one of: aws, azure)"});
  CHECK(with([](Json& d) {
          d["policy"] = {{"placement", "cheapest"}, {"vendor", "aws"}};
        }) == Lines{"bad.json: /policy/vendor: not allowed with placement \"cheapest\" (expected a vendor only with "
                    "placement \"single_vendor\")"});
  CHECK(with([](Json& d) {
          d["policy"] = {{"vendor", "aws"}};
        }) == Lines{"bad.json: /policy/vendor: not allowed with the default placement \"cheapest\" (expected a vendor "
                    "only with placement \"single_vendor\")"});
  CHECK(with([](Json& d) {
          d["policy"] = {{"placement", "random"}};
        }) == Lines{"bad.json: /policy/placement: unknown placement \"random\" (expected one of: cheapest, primary, "
                    "single_vendor)"});
}

// ---- events ----

TEST_CASE("event types and their keys") {
  CHECK(with([](Json& d) {
          d["events"] = Json::parse(R"([
            { "type": "storm" },
            { "target": "aws" },
            { "type": "outage", "target": "aws", "start": "2025-03-01", "end": "2025-03-02", "days": 3 }])");
        }) == Lines{"bad.json: /events/0/type: unknown event type \"storm\" (expected one of: delivery_delay, "
                    "demand_shock, outage, price_change)",
                    "bad.json: /events/1/type: missing (expected one of: delivery_delay, demand_shock, outage, "
                    "price_change)",
                    "bad.json: /events/2/days: unknown key for type \"outage\" (expected one of: capacity_lost_pct, "
                    "end, start, target, type)"});
}

TEST_CASE("a price change names a provider or a contract, and one new price") {
  CHECK(with([](Json& d) {
          d["events"] = Json::parse(R"([
            { "type": "price_change", "date": "2025-05-01", "factor": 0.5 },
            { "type": "price_change", "date": "2025-05-01", "target": "aws", "contract": "aws-1", "factor": 0.5 },
            { "type": "price_change", "date": "2025-05-01", "target": "aws", "factor": 1,
              "on_demand_usd_per_gpu_hour": 2 },
            { "type": "price_change", "date": "2025-05-01", "target": "aws" },
            { "type": "price_change", "date": "2025-05-01", "contract": "aws-1", "accelerator": "H100",
              "factor": 0 }])");
        }) == Lines{"bad.json: /events/0/target: missing (expected a provider id in target, or a contract id in "
                    "contract)",
                    "bad.json: /events/1: has both target and contract (expected a provider id in target, or a "
                    "contract id in contract)",
                    "bad.json: /events/2/factor: not allowed together with on_demand_usd_per_gpu_hour (expected "
                    "exactly one of on_demand_usd_per_gpu_hour or factor)",
                    "bad.json: /events/3: missing a new price (expected exactly one of on_demand_usd_per_gpu_hour or "
                    "factor)",
                    "bad.json: /events/4/accelerator: unknown key for a price_change on a contract (expected one of: "
                    "contract, date, factor, price_usd_per_gpu_hour, type)",
                    "bad.json: /events/4/factor: out of range: 0 (expected a number in (0, 1000])"});
}

TEST_CASE("delivery delays and demand shocks") {
  CHECK(with([](Json& d) {
          d["events"] = Json::parse(R"([
            { "type": "delivery_delay", "target": "azure/eastus/h100", "days": -1 },
            { "type": "demand_shock", "workload": "chat", "start": "2025-03-01", "end": "2025-04-01", "factor": -1 },
            { "type": "demand_shock", "workload": "chat", "start": "2025-03-01", "end": "2025-04-01" }])");
        }) == Lines{"bad.json: /events/0/days: negative: -1 (expected a number in [0, 36525])",
                    "bad.json: /events/1/factor: negative: -1 (expected a number in [0, 1000])",
                    "bad.json: /events/2/factor: missing (expected a number in [0, 1000])"});
}

// ---- uncertainty and negotiation ----

TEST_CASE("bad uncertainty: negative rate, unknown provider, missing distribution") {
  CHECK(with([](Json& d) {
          d["uncertainty"] = Json::parse(R"({
            "outages": { "gcp": {},
                         "default": { "rate_per_year": -1, "duration_hours": { "dist": "fixed" } } },
            "delivery": { "p_on_time": 0.5 } })");
        }) == Lines{"bad.json: /uncertainty/outages/default/rate_per_year: negative: -1 (expected a number in [0, 8766])",
                    "bad.json: /uncertainty/outages/default/duration_hours/value: missing (expected a number in [0, 1000000])",
                    "bad.json: /uncertainty/outages/gcp: unknown provider \"gcp\" (expected one of: aws, azure, "
                    "default)",
                    "bad.json: /uncertainty/delivery/delay_days: missing (expected a delay distribution, required "
                    "when p_on_time < 1)"});
}

TEST_CASE("bad delivery targets: unknown, listed twice, not places, empty") {
  const auto delivery = [](const char* targets) {
    return [=](Json& d) {
      d["uncertainty"] = {{"delivery", {{"p_on_time", 0.5},
                                        {"delay_days", {{"dist", "fixed"}, {"value", 30}}},
                                        {"targets", Json::parse(targets)}}}};
    };
  };
  CHECK(with(delivery(R"(["aws", "aws/eu-west-1", 7, "aws"])")) ==
        Lines{"bad.json: /uncertainty/delivery/targets/1: unknown target \"aws/eu-west-1\" (expected a provider \"p\", "
              "region \"p/r\" or cluster \"p/r/c\" of this scenario)",
              "bad.json: /uncertainty/delivery/targets/2: is a number (expected a provider \"p\", region \"p/r\" or "
              "cluster \"p/r/c\" of this scenario)",
              "bad.json: /uncertainty/delivery/targets/3: target \"aws\" listed twice (expected each target once, first "
              "at /uncertainty/delivery/targets/0)"});
  CHECK(with(delivery("[]")) == Lines{"bad.json: /uncertainty/delivery/targets: empty (expected a non-empty array of "
                                      "providers \"p\", regions \"p/r\" or clusters \"p/r/c\")"});
  CHECK(with(delivery(R"("aws")")) == Lines{"bad.json: /uncertainty/delivery/targets: is a string (expected a non-empty "
                                            "array of providers \"p\", regions \"p/r\" or clusters \"p/r/c\")"});
}

TEST_CASE("bad uncertainty: paths, seed, price and demand models") {
  CHECK(with([](Json& d) {
          d["uncertainty"] = Json::parse(R"({
            "paths": 0, "seed": -1,
            "prices": { "aws": { "model": "ou", "jump_mean_pct": -100, "vol_per_year": -0.1 },
                        "oracle": {} },
            "demand": { "vol_per_year": "x" },
            "delivery": { "p_on_time": 2, "delay_days": { "dist": "gamma" } } })");
        }) == Lines{"bad.json: /uncertainty/paths: out of range: 0 (expected an integer in [1, 100000000])",
                    "bad.json: /uncertainty/seed: negative: -1 (expected an integer in [0, 9e+18])",
                    "bad.json: /uncertainty/prices/aws/model: unknown price model \"ou\" (expected one of: gbm)",
                    "bad.json: /uncertainty/prices/aws/vol_per_year: negative: -0.1 (expected a number in [0, 10])",
                    "bad.json: /uncertainty/prices/aws/jump_mean_pct: out of range: -100 (expected a number in (-100, 1000])",
                    "bad.json: /uncertainty/prices/oracle: unknown provider \"oracle\" (expected one of: aws, azure)",
                    "bad.json: /uncertainty/demand/vol_per_year: is a string (expected a number in [0, 10])",
                    "bad.json: /uncertainty/delivery/p_on_time: out of range: 2 (expected a number in [0, 1])",
                    "bad.json: /uncertainty/delivery/delay_days/dist: unknown dist \"gamma\" (expected one of: "
                    "fixed, lognormal)"});
  CHECK(with([](Json& d) {
          d["uncertainty"] = Json::parse(R"({ "paths": 2.5, "outages": { "default": { "rate_per_year": 1,
            "duration_hours": { "dist": "lognormal", "median": 0, "value": 1 } } } })");
        }) == Lines{"bad.json: /uncertainty/paths: not an integer: 2.5 (expected an integer in [1, 100000000])",
                    "bad.json: /uncertainty/outages/default/duration_hours/value: unknown key for dist \"lognormal\" "
                    "(expected one of: dist, median, sigma)",
                    "bad.json: /uncertainty/outages/default/duration_hours/median: out of range: 0 (expected a number "
                    "in (0, 1000000])",
                    "bad.json: /uncertainty/outages/default/duration_hours/sigma: missing (expected a number in [0, 10])"});
}

TEST_CASE("bad negotiation") {
  CHECK(with([](Json& d) {
          d["negotiation"] = Json::parse(R"({ "buyer_power": 2,
            "seller_floor_usd_per_gpu_hour": { "gcp": 1, "aws": -2 } })");
        }) == Lines{"bad.json: /negotiation/buyer_power: out of range: 2 (expected a number in [0, 1])",
                    "bad.json: /negotiation/seller_floor_usd_per_gpu_hour/aws: negative: -2 (expected a number in [0, 1000000])",
                    "bad.json: /negotiation/seller_floor_usd_per_gpu_hour/gcp: unknown provider \"gcp\" (expected one "
                    "of: aws, azure)"});
}

// ---- all at once ----

TEST_CASE("multiple problems are reported together, in document order") {
  CHECK(with([](Json& d) {
          d["end"] = "2024-12-31";
          d["providers"][0]["colour"] = "red";
          cluster(d, 0, 0, 1)["accelerator"] = "B300";
          d["contracts"][0]["provider"] = "gcp";
          d["workloads"][1]["mfu"] = 0;
          d["policy"] = {{"placement", "single_vendor"}};
        }) == Lines{"bad.json: /end: ends before it starts (expected a date after /start 2025-01-01)",
                    "bad.json: /providers/0/colour: unknown key (expected one of: egress_usd_per_gb, id, "
                    "on_demand_usd_per_gpu_hour, regions)",
                    "bad.json: /providers/0/regions/0/clusters/1/accelerator: unknown accelerator \"B300\" (expected "
                    "one of: GB200, H100)",
                    "bad.json: /contracts/0/provider: unknown provider \"gcp\" (expected one of: aws, azure)",
                    "bad.json: /workloads/1/mfu: out of range: 0 (expected a number in (0, 1])",
                    "bad.json: /policy/vendor: missing (expected a provider id, required with placement "
                    "\"single_vendor\")"});
}

TEST_CASE("InputError carries every line; what() is the first") {
  Json doc = base_scenario();
  doc["name"] = 1;
  doc["start"] = 2;
  try {
    (void)cloudpact::parse_scenario(doc.dump(), "bad.json");
    FAIL("expected InputError");
  } catch (const InputError& e) {
    CHECK(e.lines().size() == 2);
    CHECK(std::string(e.what()) == e.lines().front());
  }
}

TEST_CASE("a file that cannot be read") {
  try {
    (void)cloudpact::load_scenario("no/such/scenario.json");
    FAIL("expected InputError");
  } catch (const InputError& e) {
    CHECK(e.lines() == Lines{"no/such/scenario.json: cannot read: No such file or directory (expected a readable "
                             "scenario file)"});
  }
}

// ---- limits that protect the machine ----

TEST_CASE("limit: GPUs in one cluster, the range of capacity_gpus") {
  CHECK(with([](Json& d) { cluster(d, 0, 0, 0)["capacity_gpus"] = 2e9; }) ==
        Lines{"bad.json: /providers/0/regions/0/clusters/0/capacity_gpus: out of range: 2000000000 (expected a number "
              "in [0, 1000000000])"});
  CHECK(with([](Json& d) {
          cluster(d, 0, 0, 1)["capacity_gpus"]["points"].push_back({"2025-09-01", 1000000001});
        }) == Lines{"bad.json: /providers/0/regions/0/clusters/1/capacity_gpus/points/2/1: out of range: 1000000001 "
                    "(expected a number in [0, 1000000000])"});
}

TEST_CASE("limit: timeseries rows") {
  // 2 providers x 8760 h / 0.001 h = 17.5 million rows.
  CHECK(with([](Json& d) {
          d["output"] = {{"interval_hours", 0.001}};
        }) ==
        Lines{"bad.json: /output/interval_hours: too many timeseries rows: 17520000 (expected at most 10000000 rows, "
              "one per provider per interval over the horizon; more would not fit in memory)"});
}

TEST_CASE("limit: number of workloads, clusters, contracts, events and curve points") {
  namespace limits = cloudpact::limits;
  Json doc = base_scenario();
  doc["workloads"] = Json(limits::max_workloads + 1, nullptr);
  CHECK(validated(doc) == Lines{"bad.json: /workloads: too many workloads: 2000001 (expected at most 2000000 "
                                "workloads; more would not fit in memory)"});

  doc = base_scenario();
  doc["providers"][1]["regions"][0]["clusters"] = Json(limits::max_clusters, nullptr);
  CHECK(validated(doc) ==
        Lines{"bad.json: /providers: too many clusters: 100002 (expected at most 100000 clusters; more would not fit "
              "in memory)"});

  doc = base_scenario();
  doc["contracts"] = Json(limits::max_contracts + 1, nullptr);
  doc["events"] = Json(limits::max_events + 1, nullptr);
  CHECK(validated(doc) == Lines{"bad.json: /contracts: too many contracts: 1000001 (expected at most 1000000 "
                                "contracts; more would not fit in memory)",
                                "bad.json: /events: too many events: 1000001 (expected at most 1000000 events; more "
                                "would not fit in memory)"});

  doc = base_scenario();
  doc["workloads"][0]["demand_gpus"] = {{"shape", "step"}, {"points", Json(limits::max_curve_points + 1, nullptr)}};
  CHECK(validated(doc) == Lines{"bad.json: /workloads/0/demand_gpus/points: too many points: 1000001 (expected at "
                                "most 1000000 points; more would not fit in memory)"});

  doc = base_scenario();
  doc["uncertainty"] = {{"paths", 1e9}};
  CHECK(validated(doc) ==
        Lines{"bad.json: /uncertainty/paths: out of range: 1000000000 (expected an integer in [1, 100000000])"});
}
