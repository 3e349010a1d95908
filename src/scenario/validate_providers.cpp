// The accelerators section and the providers with their regions and clusters:
// what capacity exists, and where. Later sections refer to these by id and path.
#include <string>

#include "scenario/limits.hpp"
#include "scenario/validate_builder.hpp"

namespace cloudpact::scenario_json::validation {

void Builder::read_accelerators(const Object& top) {
  const format::ObjectSpec& spec = format::object("accelerator");
  const Json* section = top.find("accelerators");
  if (!section || !r_.is_object(*section, "/accelerators", "an object of accelerator id -> " + braced_keys(spec)))
    return;
  accelerators_declared_ = true;
  for (const auto& item : section->items()) {
    if (is_free_key(item.key())) continue;
    const std::string ptr = child_pointer("/accelerators", item.key());
    if (const std::string why = id_problem(item.key()); !why.empty()) {
      problems_.add(ptr, why, id_expected_for(item.key()));
      continue;
    }
    Accelerator a = default_accelerator(item.key());
    Object o = object_of(r_, item.value(), ptr, "an accelerator object " + braced_keys(spec), spec);
    a.h100_equiv = number_or_default(o, spec.field("h100_equiv"));
    a.kw = number_or_default(o, spec.field("kw"));
    // Declared even when its numbers are wrong: references to it are fine.
    s_.accelerators[a.id] = a;
  }
}

void Builder::read_providers(const Object& top) {
  const format::ObjectSpec& provider_spec = format::object("provider");
  const format::ObjectSpec& region_spec = format::object("region");
  const format::ObjectSpec& cluster_spec = format::object("cluster");
  const Json* list = array_member(top, format::object("scenario").field("providers"), "a non-empty array of providers");
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
    Object o = object_of(r_, (*list)[i], child_pointer("/providers", i), "a provider object", provider_spec);
    if (!o.ok()) {
      unsure_prefixes_.push_back("");
      continue;
    }
    Provider provider;
    const auto id = o.id("id");
    const bool id_ok = id && claim_id(provider_ptr_, *id, o.at("id"), "providers");
    if (id) provider.id = *id;
    if (!id_ok) unsure_prefixes_.push_back("");
    if (const Json* prices = o.find("on_demand_usd_per_gpu_hour");
        prices && r_.is_object(*prices, o.at("on_demand_usd_per_gpu_hour"),
                               "an object of accelerator id -> price per GPU-hour")) {
      for (const auto& item : prices->items()) {
        if (is_free_key(item.key())) continue;
        const std::string ptr = child_pointer(o.at("on_demand_usd_per_gpu_hour"), item.key());
        if (const std::string why = id_problem(item.key()); !why.empty()) {
          problems_.add(ptr, why, id_expected_for(item.key()));
          continue;
        }
        use_accelerator(item.key(), ptr);
        if (const auto price = r_.number(item.value(), ptr, provider_spec.field("on_demand_usd_per_gpu_hour").range))
          provider.on_demand_usd_per_gpu_hour[item.key()] = *price;
      }
    }
    provider.egress_usd_per_gb = number_or_default(o, provider_spec.field("egress_usd_per_gb"));
    const Json* regions = array_member(o, provider_spec.field("regions"), "a non-empty array of regions");
    std::map<std::string, std::string> region_ids;
    for (std::size_t j = 0; regions && j < regions->size(); ++j) {
      Object ro = object_of(r_, (*regions)[j], child_pointer(o.at("regions"), j), "a region object", region_spec);
      if (!ro.ok()) {
        unsure_prefixes_.push_back(provider.id + "/");
        continue;
      }
      Region region;
      const auto rid = ro.id("id");
      const bool rid_ok = rid && claim_id(region_ids, *rid, ro.at("id"), "the provider's regions");
      if (rid) region.id = *rid;
      if (!rid_ok) unsure_prefixes_.push_back(provider.id + "/");
      const std::string region_path = provider.id + "/" + region.id;
      if (id_ok && rid_ok) region_paths_.insert(region_path);
      const Json* clusters = array_member(ro, region_spec.field("clusters"), "a non-empty array of clusters");
      std::map<std::string, std::string> cluster_ids;
      for (std::size_t k = 0; clusters && k < clusters->size(); ++k) {
        Object co =
            object_of(r_, (*clusters)[k], child_pointer(ro.at("clusters"), k), "a cluster object", cluster_spec);
        if (!co.ok()) {
          unsure_prefixes_.push_back(region_path + "/");
          continue;
        }
        Cluster cluster;
        const auto cid = co.id("id");
        const bool cid_ok = cid && claim_id(cluster_ids, *cid, co.at("id"), "the region's clusters");
        if (cid) cluster.id = *cid;
        if (!cid_ok) unsure_prefixes_.push_back(region_path + "/");
        cluster.path = region_path + "/" + cluster.id;
        if (id_ok && rid_ok && cid_ok) {
          cluster_provider_[cluster.path] = provider.id;
          clusters_of_provider_[provider.id].push_back(cluster.path);
        }
        if (const auto accel = co.id("accelerator")) {
          use_accelerator(*accel, co.at("accelerator"));
          cluster.accelerator = *accel;
        }
        // Each physical GPU becomes a core of the cluster's SimGrid host: the
        // field's range is limits::max_gpus_per_cluster.
        if (auto capacity = curve_member(co, cluster_spec.field("capacity_gpus")))
          cluster.capacity_gpus = std::move(*capacity);
        region.clusters.push_back(std::move(cluster));
      }
      provider.regions.push_back(std::move(region));
    }
    s_.providers.push_back(std::move(provider));
  }
}

}  // namespace cloudpact::scenario_json::validation
