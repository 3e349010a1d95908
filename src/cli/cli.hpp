// The `cloudpact` command line (docs/reference.md §1). Exit codes: 0 success, 1 a check
// found a regression, 2 invalid input or usage (nothing written), 3 runtime
// failure (I/O, device).
#pragma once

namespace cloudpact {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRegression = 1;
inline constexpr int kExitInvalid = 2;
inline constexpr int kExitRuntime = 3;

int cli_main(int argc, char** argv);

}  // namespace cloudpact
