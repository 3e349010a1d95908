// A valid scenario becomes the typed model: times in seconds since start,
// defaults applied, cross-references resolved (docs/reference.md §2).
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "scenario/load.hpp"
#include "scenario/sha256.hpp"
#include "scenario_fixture.hpp"

using namespace cloudpact;
using cloudpact::test::base_scenario;
using cloudpact::test::base_scenario_text;
using cloudpact::test::Json;

namespace {
constexpr double day_s = 86400.0;
}

TEST_CASE("SHA-256 of known inputs") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // 55, 56 and 64 bytes: the padding boundaries.
  CHECK(sha256_hex(std::string(55, 'x')).size() == 64);
  CHECK(sha256_hex(std::string(56, 'a')) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  CHECK(sha256_hex(std::string(64, 'a')) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST_CASE("horizon, name, source and fingerprint") {
  const Scenario s = parse_scenario(base_scenario_text, "scn.json");
  CHECK(s.name == "base");
  CHECK(s.source_path == "scn.json");
  CHECK(s.start_epoch_s == 1735689600);
  CHECK(s.end_epoch_s == 1767225600);
  CHECK(s.horizon_s == 365 * day_s);
  CHECK(s.sha256 == sha256_hex(base_scenario_text));
  CHECK(s.output_interval_hours == 24.0);
}

TEST_CASE("providers, clusters and curves in seconds since start") {
  const Scenario s = parse_scenario(base_scenario_text, "scn.json");
  REQUIRE(s.providers.size() == 2);
  const Provider& aws = s.providers[0];
  CHECK(aws.id == "aws");
  CHECK(aws.egress_usd_per_gb == 0.09);
  CHECK(aws.on_demand_usd_per_gpu_hour.at("H100") == 6.88);
  CHECK(s.providers[1].on_demand_usd_per_gpu_hour.empty());
  CHECK(s.providers[1].egress_usd_per_gb == 0.0);
  REQUIRE(aws.regions.size() == 1);
  REQUIRE(aws.regions[0].clusters.size() == 2);
  const Cluster& h100 = aws.regions[0].clusters[0];
  CHECK(h100.path == "aws/us-east-1/h100");
  CHECK(h100.accelerator == "H100");
  CHECK(h100.capacity_gpus.shape == Curve::Shape::constant);
  CHECK(h100.capacity_gpus.constant == 1000);
  const Cluster& gb200 = aws.regions[0].clusters[1];
  CHECK(gb200.capacity_gpus.shape == Curve::Shape::step);
  REQUIRE(gb200.capacity_gpus.points.size() == 2);
  CHECK(gb200.capacity_gpus.points[0].first == 59 * day_s);  // 2025-03-01
  CHECK(gb200.capacity_gpus.points[1] == std::pair<double, double>(151 * day_s, 500));
  CHECK(s.accelerators.at("GB200").h100_equiv == 2.5);
  CHECK(s.accelerators.at("GB200").kw == 1.8);
  CHECK(s.accelerators.at("H100").kw == 1.0);
}

TEST_CASE("curve points before the start are negative times") {
  Json doc = base_scenario();
  doc["workloads"][0]["demand_gpus"] =
      Json::parse(R"({ "shape": "linear", "points": [["2024-12-31", 1], ["2025-01-02", 3]] })");
  const Scenario s = parse_scenario(doc.dump(), "scn.json");
  const Curve& demand = s.workloads[0].demand_gpus;
  CHECK(demand.shape == Curve::Shape::linear);
  CHECK(demand.points[0].first == -day_s);
  CHECK(demand.at(0) == doctest::Approx(2));
}

TEST_CASE("without an accelerators section every name used counts with defaults") {
  Json doc = base_scenario();
  doc.erase("accelerators");
  doc["providers"][1]["on_demand_usd_per_gpu_hour"] = {{"MI300X", 4.0}};
  const Scenario s = parse_scenario(doc.dump(), "scn.json");
  REQUIRE(s.accelerators.size() == 3);
  for (const char* name : {"H100", "GB200", "MI300X"}) {
    CAPTURE(name);
    REQUIRE(s.accelerators.count(name));
    CHECK(s.accelerators.at(name).id == name);
    CHECK(s.accelerators.at(name).h100_equiv == 1.0);
    CHECK(s.accelerators.at(name).kw == 1.0);
  }
}

TEST_CASE("contracts: term, defaults, SLA tiers sorted by below_pct") {
  Json doc = base_scenario();
  doc["contracts"][0]["start"] = "2025-11-03";
  doc["contracts"][0]["end"] = "2032-11-03";
  doc["contracts"][0]["sla"] = {{"credits",
                                 {{{"below_pct", 99.99}, {"credit_pct", 10}},
                                  {{"below_pct", 95}, {"credit_pct", 100}},
                                  {{"below_pct", 99}, {"credit_pct", 30}}}}};
  Scenario s = parse_scenario(doc.dump(), "scn.json");
  REQUIRE(s.contracts.size() == 1);
  const Contract& c = s.contracts[0];
  CHECK(c.id == "aws-1");
  CHECK(c.provider == "aws");
  CHECK(c.start_epoch_s == 1762128000);
  CHECK(c.start_s == 306 * day_s);
  CHECK(c.end_s - c.start_s == (7 * 365 + 2) * day_s);
  CHECK(c.clusters == std::vector<std::string>{"aws/us-east-1/h100"});
  CHECK(c.billing == Billing::reserved);
  CHECK(c.price_usd_per_gpu_hour.constant == 2.0);
  CHECK_FALSE(c.commitment_usd.has_value());
  CHECK(c.min_spend_usd_per_year == 0.0);
  CHECK(c.exit_fee_pct_of_remaining == 0.0);
  REQUIRE(c.sla_credits.size() == 3);
  CHECK(c.sla_credits[0].below_pct == 95);
  CHECK(c.sla_credits[0].credit_pct == 100);
  CHECK(c.sla_credits[1].below_pct == 99);
  CHECK(c.sla_credits[2].below_pct == 99.99);

  doc["contracts"][0]["billing"] = "usage";
  doc["contracts"][0]["commitment_usd"] = 38e9;
  doc["contracts"][0]["min_spend_usd_per_year"] = 1e9;
  doc["contracts"][0]["exit_fee_pct_of_remaining"] = 25;
  s = parse_scenario(doc.dump(), "scn.json");
  CHECK(s.contracts[0].billing == Billing::usage);
  CHECK(s.contracts[0].commitment_usd == 38e9);
  CHECK(s.contracts[0].min_spend_usd_per_year == 1e9);
  CHECK(s.contracts[0].exit_fee_pct_of_remaining == 25);
}

TEST_CASE("workloads: kinds, defaults, default providers in file order") {
  const Scenario s = parse_scenario(base_scenario_text, "scn.json");
  REQUIRE(s.workloads.size() == 2);
  const Workload& chat = s.workloads[0];
  CHECK(chat.kind == WorkloadKind::inference);
  CHECK(chat.providers == std::vector<std::string>{"aws", "azure"});
  CHECK(chat.priority == 0);
  CHECK(chat.demand_gpus.constant == 800);
  CHECK(chat.value_usd_per_gpu_hour == 10);
  const Workload& train = s.workloads[1];
  CHECK(train.kind == WorkloadKind::training);
  CHECK(train.providers == std::vector<std::string>{"aws"});
  CHECK(train.submit_epoch_s == 1738368000);
  CHECK(train.submit_s == 31 * day_s);
  CHECK(train.flops == 1e24);
  CHECK(train.gpus == 500);
  CHECK(train.mfu == 0.4);
  CHECK(train.checkpoint_hours == 0);
  CHECK(train.restart_hours == 0);
  CHECK(train.dataset_tb == 0);

  Json doc = base_scenario();
  doc["workloads"][1].update(Json{{"mfu", 0.35},
                                  {"checkpoint_hours", 4},
                                  {"restart_hours", 0.5},
                                  {"dataset_tb", 200},
                                  {"priority", -3},
                                  {"providers", {"azure", "aws"}}});
  const Scenario t = parse_scenario(doc.dump(), "scn.json");
  CHECK(t.workloads[1].mfu == 0.35);
  CHECK(t.workloads[1].checkpoint_hours == 4);
  CHECK(t.workloads[1].restart_hours == 0.5);
  CHECK(t.workloads[1].dataset_tb == 200);
  CHECK(t.workloads[1].priority == -3);
  CHECK(t.workloads[1].providers == std::vector<std::string>{"azure", "aws"});
}

TEST_CASE("policy: cheapest by default, single vendor, primary") {
  CHECK(parse_scenario(base_scenario_text, "scn.json").policy.placement == Placement::cheapest);
  Json doc = base_scenario();
  doc["policy"] = {{"placement", "single_vendor"}, {"vendor", "azure"}};
  const Scenario s = parse_scenario(doc.dump(), "scn.json");
  CHECK(s.policy.placement == Placement::single_vendor);
  CHECK(s.policy.vendor == "azure");
  doc["policy"] = {{"placement", "primary"}};
  CHECK(parse_scenario(doc.dump(), "scn.json").policy.placement == Placement::primary);
}

TEST_CASE("events go to their typed lists") {
  Json doc = base_scenario();
  doc["events"] = Json::parse(R"([
    { "type": "outage", "target": "aws/us-east-1", "start": "2025-10-20T06:48:00Z", "end": "2025-10-20T21:20:00Z",
      "capacity_lost_pct": 40 },
    { "type": "outage", "target": "azure", "start": "2024-12-31", "end": "2025-01-02" },
    { "type": "price_change", "target": "aws", "accelerator": "H100", "date": "2025-06-01",
      "on_demand_usd_per_gpu_hour": 3.9 },
    { "type": "price_change", "target": "azure", "date": "2024-06-01", "factor": 0.8 },
    { "type": "price_change", "contract": "aws-1", "date": "2025-07-01", "factor": 0.9 },
    { "type": "price_change", "contract": "aws-1", "date": "2025-08-01", "price_usd_per_gpu_hour": 1.5 },
    { "type": "delivery_delay", "target": "aws/us-east-1/gb200", "days": 90 },
    { "type": "demand_shock", "workload": "chat", "start": "2025-03-01", "end": "2025-06-01", "factor": 1.5 }
  ])");
  const Scenario s = parse_scenario(doc.dump(), "scn.json");
  REQUIRE(s.outages.size() == 2);
  CHECK(s.outages[0].target == "aws/us-east-1");
  CHECK(s.outages[0].end_s - s.outages[0].start_s == 14 * 3600 + 32 * 60);
  CHECK(s.outages[0].capacity_lost_pct == 40);
  CHECK(s.outages[1].capacity_lost_pct == 100);
  CHECK(s.outages[1].start_s == -day_s);
  REQUIRE(s.price_changes.size() == 4);
  CHECK(s.price_changes[0].target == "aws");
  CHECK(s.price_changes[0].accelerator == "H100");
  CHECK(s.price_changes[0].set_usd_per_gpu_hour == 3.9);
  CHECK_FALSE(s.price_changes[0].factor.has_value());
  CHECK(s.price_changes[0].date_s == 151 * day_s);
  CHECK(s.price_changes[1].accelerator.empty());
  CHECK(s.price_changes[1].factor == 0.8);
  CHECK(s.price_changes[2].contract == "aws-1");
  CHECK(s.price_changes[2].target.empty());
  CHECK(s.price_changes[2].factor == 0.9);
  CHECK(s.price_changes[3].set_usd_per_gpu_hour == 1.5);
  REQUIRE(s.delivery_delays.size() == 1);
  CHECK(s.delivery_delays[0].target == "aws/us-east-1/gb200");
  CHECK(s.delivery_delays[0].days == 90);
  REQUIRE(s.demand_shocks.size() == 1);
  CHECK(s.demand_shocks[0].workload == "chat");
  CHECK(s.demand_shocks[0].start_s == 59 * day_s);
  CHECK(s.demand_shocks[0].factor == 1.5);
}

TEST_CASE("uncertainty, negotiation and output") {
  const Scenario plain = parse_scenario(base_scenario_text, "scn.json");
  CHECK_FALSE(plain.uncertainty.present);
  CHECK_FALSE(plain.negotiation.present);
  CHECK(plain.uncertainty.paths == 10000);
  CHECK(plain.uncertainty.seed == 42);

  Json doc = base_scenario();
  doc["uncertainty"] = Json::parse(R"({
    "paths": 1e5, "seed": 7,
    "outages": { "default": { "rate_per_year": 1.0,
                              "duration_hours": { "dist": "lognormal", "median": 7, "sigma": 0.8 } },
                 "aws": { "rate_per_year": 2, "capacity_lost_pct": 50,
                          "duration_hours": { "dist": "fixed", "value": 3 } } },
    "prices": { "aws": { "model": "gbm", "drift_per_year": -0.15, "vol_per_year": 0.3,
                         "jump_rate_per_year": 0.5, "jump_mean_pct": -20, "jump_sd_pct": 10 } },
    "demand": { "vol_per_year": 0.3 },
    "delivery": { "p_on_time": 0.6, "delay_days": { "dist": "lognormal", "median": 60, "sigma": 0.7 } }
  })");
  doc["negotiation"] = {{"buyer_power", 0.25}, {"seller_floor_usd_per_gpu_hour", {{"aws", 1.2}}}};
  doc["output"] = {{"interval_hours", 6}};
  const Scenario s = parse_scenario(doc.dump(), "scn.json");
  const Uncertainty& u = s.uncertainty;
  CHECK(u.present);
  CHECK(u.paths == 100000);
  CHECK(u.seed == 7);
  REQUIRE(u.default_outages.has_value());
  CHECK(u.default_outages->rate_per_year == 1.0);
  CHECK(u.default_outages->capacity_lost_pct == 100);
  CHECK(u.default_outages->duration_hours.kind == Distribution::Kind::lognormal);
  CHECK(u.default_outages->duration_hours.median == 7);
  CHECK(u.default_outages->duration_hours.sigma == 0.8);
  REQUIRE(u.provider_outages.count("aws"));
  CHECK(u.provider_outages.at("aws").capacity_lost_pct == 50);
  CHECK(u.provider_outages.at("aws").duration_hours.kind == Distribution::Kind::fixed);
  CHECK(u.provider_outages.at("aws").duration_hours.value == 3);
  CHECK(u.prices.at("aws").drift_per_year == -0.15);
  CHECK(u.prices.at("aws").jump_mean_pct == -20);
  CHECK(u.demand_vol_per_year == 0.3);
  CHECK(u.delivery_p_on_time == 0.6);
  CHECK(u.delivery_delay_days.median == 60);
  CHECK(s.negotiation.present);
  CHECK(s.negotiation.buyer_power == 0.25);
  CHECK(s.negotiation.seller_floor_usd_per_gpu_hour.at("aws") == 1.2);
  CHECK(s.output_interval_hours == 6);

  doc["uncertainty"] = Json::object();
  doc["negotiation"] = Json::object();
  const Scenario empty = parse_scenario(doc.dump(), "scn.json");
  CHECK(empty.uncertainty.present);
  CHECK(empty.uncertainty.delivery_p_on_time == 1.0);
  CHECK(empty.negotiation.present);
  CHECK(empty.negotiation.buyer_power == 0.5);
}

TEST_CASE("free keys x-... and $... are accepted at every level") {
  Json doc = base_scenario();
  doc["$schema"] = "./schema.json";
  doc["x-note"] = {{"anything", {1, 2}}};
  doc["providers"][0]["x-comment"] = "reserved";
  doc["providers"][0]["on_demand_usd_per_gpu_hour"]["x-source"] = "list price";
  doc["providers"][0]["regions"][0]["clusters"][1]["capacity_gpus"]["$comment"] = "ramp";
  doc["accelerators"]["x-why"] = "defaults";
  doc["events"][0]["x-source"] = "status page";
  doc["workloads"][1]["x-owner"] = "research";
  const Scenario s = parse_scenario(doc.dump(), "scn.json");
  CHECK(s.providers[0].on_demand_usd_per_gpu_hour.size() == 1);
  CHECK(s.accelerators.size() == 2);
}

TEST_CASE("load_scenario reads the file and fingerprints its bytes") {
  const std::string path = std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/01-one-vendor-vs-two.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) return;  // the shipped scenarios are another suite's concern
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const Scenario s = load_scenario(path);
  CHECK(s.source_path == path);
  CHECK(s.sha256 == sha256_hex(bytes));
}
