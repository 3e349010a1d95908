// `cloudpact compare-json`'s comparison (src/regression/compare_json.hpp):
// relative tolerance on numbers, integers and everything else exactly,
// mismatches named by their JSON pointers.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "regression/compare_json.hpp"

using namespace cloudpact::regression;

TEST_CASE("compare-json: relative tolerance on numbers, exact on the rest") {
  const std::string a = R"({"x": 1.0, "n": 3, "s": "cpu", "v": [1, 2.5], "z": null})";
  const JsonComparison same = compare_json_text(a, a, 1e-9);
  CHECK(same.mismatches.empty());
  CHECK(same.numbers_compared == 4);
  CHECK(same.max_rel_diff == 0.0);
  const auto close = compare_json_text(a, R"({"x": 1.0000000001, "n": 3, "s": "cpu", "v": [1, 2.5], "z": null})", 1e-9);
  CHECK(close.mismatches.empty());
  CHECK(close.max_rel_diff > 0);
  CHECK(compare_json_text(a, R"({"x": 1.001, "n": 3, "s": "cpu", "v": [1, 2.5], "z": null})", 1e-9).mismatches ==
        std::vector<std::string>{"/x: 1.0 vs 1.001 (relative difference 0.000999)"});
  CHECK(compare_json_text(a, R"({"x": 1.0, "n": 4, "s": "cpu", "v": [1, 2.5], "z": null})", 0.5).mismatches ==
        std::vector<std::string>{"/n: integer 3 vs 4"});  // integers exactly, whatever R
  const auto other = compare_json_text(a, R"({"x": 1.0, "n": 3, "s": "cuda", "v": [1], "y": 0})", 1e-9);
  CHECK(other.mismatches == std::vector<std::string>{R"(/s: "cpu" vs "cuda")", "/v: arrays of 2 vs 1 items",
                                                     "/z: only in the first file", "/y: only in the second file"});
  CHECK(compare_json_text(a, R"({"x": 1.0, "n": 3, "s": "cuda", "v": [1, 2.5], "z": null})", 1e-9, {"/s"})
            .mismatches.empty());
}

TEST_CASE("compare-json: keys with '/' and '~' are named by escaped pointers; the root by (document)") {
  CHECK(compare_json_text(R"({"without:a/b": {"p~95": 1}})", R"({"without:a/b": {"p~95": 2}})", 1e-9).mismatches ==
        std::vector<std::string>{"/without:a~1b/p~095: integer 1 vs 2"});
  CHECK(compare_json_text("[1]", R"({"a": 1})", 1e-9).mismatches ==
        std::vector<std::string>{R"((document): [1] vs {"a":1} (different types))"});
  CHECK(compare_json_text(R"({"se": null})", R"({"se": 1.5})", 1e-9).mismatches ==
        std::vector<std::string>{"/se: null vs 1.5 (different types)"});
}
