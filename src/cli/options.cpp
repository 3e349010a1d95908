#include "cli/options.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include <CLI/CLI.hpp>

#include "report/atomic_file.hpp"
#include "scenario/message_text.hpp"

namespace cloudpact {

namespace {

std::string format_bound(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// "a, b or c"
std::string alternatives(const std::vector<std::string>& choices) {
  std::string out;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) out += i + 1 == choices.size() ? " or " : ", ";
    out += choices[i];
  }
  return out;
}

// CLI11 gives an option the next argument as its value whatever it is, so
// `risk FILE --paths --seed 3` would read "--seed" as the number of paths.
// An argument that is an option (`--name`, `-j`) is never a value: the
// option before it has none. (Negative numbers, "-1", stay values.)
bool looks_like_option(const std::string& text) {
  return text.size() >= 2 && text[0] == '-' &&
         (text[1] == '-' || (text[1] >= 'a' && text[1] <= 'z') || (text[1] >= 'A' && text[1] <= 'Z'));
}

void require_value(const std::string& option, const std::string& text) {
  if (looks_like_option(text)) throw UsageError(option + " needs a value");
}

}  // namespace

std::string option_display_name(const std::string& names) {
  std::string out = names;
  for (char& c : out) {
    if (c == ',') c = '/';
  }
  return out;
}

CLI::App& add_command(CLI::App& root, const std::string& name, const std::string& summary,
                      const std::string& details, Listed listed) {
  CLI::App* cmd = root.add_subcommand(name, summary);
  // A subcommand copies its help flag before it copies the option defaults
  // (the group "options"); made again, the flag is listed with the others.
  cmd->set_help_flag("-h,--help", "print this help and exit");
  cmd->footer(details);
  cmd->group(listed == Listed::yes ? "commands" : "");
  return *cmd;
}

// option_text: how the usage line shows the argument (help_format.cpp).
void add_positionals(CLI::App& cmd, const std::string& name, const std::string& usage,
                     std::vector<std::string>& target, const std::string& description) {
  cmd.add_option(name, target, description)->option_text(usage);
}

void add_positional(CLI::App& cmd, const std::string& name, std::string& target, const std::string& description) {
  cmd.add_option(name, target, description)->option_text(name);
}

void add_flag(CLI::App& cmd, const std::string& names, bool& target, const std::string& description) {
  cmd.add_flag(names, target, description);
}

void add_valued(CLI::App& cmd, const std::string& names, const std::string& value_name,
                const std::string& description, std::function<void(const std::string&)> take) {
  auto checked = [take = std::move(take), option = option_display_name(names)](const std::string& text) {
    require_value(option, text);
    take(text);
  };
  cmd.add_option_function<std::string>(names, std::move(checked), description)
      ->type_name(value_name)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

void add_text(CLI::App& cmd, const std::string& names, std::optional<std::string>& target,
              const std::string& value_name, const std::string& description) {
  add_valued(cmd, names, value_name, description, [&target](const std::string& text) { target = text; });
}

std::string empty_path_message(const std::string& option, const std::string& what) {
  return option + " needs " + what + ", got ''";
}

void add_path(CLI::App& cmd, const std::string& names, std::optional<std::string>& target,
              const std::string& value_name, const std::string& what, const std::string& description) {
  add_valued(cmd, names, value_name, description,
             [&target, what, option = option_display_name(names)](const std::string& text) {
               if (text.empty()) throw UsageError(empty_path_message(option, what));
               target = text;
             });
}

void add_choice(CLI::App& cmd, const std::string& names, std::string& target, const std::vector<std::string>& choices,
                const std::string& description) {
  std::string value_name;  // "auto|cpu|cuda"
  for (const std::string& c : choices) value_name += (value_name.empty() ? "" : "|") + c;
  add_valued(cmd, names, value_name, description,
             [&target, choices, option = option_display_name(names)](const std::string& text) {
               for (const std::string& c : choices) {
                 if (text == c) {
                   target = text;
                   return;
                 }
               }
               throw UsageError(option + " needs " + alternatives(choices) + ", got '" + escape_text(text) + "'");
             });
}

void add_number(CLI::App& cmd, const std::string& names, std::optional<double>& target, double above, Bound bound,
                const std::string& value_name, const std::string& description) {
  add_valued(cmd, names, value_name, description,
             [&target, above, bound, option = option_display_name(names)](const std::string& text) {
               char* end = nullptr;
               const double v = std::strtod(text.c_str(), &end);
               const bool in_range = bound == Bound::inclusive ? v >= above : v > above;
               if (text.empty() || *end != '\0' || !std::isfinite(v) || !in_range) {
                 throw UsageError(option + " needs a number " + (bound == Bound::inclusive ? ">= " : "> ") +
                                  format_bound(above) + ", got '" + escape_text(text) + "'");
               }
               target = v;
             });
}

void add_repeatable_text(CLI::App& cmd, const std::string& names, std::vector<std::string>& target,
                         const std::string& value_name, const std::string& description) {
  // One value per occurrence: `--ignore /a FILE` must leave FILE positional.
  cmd.add_option_function<std::vector<std::string>>(
         names,
         [&target, option = option_display_name(names)](const std::vector<std::string>& texts) {
           for (const std::string& t : texts) {
             require_value(option, t);
             target.push_back(t);
           }
         },
         description)
      ->type_name(value_name)
      ->allow_extra_args(false);
}

std::string output_folder(const std::optional<std::string>& out, const std::string& fallback, bool several) {
  if (out && out->empty()) throw UsageError(empty_path_message("--out", "a folder"));
  const std::string dir = out.value_or(fallback);
  if (const std::string why = output_folder_problem(dir, several); !why.empty()) {
    throw UsageError((out ? "--out " : "output folder ") + escape_text(dir) + ": " + why);
  }
  return dir;
}

void add_overrides(CLI::App& cmd, std::vector<Override>& target) {
  cmd.add_option_function<std::vector<std::string>>(
         "--set",
         [&target](const std::vector<std::string>& texts) {
           for (const std::string& t : texts) {
             require_value("--set", t);
             target.push_back(parse_override(t));
           }
         },
         "override one scenario value before validation: VALUE is parsed as JSON, else taken as a "
         "string (--set /policy/vendor=aws); repeatable")
      ->type_name("PTR=VALUE")
      ->allow_extra_args(false);
}

}  // namespace cloudpact
