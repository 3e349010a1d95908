#include "cli/compare_json.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "cli/cli.hpp"
#include "regression/compare_json.hpp"

namespace cloudpact {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* kHelp =
    "usage: cloudpact compare-json A B [--rel R] [--ignore /json/pointer]...\n"
    "Compares two JSON files number by number: numbers agree within relative\n"
    "difference R (default 1e-9), integers exactly; everything else exactly.\n"
    "Prints each mismatch, then 'max_rel_diff=X mismatches=N compared=M'.\n"
    "Exit 0 agree, 1 mismatch, 2 usage or unreadable JSON.\n";

}  // namespace

int cmd_compare_json(const std::vector<std::string>& argv) {
  std::vector<std::string> files, ignore;
  double rel = 1e-9;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& s = argv[i];
    if (s == "--help" || s == "-h") {
      std::cout << kHelp;
      return kExitOk;
    }
    if (s == "--rel" || s == "--ignore") {
      if (i + 1 >= argv.size()) {
        std::cerr << "cloudpact: " << s << " needs a value\n";
        return kExitInvalid;
      }
      const std::string v = argv[++i];
      if (s == "--ignore") {
        ignore.push_back(v);
        continue;
      }
      char* end = nullptr;
      rel = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(rel >= 0) || !std::isfinite(rel)) {
        std::cerr << "cloudpact: --rel needs a number >= 0, got '" << v << "'\n";
        return kExitInvalid;
      }
      continue;
    }
    if (s.size() > 1 && s[0] == '-') {
      std::cerr << "cloudpact: unknown option " << s << "\n" << kHelp;
      return kExitInvalid;
    }
    files.push_back(s);
  }
  if (files.size() != 2) {
    std::cerr << "cloudpact: compare-json needs two files\n" << kHelp;
    return kExitInvalid;
  }
  regression::JsonComparison c;
  try {
    c = regression::compare_json_text(read_file(files[0]), read_file(files[1]), rel, ignore);
  } catch (const std::exception& e) {
    std::cerr << "cloudpact: compare-json: " << e.what() << "\n";
    return kExitInvalid;
  }
  for (const std::string& m : c.mismatches) std::cout << m << "\n";
  char buf[128];
  std::snprintf(buf, sizeof buf, "max_rel_diff=%.6g mismatches=%zu compared=%lld\n", c.max_rel_diff,
                c.mismatches.size(), c.numbers_compared);
  std::cout << buf;
  return c.mismatches.empty() ? kExitOk : kExitRegression;
}

}  // namespace cloudpact
