// The SimGrid platform of a scenario: one star zone per region under a full
// root zone, one host per cluster whose cores are its GPUs, and a host for
// the broker. Kept in one file: newer SimGrid deprecates this zone API.
#pragma once

#include <vector>

#include <simgrid/s4u/Host.hpp>

#include "model/plant.hpp"

namespace cloudpact::sim {

struct Platform {
  std::vector<simgrid::s4u::Host*> cluster_hosts;  // per plant cluster
  simgrid::s4u::Host* broker_host = nullptr;
};

// Builds and seals the platform; call once, after the Engine exists.
Platform build_platform(const Plant& plant);

}  // namespace cloudpact::sim
