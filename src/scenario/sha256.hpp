// SHA-256 (FIPS 180-4) of a byte string, as lowercase hex: the fingerprint of
// a scenario's text in summary.json and risk.json, and of a sweep's base file.
// OpenSSL's libcrypto (Debian libssl-dev) computes it.
#pragma once

#include <string>
#include <string_view>

namespace cloudpact {

std::string sha256_hex(std::string_view bytes);

}  // namespace cloudpact
