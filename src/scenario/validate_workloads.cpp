// The workloads section (inference and training, each kind with its own
// keys) and the policy that places them on capacity.
#include <string>

#include "scenario/limits.hpp"
#include "scenario/validate_builder.hpp"

namespace cloudpact::scenario_json::validation {

void Builder::read_workloads(const Object& top) {
  const format::ObjectSpec& workload = format::object("workload");
  const std::vector<std::string> kinds = format::constants(workload, "kind");
  // Fields both kinds have (providers, priority) read the same in either.
  const format::ObjectSpec& first_kind = format::object(workload.variants.front());
  const Json* list = array_member(top, format::object("scenario").field("workloads"), "an array of workloads");
  if (!list || !check_count(*list, "/workloads", limits::max_workloads, "workloads")) return;
  workloads_ok_ = true;
  std::map<std::string, std::string> ids;
  std::vector<std::string> all_providers;
  for (const Provider& p : s_.providers)
    if (!p.id.empty()) all_providers.push_back(p.id);

  s_.workloads.reserve(s_.workloads.size() + list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& v = (*list)[i];
    const std::string kind = peek_string(v, "kind");
    // With a wrong kind, the keys of every kind are allowed: the kind itself is what is wrong.
    const format::ObjectSpec* of_kind = format::variant(workload, "kind", kind);
    const std::string unknown = of_kind ? "unknown key for kind " + in_quotes(kind) : "unknown key";
    Object o =
        object_of(r_, v, child_pointer("/workloads", i), "a workload object", of_kind ? *of_kind : workload, unknown);
    if (!o.ok()) continue;
    Workload w;
    if (const auto id = o.id("id")) {
      w.id = *id;
    }
    const auto kind_ok = o.choice("kind", "kind", kinds, Need::required);
    const format::ObjectSpec& spec = of_kind ? *of_kind : first_kind;
    w.kind = kind_ok && *kind_ok == "training" ? WorkloadKind::training : WorkloadKind::inference;
    if (!w.id.empty() && claim_id(ids, w.id, o.at("id"), "workloads"))
      workload_kind_[w.id] = kind_ok ? std::optional<WorkloadKind>(w.kind) : std::nullopt;

    w.providers = all_providers;
    if (const Json* providers = array_member(o, spec.field("providers"), "a non-empty array of provider ids")) {
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
    // The table's range is that of an int.
    if (const auto priority = integer(o, spec.field("priority"))) w.priority = static_cast<int>(*priority);

    if (w.kind == WorkloadKind::inference && kind_ok) {
      if (auto demand = curve_member(o, spec.field("demand_gpus"))) w.demand_gpus = std::move(*demand);
      w.value_usd_per_gpu_hour = number_or_default(o, spec.field("value_usd_per_gpu_hour"));
    } else if (kind_ok) {
      if (const auto submit = o.date("submit")) {
        w.submit_epoch_s = submit->epoch_s;
        w.submit_s = s_.to_sim_s(submit->epoch_s);
      }
      w.flops = number(o, spec.field("flops")).value_or(0.0);
      w.gpus = number(o, spec.field("gpus")).value_or(0.0);
      w.mfu = number_or_default(o, spec.field("mfu"));
      w.checkpoint_hours = number_or_default(o, spec.field("checkpoint_hours"));
      w.restart_hours = number_or_default(o, spec.field("restart_hours"));
      w.dataset_tb = number_or_default(o, spec.field("dataset_tb"));
    }
    s_.workloads.push_back(std::move(w));
  }
}

void Builder::read_policy(const Object& top) {
  const Json* section = top.find("policy");
  if (!section) return;
  const format::ObjectSpec& spec = format::object("policy");
  Object o = object_of(r_, *section, "/policy", "a policy object " + braced_keys(spec), spec);
  const format::Field& placement_field = spec.field("placement");
  // Absent, the placement is the default, and a vendor is as wrong with it as
  // with the default written out: it would be ignored without a word.
  read_deal_terms(o);
  const bool given = o.has("placement");
  const auto placement =
      given ? choice(o, placement_field, "placement") : placement_field.default_value.get<std::string>();
  if (!placement) return;
  if (*placement == "single_vendor") {
    s_.policy.placement = Placement::single_vendor;
    const Json* vendor = o.require("vendor", "a provider id, required with placement \"single_vendor\"");
    if (const auto id = vendor ? provider_ref(*vendor, o.at("vendor")) : std::nullopt) s_.policy.vendor = *id;
    return;
  }
  s_.policy.placement = *placement == "primary" ? Placement::primary : Placement::cheapest;
  if (o.has("vendor"))
    problems_.add(
        o.at("vendor"),
        std::string("not allowed with ") + (given ? "" : "the default ") + "placement " + in_quotes(*placement),
        "a vendor only with placement \"single_vendor\"");
}

void Builder::read_deal_terms(const Object& policy) {
  // The pointer of a field of s_.contracts[k]. A contract whose id or
  // provider could not be read is reported already and checked no further.
  auto contract_field = [&](std::size_t k, const std::string& key) { return contract_item_ptr_[k] + "/" + key; };
  auto readable = [&](const Contract& k) { return !k.id.empty() && !k.provider.empty(); };
  std::optional<Exclusivity> excl;
  std::string excl_until_text;
  if (const Json* v = policy.find("exclusivity")) {
    const std::string ptr = policy.at("exclusivity");
    const format::ObjectSpec& spec = format::object("exclusivity");
    Object o = object_of(r_, *v, ptr, "an exclusivity object " + braced_keys(spec), spec);
    const Json* provider = o.require("provider", "a provider id");
    const auto id = provider ? provider_ref(*provider, o.at("provider")) : std::nullopt;
    const auto until = o.date("until");
    if (id && until) {
      excl = Exclusivity{*id, until->epoch_s, s_.to_sim_s(until->epoch_s)};
      excl_until_text = until->text;
      // No other provider's term may begin inside the exclusivity: it could not be served.
      if (contracts_ok_)
        for (std::size_t i = 0; i < s_.contracts.size(); ++i)
          if (const Contract& k = s_.contracts[i]; readable(k) && k.provider != *id && k.start_epoch_s < until->epoch_s)
            problems_.add(contract_field(i, "start"),
                          "contract " + in_quotes(k.id) + " of " + in_quotes(k.provider) +
                              " starts inside the exclusivity of " + in_quotes(*id),
                          "a start on or after " + until->text + " (/policy/exclusivity/until)");
    }
  }
  if (const Json* v = policy.find("rofr")) {
    const std::string ptr = policy.at("rofr");
    const format::ObjectSpec& spec = format::object("rofr");
    Object o = object_of(r_, *v, ptr, "a rofr object " + braced_keys(spec), spec);
    const Json* holder = o.require("holder", "a provider id");
    const auto id = holder ? provider_ref(*holder, o.at("holder")) : std::nullopt;
    const auto until = o.date("until");
    const auto region = o.string("region", "a region id of the holder", Need::required);
    Rofr rofr;
    rofr.match_pct = number_or_default(o, spec.field("match_pct"));
    rofr.match_probability = number(o, spec.field("match_probability"));
    bool ok = id && until && region;
    if (id && region && !region_paths_.count(*id + "/" + *region)) {
      std::vector<std::string> own;
      for (const std::string& path : region_paths_)
        if (path.starts_with(*id + "/")) own.push_back(path.substr(id->size() + 1));
      if (reference_checkable(*id + "/" + *region))
        problems_.add(o.at("region"), "unknown region " + in_quotes(*region) + " of " + in_quotes(*id), one_of(own));
      ok = false;
    }
    if (ok && excl && excl->provider != *id) {
      problems_.add(o.at("holder"),
                    "the right of first refusal of " + in_quotes(*id) + " overlaps the exclusivity of " +
                        in_quotes(excl->provider),
                    "the exclusivity's holder " + in_quotes(excl->provider) + " (one incumbent holds both clauses)");
      ok = false;
    }
    if (ok && excl && until->epoch_s <= excl->until_epoch_s) {
      problems_.add(o.at("until"), "the right of first refusal ends inside the exclusivity",
                    "a date after " + excl_until_text + " (/policy/exclusivity/until)");
      ok = false;
    }
    if (ok && contracts_ok_) {
      // A matched share moves the clusters' whole capacity curves: a cluster
      // an offered contract shares with another contract would take that
      // contract's capacity along.
      for (std::size_t i = 0; i < s_.contracts.size(); ++i) {
        const Contract& k = s_.contracts[i];
        if (!readable(k) || k.provider == *id || k.start_epoch_s >= until->epoch_s) continue;
        for (std::size_t j = 0; j < k.clusters.size(); ++j)
          for (const Reservation& other : reservations_[k.clusters[j]])
            if (other.contract != k.id) {
              problems_.add(contract_field(i, "clusters/" + std::to_string(j)),
                            "cluster " + in_quotes(k.clusters[j]) + " of contract " + in_quotes(k.id) +
                                ", offered under the right of first refusal, is also reserved by " +
                                in_quotes(other.contract),
                            "clusters of an offered contract that no other contract reserves");
              ok = false;
            }
      }
    }
    if (ok) {
      rofr.holder = *id;
      rofr.until_epoch_s = until->epoch_s;
      rofr.until_s = s_.to_sim_s(until->epoch_s);
      rofr.region = *region;
      s_.policy.rofr = rofr;
    }
  }
  s_.policy.exclusivity = excl;
}

}  // namespace cloudpact::scenario_json::validation
