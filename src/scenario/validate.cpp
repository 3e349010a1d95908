// Reads a scenario document into the typed model, checking every rule of
// SPEC §2 and §9 on the way. Sections are read in dependency order (horizon,
// accelerators, providers, contracts, workloads, then what refers to them) so
// each cross-reference is checked against what is already known. A bad value
// is reported once: what depends on it is skipped rather than reported again.
#include "scenario/validate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "scenario/limits.hpp"

namespace cloudpact::scenario_json {
namespace {

using Need = Object::Need;

const std::vector<std::string> top_keys{"accelerators", "contracts",   "end",         "events",
                                        "name",         "negotiation", "output",      "policy",
                                        "providers",    "start",       "uncertainty", "workloads"};
const std::vector<std::string> common_workload_keys{"id", "kind", "priority", "providers"};
const std::vector<std::string> inference_keys{"demand_gpus", "value_usd_per_gpu_hour"};
const std::vector<std::string> training_keys{"checkpoint_hours", "dataset_tb", "flops", "gpus", "mfu",
                                             "restart_hours",    "submit"};
const std::vector<std::string> event_types{"delivery_delay", "demand_shock", "outage", "price_change"};
const std::vector<std::string> provider_price_keys{"accelerator", "date", "factor", "on_demand_usd_per_gpu_hour",
                                                   "target",      "type"};
const std::vector<std::string> contract_price_keys{"contract", "date", "factor", "price_usd_per_gpu_hour", "type"};

const char* const curve_expected = "a number >= 0 or a {\"shape\", \"points\"} curve";
const char* const points_expected = "a non-empty array of [date, value] points";
const char* const target_expected = "a provider \"p\", region \"p/r\" or cluster \"p/r/c\" of this scenario";
const char* const memory_note = "; more would not fit in memory";

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The string member `key` of `v`, if `v` is an object that has one: read
// before the Object itself so the allowed keys can depend on it (a workload's
// kind, an event's type).
std::string peek_string(const Json& v, const char* key) {
  if (!v.is_object()) return {};
  const auto it = v.find(key);
  return it != v.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

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

  Scenario build(const Json& doc) {
    Object top(r_, doc, "", "a scenario object", top_keys);
    if (!top.ok()) return std::move(s_);
    read_horizon(top);
    read_accelerators(top);
    read_providers(top);
    read_contracts(top);
    read_workloads(top);
    read_policy(top);
    read_events(top);
    read_uncertainty(top);
    read_negotiation(top);
    read_output(top);
    check_timeseries_size();
    return std::move(s_);
  }

 private:
  Problems& problems_;
  Reader r_;
  Scenario s_;

  std::optional<Date> start_, end_;
  bool horizon_ok_ = false;
  // Sections whose list could be read: references into them can be checked.
  bool providers_ok_ = false, contracts_ok_ = true, workloads_ok_ = false;
  bool accelerators_declared_ = false;
  std::map<std::string, std::string> provider_ptr_;  // id -> pointer of its id (duplicates, lookups)
  std::set<std::string> region_paths_;
  std::map<std::string, std::string> cluster_provider_;  // "p/r/c" -> provider id
  std::map<std::string, std::vector<std::string>> clusters_of_provider_;
  std::map<std::string, std::string> contract_ptr_;
  std::map<std::string, std::optional<WorkloadKind>> workload_kind_;  // nullopt: its kind is wrong

  struct Reservation {
    std::string contract;
    Date start, end;
  };
  std::map<std::string, std::vector<Reservation>> reservations_;  // cluster path -> terms reserving it

  // ---- shared checks ----

  // Records `id` in a scope; a second use is reported where it happens.
  bool claim_id(std::map<std::string, std::string>& scope, const std::string& id, const std::string& ptr,
                std::string_view scope_name) {
    const auto [it, fresh] = scope.emplace(id, ptr);
    if (!fresh)
      problems_.add(ptr, "duplicate id " + in_quotes(id),
                    "an id unique among " + std::string(scope_name) + ", first used at " + it->second);
    return fresh;
  }

  // `b` must come strictly after `a` (a term, an event, the horizon).
  bool check_order(const Date& a, const std::string& a_ptr, const Date& b, const std::string& b_ptr) {
    if (b.epoch_s > a.epoch_s) return true;
    problems_.add(b_ptr, b.epoch_s < a.epoch_s ? "ends before it starts" : "ends when it starts",
                  "a date after " + a_ptr + " " + a.text);
    return false;
  }

  bool check_count(const Json& array, const std::string& ptr, std::size_t limit, std::string_view what) {
    if (array.size() <= limit) return true;
    problems_.add(ptr, "too many " + std::string(what) + ": " + std::to_string(array.size()),
                  "at most " + std::to_string(limit) + " " + std::string(what) + memory_note);
    return false;
  }

  // An array member; reports a wrong type, and an empty array when `non_empty`.
  const Json* array_member(const Object& o, std::string_view key, Need need, std::string_view expected,
                           bool non_empty) {
    const Json* v = need == Need::required ? o.require(key, expected) : o.find(key);
    if (!v || !r_.is_array(*v, o.at(key), expected)) return nullptr;
    if (non_empty && v->empty()) {
      problems_.add(o.at(key), "empty", expected);
      return nullptr;
    }
    return v;
  }

  void use_accelerator(const std::string& name, const std::string& ptr) {
    if (s_.accelerators.count(name)) return;
    if (accelerators_declared_) {
      problems_.add(ptr, "unknown accelerator " + in_quotes(name), one_of(keys_of(s_.accelerators)));
      return;
    }
    // Without an `accelerators` section every name used stands for itself
    // with the defaults (SPEC 2.1: h100_equiv defaults to 1).
    s_.accelerators[name] = Accelerator{name, 1.0, 1.0};
  }

  // A reference to a provider. When the providers section itself is broken,
  // that was reported once: references to it are not reported again.
  std::optional<std::string> provider_ref(const Json& v, const std::string& ptr) {
    auto id = r_.string(v, ptr, "a provider id");
    if (!id) return std::nullopt;
    if (provider_ptr_.count(*id)) return id;
    if (providers_ok_) problems_.add(ptr, "unknown provider " + in_quotes(*id), one_of(keys_of(provider_ptr_)));
    return std::nullopt;
  }

  std::optional<std::string> target_ref(const Object& o) {
    auto target = o.string("target", target_expected, Need::required);
    if (!target) return std::nullopt;
    if (provider_ptr_.count(*target) || region_paths_.count(*target) || cluster_provider_.count(*target)) return target;
    if (providers_ok_) problems_.add(o.at("target"), "unknown target " + in_quotes(*target), target_expected);
    return std::nullopt;
  }

  std::optional<Curve> curve(const Json& v, const std::string& ptr) {
    if (v.is_number()) {
      const auto x = r_.number(v, ptr, Range::at_least(0));
      return x ? std::optional<Curve>(Curve::make_constant(*x)) : std::nullopt;
    }
    if (!v.is_object()) {
      problems_.add(ptr, "is " + type_phrase(v), curve_expected);
      return std::nullopt;
    }
    Object o(r_, v, ptr, curve_expected, {"points", "shape"});
    const auto shape = o.choice("shape", "shape", {"linear", "step"}, Need::required);
    const Json* pts = array_member(o, "points", Need::required, points_expected, false);
    if (!pts) return std::nullopt;
    const std::string pts_ptr = o.at("points");
    if (pts->empty()) {
      problems_.add(pts_ptr, "empty curve", "at least one [date, value] point");
      return std::nullopt;
    }
    if (!check_count(*pts, pts_ptr, limits::max_curve_points, "points")) return std::nullopt;

    std::vector<std::pair<double, double>> points;
    points.reserve(pts->size());
    bool good = true;
    std::optional<Date> previous;
    for (std::size_t i = 0; i < pts->size(); ++i) {
      const Json& pt = (*pts)[i];
      const std::string pt_ptr = child_pointer(pts_ptr, i);
      if (!pt.is_array() || pt.size() != 2) {
        const std::string what = !pt.is_array()   ? "is " + type_phrase(pt)
                                 : pt.size() == 1 ? std::string("has 1 element")
                                                  : "has " + std::to_string(pt.size()) + " elements";
        problems_.add(pt_ptr, what, "a [date, value] pair");
        good = false;
        continue;
      }
      const auto date = r_.date(pt[0], child_pointer(pt_ptr, 0));
      const auto value = r_.number(pt[1], child_pointer(pt_ptr, 1), Range::at_least(0));
      if (!date || !value) good = false;
      if (!date) continue;
      if (previous && date->epoch_s <= previous->epoch_s) {
        problems_.add(child_pointer(pt_ptr, 0),
                      date->text + " is not after the previous point's date " + previous->text,
                      "strictly increasing dates");
        good = false;
      }
      previous = date;
      if (value) points.emplace_back(s_.to_sim_s(date->epoch_s), *value);
    }
    if (!good || !shape) return std::nullopt;
    return *shape == "step" ? Curve::make_step(std::move(points)) : Curve::make_linear(std::move(points));
  }

  std::optional<Curve> curve_member(const Object& o, std::string_view key, Need need) {
    const Json* v = need == Need::required ? o.require(key, curve_expected) : o.find(key);
    return v ? curve(*v, o.at(key)) : std::nullopt;
  }

  // ---- sections ----

  void read_horizon(const Object& top) {
    if (const Json* name = top.require("name", "a name matching [A-Za-z0-9][A-Za-z0-9._-]*")) {
      const auto text = r_.string(*name, "/name", "a name matching [A-Za-z0-9][A-Za-z0-9._-]*");
      // The name becomes the output folder out/<name>/: no separators, no "..".
      if (text && !is_valid_id(*text))
        problems_.add("/name", "invalid name " + in_quotes(*text),
                      "a name matching [A-Za-z0-9][A-Za-z0-9._-]*, used as a folder name");
      else if (text)
        s_.name = *text;
    }
    start_ = top.date("start");
    end_ = top.date("end");
    if (start_) s_.start_epoch_s = start_->epoch_s;
    if (end_) s_.end_epoch_s = end_->epoch_s;
    if (start_ && end_) horizon_ok_ = check_order(*start_, "/start", *end_, "/end");
    if (horizon_ok_) s_.horizon_s = static_cast<double>(s_.end_epoch_s - s_.start_epoch_s);
  }

  void read_accelerators(const Object& top) {
    const Json* section = top.find("accelerators");
    if (!section || !r_.is_object(*section, "/accelerators", "an object of accelerator id -> {h100_equiv, kw}")) return;
    accelerators_declared_ = true;
    for (const auto& item : section->items()) {
      if (is_free_key(item.key())) continue;
      const std::string ptr = child_pointer("/accelerators", item.key());
      if (!is_valid_id(item.key())) {
        problems_.add(ptr, "invalid id " + in_quotes(item.key()), id_expected);
        continue;
      }
      Accelerator a{item.key(), 1.0, 1.0};
      Object o(r_, item.value(), ptr, "an accelerator object {h100_equiv, kw}", {"h100_equiv", "kw"});
      a.h100_equiv = o.number_or("h100_equiv", Range::above(0), 1.0);
      a.kw = o.number_or("kw", Range::at_least(0), 1.0);
      // Declared even when its numbers are wrong: references to it are fine.
      s_.accelerators[a.id] = a;
    }
  }

  void read_providers(const Object& top) {
    const Json* list = array_member(top, "providers", Need::required, "a non-empty array of providers", true);
    if (!list) return;
    providers_ok_ = true;
    std::size_t total_clusters = 0;
    for (const Json& p : *list) {
      const Json* regions = p.is_object() && p.contains("regions") ? &p["regions"] : nullptr;
      if (regions && regions->is_array())
        for (const Json& region : *regions)
          if (region.is_object() && region.contains("clusters") && region["clusters"].is_array())
            total_clusters += region["clusters"].size();
    }
    if (total_clusters > limits::max_clusters) {
      // Refused whole: checking each of them would only add noise to the one
      // line that matters.
      providers_ok_ = false;
      problems_.add("/providers", "too many clusters: " + std::to_string(total_clusters),
                    "at most " + std::to_string(limits::max_clusters) + " clusters" + memory_note);
      return;
    }

    for (std::size_t i = 0; i < list->size(); ++i) {
      Object o(r_, (*list)[i], child_pointer("/providers", i), "a provider object",
               {"egress_usd_per_gb", "id", "on_demand_usd_per_gpu_hour", "regions"});
      if (!o.ok()) continue;
      Provider provider;
      const auto id = o.id("id");
      const bool id_ok = id && claim_id(provider_ptr_, *id, o.at("id"), "providers");
      if (id) provider.id = *id;
      if (const Json* prices = o.find("on_demand_usd_per_gpu_hour");
          prices && r_.is_object(*prices, o.at("on_demand_usd_per_gpu_hour"),
                                 "an object of accelerator id -> price per GPU-hour")) {
        for (const auto& item : prices->items()) {
          if (is_free_key(item.key())) continue;
          const std::string ptr = child_pointer(o.at("on_demand_usd_per_gpu_hour"), item.key());
          if (!is_valid_id(item.key())) {
            problems_.add(ptr, "invalid id " + in_quotes(item.key()), id_expected);
            continue;
          }
          use_accelerator(item.key(), ptr);
          if (const auto price = r_.number(item.value(), ptr, Range::at_least(0)))
            provider.on_demand_usd_per_gpu_hour[item.key()] = *price;
        }
      }
      provider.egress_usd_per_gb = o.number_or("egress_usd_per_gb", Range::at_least(0), 0.0);
      const Json* regions = array_member(o, "regions", Need::required, "a non-empty array of regions", true);
      std::map<std::string, std::string> region_ids;
      for (std::size_t j = 0; regions && j < regions->size(); ++j) {
        Object ro(r_, (*regions)[j], child_pointer(o.at("regions"), j), "a region object", {"clusters", "id"});
        if (!ro.ok()) continue;
        Region region;
        const auto rid = ro.id("id");
        const bool rid_ok = rid && claim_id(region_ids, *rid, ro.at("id"), "the provider's regions");
        if (rid) region.id = *rid;
        const std::string region_path = provider.id + "/" + region.id;
        if (id_ok && rid_ok) region_paths_.insert(region_path);
        const Json* clusters = array_member(ro, "clusters", Need::required, "a non-empty array of clusters", true);
        std::map<std::string, std::string> cluster_ids;
        for (std::size_t k = 0; clusters && k < clusters->size(); ++k) {
          Object co(r_, (*clusters)[k], child_pointer(ro.at("clusters"), k), "a cluster object",
                    {"accelerator", "capacity_gpus", "id"});
          if (!co.ok()) continue;
          Cluster cluster;
          const auto cid = co.id("id");
          const bool cid_ok = cid && claim_id(cluster_ids, *cid, co.at("id"), "the region's clusters");
          if (cid) cluster.id = *cid;
          cluster.path = region_path + "/" + cluster.id;
          if (id_ok && rid_ok && cid_ok) {
            cluster_provider_[cluster.path] = provider.id;
            clusters_of_provider_[provider.id].push_back(cluster.path);
          }
          if (const auto accel = co.id("accelerator")) {
            use_accelerator(*accel, co.at("accelerator"));
            cluster.accelerator = *accel;
          }
          if (auto capacity = curve_member(co, "capacity_gpus", Need::required)) {
            // Each physical GPU becomes a core of the cluster's SimGrid host.
            if (capacity->max_value() > limits::max_gpus_per_cluster)
              problems_.add(
                  co.at("capacity_gpus"), "too many GPUs in one cluster: " + number_text(capacity->max_value()),
                  "at most " + number_text(limits::max_gpus_per_cluster) + " physical GPUs per cluster" + memory_note);
            cluster.capacity_gpus = std::move(*capacity);
          }
          region.clusters.push_back(std::move(cluster));
        }
        provider.regions.push_back(std::move(region));
      }
      s_.providers.push_back(std::move(provider));
    }
  }

  std::vector<SlaTier> read_sla(const Object& contract) {
    std::vector<SlaTier> tiers;
    const Json* sla = contract.find("sla");
    if (!sla) return tiers;
    Object o(r_, *sla, contract.at("sla"), "an SLA object {\"credits\": [...]}", {"credits"});
    const char* const expected = "an array of {below_pct, credit_pct} tiers";
    const Json* credits = array_member(o, "credits", Need::required, expected, false);
    std::map<double, std::string> seen;  // below_pct -> pointer
    for (std::size_t i = 0; credits && i < credits->size(); ++i) {
      Object to(r_, (*credits)[i], child_pointer(o.at("credits"), i), "an SLA tier {below_pct, credit_pct}",
                {"below_pct", "credit_pct"});
      const auto below = to.number("below_pct", Range::open_closed(0, 100), Need::required);
      const auto credit = to.number("credit_pct", Range::closed(0, 100), Need::required);
      if (!below || !credit) continue;
      if (const auto [it, fresh] = seen.emplace(*below, to.at("below_pct")); !fresh) {
        problems_.add(to.at("below_pct"), "duplicate tier below_pct " + number_text(*below),
                      "each below_pct once, first at " + it->second);
        continue;
      }
      tiers.push_back({*below, *credit});
    }
    // The credit uses the tier with the lowest below_pct that availability is
    // strictly below: ascending order makes that the first match.
    std::sort(tiers.begin(), tiers.end(), [](const SlaTier& a, const SlaTier& b) { return a.below_pct < b.below_pct; });
    return tiers;
  }

  void read_contracts(const Object& top) {
    const Json* list = array_member(top, "contracts", Need::optional, "an array of contracts", false);
    contracts_ok_ = !top.has("contracts");
    if (!list || !check_count(*list, "/contracts", limits::max_contracts, "contracts")) return;
    contracts_ok_ = true;
    for (std::size_t i = 0; i < list->size(); ++i) {
      Object o(r_, (*list)[i], child_pointer("/contracts", i), "a contract object",
               {"billing", "clusters", "commitment_usd", "end", "exit_fee_pct_of_remaining", "id",
                "min_spend_usd_per_year", "price_usd_per_gpu_hour", "provider", "sla", "start"});
      if (!o.ok()) continue;
      Contract c;
      if (const auto id = o.id("id")) {
        claim_id(contract_ptr_, *id, o.at("id"), "contracts");
        c.id = *id;
      }
      const Json* provider_json = o.require("provider", "a provider id");
      const auto provider = provider_json ? provider_ref(*provider_json, o.at("provider")) : std::nullopt;
      if (provider) c.provider = *provider;
      const auto start = o.date("start");
      const auto end = o.date("end");
      const bool term_ok = start && end && check_order(*start, o.at("start"), *end, o.at("end"));
      if (start) {
        c.start_epoch_s = start->epoch_s;
        c.start_s = s_.to_sim_s(start->epoch_s);
      }
      if (end) {
        c.end_epoch_s = end->epoch_s;
        c.end_s = s_.to_sim_s(end->epoch_s);
      }

      const char* const clusters_expected = "a non-empty array of cluster paths \"provider/region/cluster\"";
      const Json* clusters = array_member(o, "clusters", Need::required, clusters_expected, true);
      std::map<std::string, std::string> listed;
      for (std::size_t k = 0; clusters && k < clusters->size(); ++k) {
        const std::string ptr = child_pointer(o.at("clusters"), k);
        const auto path = r_.string((*clusters)[k], ptr, "a cluster path \"provider/region/cluster\"");
        if (!path) continue;
        const auto owner = cluster_provider_.find(*path);
        if (owner == cluster_provider_.end() && !providers_ok_) continue;
        if (owner == cluster_provider_.end()) {
          const auto own = provider ? clusters_of_provider_.find(*provider) : clusters_of_provider_.end();
          problems_.add(ptr, "unknown cluster " + in_quotes(*path),
                        one_of(own != clusters_of_provider_.end() ? own->second : keys_of(cluster_provider_)));
          continue;
        }
        if (provider && owner->second != *provider) {
          problems_.add(ptr, "cluster " + in_quotes(*path) + " belongs to provider " + in_quotes(owner->second),
                        "a cluster of provider " + in_quotes(*provider));
          continue;
        }
        if (const auto [it, fresh] = listed.emplace(*path, ptr); !fresh) {
          problems_.add(ptr, "cluster " + in_quotes(*path) + " listed twice",
                        "each cluster once, first at " + it->second);
          continue;
        }
        c.clusters.push_back(*path);
        if (!term_ok) continue;
        auto& terms = reservations_[*path];
        for (const Reservation& other : terms) {
          if (start->epoch_s < other.end.epoch_s && other.start.epoch_s < end->epoch_s) {
            problems_.add(ptr,
                          "cluster " + in_quotes(*path) + " is already reserved by contract " +
                              in_quotes(other.contract) + " from " + other.start.text + " to " + other.end.text,
                          "a term that does not overlap");
            break;
          }
        }
        terms.push_back({c.id, *start, *end});
      }

      if (const auto billing = o.choice("billing", "billing", {"reserved", "usage"}))
        c.billing = *billing == "usage" ? Billing::usage : Billing::reserved;
      if (auto price = curve_member(o, "price_usd_per_gpu_hour", Need::required))
        c.price_usd_per_gpu_hour = std::move(*price);
      c.commitment_usd = o.number("commitment_usd", Range::at_least(0));
      c.min_spend_usd_per_year = o.number_or("min_spend_usd_per_year", Range::at_least(0), 0.0);
      c.sla_credits = read_sla(o);
      c.exit_fee_pct_of_remaining = o.number_or("exit_fee_pct_of_remaining", Range::closed(0, 100), 0.0);
      s_.contracts.push_back(std::move(c));
    }
  }

  void read_workloads(const Object& top) {
    const Json* list = array_member(top, "workloads", Need::required, "an array of workloads", false);
    if (!list || !check_count(*list, "/workloads", limits::max_workloads, "workloads")) return;
    workloads_ok_ = true;
    std::map<std::string, std::string> ids;
    std::vector<std::string> all_providers;
    for (const Provider& p : s_.providers)
      if (!p.id.empty()) all_providers.push_back(p.id);

    for (std::size_t i = 0; i < list->size(); ++i) {
      const Json& v = (*list)[i];
      const std::string kind = peek_string(v, "kind");
      std::vector<std::string> allowed = concat(common_workload_keys, inference_keys);
      if (kind == "training")
        allowed = concat(common_workload_keys, training_keys);
      else if (kind != "inference")
        allowed = concat(allowed, training_keys);  // the kind itself is what is wrong
      const std::string unknown =
          kind == "inference" || kind == "training" ? "unknown key for kind " + in_quotes(kind) : "unknown key";
      Object o(r_, v, child_pointer("/workloads", i), "a workload object", allowed, unknown);
      if (!o.ok()) continue;
      Workload w;
      if (const auto id = o.id("id")) {
        w.id = *id;
      }
      const auto kind_ok = o.choice("kind", "kind", {"inference", "training"}, Need::required);
      w.kind = kind_ok && *kind_ok == "training" ? WorkloadKind::training : WorkloadKind::inference;
      if (!w.id.empty() && claim_id(ids, w.id, o.at("id"), "workloads"))
        workload_kind_[w.id] = kind_ok ? std::optional<WorkloadKind>(w.kind) : std::nullopt;

      w.providers = all_providers;
      if (const Json* providers =
              array_member(o, "providers", Need::optional, "a non-empty array of provider ids", true)) {
        w.providers.clear();
        std::map<std::string, std::string> listed;
        for (std::size_t k = 0; k < providers->size(); ++k) {
          const std::string ptr = child_pointer(o.at("providers"), k);
          const auto p = provider_ref((*providers)[k], ptr);
          if (!p) continue;
          if (const auto [it, fresh] = listed.emplace(*p, ptr); !fresh) {
            problems_.add(ptr, "provider " + in_quotes(*p) + " listed twice",
                          "each provider once, first at " + it->second);
            continue;
          }
          w.providers.push_back(*p);
        }
      }
      if (const auto priority = o.integer("priority", Range::any())) {
        if (*priority < std::numeric_limits<int>::min() || *priority > std::numeric_limits<int>::max())
          problems_.add(o.at("priority"), "out of range: " + std::to_string(*priority),
                        "an integer in [" + std::to_string(std::numeric_limits<int>::min()) + ", " +
                            std::to_string(std::numeric_limits<int>::max()) + "]");
        else
          w.priority = static_cast<int>(*priority);
      }

      if (w.kind == WorkloadKind::inference && kind_ok) {
        if (auto demand = curve_member(o, "demand_gpus", Need::required)) w.demand_gpus = std::move(*demand);
        w.value_usd_per_gpu_hour = o.number_or("value_usd_per_gpu_hour", Range::at_least(0), 0.0);
      } else if (kind_ok) {
        if (const auto submit = o.date("submit")) {
          w.submit_epoch_s = submit->epoch_s;
          w.submit_s = s_.to_sim_s(submit->epoch_s);
        }
        w.flops = o.number("flops", Range::above(0), Need::required).value_or(0.0);
        w.gpus = o.number("gpus", Range::above(0), Need::required).value_or(0.0);
        w.mfu = o.number_or("mfu", Range::open_closed(0, 1), 0.4);
        w.checkpoint_hours = o.number_or("checkpoint_hours", Range::at_least(0), 0.0);
        w.restart_hours = o.number_or("restart_hours", Range::at_least(0), 0.0);
        w.dataset_tb = o.number_or("dataset_tb", Range::at_least(0), 0.0);
      }
      s_.workloads.push_back(std::move(w));
    }
  }

  void read_policy(const Object& top) {
    const Json* section = top.find("policy");
    if (!section) return;
    Object o(r_, *section, "/policy", "a policy object {placement, vendor}", {"placement", "vendor"});
    const auto placement = o.choice("placement", "placement", {"cheapest", "primary", "single_vendor"});
    if (!placement) return;
    if (*placement == "single_vendor") {
      s_.policy.placement = Placement::single_vendor;
      const Json* vendor = o.require("vendor", "a provider id, required with placement \"single_vendor\"");
      if (const auto id = vendor ? provider_ref(*vendor, o.at("vendor")) : std::nullopt) s_.policy.vendor = *id;
      return;
    }
    s_.policy.placement = *placement == "primary" ? Placement::primary : Placement::cheapest;
    if (o.has("vendor"))
      problems_.add(o.at("vendor"), "not allowed with placement " + in_quotes(*placement),
                    "a vendor only with placement \"single_vendor\"");
  }

  // An event's [start, end) must be ordered and must touch the horizon.
  std::optional<std::pair<Date, Date>> event_interval(const Object& o) {
    const auto start = o.date("start");
    const auto end = o.date("end");
    if (!start || !end || !check_order(*start, o.at("start"), *end, o.at("end"))) return std::nullopt;
    if (horizon_ok_ && end->epoch_s <= start_->epoch_s) {
      problems_.add(o.at("end"), "event is entirely before the horizon", "a date after /start " + start_->text);
      return std::nullopt;
    }
    if (horizon_ok_ && start->epoch_s >= end_->epoch_s) {
      problems_.add(o.at("start"), "event is entirely after the horizon", "a date before /end " + end_->text);
      return std::nullopt;
    }
    return std::make_pair(*start, *end);
  }

  // Exactly one of two keys (a new price or a factor).
  std::optional<std::string> exactly_one(const Object& o, const std::string& a, const std::string& b) {
    const std::string expected = "exactly one of " + a + " or " + b;
    if (o.has(a) && o.has(b)) {
      problems_.add(o.at(b), "not allowed together with " + a, expected);
      return std::nullopt;
    }
    if (!o.has(a) && !o.has(b)) {
      problems_.add(o.ptr(), "missing a new price", expected);
      return std::nullopt;
    }
    return o.has(a) ? a : b;
  }

  void read_price_change(const Json& v, const std::string& ptr) {
    const bool on_contract = v.contains("contract") && !v.contains("target");
    const bool on_provider = v.contains("target") && !v.contains("contract");
    const std::vector<std::string> allowed = on_contract   ? contract_price_keys
                                             : on_provider ? provider_price_keys
                                                           : concat(provider_price_keys, contract_price_keys);
    Object o(
        r_, v, ptr, "an event object", allowed,
        on_contract ? "unknown key for a price_change on a contract" : "unknown key for a price_change on a provider");
    PriceChangeEvent e;
    const auto date = o.date("date");
    if (date) {
      e.date_s = s_.to_sim_s(date->epoch_s);
      if (horizon_ok_ && date->epoch_s >= end_->epoch_s)
        problems_.add(o.at("date"), "event is after the horizon", "a date before /end " + end_->text);
    }
    bool ok = date && !(horizon_ok_ && date->epoch_s >= end_->epoch_s);
    if (!on_contract && !on_provider) {
      const bool both = o.has("target");
      problems_.add(both ? o.ptr() : o.at("target"), both ? "has both target and contract" : "missing",
                    "a provider id in target, or a contract id in contract");
      return;
    }
    if (on_provider) {
      const auto target = provider_ref(*o.find("target"), o.at("target"));
      if (target) e.target = *target;
      ok = ok && target;
      if (const auto accel = o.id("accelerator", Need::optional)) {
        use_accelerator(*accel, o.at("accelerator"));
        e.accelerator = *accel;
      }
    } else {
      const auto contract = o.string("contract", "a contract id", Need::required);
      if (contract && !contract_ptr_.count(*contract)) {
        if (contracts_ok_)
          problems_.add(o.at("contract"), "unknown contract " + in_quotes(*contract), one_of(keys_of(contract_ptr_)));
        ok = false;
      }
      if (contract) e.contract = *contract;
    }
    const std::string price_key = on_provider ? "on_demand_usd_per_gpu_hour" : "price_usd_per_gpu_hour";
    const auto which = exactly_one(o, price_key, "factor");
    if (which && *which == "factor") {
      e.factor = o.number("factor", Range::above(0));
      ok = ok && e.factor;
    } else if (which) {
      e.set_usd_per_gpu_hour = o.number(price_key, Range::at_least(0));
      ok = ok && e.set_usd_per_gpu_hour;
    }
    if (ok && which) s_.price_changes.push_back(std::move(e));
  }

  void read_events(const Object& top) {
    const Json* list = array_member(top, "events", Need::optional, "an array of events", false);
    if (!list || !check_count(*list, "/events", limits::max_events, "events")) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Json& v = (*list)[i];
      const std::string ptr = child_pointer("/events", i);
      if (!r_.is_object(v, ptr, "an event object")) continue;
      const std::string type = peek_string(v, "type");
      if (std::find(event_types.begin(), event_types.end(), type) == event_types.end()) {
        if (const Json* t = v.contains("type") ? &v["type"] : nullptr)
          r_.choice(*t, child_pointer(ptr, "type"), "event type", event_types);
        else
          problems_.add(child_pointer(ptr, "type"), "missing", one_of(event_types));
        continue;  // without a type the other keys mean nothing
      }
      if (type == "price_change") {
        read_price_change(v, ptr);
        continue;
      }
      const std::string unknown = "unknown key for type " + in_quotes(type);
      if (type == "outage") {
        Object o(r_, v, ptr, "an event object", {"capacity_lost_pct", "end", "start", "target", "type"}, unknown);
        OutageEvent e;
        const auto target = target_ref(o);
        const auto when = event_interval(o);
        const auto lost = o.number("capacity_lost_pct", Range::open_closed(0, 100));
        if (!target || !when || (o.has("capacity_lost_pct") && !lost)) continue;
        e.target = *target;
        e.start_s = s_.to_sim_s(when->first.epoch_s);
        e.end_s = s_.to_sim_s(when->second.epoch_s);
        e.capacity_lost_pct = lost.value_or(100.0);
        s_.outages.push_back(std::move(e));
      } else if (type == "delivery_delay") {
        Object o(r_, v, ptr, "an event object", {"days", "target", "type"}, unknown);
        const auto target = target_ref(o);
        const auto days = o.number("days", Range::at_least(0), Need::required);
        if (target && days) s_.delivery_delays.push_back({*target, *days});
      } else {  // demand_shock
        Object o(r_, v, ptr, "an event object", {"end", "factor", "start", "type", "workload"}, unknown);
        DemandShockEvent e;
        const auto workload = o.string("workload", "an inference workload id", Need::required);
        bool ok = workload.has_value();
        if (workload) {
          const auto it = workload_kind_.find(*workload);
          if (it == workload_kind_.end()) {
            std::vector<std::string> inference;
            for (const auto& [id, kind] : workload_kind_)
              if (kind == WorkloadKind::inference) inference.push_back(id);
            if (workloads_ok_)
              problems_.add(o.at("workload"), "unknown workload " + in_quotes(*workload), one_of(inference));
            ok = false;
          } else if (!it->second) {
            ok = false;  // its kind is wrong, and was reported
          } else if (*it->second != WorkloadKind::inference) {
            problems_.add(o.at("workload"), "workload " + in_quotes(*workload) + " is a training workload",
                          "an inference workload");
            ok = false;
          }
          e.workload = *workload;
        }
        const auto when = event_interval(o);
        const auto factor = o.number("factor", Range::at_least(0), Need::required);
        if (!ok || !when || !factor) continue;
        e.start_s = s_.to_sim_s(when->first.epoch_s);
        e.end_s = s_.to_sim_s(when->second.epoch_s);
        e.factor = *factor;
        s_.demand_shocks.push_back(std::move(e));
      }
    }
  }

