// The workloads section (inference and training, each kind with its own
// keys) and the policy that places them on capacity.
#include <limits>
#include <string>

#include "scenario/limits.hpp"
#include "scenario/validate_builder.hpp"

namespace cloudpact::scenario_json::validation {

namespace {

const std::vector<std::string> common_workload_keys{"id", "kind", "priority", "providers"};
const std::vector<std::string> inference_keys{"demand_gpus", "value_usd_per_gpu_hour"};
const std::vector<std::string> training_keys{"checkpoint_hours", "dataset_tb", "flops", "gpus", "mfu",
                                             "restart_hours",    "submit"};

}  // namespace

void Builder::read_workloads(const Object& top) {
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

void Builder::read_policy(const Object& top) {
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

}  // namespace cloudpact::scenario_json::validation
