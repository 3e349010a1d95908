// What sweep and optimize files share: a base scenario named by a path, and
// values set in it by JSON pointer, each checked before anything runs.
// Internal to src/scenario/.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scenario/json_reader.hpp"

namespace cloudpact::scenario_json {

// `base` relative to the referring file's folder first (a sweep next to its
// scenario), then to the current directory (docs/reference.md §7's example,
// run from the repository root).
std::string resolve_base(const std::string& file_path, const std::string& base);

// The file's stem when it is an id, else `fallback`: the default name.
std::string file_stem_id(const std::string& path, const std::string& fallback);

// The base scenario's document when it can be read and is a valid scenario;
// else nullopt, its problems added (`at`: the pointer of "base"; `beside`
// names the referring file's folder in the message). `sha256` gets the hash
// of its bytes, `bytes` (when given) the bytes themselves.
std::optional<Json> read_base(const std::string& base_path, const std::string& at, const std::string& beside,
                              Problems& problems, std::string& sha256, std::string* bytes = nullptr);

// The problem, if any, of setting `pointer` to `value` in the base document:
// the line the override machinery reports, without its "FILE: PTR: " prefix.
std::optional<std::string> pointer_problem(const Json& base_doc, const std::string& pointer, const Json& value);

// Pointers accepted so far: their tokens, and the pointer of where each was
// given (for messages).
using AcceptedPointers = std::vector<std::pair<std::vector<std::string>, std::string>>;

// The accepted pointer that `tokens` overlaps: the same one, or one inside
// the other (setting both would set one value twice); end() when none.
AcceptedPointers::const_iterator overlapping(const AcceptedPointers& accepted, const std::vector<std::string>& tokens);

// A value as messages show it: compact JSON, cut short.
std::string shown_value(const Json& value);

// The problems of the base with `pointer` set to `value`, each as
// "/pointer: what (expected ...)": the base file's name left out.
std::vector<std::string> value_problems(const Json& base_doc, const std::string& base_path, const std::string& pointer,
                                        const Json& value);

}  // namespace cloudpact::scenario_json
