// Bad input (docs/reference.md §9): one line per problem, `FILE: /json/pointer: what is
// wrong (what was expected)`. The CLI prints the lines and exits 2 before
// anything is written.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace cloudpact {

class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<std::string> lines)
      : std::runtime_error(lines.empty() ? std::string("invalid input") : lines.front()),
        lines_(std::move(lines)) {}
  [[nodiscard]] const std::vector<std::string>& lines() const { return lines_; }

 private:
  std::vector<std::string> lines_;
};

}  // namespace cloudpact
