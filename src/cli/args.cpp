#include "cli/args.hpp"

#include <algorithm>

namespace cloudpact {

bool is_help(const std::string& a) { return a == "--help" || a == "-h"; }

Args parse_args(const std::vector<std::string>& argv, const std::vector<std::string>& valued,
                const std::vector<std::string>& flags) {
  Args a;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& s = argv[i];
    if (is_help(s)) {
      a.help = true;
      continue;
    }
    auto take_value = [&](const std::string& name) -> std::string {
      const std::string eq = name + "=";
      if (s.rfind(eq, 0) == 0) return s.substr(eq.size());
      if (i + 1 >= argv.size()) throw UsageError(name + " needs a value");
      return argv[++i];
    };
    if (s == "--set" || s.rfind("--set=", 0) == 0) {
      a.overrides.push_back(parse_override(take_value("--set")));
      continue;
    }
    bool matched = false;
    for (const std::string& name : valued) {
      if (s == name || s.rfind(name + "=", 0) == 0) {
        a.named[name] = take_value(name);
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (std::find(flags.begin(), flags.end(), s) != flags.end()) {
      a.flags.insert(s);
      continue;
    }
    if (s.size() > 1 && s[0] == '-') throw UsageError("unknown option " + s);
    a.files.push_back(s);
  }
  return a;
}

}  // namespace cloudpact
