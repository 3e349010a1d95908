// Exclusivity and the right of first refusal as input (docs/reference.md
// §14): each rule of the clauses broken once on the teaching scenario 06,
// the exact lines of the message asserted.
#include <doctest/doctest.h>

#include "scenario_fixture.hpp"

using namespace cloudpact::test;

namespace {

const std::string scenario06 = [] {
  std::ifstream in(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/06-exclusivity-and-rofr.json");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}();

template <typename Edit>
Lines with(Edit edit) {
  Json doc = Json::parse(scenario06);
  edit(doc);
  return problems_of_doc(doc);
}

}  // namespace

TEST_CASE("scenario 06 as shipped is valid, and each clause alone is too") {
  CHECK(with([](Json&) {}) == Lines{});
  CHECK(with([](Json& d) { d["policy"].erase("rofr"); }) == Lines{});
  CHECK(with([](Json& d) { d["policy"].erase("exclusivity"); }) == Lines{});
}

TEST_CASE("an unknown holder or region is refused at its pointer") {
  CHECK(with([](Json& d) { d["policy"]["rofr"]["holder"] = "gcp"; }) ==
        Lines{"bad.json: /policy/rofr/holder: unknown provider \"gcp\" (expected one of: aws, azure)"});
  CHECK(with([](Json& d) { d["policy"]["exclusivity"]["provider"] = "gcp"; }) ==
        Lines{"bad.json: /policy/exclusivity/provider: unknown provider \"gcp\" (expected one of: aws, azure)"});
  CHECK(with([](Json& d) { d["policy"]["rofr"]["region"] = "us-east-1"; }) ==
        Lines{"bad.json: /policy/rofr/region: unknown region \"us-east-1\" of \"azure\" (expected one of: eastus2)"});
}

TEST_CASE("a contract of another provider may not start inside an exclusivity") {
  CHECK(with([](Json& d) { d["policy"]["exclusivity"]["until"] = "2025-05-01"; }) ==
        Lines{"bad.json: /contracts/1/start: contract \"aws-deal\" of \"aws\" starts inside the exclusivity of "
              "\"azure\" (expected a start on or after 2025-05-01 (/policy/exclusivity/until))"});
  // Starting on the day it ends is fine.
  CHECK(with([](Json& d) { d["policy"]["exclusivity"]["until"] = "2025-04-01"; }) == Lines{});
}

TEST_CASE("overlapping clauses: another holder, or a right that ends inside the exclusivity") {
  CHECK(with([](Json& d) {
          d["policy"]["exclusivity"]["provider"] = "aws";
          d["contracts"].erase(0);
        }) == Lines{"bad.json: /policy/rofr/holder: the right of first refusal of \"azure\" overlaps the exclusivity "
                    "of \"aws\" (expected the exclusivity's holder \"aws\" (one incumbent holds both clauses))"});
  CHECK(with([](Json& d) { d["policy"]["rofr"]["until"] = "2025-03-01"; }) ==
        Lines{"bad.json: /policy/rofr/until: the right of first refusal ends inside the exclusivity (expected a date "
              "after 2025-03-01 (/policy/exclusivity/until))"});
}

TEST_CASE("match_pct in [0, 100], match_probability in [0, 1]") {
  CHECK(with([](Json& d) { d["policy"]["rofr"]["match_pct"] = 101; }) ==
        Lines{"bad.json: /policy/rofr/match_pct: out of range: 101 (expected a number in [0, 100])"});
  CHECK(with([](Json& d) { d["policy"]["rofr"]["match_pct"] = -1; }) ==
        Lines{"bad.json: /policy/rofr/match_pct: negative: -1 (expected a number in [0, 100])"});
  CHECK(with([](Json& d) { d["policy"]["rofr"]["match_probability"] = 1.5; }) ==
        Lines{"bad.json: /policy/rofr/match_probability: out of range: 1.5 (expected a number in [0, 1])"});
  CHECK(with([](Json& d) { d["policy"]["rofr"]["match_probability"] = "half"; }) ==
        Lines{"bad.json: /policy/rofr/match_probability: is a string (expected a number in [0, 1])"});
}

TEST_CASE("an offered contract may not share a cluster with another contract") {
  // An earlier usage contract on the same GB200s (no exclusivity, so it may start in 2024).
  CHECK(with([](Json& d) {
          d["policy"].erase("exclusivity");
          d["contracts"].push_back({{"id", "old"}, {"provider", "aws"}, {"start", "2024-01-01"}, {"end", "2025-03-01"},
                                    {"clusters", {"aws/us-east-1/gb200"}}, {"billing", "usage"},
                                    {"price_usd_per_gpu_hour", 5}});
        }) == Lines{"bad.json: /contracts/1/clusters/0: cluster \"aws/us-east-1/gb200\" of contract \"aws-deal\", "
                    "offered under the right of first refusal, is also reserved by \"old\" (expected clusters of an "
                    "offered contract that no other contract reserves)",
                    "bad.json: /contracts/2/clusters/0: cluster \"aws/us-east-1/gb200\" of contract \"old\", offered "
                    "under the right of first refusal, is also reserved by \"aws-deal\" (expected clusters of an "
                    "offered contract that no other contract reserves)"});
}

TEST_CASE("a contract whose id or provider could not be read is reported once, not checked against the clauses") {
  // A fuzzing finding: such a contract used to end validation with std::out_of_range.
  CHECK(with([](Json& d) { d["contracts"][1]["id"] = 5; }) ==
        Lines{"bad.json: /contracts/1/id: is a number (expected an id matching [A-Za-z0-9][A-Za-z0-9._-]*)"});
  CHECK(with([](Json& d) {
          d["contracts"][0]["id"] = "azure-b=ase";
          d["contracts"][0]["provider"] = "azurE";
        }) == Lines{"bad.json: /contracts/0/id: invalid id \"azure-b=ase\" (expected an id matching "
                    "[A-Za-z0-9][A-Za-z0-9._-]*)",
                    "bad.json: /contracts/0/provider: unknown provider \"azurE\" (expected one of: aws, azure)"});
  // A readable contract after an unreadable one is still checked, at its own pointer.
  CHECK(with([](Json& d) {
          d["contracts"][0]["id"] = 5;
          d["policy"]["exclusivity"]["until"] = "2025-05-01";
        }) == Lines{"bad.json: /contracts/0/id: is a number (expected an id matching [A-Za-z0-9][A-Za-z0-9._-]*)",
                    "bad.json: /contracts/1/start: contract \"aws-deal\" of \"aws\" starts inside the exclusivity of "
                    "\"azure\" (expected a start on or after 2025-05-01 (/policy/exclusivity/until))"});
}
