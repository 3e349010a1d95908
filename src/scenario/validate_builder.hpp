// The validator's shared state and checks, internal to src/scenario/validate*.cpp.
// One Builder reads a whole document; each section of the format is read in
// its own file (validate_providers.cpp, validate_contracts.cpp, ...) and the
// checks they share live in validate_common.cpp. Sections are read in
// dependency order (see Builder::build), so the state below is what a later
// section may check its references against.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scenario/field_reader.hpp"
#include "scenario/fields.hpp"
#include "scenario/json_reader.hpp"
#include "scenario/scenario.hpp"

namespace cloudpact::scenario_json::validation {

namespace format = cloudpact::scenario_format;

extern const char* const curve_expected;
extern const char* const target_expected;
extern const char* const memory_note;  // ends every "more would not fit" limit message

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b);

// The string member `key` of `v`, if `v` is an object that has one: read
// before the Object itself so the allowed keys can depend on it (a workload's
// kind, an event's type).
std::string peek_string(const Json& v, const char* key);

// An accelerator with the table's defaults: what an id stands for when the
// scenario has no `accelerators` section, and the start of a declared one.
Accelerator default_accelerator(const std::string& id);

template <typename Map>
std::vector<std::string> keys_of(const Map& map) {
  std::vector<std::string> out;
  out.reserve(map.size());
  for (const auto& [key, value] : map) out.push_back(key);
  return out;
}

class Builder {
 public:
  explicit Builder(Problems& problems) : problems_(problems), r_(problems) {}

  Scenario build(const Json& doc);

 private:
  using Need = Object::Need;

  Problems& problems_;
  Reader r_;
  Scenario s_;

  std::optional<Date> start_, end_;
  bool horizon_ok_ = false;
  // Sections whose list could be read: references into them can be checked.
  bool providers_ok_ = false, contracts_ok_ = true, workloads_ok_ = false;
  // Where an id of the providers section could not be registered (missing,
  // malformed or taken twice, or its object unreadable): the prefix of every
  // reference that may have meant it, "" for a provider (any reference),
  // "P/" for a region of P, "P/R/" for a cluster of P/R. That id's problem
  // was reported; a reference under one of these that resolves to nothing
  // is not reported again (docs/reference.md §9.1).
  std::vector<std::string> unsure_prefixes_;
  // Whether an unknown reference `ref` (a provider id, "P/R" or "P/R/C") is
  // a problem of its own: the providers section was read, and no id it may
  // have meant was left out.
  [[nodiscard]] bool reference_checkable(const std::string& ref) const;
  bool accelerators_declared_ = false;
  std::map<std::string, std::string> provider_ptr_;  // id -> pointer of its id (duplicates, lookups)
  std::set<std::string> region_paths_;
  std::map<std::string, std::string> cluster_provider_;  // "p/r/c" -> provider id
  std::map<std::string, std::vector<std::string>> clusters_of_provider_;
  std::map<std::string, std::string> contract_ptr_;
  std::vector<std::string> contract_item_ptr_;  // the pointer of each s_.contracts entry ("/contracts/3")
  std::map<std::string, std::optional<WorkloadKind>> workload_kind_;  // nullopt: its kind is wrong

  struct Reservation {
    std::string contract;
    Date start, end;
  };
  std::map<std::string, std::vector<Reservation>> reservations_;  // cluster path -> terms reserving it
  // The pointer of each s_.price_changes and s_.demand_shocks entry (its event).
  std::vector<std::string> price_change_ptr_, demand_shock_ptr_;

  // ---- shared checks (validate_common.cpp) ----

  bool claim_id(std::map<std::string, std::string>& scope, const std::string& id, const std::string& ptr,
                std::string_view scope_name);
  bool check_order(const Date& a, const std::string& a_ptr, const Date& b, const std::string& b_ptr);
  bool check_count(const Json& array, const std::string& ptr, std::size_t limit, std::string_view what);
  const Json* array_member(const Object& o, std::string_view key, Need need, std::string_view expected, bool non_empty);
  // The same, required and non-empty as the format table says.
  const Json* array_member(const Object& o, const format::Field& f, std::string_view expected);
  void use_accelerator(const std::string& name, const std::string& ptr);
  std::optional<std::string> provider_ref(const Json& v, const std::string& ptr);
  std::optional<std::string> target_ref(const Object& o);
  // A place ("p", "p/r" or "p/r/c") of this scenario at `ptr`.
  std::optional<std::string> place_ref(const Json& v, const std::string& ptr);
  std::optional<std::string> known_place(const std::string& place, const std::string& ptr);
  // A curve whose values lie in `range` (the curve field's, from the table).
  std::optional<Curve> curve(const Json& v, const std::string& ptr, const Range& range);
  std::optional<Curve> curve_member(const Object& o, const format::Field& f);

  // An object keyed by provider id (and perhaps "default"); calls `read` on
  // each entry whose key is known. Here, not in a .cpp: it takes a lambda.
  template <typename Read>
  void per_provider(const Json& v, const std::string& ptr, std::string_view expected, bool allow_default, Read read) {
    if (!r_.is_object(v, ptr, expected)) return;
    for (const auto& item : v.items()) {
      if (is_free_key(item.key())) continue;
      const std::string entry_ptr = child_pointer(ptr, item.key());
      if (!provider_ptr_.count(item.key()) && !(allow_default && item.key() == "default")) {
        auto names = keys_of(provider_ptr_);
        if (allow_default) names.push_back("default");
        problems_.add(entry_ptr, "unknown provider " + in_quotes(item.key()), one_of(names));
        continue;
      }
      read(item.key(), item.value(), entry_ptr);
    }
  }

  // ---- sections, in reading order ----

  void read_horizon(const Object& top);       // validate.cpp
  void read_accelerators(const Object& top);  // validate_providers.cpp
  void read_providers(const Object& top);
  std::vector<SlaTier> read_sla(const Object& contract);  // validate_contracts.cpp
  void read_contracts(const Object& top);
  void read_workloads(const Object& top);  // validate_workloads.cpp
  void read_policy(const Object& top);
  void read_deal_terms(const Object& policy);  // exclusivity and rofr
  std::optional<std::pair<Date, Date>> event_interval(const Object& o);  // validate_events.cpp
  std::optional<std::string> exactly_one(const Object& o, const std::string& a, const std::string& b);
  void read_price_change(const Json& v, const std::string& ptr);
  void read_events(const Object& top);
  std::optional<Distribution> distribution(const Json& v, const std::string& ptr);  // validate_uncertainty.cpp
  std::optional<OutageModel> outage_model(const Json& v, const std::string& ptr);
  // The fields an outage model and an outage zone share: rate_per_year,
  // capacity_lost_pct, duration_hours of `o` (described by `spec`).
  std::optional<OutageModel> outage_process(Object& o, const format::ObjectSpec& spec);
  void read_uncertainty(const Object& top);
  void read_correlation(const Json& v, const std::string& ptr);  // validate_correlation.cpp
  void read_price_correlation(const Json& v, const std::string& ptr);
  void read_outage_zones(const Json& v, const std::string& ptr);
  void read_negotiation(const Object& top);
  void read_finance(const Object& top);  // validate.cpp
  void read_output(const Object& top);
  void check_timeseries_size();
  // Bounds several fields make together, and the worst case of a path
  // (validate_bounds.cpp, scenario/cost_bound.hpp); only on a scenario with
  // no other problem.
  void check_bounds();
  bool check_sampled_models();
  bool check_derived_sizes();
  void check_worst_case();
};

}  // namespace cloudpact::scenario_json::validation
