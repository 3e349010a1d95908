// sweep.csv cells (RFC 4180) and headline lookups by dotted path.
#include <doctest/doctest.h>

#include "sweep/sweep_table.hpp"

using cloudpact::csv_cell;
using cloudpact::dotted_value;

TEST_CASE("csv cells are quoted only when they must be") {
  CHECK(csv_cell("plain") == "plain");
  CHECK(csv_cell("/contracts/0/price_usd_per_gpu_hour") == "/contracts/0/price_usd_per_gpu_hour");
  CHECK(csv_cell("a,b") == "\"a,b\"");
  CHECK(csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_cell("two\nlines") == "\"two\nlines\"");
  CHECK(csv_cell("") == "");
}

TEST_CASE("dotted paths find numbers, strings and keys that contain dots") {
  const std::string doc = R"({"totals": {"spend_usd": 1.5e10, "n": 3},
    "contracts": {"cw-11.9b": {"billed_usd": 0.1}, "cw-11": {"x": 1}},
    "name": "a,b", "nothing": null})";
  CHECK(dotted_value(doc, "totals.spend_usd") == "1.5e+10");  // shortest round-trip text
  CHECK(dotted_value(doc, "totals.n") == "3");
  CHECK(dotted_value(doc, "contracts.cw-11.9b.billed_usd") == "0.1");
  CHECK(dotted_value(doc, "contracts.cw-11.x") == "1");
  CHECK(dotted_value(doc, "name") == "a,b");
  CHECK(dotted_value(doc, "nothing") == "");
  CHECK(dotted_value(doc, "totals.missing") == "");
  CHECK(dotted_value("not json", "a") == "");
}
