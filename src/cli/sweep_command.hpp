// `cloudpact sweep` (SPEC §7) and the two hidden commands its processes run:
// `sweep-variant DIR ID` (one variant) and `sweep-worker DIR --shard K
// --shards N` (one Slurm array task).
#pragma once

#include <string>
#include <vector>

namespace cloudpact {

int cmd_sweep(const std::vector<std::string>& argv);
int cmd_sweep_variant(const std::vector<std::string>& argv);
int cmd_sweep_worker(const std::vector<std::string>& argv);

}  // namespace cloudpact
