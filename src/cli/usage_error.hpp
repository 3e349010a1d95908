// A bad command line (unknown option, missing or malformed value, wrong
// number of files): reported as the one line "cloudpact: MESSAGE" with exit
// code 2, before anything runs or is written.
#pragma once

#include <stdexcept>

namespace cloudpact {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace cloudpact