  std::optional<Distribution> distribution(const Json& v, const std::string& ptr) {
    const std::string dist = peek_string(v, "dist");
    const std::vector<std::string> allowed = dist == "fixed" ? std::vector<std::string>{"dist", "value"}
                                             : dist == "lognormal"
                                                 ? std::vector<std::string>{"dist", "median", "sigma"}
                                                 : std::vector<std::string>{"dist", "median", "sigma", "value"};
    const std::string unknown =
        dist == "fixed" || dist == "lognormal" ? "unknown key for dist " + in_quotes(dist) : "unknown key";
    Object o(r_, v, ptr, "a distribution {\"dist\": \"lognormal\" | \"fixed\", ...}", allowed, unknown);
    const auto kind = o.choice("dist", "dist", {"fixed", "lognormal"}, Need::required);
    if (!kind) return std::nullopt;
    Distribution d;
    if (*kind == "fixed") {
      d.kind = Distribution::Kind::fixed;
      const auto value = o.number("value", Range::at_least(0), Need::required);
      if (!value) return std::nullopt;
      d.value = *value;
    } else {
      d.kind = Distribution::Kind::lognormal;
      const auto median = o.number("median", Range::above(0), Need::required);
      const auto sigma = o.number("sigma", Range::at_least(0), Need::required);
      if (!median || !sigma) return std::nullopt;
      d.median = *median;
      d.sigma = *sigma;
    }
    return d;
  }

