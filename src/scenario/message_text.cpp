#include "scenario/message_text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace cloudpact {
namespace {

// The length of the UTF-8 sequence at `i` and its code point, or 0 when the
// bytes there are not one (overlong, surrogate, truncated, out of range).
std::size_t utf8_at(std::string_view s, std::size_t i, std::uint32_t& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n = 0;
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1Fu;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0Fu;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07u;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3Fu);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return n;
}

}  // namespace

std::size_t utf8_sequence_at(std::string_view text, std::size_t i) {
  std::uint32_t cp = 0;
  return utf8_at(text, i, cp);
}

std::string shortened_text(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  const std::size_t room = max_bytes < 3 ? 0 : max_bytes - 3;
  // Whole sequences only; a stray byte counts as one.
  std::size_t end = 0;
  while (end < text.size()) {
    const std::size_t n = std::max<std::size_t>(1, utf8_sequence_at(text, end));
    if (end + n > room) break;
    end += n;
  }
  return std::string(text.substr(0, end)) + "...";
}

bool is_utf8(std::string_view text) {
  std::uint32_t cp = 0;
  for (std::size_t i = 0, n = 0; i < text.size(); i += n)
    if ((n = utf8_at(text, i, cp)) == 0) return false;
  return true;
}

namespace {

std::string hex_escape(const char* form, unsigned value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, form, value);
  return buf;
}

// `backslash_and_quote`: 0 neither, 1 backslash, 2 backslash and '"'.
std::string escaped(std::string_view s, int backslash_and_quote) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_at(s, i, cp);
    if (n == 0) {
      out += hex_escape("\\x%02X", static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    if (cp == '\\' && backslash_and_quote >= 1) {
      out += "\\\\";
    } else if (cp == '"' && backslash_and_quote >= 2) {
      out += "\\\"";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\b') {
      out += "\\b";
    } else if (cp == '\f') {
      out += "\\f";
    } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029) {
      out += hex_escape("\\u%04X", cp);
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

}  // namespace

std::string escape_text(std::string_view text) { return escaped(text, 1); }

std::string quoted_text(std::string_view text) { return "\"" + escaped(text, 2) + "\""; }

std::string one_line(std::string_view message) { return escaped(message, 0); }

}  // namespace cloudpact
