// The JSON Schema (draft 2020-12) of scenario files: for editors and for
// tools outside cloudpact. validate.cpp is the authority (it also checks
// cross-references, date order and machine limits, which a schema cannot);
// tests/scenario/test_schema.cpp keeps the two in step by validating every
// shipped scenario against this schema and loading it.
#include <nlohmann/json.hpp>

#include "scenario/limits.hpp"
#include "scenario/load.hpp"

namespace cloudpact {
namespace {

// Key order matters here: the schema is read by people, top to bottom.
using J = nlohmann::ordered_json;

const char* const id_pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$";
// Map keys: an id, but "x-..." keys are free everywhere and so never ids.
const char* const key_pattern = "^(?!x-)[A-Za-z0-9][A-Za-z0-9._-]*$";

J ref(const std::string& def) { return {{"$ref", "#/$defs/" + def}}; }

J described(J schema, const std::string& description) {
  J out = {{"description", description}};
  for (auto& [key, value] : schema.items()) out[key] = value;
  return out;
}

// A closed object: only `properties`, plus the free "x-..." and "$..." keys.
J object(const std::string& description, J properties, const std::vector<std::string>& required = {}) {
  J out = {{"description", description}, {"type", "object"}};
  if (!required.empty()) out["required"] = required;
  out["properties"] = std::move(properties);
  out["patternProperties"] = {{"^x-", J::object()}, {"^\\$", J::object()}};
  out["additionalProperties"] = false;
  return out;
}

// An object keyed by ids (accelerators, per-provider settings).
J id_map(const std::string& description, J value) {
  return {{"description", description},
          {"type", "object"},
          {"patternProperties", {{"^x-", J::object()}, {"^\\$", J::object()}, {key_pattern, std::move(value)}}},
          {"additionalProperties", false}};
}

J number_min(int lo) { return {{"type", "number"}, {"minimum", lo}}; }
J number_above(int lo) { return {{"type", "number"}, {"exclusiveMinimum", lo}}; }
J array_of(J items, std::size_t min_items = 0) {
  J out = {{"type", "array"}};
  if (min_items) out["minItems"] = min_items;
  out["items"] = std::move(items);
  return out;
}

J build_schema() {
  J defs;
  defs["id"] = {{"description", "Ids become file and folder names: letters, digits, '.', '_', '-'."},
                {"type", "string"},
                {"pattern", id_pattern}};
  defs["date"] = {{"description", "UTC: \"2025-11-03\" (midnight) or \"2025-10-20T06:48:00Z\"."},
                  {"type", "string"},
                  {"pattern", "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?$"}};
  defs["non_negative"] = number_min(0);
  defs["positive"] = number_above(0);
  defs["percent"] = {{"type", "number"}, {"minimum", 0}, {"maximum", 100}};
  defs["lost_percent"] = {{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", 100}};
  defs["target"] = {
      {"description", "A place by path: \"provider\", \"provider/region\" or \"provider/region/cluster\"."},
      {"type", "string"},
      {"pattern", "^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*){0,2}$"}};
  defs["cluster_path"] = {{"description", "\"provider/region/cluster\"."},
                          {"type", "string"},
                          {"pattern", "^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*){2}$"}};
  defs["curve"] = {
      {"description",
       "A value over time: a number (constant) or points with strictly increasing dates. step: the value of the last "
       "point at or before t; linear: interpolated; both 0 before the first point and constant after the last."},
      {"oneOf",
       {ref("non_negative"), object("A curve given by points.",
                                    {{"shape", {{"enum", {"step", "linear"}}}},
                                     {"points", array_of({{"type", "array"},
                                                          {"prefixItems", {ref("date"), ref("non_negative")}},
                                                          {"minItems", 2},
                                                          {"items", false}},
                                                         1)}},
                                    {"shape", "points"})}}};
  defs["distribution"] = {
      {"oneOf",
       {object("Lognormal by its median.",
               {{"dist", {{"const", "lognormal"}}}, {"median", ref("positive")}, {"sigma", ref("non_negative")}},
               {"dist", "median", "sigma"}),
        object("Always the same value.", {{"dist", {{"const", "fixed"}}}, {"value", ref("non_negative")}},
               {"dist", "value"})}}};

  defs["accelerator"] =
      object("An accelerator model.",
             {{"h100_equiv", described(ref("positive"), "H100-equivalents per physical GPU (default 1).")},
              {"kw", described(ref("non_negative"), "Power per physical GPU (default 1).")}});
  defs["cluster"] = object("A cluster: becomes one simulated host.",
                           {{"id", ref("id")},
                            {"accelerator", ref("id")},
                            {"capacity_gpus", described(ref("curve"), "Physical GPUs delivered over time.")}},
                           {"id", "accelerator", "capacity_gpus"});
  defs["region"] = object("A region of a provider.", {{"id", ref("id")}, {"clusters", array_of(ref("cluster"), 1)}},
                          {"id", "clusters"});
  defs["provider"] = object(
      "A cloud provider.",
      {{"id", ref("id")},
       {"on_demand_usd_per_gpu_hour",
        id_map("On-demand price per physical GPU-hour, by accelerator (no entry: not for sale).", ref("non_negative"))},
       {"egress_usd_per_gb", described(ref("non_negative"), "Default 0.")},
       {"regions", array_of(ref("region"), 1)}},
      {"id", "regions"});

  defs["sla_tier"] =
      object("Availability strictly below below_pct earns credit_pct of the month's bill.",
             {{"below_pct", ref("lost_percent")}, {"credit_pct", ref("percent")}}, {"below_pct", "credit_pct"});
  defs["contract"] = object("A contract reserving clusters of one provider.",
                            {{"id", ref("id")},
                             {"provider", ref("id")},
                             {"start", ref("date")},
                             {"end", ref("date")},
                             {"clusters", array_of(ref("cluster_path"), 1)},
                             {"billing", {{"description", "Default \"reserved\"."}, {"enum", {"reserved", "usage"}}}},
                             {"price_usd_per_gpu_hour", described(ref("curve"), "Per physical GPU-hour.")},
                             {"commitment_usd", ref("non_negative")},
                             {"min_spend_usd_per_year", described(ref("non_negative"), "Default 0.")},
                             {"sla", object("Service credits.", {{"credits", array_of(ref("sla_tier"))}}, {"credits"})},
                             {"exit_fee_pct_of_remaining", described(ref("percent"), "Default 0.")}},
                            {"id", "provider", "start", "end", "clusters", "price_usd_per_gpu_hour"});

  const auto workload = [&](const std::string& kind, const std::string& description, J specific,
                            std::vector<std::string> required) {
    J props = {
        {"id", ref("id")},
        {"kind", {{"const", kind}}},
        {"providers", described(array_of(ref("id"), 1), "Eligible providers, in preference order (default: all).")},
        {"priority", {{"description", "Lower is served first (default 0)."}, {"type", "integer"}}}};
    for (auto& [key, value] : specific.items()) props[key] = value;
    required.insert(required.begin(), {"id", "kind"});
    return object(description, std::move(props), required);
  };
  defs["inference_workload"] =
      workload("inference", "Demand in H100-equivalents at every instant.",
               {{"demand_gpus", ref("curve")},
                {"value_usd_per_gpu_hour",
                 described(ref("non_negative"), "Value of unmet demand per H100-eq hour (default 0).")}},
               {"demand_gpus"});
  defs["training_workload"] =
      workload("training", "A job needing gpus H100-equivalents on one cluster until flops are done.",
               {{"submit", ref("date")},
                {"flops", ref("positive")},
                {"gpus", ref("positive")},
                {"mfu", {{"description", "Default 0.4."}, {"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", 1}}},
                {"checkpoint_hours", described(ref("non_negative"), "Default 0: never checkpoints.")},
                {"restart_hours", described(ref("non_negative"), "Default 0.")},
                {"dataset_tb", described(ref("non_negative"), "Default 0.")}},
               {"submit", "flops", "gpus"});

  defs["policy"] = {
      {"description", "Placement of demand on capacity (default cheapest)."},
      {"type", "object"},
      {"properties", {{"placement", {{"enum", {"cheapest", "single_vendor", "primary"}}}}, {"vendor", ref("id")}}},
      {"patternProperties", {{"^x-", J::object()}, {"^\\$", J::object()}}},
      {"additionalProperties", false},
      {"oneOf",
       {{{"properties", {{"placement", {{"const", "single_vendor"}}}}}, {"required", {"placement", "vendor"}}},
        {{"properties", {{"placement", {{"enum", {"cheapest", "primary"}}}}}}, {"not", {{"required", {"vendor"}}}}}}}};

  auto price_change = [&](const std::string& description, J props, const std::string& subject,
                          const std::string& price_key) {
    J out = object(description, std::move(props), {"type", "date", subject});
    out["oneOf"] = {{{"required", {price_key}}}, {{"required", {"factor"}}}};
    return out;
  };
  defs["event"] = {
      {"oneOf",
       {object("Clusters of the target lose capacity_lost_pct of their capacity in [start, end).",
               {{"type", {{"const", "outage"}}},
                {"target", ref("target")},
                {"start", ref("date")},
                {"end", ref("date")},
                {"capacity_lost_pct", described(ref("lost_percent"), "Default 100.")}},
               {"type", "target", "start", "end"}),
        price_change("A provider's on-demand price changes from date on.",
                     {{"type", {{"const", "price_change"}}},
                      {"date", ref("date")},
                      {"target", described(ref("id"), "A provider id.")},
                      {"accelerator", described(ref("id"), "Default: every accelerator of the provider.")},
                      {"on_demand_usd_per_gpu_hour", ref("non_negative")},
                      {"factor", ref("positive")}},
                     "target", "on_demand_usd_per_gpu_hour"),
        price_change("A contract's price changes from date on.",
                     {{"type", {{"const", "price_change"}}},
                      {"date", ref("date")},
                      {"contract", ref("id")},
                      {"price_usd_per_gpu_hour", ref("non_negative")},
                      {"factor", ref("positive")}},
                     "contract", "price_usd_per_gpu_hour"),
        object("The target clusters' capacity curves shift later by days.",
               {{"type", {{"const", "delivery_delay"}}}, {"target", ref("target")}, {"days", ref("non_negative")}},
               {"type", "target", "days"}),
        object("An inference workload's demand is multiplied by factor in [start, end).",
               {{"type", {{"const", "demand_shock"}}},
                {"workload", ref("id")},
                {"start", ref("date")},
                {"end", ref("date")},
                {"factor", ref("non_negative")}},
               {"type", "workload", "start", "end", "factor"})}}};

  defs["outage_model"] = object("Sampled outages: Poisson arrivals per region.",
                                {{"rate_per_year", ref("non_negative")},
                                 {"capacity_lost_pct", described(ref("lost_percent"), "Default 100.")},
                                 {"duration_hours", ref("distribution")}},
                                {"rate_per_year", "duration_hours"});
  defs["price_model"] = object("A multiplier on the provider's on-demand prices: GBM with lognormal jumps.",
                               {{"model", {{"enum", {"gbm"}}}},
                                {"drift_per_year", {{"type", "number"}}},
                                {"vol_per_year", ref("non_negative")},
                                {"jump_rate_per_year", ref("non_negative")},
                                {"jump_mean_pct", number_above(-100)},
                                {"jump_sd_pct", ref("non_negative")}});
  defs["uncertainty"] = object(
      "Sampled futures for `cloudpact risk`.",
      {{"paths",
        {{"description", "Default 10000."}, {"type", "integer"}, {"minimum", 1}, {"maximum", limits::max_paths}}},
       {"seed", {{"description", "Default 42."}, {"type", "integer"}, {"minimum", 0}}},
       {"outages", id_map("\"default\" or a provider id.", ref("outage_model"))},
       {"prices", id_map("By provider id.", ref("price_model"))},
       {"demand",
        object("A driftless lognormal walk on every inference demand.", {{"vol_per_year", ref("non_negative")}})},
       {"delivery",
        object("Per cluster: on time with p_on_time, else delayed (delay_days required when p_on_time < 1).",
               {{"p_on_time", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
                {"delay_days", ref("distribution")}})}});
  defs["negotiation"] = object(
      "Nash bargaining inputs.",
      {{"buyer_power", {{"description", "Default 0.5."}, {"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
       {"seller_floor_usd_per_gpu_hour", id_map("By provider id, per H100-equivalent hour.", ref("non_negative"))}});
  defs["output"] =
      object("Replay outputs.", {{"interval_hours", described(ref("positive"), "Timeseries interval (default 24).")}});

  J schema = object(
      "A cloudpact scenario: providers, contracts, workloads and the events a buyer of AI compute fears.",
      {{"name", described(ref("id"), "Becomes the output folder out/<name>/.")},
       {"start", ref("date")},
       {"end", described(ref("date"), "After start: the horizon is [start, end).")},
       {"accelerators",
        id_map("Accelerator models by id. Absent: every accelerator named has h100_equiv 1.", ref("accelerator"))},
       {"providers", array_of(ref("provider"), 1)},
       {"contracts", array_of(ref("contract"))},
       {"workloads", array_of({{"oneOf", {ref("inference_workload"), ref("training_workload")}}})},
       {"policy", ref("policy")},
       {"events", array_of(ref("event"))},
       {"uncertainty", ref("uncertainty")},
       {"negotiation", ref("negotiation")},
       {"output", ref("output")}},
      {"name", "start", "end", "providers", "workloads"});
  J out = {{"$schema", "https://json-schema.org/draft/2020-12/schema"}, {"title", "cloudpact scenario"}};
  for (auto& [key, value] : schema.items()) out[key] = value;
  out["$defs"] = std::move(defs);
  return out;
}

}  // namespace

std::string scenario_schema_text() { return build_schema().dump(2) + "\n"; }

}  // namespace cloudpact
