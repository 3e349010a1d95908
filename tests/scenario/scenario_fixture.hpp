// A small valid scenario that the scenario tests bend one rule at a time, and
// a helper that returns the problem lines a text produces.
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenario/load.hpp"

namespace cloudpact::test {

using Json = nlohmann::json;

inline const char* const base_scenario_text = R"({
  "name": "base",
  "start": "2025-01-01",
  "end": "2026-01-01",
  "accelerators": { "H100": { "h100_equiv": 1 }, "GB200": { "h100_equiv": 2.5, "kw": 1.8 } },
  "providers": [
    { "id": "aws", "on_demand_usd_per_gpu_hour": { "H100": 6.88 }, "egress_usd_per_gb": 0.09,
      "regions": [ { "id": "us-east-1", "clusters": [
        { "id": "h100", "accelerator": "H100", "capacity_gpus": 1000 },
        { "id": "gb200", "accelerator": "GB200",
          "capacity_gpus": { "shape": "step", "points": [["2025-03-01", 0], ["2025-06-01", 500]] } } ] } ] },
    { "id": "azure",
      "regions": [ { "id": "eastus", "clusters": [
        { "id": "h100", "accelerator": "H100", "capacity_gpus": 2000 } ] } ] }
  ],
  "contracts": [
    { "id": "aws-1", "provider": "aws", "start": "2025-01-01", "end": "2026-01-01",
      "clusters": ["aws/us-east-1/h100"], "price_usd_per_gpu_hour": 2.0 }
  ],
  "workloads": [
    { "id": "chat", "kind": "inference", "demand_gpus": 800, "value_usd_per_gpu_hour": 10 },
    { "id": "train", "kind": "training", "submit": "2025-02-01", "flops": 1e24, "gpus": 500, "providers": ["aws"] }
  ],
  "events": [
    { "type": "outage", "target": "aws/us-east-1", "start": "2025-10-20T06:48:00Z", "end": "2025-10-20T21:20:00Z" }
  ]
}
)";

inline Json base_scenario() { return Json::parse(base_scenario_text); }

// Every problem line of a scenario text (empty when it loads).
inline std::vector<std::string> problems_of(const std::string& text, const std::vector<Override>& overrides = {}) {
  try {
    (void)parse_scenario(text, "bad.json", overrides);
  } catch (const InputError& e) {
    return e.lines();
  }
  return {};
}

inline std::vector<std::string> problems_of_doc(const Json& doc, const std::vector<Override>& overrides = {}) {
  return problems_of(doc.dump(), overrides);
}

using Lines = std::vector<std::string>;

}  // namespace cloudpact::test

// Failed comparisons of problem lists print one line per problem.
template <>
struct doctest::StringMaker<std::vector<std::string>> {
  static doctest::String convert(const std::vector<std::string>& lines) {
    std::string out = "{";
    for (const auto& line : lines) out += "\n  " + line;
    out += lines.empty() ? "}" : "\n}";
    return out.c_str();
  }
};
