// The walk over two JSON documents that check, compare-json and the baseline
// test share (src/regression/json_walk.hpp): which places it visits, in
// which order, and how it names them (RFC 6901 pointers).
#include <doctest/doctest.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "regression/json_walk.hpp"

using namespace cloudpact::regression;
using nlohmann::json;

namespace {

const char* kind_name(JsonPlace::Kind k) {
  switch (k) {
    case JsonPlace::Kind::numbers: return "numbers";
    case JsonPlace::Kind::only_in_first: return "only_in_first";
    case JsonPlace::Kind::only_in_second: return "only_in_second";
    case JsonPlace::Kind::type_changed: return "type_changed";
    case JsonPlace::Kind::length_changed: return "length_changed";
    case JsonPlace::Kind::value_changed: return "value_changed";
    case JsonPlace::Kind::whole: return "whole";
  }
  return "?";
}

// Every visit as "POINTER KIND FIRST SECOND" ("-" for an absent side).
std::vector<std::string> places_of(const json& a, const json& b, const std::vector<std::string>& ignore = {},
                                   const std::vector<std::string>& whole = {}) {
  std::vector<std::string> out;
  walk_json(
      a, b, JsonSubtrees(ignore),
      [&](const JsonPlace& p) {
        out.push_back(p.pointer.to_string() + " " + kind_name(p.kind) + " " + (p.first ? p.first->dump() : "-") +
                      " " + (p.second ? p.second->dump() : "-"));
      },
      JsonSubtrees(whole));
  return out;
}

std::vector<std::string> places(const std::string& a, const std::string& b,
                                const std::vector<std::string>& ignore = {},
                                const std::vector<std::string>& whole = {}) {
  return places_of(json::parse(a), json::parse(b), ignore, whole);
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("json walk: every pair of numbers, equal or not; equal strings, booleans and nulls are not visited") {
  CHECK(places(R"({"a": 1, "b": 2.5, "s": "x", "t": true, "n": null})",
               R"({"a": 1, "b": 3, "s": "x", "t": true, "n": null})") == Lines{"/a numbers 1 1", "/b numbers 2.5 3"});
  // An integer and a float are both numbers: the caller decides whether 3 and 3.0 agree.
  CHECK(places("[3]", "[3.0]") == Lines{"/0 numbers 3 3.0"});
}

TEST_CASE("json walk: keys are named by RFC 6901 pointers, '~' as ~0 and '/' as ~1") {
  CHECK(places(R"({"a/b": {"c~d": 1, "": 2}})", R"({"a/b": {"c~d": 1, "": 2}})") ==
        Lines{"/a~1b/ numbers 2 2", "/a~1b/c~0d numbers 1 1"});
  CHECK(places(R"({"x/y": {"~": 1}})", R"({"x/y": {}})") == Lines{"/x~1y/~0 only_in_first 1 -"});
  // Members only in the second document come after the first's (members in
  // key order: nlohmann::json keeps objects sorted).
  CHECK(places(R"({"k": 1})", R"({"z": 2, "k": 1, "a/": 3})") ==
        Lines{"/k numbers 1 1", "/a~1 only_in_second - 3", "/z only_in_second - 2"});
  CHECK(reference_tokens(JsonPointer("/a~1b/c~0d/0")) == std::vector<std::string>{"a/b", "c~d", "0"});
  CHECK(reference_tokens(JsonPointer("")).empty());
  CHECK(pointer_text(JsonPointer("")) == "(document)");
  CHECK(pointer_text(JsonPointer("/a~1b")) == "/a~1b");
}

TEST_CASE("json walk: arrays of different lengths: the length, then the common prefix") {
  CHECK(places(R"({"v": [1, 2, 3]})", R"({"v": [1, 5]})") ==
        Lines{"/v length_changed [1,2,3] [1,5]", "/v/0 numbers 1 1", "/v/1 numbers 2 5"});
  CHECK(places("[]", "[[1]]") == Lines{" length_changed [] [[1]]"});
}

TEST_CASE("json walk: a type change is one place, its subtree is not walked") {
  CHECK(places(R"({"f": "2026-01-01", "o": {"x": 1}, "a": [1]})", R"({"f": null, "o": [1], "a": {"x": 1}})") ==
        Lines{R"(/a type_changed [1] {"x":1})", R"(/f type_changed "2026-01-01" null)",
              R"(/o type_changed {"x":1} [1])"});
  CHECK(places("1", R"("1")") == Lines{R"( type_changed 1 "1")"});
  CHECK(places(R"({"b": true})", R"({"b": false})") == Lines{"/b value_changed true false"});
  CHECK(places(R"({"s": "cpu"})", R"({"s": "cuda"})") == Lines{R"(/s value_changed "cpu" "cuda")"});
}

TEST_CASE("json walk: NaN and null") {
  // JSON text has no NaN: outputs write null, and two nulls are equal.
  CHECK(places(R"({"se": null})", R"({"se": null})").empty());
  CHECK(places(R"({"se": null})", R"({"se": 0})") == Lines{"/se type_changed null 0"});
  // A NaN held in memory is still a number: the caller's rule judges it.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<std::string> both_nan = places_of(json{{"x", nan}}, json{{"x", nan}});
  REQUIRE(both_nan.size() == 1);
  CHECK(both_nan[0] == "/x numbers null null");
}

TEST_CASE("json walk: subtrees taken whole are visited once, equal or not, and not descended into") {
  const std::string a = R"({"p": {"histogram": [1, 2], "mean": 1}, "q": {"histogram": {"x": 1}}, "r": {"histogram": 1}})";
  const std::string b = R"({"p": {"histogram": [3], "mean": 1}, "q": {}, "r": {"histogram": 1}})";
  // One side's alone is a member missing as any other; a number taken whole is still whole.
  CHECK(places(a, b, {}, {"**/histogram"}) ==
        Lines{"/p/histogram whole [1,2] [3]", "/p/mean numbers 1 1", R"(/q/histogram only_in_first {"x":1} -)",
              "/r/histogram whole 1 1"});
  CHECK(places(b, a, {}, {"**/histogram"}) ==
        Lines{"/p/histogram whole [3] [1,2]", "/p/mean numbers 1 1", R"(/q/histogram only_in_second - {"x":1})",
              "/r/histogram whole 1 1"});
  // Ignoring wins over taking whole; the whole document may be taken whole.
  CHECK(places(a, b, {"/p/histogram"}, {"**/histogram"}) ==
        Lines{"/p/mean numbers 1 1", R"(/q/histogram only_in_first {"x":1} -)", "/r/histogram whole 1 1"});
  CHECK(places("[1]", "[2]", {}, {""}) == Lines{" whole [1] [2]"});
}

TEST_CASE("json walk: ignored subtrees, by pointer or by member name at any depth") {
  const std::string a = R"({"backend": "cpu", "p": {"histogram": [1, 2], "mean": 1}, "q": {"histogram": {"x": 1}}})";
  const std::string b = R"({"backend": "cuda", "p": {"histogram": [3], "mean": 1}, "q": {}})";
  CHECK(places(a, b, {"/backend", "**/histogram"}) == Lines{"/p/mean numbers 1 1"});
  CHECK(places(a, b, {"/p/histogram", "/backend"}) ==
        Lines{"/p/mean numbers 1 1", R"(/q/histogram only_in_first {"x":1} -)"});
  // Escaped tokens in the entries too.
  CHECK(places(R"({"a/b": 1, "c": 2})", R"({"a/b": 9, "c": 2})", {"/a~1b"}) == Lines{"/c numbers 2 2"});
  CHECK(places(R"({"x": {"a/b": 1}})", R"({"x": {"a/b": 9}})", {"**/a~1b"}).empty());
  CHECK(places("[1, 2]", "[1, 3]", {"/1"}) == Lines{"/0 numbers 1 1"});
  CHECK(places("[1]", "[2]", {""}).empty());  // "" is the whole document

  CHECK_THROWS_WITH_AS(JsonSubtrees({"backend"}), "'backend' is neither a JSON pointer (/a/b) nor **/KEY",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(JsonSubtrees({"**/a/b"}), "'**/a/b' is neither a JSON pointer (/a/b) nor **/KEY",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(JsonSubtrees({"/a~2"}), "'/a~2' is neither a JSON pointer (/a/b) nor **/KEY",
                       std::invalid_argument);
}

TEST_CASE("shown_value: a value's JSON cut to 60 bytes, never inside a UTF-8 sequence") {
  CHECK(shown_value(nlohmann::json(1.5)) == "1.5");
  const std::string fits(58, 'a');  // with its quotes, 60 bytes: shown whole
  CHECK(shown_value(nlohmann::json(fits)) == "\"" + fits + "\"");
  // "é" is 2 bytes: the quote and 28 of them are 57 bytes, room for "...".
  std::string accents;
  for (int i = 0; i < 80; ++i) accents += "\xC3\xA9";
  std::string expected = "\"";
  for (int i = 0; i < 28; ++i) expected += "\xC3\xA9";
  CHECK(shown_value(nlohmann::json(accents)) == expected + "...");
  // "€" is 3 bytes: the quote and 18 of them are 55 bytes; a 19th would end at 58.
  std::string euros, cut = "\"";
  for (int i = 0; i < 40; ++i) euros += "\xE2\x82\xAC";
  for (int i = 0; i < 18; ++i) cut += "\xE2\x82\xAC";
  CHECK(shown_value(nlohmann::json(euros)) == cut + "...");
}
