// Typed options on a CLI11 command: each binds one option to a variable and
// converts its text while the command line is parsed, throwing UsageError
// with a message that names the option. Every command declares its options
// through these, so CLI11 itself is compiled in three files only (options.cpp,
// help_format.cpp, command_line.cpp), and `--help` is generated from the
// same declarations that parse.
//
// An option given twice keeps its last value, except the repeatable ones
// (--set, --ignore), which keep every value in order.
#pragma once

#include <charconv>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/usage_error.hpp"
#include "scenario/load.hpp"
#include "scenario/message_text.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace cloudpact {

// The whole text must be a decimal integer in [min, max]; otherwise
// UsageError "OPTION needs an integer in [MIN, MAX], got 'TEXT'".
template <typename T>
T parse_integer(const std::string& option, const std::string& text, T min, T max) {
  T v{};
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v < min || v > max) {
    throw UsageError(option + " needs an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
                     "], got '" + escape_text(text) + "'");
  }
  return v;
}

// A subcommand of `root`. `summary` is its line in `cloudpact --help`;
// `details` follows its option list in its own --help. Unlisted commands are
// the ones cloudpact runs itself (sweep-variant, sweep-worker) or scripts
// call (compare-json): they have a --help of their own but are not listed
// at the top.
enum class Listed { yes, no };
CLI::App& add_command(CLI::App& root, const std::string& name, const std::string& summary,
                      const std::string& details, Listed listed = Listed::yes);

// Positional arguments. `target` takes any number of them, in order; the
// command checks the count itself, with a message that says what the
// arguments are for. `usage` is how the usage line shows them ("FILE",
// "FILE...", "[FILE...]"). `add_positional` is one slot: a further
// argument is unexpected.
void add_positionals(CLI::App& cmd, const std::string& name, const std::string& usage,
                     std::vector<std::string>& target, const std::string& description);
void add_positional(CLI::App& cmd, const std::string& name, std::string& target, const std::string& description);

// `names` is "--out" or "-j,--jobs" (named "-j/--jobs" in messages).
// `value_name` follows it in the help ("--out DIR").
void add_flag(CLI::App& cmd, const std::string& names, bool& target, const std::string& description);
void add_text(CLI::App& cmd, const std::string& names, std::optional<std::string>& target,
              const std::string& value_name, const std::string& description);
// The usage error of an empty file or folder name: "OPTION needs WHAT, got ''".
std::string empty_path_message(const std::string& option, const std::string& what);
// A file or folder name: an empty one is a UsageError "OPTION needs
// `what`, got ''" (an empty --out would fail only after the work).
void add_path(CLI::App& cmd, const std::string& names, std::optional<std::string>& target,
              const std::string& value_name, const std::string& what, const std::string& description);
// One of `choices` (shown as "a|b|c"); otherwise UsageError "OPTION needs
// a, b or c, got 'TEXT'".
void add_choice(CLI::App& cmd, const std::string& names, std::string& target, const std::vector<std::string>& choices,
                const std::string& description);
// A finite number > `above`, or ≥ it when `inclusive`; otherwise UsageError
// "OPTION needs a number > 0, got 'TEXT'".
enum class Bound { exclusive, inclusive };
void add_number(CLI::App& cmd, const std::string& names, std::optional<double>& target, double above, Bound bound,
                const std::string& value_name, const std::string& description);
// Repeatable: every value, in order.
void add_repeatable_text(CLI::App& cmd, const std::string& names, std::vector<std::string>& target,
                         const std::string& value_name, const std::string& description);
// `--set PTR=VALUE`, repeatable; a malformed one is an InputError (scenario/load.hpp).
void add_overrides(CLI::App& cmd, std::vector<Override>& target);

// The output folder of a command: `out` (--out) when given, else `fallback`.
// An empty --out (add_path refuses it already), or a folder that output_folder_problem (report/atomic_file.hpp)
// refuses, is a UsageError, checked before any work: "--out DIR: is a symbolic
// link (...)". `several`: the command writes more than one file, which replace
// the folder as a whole (docs/reference.md §1.2).
std::string output_folder(const std::optional<std::string>& out, const std::string& fallback, bool several);

// What the typed adders share: an option with one value, which `take`
// converts (throwing UsageError) and stores.
void add_valued(CLI::App& cmd, const std::string& names, const std::string& value_name,
                const std::string& description, std::function<void(const std::string&)> take);

// How messages name the option: "-j/--jobs" for "-j,--jobs".
std::string option_display_name(const std::string& names);

template <typename T>
void add_integer(CLI::App& cmd, const std::string& names, std::optional<T>& target, T min, T max,
                 const std::string& value_name, const std::string& description) {
  add_valued(cmd, names, value_name, description,
             [&target, option = option_display_name(names), min, max](const std::string& text) {
               target = parse_integer<T>(option, text, min, max);
             });
}

}  // namespace cloudpact
