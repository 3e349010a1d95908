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
  // Runs of characters that need no escape are appended whole (ids, dates
  // and kinds are all of one run): events.jsonl writes some 200,000 lines.
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char ch = s[i];
    const auto u = static_cast<unsigned char>(ch);
    if (u >= 0x20 && ch != '"' && ch != '\\') continue;
    out.append(s, run, i - run);
    run = i + 1;
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", u);
        out += buf;
    }
  }
  out.append(s, run, s.size() - run);
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
