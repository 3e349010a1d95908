#include "cli/help_format.hpp"

#include <algorithm>
#include <vector>

#include <CLI/CLI.hpp>

namespace cloudpact {

namespace {

constexpr std::size_t kWidth = 100;      // columns the help is wrapped to
constexpr std::size_t kNameColumn = 26;  // where descriptions start

// "-j N", "--resume", "--set PTR=VALUE"
std::string option_usage(const CLI::Option& opt) {
  std::string s = opt.get_snames().empty() ? "--" + opt.get_lnames().front() : "-" + opt.get_snames().front();
  if (opt.get_type_size() != 0 && !opt.get_type_name().empty()) s += " " + opt.get_type_name();
  s = "[" + s + "]";
  if (opt.get_items_expected_max() > 1) s += "...";  // repeatable
  return s;
}

// `text` in lines of at most `width` columns, broken at spaces (and at the
// text's own newlines); a word longer than `width` gets a line of its own.
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string line;
    std::size_t at = start;
    while (at < end) {
      std::size_t word_end = text.find(' ', at);
      if (word_end == std::string::npos || word_end > end) word_end = end;
      const std::string word = text.substr(at, word_end - at);
      if (!line.empty() && line.size() + 1 + word.size() > width) {
        lines.push_back(line);
        line.clear();
      }
      if (!word.empty()) line += (line.empty() ? "" : " ") + word;
      at = word_end + 1;
    }
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

class HelpFormatter : public CLI::Formatter {
 public:
  HelpFormatter() {
    column_width(kNameColumn);
    label("Positionals", "arguments");
  }

  // Usage first: the one line that answers "how do I call it".
  std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override {
    const std::string prefix = "usage: ";
    std::string out = prefix + usage_line(*app, name, prefix.size(), prefix.size() + name.size() + 1) + "\n";
    const std::string description = make_description(app);
    if (!description.empty()) out += "\n" + description;
    out += make_positionals(app);
    out += make_groups(app, mode);
    out += make_subcommands(app, mode);
    const std::string footer = make_footer(app);
    if (!footer.empty()) out += "\n" + footer;
    return out;
  }

  // In the top-level list: the summary, then the command's whole usage line.
  std::string make_subcommand(const CLI::App* sub) const override {
    const std::string indent(kNameColumn, ' ');
    std::string name = "  " + sub->get_name();
    name.resize(std::max(name.size() + 2, kNameColumn), ' ');
    const std::string program = sub->get_parent() ? sub->get_parent()->get_name() + " " : "";
    std::string out = name;
    for (const std::string& line : wrap(sub->get_description(), kWidth - kNameColumn)) {
      out += (out == name ? "" : indent) + line + "\n";
    }
    return out + indent + usage_line(*sub, program + sub->get_name(), kNameColumn, kNameColumn + 2) + "\n";
  }

  // One row per option: its name and value, then its description wrapped
  // to the width (on the next line when the name reaches the column).
  std::string make_option(const CLI::Option* opt, bool is_positional) const override {
    const std::string name = "  " + make_option_name(opt, is_positional) + make_option_opts(opt);
    const std::vector<std::string> lines = wrap(make_option_desc(opt), kWidth - kNameColumn);
    std::string out = name;
    if (name.size() + 2 > kNameColumn) out += "\n" + std::string(kNameColumn, ' ');
    else out += std::string(kNameColumn - name.size(), ' ');
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (i > 0) out += "\n" + std::string(kNameColumn, ' ');
      out += lines[i];
    }
    return out + "\n";
  }

  // "-j, --jobs" rather than CLI11's "-j,--jobs".
  std::string make_option_name(const CLI::Option* opt, bool is_positional) const override {
    if (is_positional) return opt->get_name(true, false);
    std::string s;
    for (const std::string& n : opt->get_snames()) s += (s.empty() ? "-" : ", -") + n;
    for (const std::string& n : opt->get_lnames()) s += (s.empty() ? "--" : ", --") + n;
    return s;
  }

  // The value's name only ("--out DIR"); defaults and ranges are in the description.
  std::string make_option_opts(const CLI::Option* opt) const override {
    if (opt->get_positional() || opt->get_type_size() == 0 || opt->get_type_name().empty()) return "";
    return " " + opt->get_type_name();
  }
};

}  // namespace

std::string usage_line(const CLI::App& cmd, const std::string& name, std::size_t start_column, std::size_t indent) {
  std::vector<std::string> words, arguments;
  for (const CLI::Option* opt : cmd.get_options()) {
    if (opt == cmd.get_help_ptr()) continue;
    if (opt->nonpositional()) words.push_back(option_usage(*opt));
    else arguments.push_back(opt->get_option_text());
  }
  words.insert(words.end(), arguments.begin(), arguments.end());
  if (!cmd.get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); }).empty()) {
    words.push_back("COMMAND ...");
  }
  std::string out = name;
  std::size_t column = start_column + name.size();
  for (const std::string& w : words) {
    if (column + 1 + w.size() > kWidth) {
      out += "\n" + std::string(indent, ' ') + w;
      column = indent + w.size();
    } else {
      out += " " + w;
      column += 1 + w.size();
    }
  }
  return out;
}

std::shared_ptr<CLI::FormatterBase> make_help_formatter() { return std::make_shared<HelpFormatter>(); }

}  // namespace cloudpact