  std::optional<OutageModel> outage_model(const Json& v, const std::string& ptr) {
    Object o(r_, v, ptr, "an outage model {rate_per_year, capacity_lost_pct, duration_hours}",
             {"capacity_lost_pct", "duration_hours", "rate_per_year"});
    if (!o.ok()) return std::nullopt;
    OutageModel m;
    const auto rate = o.number("rate_per_year", Range::at_least(0), Need::required);
    m.capacity_lost_pct = o.number_or("capacity_lost_pct", Range::open_closed(0, 100), 100.0);
    const Json* duration = o.require("duration_hours", "a distribution {\"dist\": \"lognormal\" | \"fixed\", ...}");
    const auto dist = duration ? distribution(*duration, o.at("duration_hours")) : std::nullopt;
    if (!rate || !dist) return std::nullopt;
    m.rate_per_year = *rate;
    m.duration_hours = *dist;
    return m;
  }

  // An object keyed by provider id (and perhaps "default"); calls `read` on
  // each entry whose key is known.
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

  void read_uncertainty(const Object& top) {
    const Json* section = top.find("uncertainty");
    if (!section) return;
    Uncertainty& u = s_.uncertainty;
    u.present = true;
    Object o(r_, *section, "/uncertainty", "an uncertainty object",
             {"delivery", "demand", "outages", "paths", "prices", "seed"});
    if (!o.ok()) return;
    u.paths = o.integer("paths", Range::at_least(1).at_most(static_cast<double>(limits::max_paths))).value_or(u.paths);
    u.seed =
        static_cast<std::uint64_t>(o.integer("seed", Range::at_least(0)).value_or(static_cast<std::int64_t>(u.seed)));
    if (const Json* outages = o.find("outages")) {
      per_provider(*outages, o.at("outages"), "an object of \"default\" or provider id -> outage model", true,
                   [&](const std::string& key, const Json& v, const std::string& ptr) {
                     const auto model = outage_model(v, ptr);
                     if (!model) return;
                     if (key == "default")
                       u.default_outages = *model;
                     else
                       u.provider_outages[key] = *model;
                   });
    }
    if (const Json* prices = o.find("prices")) {
      per_provider(*prices, o.at("prices"), "an object of provider id -> price model", false,
                   [&](const std::string& key, const Json& v, const std::string& ptr) {
                     Object po(r_, v, ptr, "a price model object",
                               {"drift_per_year", "jump_mean_pct", "jump_rate_per_year", "jump_sd_pct", "model",
                                "vol_per_year"});
                     if (!po.ok()) return;
                     po.choice("model", "price model", {"gbm"});
                     PriceModel m;
                     m.drift_per_year = po.number_or("drift_per_year", Range::any(), 0.0);
                     m.vol_per_year = po.number_or("vol_per_year", Range::at_least(0), 0.0);
                     m.jump_rate_per_year = po.number_or("jump_rate_per_year", Range::at_least(0), 0.0);
                     m.jump_mean_pct = po.number_or("jump_mean_pct", Range::above(-100), 0.0);
                     m.jump_sd_pct = po.number_or("jump_sd_pct", Range::at_least(0), 0.0);
                     u.prices[key] = m;
                   });
    }
    if (const Json* demand = o.find("demand")) {
      Object d(r_, *demand, o.at("demand"), "a demand model {vol_per_year}", {"vol_per_year"});
      u.demand_vol_per_year = d.number_or("vol_per_year", Range::at_least(0), 0.0);
    }
    if (const Json* delivery = o.find("delivery")) {
      Object d(r_, *delivery, o.at("delivery"), "a delivery model {p_on_time, delay_days}",
               {"delay_days", "p_on_time"});
      if (!d.ok()) return;
      const auto p = d.number("p_on_time", Range::closed(0, 1));
      u.delivery_p_on_time = p.value_or(1.0);
      const Json* delay = p && *p < 1.0 ? d.require("delay_days", "a delay distribution, required when p_on_time < 1")
                                        : d.find("delay_days");
      if (delay)
        if (const auto dist = distribution(*delay, d.at("delay_days"))) u.delivery_delay_days = *dist;
    }
  }

