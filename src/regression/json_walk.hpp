// One walk over two JSON documents side by side, shared by every comparison
// of outputs: `cloudpact check` (baselines, regression/check.hpp),
// `cloudpact compare-json` (CPU against CUDA, regression/compare_json.hpp)
// and the baseline test. The walker finds the places; each caller judges
// them with its own tolerance, so the three cannot drift apart on what
// "the same structure" means.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cloudpact::regression {

using JsonPointer = nlohmann::json::json_pointer;

// One place where the two documents are compared or differ.
struct JsonPlace {
  enum class Kind {
    numbers,         // a number on both sides, equal or not (an integer and a float are both numbers)
    only_in_first,   // an object member the second document lacks
    only_in_second,  // an object member the first document lacks
    type_changed,    // different JSON types (object, array, string, boolean, null, number)
    length_changed,  // arrays of different lengths; their common prefix is walked too
    value_changed,   // unequal strings or booleans
    whole,           // a subtree both documents have, compared as one (walk_json's `whole`)
  };
  Kind kind;
  const JsonPointer& pointer;    // RFC 6901; empty for the whole document
  const nlohmann::json* first;   // nullptr for only_in_second
  const nlohmann::json* second;  // nullptr for only_in_first
};

// Subtrees of a walk named by their place: each entry is a JSON pointer
// ("/backend") or "**/KEY" for every member named KEY at any depth
// ("**/histogram"; KEY is one reference token, ~0 for '~' and ~1 for '/').
// A walk leaves some out (`ignore`) and takes some whole (`whole`).
class JsonSubtrees {
 public:
  JsonSubtrees() = default;
  // Throws std::invalid_argument naming the first ill-formed entry.
  explicit JsonSubtrees(const std::vector<std::string>& entries);
  bool covers(const JsonPointer& at) const;

 private:
  std::vector<JsonPointer> pointers_;
  std::vector<std::string> member_names_;
};

// Calls `visit` for every pair of numbers and every difference of keys,
// types, array lengths, strings and booleans, in document order (an
// object's members in key order, as nlohmann::json keeps them; members only
// in the second document after the others). Equal strings, booleans and
// nulls are not visited. Subtrees in `ignore` are skipped on both sides;
// one in `whole` that both documents have is visited once as Kind::whole
// and not descended into (what it holds is judged together, such as a
// histogram), and one that only one side has is only_in_first or
// only_in_second as any member.
void walk_json(const nlohmann::json& first, const nlohmann::json& second, const JsonSubtrees& ignore,
               const std::function<void(const JsonPlace&)>& visit, const JsonSubtrees& whole = JsonSubtrees());

// The unescaped reference tokens of a pointer, root first: {"a/b", "0"} for "/a~1b/0".
std::vector<std::string> reference_tokens(const JsonPointer& pointer);

// The pointer as text for messages; "(document)" for the whole document,
// whose pointer is the empty string.
std::string pointer_text(const JsonPointer& pointer);

// A value as a table's cell shows it: its JSON, at most 60 bytes, never cut
// inside a UTF-8 sequence.
std::string shown_value(const nlohmann::json& value);

}  // namespace cloudpact::regression
