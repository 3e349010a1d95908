#include "cli/compare_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "cli/cli.hpp"
#include "report/json_text.hpp"

namespace cloudpact {

namespace {

using json = nlohmann::json;

std::string show(const json& v) {
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

double relative_difference(double a, double b) {
  if (a == b) return 0.0;
  const double scale = std::max(std::fabs(a), std::fabs(b));
  if (!std::isfinite(scale)) return INFINITY;
  return std::fabs(a - b) / scale;
}

struct Walker {
  double rel;
  const std::vector<std::string>& ignore;
  JsonComparison& out;

  void walk(const json& a, const json& b, const std::string& ptr) {
    if (std::find(ignore.begin(), ignore.end(), ptr) != ignore.end()) return;
    const std::string where = ptr.empty() ? "/" : ptr;
    if (a.is_number() && b.is_number()) {
      ++out.numbers_compared;
      if (a.is_number_integer() && b.is_number_integer()) {
        if (a != b) {  // nlohmann compares signed and unsigned integers by value
          out.mismatches.push_back(where + ": integer " + show(a) + " vs " + show(b));
          out.max_rel_diff = std::max(out.max_rel_diff, relative_difference(a.get<double>(), b.get<double>()));
        }
        return;
      }
      const double d = relative_difference(a.get<double>(), b.get<double>());
      out.max_rel_diff = std::max(out.max_rel_diff, d);
      if (!(d <= rel)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, " (relative difference %.3g)", d);
        out.mismatches.push_back(where + ": " + show(a) + " vs " + show(b) + buf);
      }
      return;
    }
    if (a.type() != b.type()) {
      out.mismatches.push_back(where + ": " + show(a) + " vs " + show(b) + " (different types)");
      return;
    }
    if (a.is_object()) {
      for (const auto& [k, v] : a.items()) {
        const std::string child = ptr + "/" + json_pointer_token(k);
        if (!b.contains(k)) {
          if (std::find(ignore.begin(), ignore.end(), child) == ignore.end())
            out.mismatches.push_back(child + ": only in the first file");
          continue;
        }
        walk(v, b.at(k), child);
      }
      for (const auto& [k, v] : b.items()) {
        const std::string child = ptr + "/" + json_pointer_token(k);
        if (!a.contains(k) && std::find(ignore.begin(), ignore.end(), child) == ignore.end())
          out.mismatches.push_back(child + ": only in the second file");
      }
      return;
    }
    if (a.is_array()) {
      if (a.size() != b.size()) {
        out.mismatches.push_back(where + ": arrays of " + std::to_string(a.size()) + " vs " +
                                 std::to_string(b.size()) + " items");
      }
      for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) walk(a[i], b[i], ptr + "/" + std::to_string(i));
      return;
    }
    if (a != b) out.mismatches.push_back(where + ": " + show(a) + " vs " + show(b));
  }
};

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

JsonComparison compare_json_text(const std::string& a, const std::string& b, double rel,
                                 const std::vector<std::string>& ignore) {
  JsonComparison out;
  const json ja = json::parse(a), jb = json::parse(b);
  Walker{rel, ignore, out}.walk(ja, jb, "");
  return out;
}

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
  JsonComparison c;
  try {
    c = compare_json_text(read_file(files[0]), read_file(files[1]), rel, ignore);
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
