// `--set /json/pointer=VALUE` (docs/reference.md §1): VALUE is JSON if it parses, else a
// string; applied before validation; bad pointers are input errors.
#include <doctest/doctest.h>

#include "scenario/dates.hpp"
#include "scenario/sha256.hpp"
#include "scenario_fixture.hpp"

using namespace cloudpact;
using namespace cloudpact::test;

namespace {

Scenario load_with(std::initializer_list<const char*> sets, const std::string& text = base_scenario_text) {
  std::vector<Override> overrides;
  for (const char* s : sets) overrides.push_back(parse_override(s));
  return parse_scenario(text, "scn.json", overrides);
}

Lines problems_with(std::initializer_list<const char*> sets) {
  std::vector<Override> overrides;
  for (const char* s : sets) overrides.push_back(parse_override(s));
  return problems_of(base_scenario_text, overrides);
}

Lines parse_problems(const std::string& text) {
  try {
    (void)parse_override(text);
  } catch (const InputError& e) {
    return e.lines();
  }
  return {};
}

}  // namespace

TEST_CASE("parse_override splits at the first '='") {
  const Override o = parse_override("/policy/placement=single_vendor");
  CHECK(o.pointer == "/policy/placement");
  CHECK(o.value == "single_vendor");
  const Override eq = parse_override("/x-note=a=b");
  CHECK(eq.pointer == "/x-note");
  CHECK(eq.value == "a=b");
  CHECK(parse_override("/name=").value.empty());
  CHECK(parse_override("/a~1b~0c=1").pointer == "/a~1b~0c");
}

TEST_CASE("malformed --set text") {
  CHECK(parse_problems("noequals") == Lines{"--set noequals: missing '=' (expected --set /json/pointer=VALUE)"});
  CHECK(parse_problems("policy/placement=primary") ==
        Lines{"--set policy/placement=primary: ill-formed JSON pointer \"policy/placement\" (expected --set "
              "/json/pointer=VALUE with a pointer starting with '/', ~0 for '~' and ~1 for '/')"});
  CHECK(parse_problems("=1").size() == 1);
  CHECK(parse_problems("/a~2=1").size() == 1);
  CHECK(parse_problems("/a~=1").size() == 1);
}

TEST_CASE("--set text that is not UTF-8 is refused, as a file's would be by the JSON parser") {
  // Found by the overrides fuzz target: a stray byte in a free key's name
  // (x-...) passed validation and then could not be written as JSON (the
  // scenario's fingerprint), an uncaught exception.
  CHECK(parse_problems("/x-note\xFE\xFFgpus=1") ==
        Lines{"--set /x-note\\xFE\\xFFgpus=1: the JSON pointer is not valid UTF-8 (expected --set "
              "/json/pointer=VALUE with a pointer of UTF-8 text)"});
  CHECK(parse_problems("/x-note=caf\xC3") ==
        Lines{"--set /x-note=caf\\xC3: the VALUE is not valid UTF-8 (expected --set /json/pointer=VALUE with a "
              "VALUE of UTF-8 text)"});
  // Overlong '/' (C0 AF) and a UTF-16 surrogate (ED A0 80) are not UTF-8 either.
  CHECK(parse_problems("/x-a\xC0\xAF=1").size() == 1);
  CHECK(parse_problems("/x-a=\xED\xA0\x80").size() == 1);
  // Well-formed multibyte text is fine, in the pointer and the value.
  CHECK(parse_problems("/x-caf\u00e9=\u65e5\u672c").empty());
}

TEST_CASE("VALUE is parsed as JSON") {
  const Scenario s =
      load_with({"/contracts/0/price_usd_per_gpu_hour=2.5", "/workloads/1/priority=-2",
                 "/workloads/0/demand_gpus={\"shape\":\"step\",\"points\":[[\"2025-02-01\",5]]}", "/name=\"quoted\""});
  CHECK(s.contracts[0].price_usd_per_gpu_hour.constant == 2.5);
  CHECK(s.workloads[1].priority == -2);
  CHECK(s.workloads[0].demand_gpus.shape == Curve::Shape::step);
  CHECK(s.workloads[0].demand_gpus.points.size() == 1);
  CHECK(s.name == "quoted");
}

