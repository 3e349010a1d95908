// The format table (src/scenario/fields.hpp) is consistent with itself and
// with the typed model: every reference resolves, every default lies in its
// field's range, and the structs' own initial values are the table's defaults
// (the validator leaves them in place when a key is absent).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "scenario/fields.hpp"
#include "scenario/scenario.hpp"
#include "scenario/sweep_spec.hpp"

using namespace cloudpact;
namespace format = cloudpact::scenario_format;

namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// The objects reachable from `root` through fields and variants.
std::set<std::string> reachable(const std::string& root) {
  std::set<std::string> seen;
  std::vector<std::string> todo{root};
  while (!todo.empty()) {
    const std::string name = todo.back();
    todo.pop_back();
    if (!seen.insert(name).second) continue;
    const format::ObjectSpec& spec = format::object(name);
    for (const std::string& v : spec.variants) todo.push_back(v);
    for (const format::Field& f : spec.fields) {
      if (f.type == format::Type::object) todo.push_back(f.ref);
      if (f.type == format::Type::curve) todo.push_back("curve_points");
    }
  }
  return seen;
}

double default_number(const char* object, const char* key) {
  return format::object(object).field(key).default_value.get<double>();
}

}  // namespace

TEST_CASE("names are unique and every reference resolves") {
  std::set<std::string> names;
  for (const format::ObjectSpec& spec : format::objects()) {
    CAPTURE(spec.name);
    CHECK(names.insert(spec.name).second);
    CHECK_FALSE(spec.title.empty());
    CHECK_FALSE(spec.summary.empty());
    CHECK(spec.fields.empty() != spec.variants.empty());  // an object, or variants of one
    for (const std::string& v : spec.variants) CHECK_NOTHROW((void)format::object(v));
    std::set<std::string> keys;
    for (const format::Field& f : spec.fields) {
      CAPTURE(f.key);
      CHECK(keys.insert(f.key).second);
      CHECK_FALSE(f.meaning.empty());
      if (f.type == format::Type::object) CHECK_NOTHROW((void)format::object(f.ref));
    }
  }
}

TEST_CASE("every object belongs to exactly one of the scenario, sweep and optimize formats") {
  const std::set<std::string> scenario = reachable("scenario");
  const std::set<std::string> sweep = reachable("sweep");
  const std::set<std::string> optimize = reachable("optimize");
  for (const format::ObjectSpec& spec : format::objects()) {
    CAPTURE(spec.name);
    CHECK(scenario.count(spec.name) + sweep.count(spec.name) + optimize.count(spec.name) == 1);
  }
}

TEST_CASE("each field's attributes fit its type") {
  for (const format::ObjectSpec& spec : format::objects()) {
    for (const format::Field& f : spec.fields) {
      CAPTURE(spec.name + "/" + f.key);
      const bool numeric =
          f.type == format::Type::number || f.type == format::Type::integer || f.type == format::Type::row;
      CHECK((f.type == format::Type::choice) == !f.values.empty());
      CHECK((f.container == format::Container::map) == !f.map_keys.empty());
      if (f.container != format::Container::array) CHECK(f.min_items == 0);
      if (!f.id_of.empty()) CHECK(f.type == format::Type::id);
      if (!numeric && f.type != format::Type::curve) CHECK((!f.range.has_lo && !f.range.has_hi));
      // Every number and curve has a finite range (docs/reference.md §9.3): what
      // run and risk compute from it stays finite. (Integers are bounded by
      // the reader's int64 range as well.)
      if (f.type == format::Type::number || f.type == format::Type::row || f.type == format::Type::curve)
        CHECK((f.range.has_lo && f.range.has_hi));
      if (f.type == format::Type::integer) {
        CHECK(f.range.has_lo);  // integers are counts, seeds and ranks: never unbounded below
        CHECK(f.range.lo == std::floor(f.range.lo));
        if (f.range.has_hi) CHECK(f.range.hi == std::floor(f.range.hi));
      }
      if (f.need == format::Need::required) CHECK(f.default_value.is_null());
      if (f.need == format::Need::conditional)
        CHECK((f.only_with.has_value() || !f.when.empty() || contains(spec.exactly_one_of, f.key)));
      if (f.only_with) {
        const format::Field& on = spec.field(f.only_with->key);
        CHECK(on.type == format::Type::choice);
        for (const std::string& v : f.only_with->values) CHECK(contains(on.values, v));
        // The field's absence must not already satisfy the condition.
        if (on.default_value.is_string())
          CHECK_FALSE(contains(f.only_with->values, on.default_value.get<std::string>()));
      }
      const nlohmann::json& d = f.default_value;
      if (d.is_null()) continue;
      if (f.container == format::Container::array) {
        REQUIRE(d.is_array());
        if (f.type == format::Type::choice)
          for (const auto& item : d) CHECK(contains(f.values, item.get<std::string>()));
      } else if (f.container == format::Container::map || f.type == format::Type::object) {
        CHECK(d.is_object());
      } else if (numeric) {
        REQUIRE(d.is_number());
        CHECK(f.range.contains(d.get<double>()));
        if (f.type == format::Type::integer) CHECK(d.is_number_integer());
      } else if (f.type == format::Type::boolean) {
        CHECK(d.is_boolean());
      } else if (f.type == format::Type::choice) {
        REQUIRE(d.is_string());
        CHECK(contains(f.values, d.get<std::string>()));
      }
    }
    for (const std::string& key : spec.exactly_one_of) {
      CAPTURE(spec.name + "/" + key);
      CHECK(spec.field(key).need == format::Need::conditional);
    }
  }
}

