#include "report/json_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace cloudpact {

std::string json_string(const std::string& s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

void append_json_string(std::string& out, const std::string& s) {
  out += '"';
  for (const char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", u);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

std::string json_number(double v) {
  std::string out;
  append_json_number(out, v);
  return out;
}

void append_json_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  if (v == 0.0) {
    out += '0';  // no "-0"
    return;
  }
  char buf[32];
  // Shortest round-trip form (std::to_chars): deterministic across runs and
  // platforms with the same libstdc++.
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

}  // namespace cloudpact