TEST_CASE("VALUE that is not JSON is taken as a string") {
  const Scenario s = load_with({"/policy={}", "/policy/placement=single_vendor", "/policy/vendor=azure",
                                "/events/0/end=2025-10-21T00:00:00Z", "/x-note=hello world"});
  CHECK(s.policy.placement == Placement::single_vendor);
  CHECK(s.policy.vendor == "azure");
  CHECK(s.outages[0].end_s == s.to_sim_s(*parse_utc_date("2025-10-21T00:00:00Z")));
}

TEST_CASE("a VALUE taken as text where text does not belong says so") {
  // 01 (a leading zero) and NaN are not JSON: strings, refused where a
  // number belongs, with where the string came from; a JSON string is the
  // user's own, and its line is the plain one.
  CHECK(problems_with({"/workloads/0/demand_gpus=01"}) ==
        Lines{"bad.json: /workloads/0/demand_gpus: is a string: --set 01 is not JSON, so it was taken as text "
              "(expected a number >= 0 or a {\"shape\", \"points\"} curve)"});
  CHECK(problems_with({"/workloads/0/demand_gpus=NaN", "/policy/placement=single_vendor"}) ==
        Lines{"bad.json: /workloads/0/demand_gpus: is a string: --set NaN is not JSON, so it was taken as text "
              "(expected a number >= 0 or a {\"shape\", \"points\"} curve)",
              "bad.json: /policy/vendor: missing (expected a provider id, required with placement \"single_vendor\")"});
  CHECK(problems_with({"/workloads/0/demand_gpus=\"800\""}) ==
        Lines{"bad.json: /workloads/0/demand_gpus: is a string (expected a number >= 0 or a {\"shape\", \"points\"} "
              "curve)"});
}

TEST_CASE("a key of an existing object is created or replaced") {
  const Scenario s =
      load_with({"/output={\"interval_hours\":6}", "/providers/1/egress_usd_per_gb=0.05", "/accelerators/H100/kw=0.7"});
  CHECK(s.output_interval_hours == 6);
  CHECK(s.providers[1].egress_usd_per_gb == 0.05);
  CHECK(s.accelerators.at("H100").kw == 0.7);
}

TEST_CASE("array elements: replace by index, append with '-' or the size") {
  const Scenario s = load_with({"/workloads/1/providers/0=azure", "/workloads/1/providers/-=aws",
                                "/events/1={\"type\":\"delivery_delay\",\"target\":\"azure\",\"days\":10}"});
  CHECK(s.workloads[1].providers == std::vector<std::string>{"azure", "aws"});
  REQUIRE(s.delivery_delays.size() == 1);
  CHECK(s.delivery_delays[0].target == "azure");
}

TEST_CASE("overrides apply in order") {
  const Scenario s = load_with({"/output={}", "/output/interval_hours=12", "/output/interval_hours=48"});
  CHECK(s.output_interval_hours == 48);
}

TEST_CASE("overrides apply before validation") {
  // A value made bad by --set is reported at its pointer ...
  CHECK(problems_with({"/workloads/0/value_usd_per_gpu_hour=-3"}) ==
        Lines{"bad.json: /workloads/0/value_usd_per_gpu_hour: negative: -3 (expected a number in [0, 1000000])"});
  // ... a number too large for a double is a number out of range, not a string ...
  CHECK(problems_with({"/contracts/0/price_usd_per_gpu_hour=1e400"}) ==
        Lines{"bad.json: /contracts/0/price_usd_per_gpu_hour: number out of range: 1e400 (expected a number a double "
              "can hold)"});
  // ... inside an object or array as well (not the whole value as a string) ...
  CHECK(problems_with({R"(/contracts/0/price_usd_per_gpu_hour={"shape": "step", "points": [["2025-10-01", -1e309]]})"}) ==
        Lines{"bad.json: /contracts/0/price_usd_per_gpu_hour: number out of range: -1e309 (expected a number a double "
              "can hold)"});
  // ... and a bad file made good by --set loads.
  Json doc = base_scenario();
  doc["end"] = "2024-01-01";
  CHECK(problems_of_doc(doc, {parse_override("/end=2026-01-01")}) == Lines{});
}

