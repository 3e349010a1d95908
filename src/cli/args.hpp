// Option parsing shared by every subcommand: positional files, repeatable
// `--set PTR=VALUE`, named options with a value (`--out DIR` or `--out=DIR`)
// and flags. Anything else starting with '-' is a usage error (exit 2).
#pragma once

#include <charconv>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenario/load.hpp"

namespace cloudpact {

// Bad command line: reported as "cloudpact: MESSAGE" and exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

bool is_help(const std::string& a);

struct Args {
  std::vector<std::string> files;
  std::vector<Override> overrides;
  std::map<std::string, std::string> named;
  std::set<std::string> flags;  // options without a value that were given
  bool help = false;

  bool has(const std::string& flag) const { return flags.count(flag) != 0; }
  // The value of a named option, or `fallback` when it was not given.
  std::string get(const std::string& name, const std::string& fallback = "") const {
    const auto it = named.find(name);
    return it == named.end() ? fallback : it->second;
  }
};

Args parse_args(const std::vector<std::string>& argv, const std::vector<std::string>& valued,
                const std::vector<std::string>& flags = {});

// An integer option in [min, max]: the whole text must be a decimal integer.
template <typename T>
T integer_option(const Args& a, const std::string& name, T fallback, T min, T max) {
  const auto it = a.named.find(name);
  if (it == a.named.end()) return fallback;
  const std::string& text = it->second;
  T v{};
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v < min || v > max) {
    throw UsageError(name + " needs an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
                     "], got '" + text + "'");
  }
  return v;
}

}  // namespace cloudpact