TEST_CASE("variants are told apart by one constant field") {
  for (const auto& [group, key] : {std::pair{"workload", "kind"}, {"event", "type"}, {"distribution", "dist"}}) {
    CAPTURE(group);
    const format::ObjectSpec& spec = format::object(group);
    for (const std::string& name : spec.variants) {
      const format::Field& f = format::object(name).field(key);
      CHECK(f.values.size() == 1);
      CHECK(f.need == format::Need::required);
    }
    for (const std::string& value : format::constants(spec, key)) CHECK(format::variant(spec, key, value) != nullptr);
  }
  CHECK(format::constants(format::object("event"), "type") ==
        std::vector<std::string>{"outage", "price_change", "delivery_delay", "demand_shock"});
  CHECK(format::variant(format::object("workload"), "kind", "batch") == nullptr);
}

TEST_CASE("keys of an object, and of every variant together") {
  CHECK(format::keys(format::object("accelerator")) == std::vector<std::string>{"h100_equiv", "kw"});
  const auto dist = format::keys(format::object("distribution"));
  CHECK(dist == std::vector<std::string>{"dist", "value", "median", "sigma"});
  CHECK_THROWS_AS((void)format::object("accelerator").field("h100"), std::logic_error);
  CHECK_THROWS_AS((void)format::object("nope"), std::logic_error);
}

TEST_CASE("the typed model starts from the table's defaults") {
  const Accelerator accelerator;
  CHECK(accelerator.h100_equiv == default_number("accelerator", "h100_equiv"));
  CHECK(accelerator.kw == default_number("accelerator", "kw"));
  const Provider provider;
  CHECK(provider.egress_usd_per_gb == default_number("provider", "egress_usd_per_gb"));
  const Contract contract;
  CHECK(contract.billing == Billing::reserved);
  CHECK(format::object("contract").field("billing").default_value == "reserved");
  CHECK(contract.min_spend_usd_per_year == default_number("contract", "min_spend_usd_per_year"));
  CHECK(contract.exit_fee_pct_of_remaining == default_number("contract", "exit_fee_pct_of_remaining"));
  const Workload workload;
  CHECK(workload.priority == default_number("inference_workload", "priority"));
  CHECK(workload.priority == default_number("training_workload", "priority"));
  CHECK(workload.value_usd_per_gpu_hour == default_number("inference_workload", "value_usd_per_gpu_hour"));
  CHECK(workload.mfu == default_number("training_workload", "mfu"));
  CHECK(workload.checkpoint_hours == default_number("training_workload", "checkpoint_hours"));
  CHECK(workload.restart_hours == default_number("training_workload", "restart_hours"));
  CHECK(workload.dataset_tb == default_number("training_workload", "dataset_tb"));
  const Policy policy;
  CHECK(policy.placement == Placement::cheapest);
  CHECK(format::object("policy").field("placement").default_value == "cheapest");
  CHECK(OutageEvent{}.capacity_lost_pct == default_number("outage_event", "capacity_lost_pct"));
  CHECK(OutageModel{}.capacity_lost_pct == default_number("outage_model", "capacity_lost_pct"));
  const PriceModel price;
  for (const auto& [value, key] : {std::pair{price.drift_per_year, "drift_per_year"},
                                   {price.vol_per_year, "vol_per_year"},
                                   {price.jump_rate_per_year, "jump_rate_per_year"},
                                   {price.jump_mean_pct, "jump_mean_pct"},
                                   {price.jump_sd_pct, "jump_sd_pct"}})
    CHECK(value == default_number("price_model", key));
  const Uncertainty uncertainty;
  CHECK(uncertainty.paths == default_number("uncertainty", "paths"));
  CHECK(static_cast<double>(uncertainty.seed) == default_number("uncertainty", "seed"));
  CHECK(uncertainty.demand_vol_per_year == default_number("demand_model", "vol_per_year"));
  CHECK(uncertainty.delivery_p_on_time == default_number("delivery_model", "p_on_time"));
  CHECK(Negotiation{}.buyer_power == default_number("negotiation", "buyer_power"));
  CHECK(Scenario{}.output_interval_hours == default_number("output", "interval_hours"));
  const SweepSpec sweep;
  CHECK(static_cast<double>(sweep.seed) == default_number("sweep", "seed"));
  CHECK(sweep.risk_paths == default_number("sweep", "risk_paths"));
  CHECK(SweepParameter{}.integer == format::object("sampled_parameter").field("integer").default_value.get<bool>());
}
