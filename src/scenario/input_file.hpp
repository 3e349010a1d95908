// Every JSON input is read through here (scenario, sweep and baseline files,
// `--set` values, compare-json's documents): whole, within a size limit, and
// parsed with the checks that keep its cost linear in its size (no NUL byte,
// nesting at most limits::max_json_depth, each key once). docs/reference.md §9.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cloudpact {

// The bytes of `path`, at most `max_bytes` of them. `what` names the file in
// messages ("scenario file"). Throws InputError with one line:
// `PATH: cannot read: REASON (expected a readable WHAT)` or
// `PATH: too large: more than N bytes (expected WHAT of at most M MiB)`.
std::string read_input_file(const std::string& path, std::uint64_t max_bytes, std::string_view what);

// The same `too large` error for text already read under a larger limit
// (validate reads a file once, before it knows its kind); nothing when
// `text` holds at most `max_bytes`.
void check_input_size(const std::string& path, const std::string& text, std::uint64_t max_bytes, std::string_view what);

// JSON text checked as every input is (a NUL byte, nesting deeper than
// limits::max_json_depth, a syntax error with its line and column, a key
// given twice); `file` names it in messages. Throws InputError with every
// problem, one line each.
nlohmann::json parse_input_json(const std::string& text, const std::string& file);

// The keys of the top-level object of the JSON file `path` (at most
// `max_bytes`), in file order, read without building the document (a
// scenario may hold 100,000 workloads): enough to tell what kind of input a
// file is. Empty when the file cannot be read, is not JSON or is not an
// object; loading it then says why.
std::vector<std::string> top_level_keys(const std::string& path, std::uint64_t max_bytes);
// The same, of text already read (empty when it is not JSON or not an object).
std::vector<std::string> top_level_keys_of(const std::string& text);

}  // namespace cloudpact
