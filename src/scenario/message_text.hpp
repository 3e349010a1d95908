// Text that reaches a message line (docs/reference.md §9.1: one line per
// problem, every key and value in it escaped). Whatever a user wrote (a key
// with a newline, a value with terminal control bytes, invalid UTF-8 on the
// command line) is shown, never obeyed: control characters (C0, DEL, C1),
// the Unicode line and paragraph separators and bytes that are not UTF-8
// become escapes, so a message is one line and a terminal prints it as text.
#pragma once

#include <string>
#include <string_view>

namespace cloudpact {

// `text` with '\\' doubled and every control character, line separator and
// stray byte escaped (\n, \t, \r, \b, \f, \u00XX, \u2028, \xNN), so that the
// escape is unambiguous: for keys and JSON pointers in messages.
std::string escape_text(std::string_view text);

// As a JSON string literal: '"' and '\\' escaped, and the rest as
// escape_text. For values in messages ("invalid id \"a\\nb\"").
std::string quoted_text(std::string_view text);

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or
// truncated sequences): what a JSON document's keys and strings must be.
bool is_utf8(std::string_view text);

// The length of the UTF-8 sequence that starts at byte i of `text` (1 to 4),
// or 0 when the bytes there are not one (overlong, surrogate, truncated).
std::size_t utf8_sequence_at(std::string_view text, std::size_t i);

// `text` cut to at most `max_bytes` bytes, ending in "..." when cut, and
// never inside a UTF-8 sequence: for values shown in a table's cell.
std::string shortened_text(std::string_view text, std::size_t max_bytes);

// The last line of defence, for a whole message: control characters, line
// separators and stray bytes escaped, the rest (backslashes included) as is,
// so that what was escaped already is not escaped twice.
std::string one_line(std::string_view message);

}  // namespace cloudpact