TEST_CASE("a missing object on the way is created; a missing array element is not") {
  // The base has no policy and no finance section: both are optional, and
  // --set fills them in.
  const Scenario sc = load_with({"/policy/placement=primary", "/finance/discount_rate_per_year=0.08"});
  CHECK(sc.policy.placement == Placement::primary);
  CHECK(sc.finance.discount_rate_per_year == 0.08);
  // A mistyped key creates an object that validation then names.
  CHECK(problems_with({"/polcy/placement=primary"}) ==
        Lines{"bad.json: /polcy: unknown key (expected one of: accelerators, contracts, end, events, finance, name, "
              "negotiation, output, policy, providers, start, uncertainty, workloads)"});
  CHECK(problems_with({"/workloads/7/id=x"}) ==
        Lines{"bad.json: /workloads/7/id: cannot set: parent /workloads/7 does not exist (expected an index of an "
              "existing element of /workloads)"});
  CHECK(problems_with({"/workloads/01/id=x"}) ==
        Lines{"bad.json: /workloads/01/id: cannot set: parent /workloads/01 does not exist (expected an index of an "
              "existing element of /workloads)"});
  CHECK(problems_with({"/name/first=x"}) ==
        Lines{"bad.json: /name/first: cannot set: parent /name is a string (expected an existing object or array)"});
}

TEST_CASE("a pointer deeper than a file may nest is refused, as it would create that deep a document") {
  std::string deep;
  for (int i = 0; i < 65; ++i) deep += "/x-a";
  const std::string set = deep + "=1";
  CHECK(problems_with({set.c_str()}) ==
        Lines{"bad.json: " + deep + ": pointer nested too deep: more than 64 levels (expected at most 64 keys and "
              "indices)"});
  // 64 levels are allowed: keys beginning x- are free, so the document is valid.
  std::string ok;
  for (int i = 0; i < 64; ++i) ok += "/x-a";
  const std::string ok_set = ok + "=1";
  CHECK(problems_with({ok_set.c_str()}) == Lines{});
}

TEST_CASE("an array index that does not exist") {
  CHECK(problems_with({"/workloads/5=1"}) ==
        Lines{"bad.json: /workloads/5: cannot set: no element \"5\" in an array of 2 (expected an index of an "
              "existing element, or \"-\" to append)"});
  CHECK(problems_with({"/workloads/first=1"}) ==
        Lines{"bad.json: /workloads/first: cannot set: no element \"first\" in an array of 2 (expected an index of "
              "an existing element, or \"-\" to append)"});
}

TEST_CASE("every override problem is reported, and the document is not validated") {
  CHECK(problems_with({"/workloads/7/a=1", "/name=../evil", "/workloads/8/b=2"}) ==
        Lines{"bad.json: /workloads/7/a: cannot set: parent /workloads/7 does not exist (expected an index of an "
              "existing element of /workloads)",
              "bad.json: /workloads/8/b: cannot set: parent /workloads/8 does not exist (expected an index of an "
              "existing element of /workloads)"});
}

TEST_CASE("an ill-formed pointer given directly") {
  CHECK(problems_of(base_scenario_text, {Override{"name", "x"}}) ==
        Lines{"bad.json: name: ill-formed JSON pointer \"name\" (expected a pointer starting with '/', ~0 for '~' and "
              "~1 for '/')"});
}

TEST_CASE("escaped pointer tokens") {
  Json doc = base_scenario();
  doc["x-a/b"] = Json::object();
  const Scenario s = parse_scenario(doc.dump(), "scn.json", {parse_override("/x-a~1b/c~0d=1")});
  CHECK(s.name == "base");
}

TEST_CASE("the fingerprint: file bytes without overrides, the overridden document with them") {
  const Scenario plain = load_with({});
  CHECK(plain.sha256 == sha256_hex(base_scenario_text));
  const Scenario changed = load_with({"/contracts/0/price_usd_per_gpu_hour=2.5"});
  Json doc = base_scenario();
  doc["contracts"][0]["price_usd_per_gpu_hour"] = 2.5;
  CHECK(changed.sha256 == sha256_hex(doc.dump()));
  CHECK(changed.sha256 != plain.sha256);
  // The same document reached two ways has one fingerprint.
  CHECK(load_with({"/contracts/0/price_usd_per_gpu_hour=3", "/contracts/0/price_usd_per_gpu_hour=2.5"}).sha256 ==
        changed.sha256);
}
