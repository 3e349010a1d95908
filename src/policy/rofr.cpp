#include "policy/rofr.hpp"

#include <algorithm>
#include <set>

#include "rules/deal_terms.hpp"

namespace cloudpact {

namespace {

// "p/r/c" -> "r"'s cluster list in `sc` and the cluster.
Cluster* find_cluster(Scenario& sc, const std::string& path) {
  for (Provider& p : sc.providers)
    for (Region& r : p.regions)
      for (Cluster& c : r.clusters)
        if (c.path == path) return &c;
  return nullptr;
}

Region* find_region(Scenario& sc, const std::string& provider, const std::string& region) {
  for (Provider& p : sc.providers)
    if (p.id == provider)
      for (Region& r : p.regions)
        if (r.id == region) return &r;
  return nullptr;
}

std::optional<double> scaled(const std::optional<double>& x, double share) {
  return x ? std::optional<double>(*x * share) : std::nullopt;
}

}  // namespace

RofrSplit split_for_rofr(const Scenario& sc, std::optional<double> matched_share) {
  RofrSplit out{sc, {}, {}, {}};
  Scenario& s = out.scenario;
  const Rofr& rofr = *sc.policy.rofr;
  Region* home = find_region(s, rofr.holder, rofr.region);
  const double keep = matched_share ? rules::rofr_part_share(false, *matched_share) : 1.0;
  const double take = matched_share ? rules::rofr_part_share(true, *matched_share) : 1.0;
  // A cluster's share of its curve, before the offered contract's start and
  // from it on; whole (1, 1) when the caller scales the parts itself.
  auto share = [&](Cluster& c, bool holder_part, const Contract& k) {
    if (!matched_share) return;
    c.rofr_share_before = rules::rofr_capacity_share(holder_part, false, *matched_share);
    c.rofr_share_from = rules::rofr_capacity_share(holder_part, true, *matched_share);
    c.rofr_from_s = k.start_s;
  };
  std::vector<Contract> matched;
  std::map<std::string, std::string> moved_cluster;  // original path -> the holder's part's path
  for (Contract& k : s.contracts) {
    if (k.provider == rofr.holder || k.start_epoch_s >= rofr.until_epoch_s) continue;
    const int offer = static_cast<int>(out.offered.size());
    out.offered.push_back(k.id);
    Contract h = k;
    h.id = k.id + "@" + rofr.holder;
    h.provider = rofr.holder;
    h.commitment_usd = scaled(k.commitment_usd, take);
    h.min_spend_usd_per_year = k.min_spend_usd_per_year * take;
    h.clusters.clear();
    // `<cluster id>@<contract id>`; when two of the contract's clusters share
    // a local id (in different regions), `<region id>.<cluster id>@<contract id>`.
    std::set<std::string> local_ids;
    for (const std::string& path : k.clusters) local_ids.insert(path.substr(path.rfind('/') + 1));
    const bool qualify = local_ids.size() < k.clusters.size();
    for (const std::string& path : k.clusters) {
      Cluster* c = find_cluster(s, path);
      Cluster part = *c;
      const std::string region = path.substr(path.find('/') + 1, path.rfind('/') - path.find('/') - 1);
      part.id = (qualify ? region + "." : std::string()) + c->id + "@" + k.id;
      part.path = rofr.holder + "/" + rofr.region + "/" + part.id;
      share(part, true, k);
      share(*c, false, k);
      h.clusters.push_back(part.path);
      moved_cluster[path] = part.path;
      out.clusters[path] = {offer, false};
      out.clusters[part.path] = {offer, true};
      home->clusters.push_back(std::move(part));  // no other provider's cluster: `c` stays valid
    }
    k.commitment_usd = scaled(k.commitment_usd, keep);
    k.min_spend_usd_per_year *= keep;
    out.contracts[k.id] = {offer, false};
    out.contracts[h.id] = {offer, true};
    matched.push_back(std::move(h));
  }
  for (Contract& h : matched) s.contracts.push_back(std::move(h));

  // Events that name an offered contract or one of its clusters apply to both parts.
  const std::size_t n_outages = s.outages.size(), n_delays = s.delivery_delays.size(),
                    n_changes = s.price_changes.size();
  for (std::size_t i = 0; i < n_outages; ++i)
    if (const auto it = moved_cluster.find(s.outages[i].target); it != moved_cluster.end()) {
      OutageEvent e = s.outages[i];
      e.target = it->second;
      s.outages.push_back(e);
    }
  for (std::size_t i = 0; i < n_delays; ++i)
    if (const auto it = moved_cluster.find(s.delivery_delays[i].target); it != moved_cluster.end()) {
      DeliveryDelayEvent e = s.delivery_delays[i];
      e.target = it->second;
      s.delivery_delays.push_back(e);
    }
  // Delivery targets say which capacity is still to be built. A holder's
  // part of an offered cluster is the same build-out, matched: a target that
  // covers the original (its provider, region or itself) covers the part.
  // The part is also the holder's, in the holder's region, so a target
  // naming those reaches it by its own path, as events do (§14.2).
  std::vector<std::string>& late = s.uncertainty.delivery_targets;
  if (!late.empty())
    for (const auto& moved : moved_cluster) {
      const std::string& original = moved.first;  // a plain name: clang 14 captures no structured binding
      if (std::any_of(late.begin(), late.end(), [&](const std::string& t) { return target_covers(t, original); }))
        late.push_back(moved.second);
    }
  for (std::size_t i = 0; i < n_changes; ++i) {
    const PriceChangeEvent& e = s.price_changes[i];
    if (e.contract.empty() || !out.contracts.count(e.contract) || out.contracts.at(e.contract).holder_part) continue;
    PriceChangeEvent copy = e;
    copy.contract = e.contract + "@" + rofr.holder;
    s.price_changes.push_back(copy);
  }
  return out;
}

const Scenario& replay_scenario(const Scenario& sc, std::optional<RofrSplit>& storage) {
  if (!sc.policy.rofr) return sc;
  storage = split_for_rofr(sc, sc.policy.rofr->match_pct / 100.0);
  return storage->scenario;
}

}  // namespace cloudpact
