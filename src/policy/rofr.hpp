// The right of first refusal as a change of the scenario (docs/reference.md
// §14): every contract of another provider that starts before the right's
// `until` is offered to the holder and split in two parts, the original
// provider's and the holder's `<contract id>@<holder>` on clusters
// `<cluster id>@<contract id>` in the holder's region. Pure C++, no SimGrid:
// the replay runs on the split scenario, the risk problem builder on its
// "whole parts" form and scales each part path by path.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace cloudpact {

// Which offer a contract or cluster of the split scenario belongs to, and
// which part.
struct RofrPart {
  int offer = 0;             // index into RofrSplit::offered
  bool holder_part = false;  // the holder's part (else the original provider's)
};

struct RofrSplit {
  Scenario scenario;                           // with both parts of every offer
  std::vector<std::string> offered;            // ids of the offered contracts, file order
  std::map<std::string, RofrPart> contracts;   // contract id -> its part, for both parts of each offer
  std::map<std::string, RofrPart> clusters;    // cluster path -> its part
};

// The split of `sc` (which must have a `rofr` clause). `matched_share`: the
// holder's share m of every offer, each part scaled by rules::rofr_part_share
// (the replay: m = match_pct / 100); nullopt: both parts whole, for a caller
// that scales them itself (the path model, per path).
RofrSplit split_for_rofr(const Scenario& sc, std::optional<double> matched_share);

// The scenario a replay runs: `sc` itself without a rofr clause, else its
// split at match_pct (kept in `storage`).
const Scenario& replay_scenario(const Scenario& sc, std::optional<RofrSplit>& storage);

}  // namespace cloudpact