  void read_negotiation(const Object& top) {
    const Json* section = top.find("negotiation");
    if (!section) return;
    s_.negotiation.present = true;
    Object o(r_, *section, "/negotiation", "a negotiation object", {"buyer_power", "seller_floor_usd_per_gpu_hour"});
    s_.negotiation.buyer_power = o.number_or("buyer_power", Range::closed(0, 1), 0.5);
    if (const Json* floors = o.find("seller_floor_usd_per_gpu_hour"))
      per_provider(*floors, o.at("seller_floor_usd_per_gpu_hour"), "an object of provider id -> price per GPU-hour",
                   false, [&](const std::string& key, const Json& v, const std::string& ptr) {
                     if (const auto x = r_.number(v, ptr, Range::at_least(0)))
                       s_.negotiation.seller_floor_usd_per_gpu_hour[key] = *x;
                   });
  }

  void read_output(const Object& top) {
    const Json* section = top.find("output");
    if (!section) return;
    Object o(r_, *section, "/output", "an output object {interval_hours}", {"interval_hours"});
    s_.output_interval_hours = o.number_or("interval_hours", Range::above(0), 24.0);
  }

  void check_timeseries_size() {
    if (!horizon_ok_ || s_.providers.empty() || !(s_.output_interval_hours > 0)) return;
    const double rows =
        static_cast<double>(s_.providers.size()) * std::ceil(s_.horizon_s / 3600.0 / s_.output_interval_hours);
    if (rows > limits::max_timeseries_rows)
      problems_.add("/output/interval_hours", "too many timeseries rows: " + number_text(rows),
                    "at most " + number_text(limits::max_timeseries_rows) +
                        " rows, one per provider per interval over the horizon" + memory_note);
  }
};

}  // namespace

Scenario build_scenario(const Json& doc, Problems& problems) { return Builder(problems).build(doc); }

}  // namespace cloudpact::scenario_json
