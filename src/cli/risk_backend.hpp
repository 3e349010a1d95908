// What `risk` and `optimize` share before any path is run: the backend the
// user asked for (checked, and named on stderr when it is CUDA) and the
// memory a run needs against what the machine has.
#pragma once

#include <string>

#include "risk/problem.hpp"
#include "risk/risk_run.hpp"

namespace cloudpact {

// "auto", "cpu" or "cuda" to the backend it means here, unchecked (auto:
// CUDA when built with it and a device answers).
risk::Backend wanted_backend(const std::string& backend);

// The same, checked. Throws std::runtime_error (exit 3)
// when CUDA is asked for and this build or machine has none.
risk::Backend choose_backend(const std::string& backend, const std::string& command);

}  // namespace cloudpact
