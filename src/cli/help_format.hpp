// How `cloudpact --help` and `cloudpact COMMAND --help` look. Everything
// shown is generated from the option declarations (cli/options.hpp): the
// usage line lists every option of the command, the table describes each,
// and the top-level help gives every listed command's usage line, so no
// option can be missing from either.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace CLI {
class App;
class FormatterBase;
}  // namespace CLI

namespace cloudpact {

std::shared_ptr<CLI::FormatterBase> make_help_formatter();

// "cloudpact check [--baseline DIR] ... [FILE...]": `name`, then every
// option and argument of `cmd`. Wrapped at 100 columns for text that starts
// at `start_column`; continuation lines are indented by `indent` spaces.
std::string usage_line(const CLI::App& cmd, const std::string& name, std::size_t start_column, std::size_t indent);

}  // namespace cloudpact
