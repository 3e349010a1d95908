// SHA-256 (FIPS 180-4) of a byte string, as lowercase hex. Small and local so
// the scenario fingerprint in summary.json needs no crypto library.
#pragma once

#include <string>
#include <string_view>

namespace cloudpact {

std::string sha256_hex(std::string_view bytes);

}  // namespace cloudpact
