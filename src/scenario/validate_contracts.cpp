// The contracts section: terms, the clusters each reserves (never two
// contracts on one cluster at once), billing, commitments and SLA tiers.
#include <algorithm>
#include <cmath>
#include <string>

#include "scenario/limits.hpp"
#include "scenario/validate_builder.hpp"

namespace cloudpact::scenario_json::validation {

std::vector<SlaTier> Builder::read_sla(const Object& contract) {
  std::vector<SlaTier> tiers;
  const Json* sla = contract.find("sla");
  if (!sla) return tiers;
  const format::ObjectSpec& sla_spec = format::object("sla");
  const format::ObjectSpec& tier_spec = format::object("sla_tier");
  Object o = object_of(r_, *sla, contract.at("sla"), "an SLA object {\"credits\": [...]}", sla_spec);
  const Json* credits = array_member(o, sla_spec.field("credits"), "an array of " + braced_keys(tier_spec) + " tiers");
  std::map<double, std::string> seen;  // below_pct -> pointer
  for (std::size_t i = 0; credits && i < credits->size(); ++i) {
    Object to = object_of(r_, (*credits)[i], child_pointer(o.at("credits"), i), "an SLA tier " + braced_keys(tier_spec),
                          tier_spec);
    const auto below = number(to, tier_spec.field("below_pct"));
    const auto credit = number(to, tier_spec.field("credit_pct"));
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

void Builder::read_contracts(const Object& top) {
  const format::ObjectSpec& spec = format::object("contract");
  const Json* list = array_member(top, format::object("scenario").field("contracts"), "an array of contracts");
  contracts_ok_ = !top.has("contracts");
  if (!list || !check_count(*list, "/contracts", limits::max_contracts, "contracts")) return;
  contracts_ok_ = true;
  for (std::size_t i = 0; i < list->size(); ++i) {
    Object o = object_of(r_, (*list)[i], child_pointer("/contracts", i), "a contract object", spec);
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
      const double before_days = static_cast<double>(start_ ? start_->epoch_s - start->epoch_s : 0) / 86400.0;
      if (horizon_ok_ && before_days > limits::max_term_before_horizon_days)
        problems_.add(o.at("start"), "term starts " + number_text(std::ceil(before_days)) + " days before the horizon",
                      "at most " + number_text(limits::max_term_before_horizon_days) + " days (100 years) before /start " +
                          start_->text);
    }
    if (end) {
      c.end_epoch_s = end->epoch_s;
      c.end_s = s_.to_sim_s(end->epoch_s);
    }

    const char* const clusters_expected = "a non-empty array of cluster paths \"provider/region/cluster\"";
    const Json* clusters = array_member(o, spec.field("clusters"), clusters_expected);
    std::map<std::string, std::string> listed;
    for (std::size_t k = 0; clusters && k < clusters->size(); ++k) {
      const std::string ptr = child_pointer(o.at("clusters"), k);
      const auto path = r_.string((*clusters)[k], ptr, "a cluster path \"provider/region/cluster\"");
      if (!path) continue;
      const auto owner = cluster_provider_.find(*path);
      if (owner == cluster_provider_.end() && !reference_checkable(*path)) continue;
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

    if (const auto billing = choice(o, spec.field("billing"), "billing"))
      c.billing = *billing == "usage" ? Billing::usage : Billing::reserved;
    if (auto price = curve_member(o, spec.field("price_usd_per_gpu_hour")))
      c.price_usd_per_gpu_hour = std::move(*price);
    c.commitment_usd = number(o, spec.field("commitment_usd"));
    c.min_spend_usd_per_year = number_or_default(o, spec.field("min_spend_usd_per_year"));
    c.sla_credits = read_sla(o);
    c.exit_fee_pct_of_remaining = number_or_default(o, spec.field("exit_fee_pct_of_remaining"));
    s_.contracts.push_back(std::move(c));
    contract_item_ptr_.push_back(child_pointer("/contracts", i));
  }
}

}  // namespace cloudpact::scenario_json::validation
