#include "scenario/base_file.hpp"

#include <algorithm>
#include <filesystem>

#include "scenario/input_error.hpp"
#include "scenario/input_file.hpp"
#include "scenario/json_document.hpp"
#include "scenario/limits.hpp"
#include "scenario/optimize_spec.hpp"
#include "scenario/sha256.hpp"
#include "scenario/sweep_spec.hpp"
#include "scenario/validate.hpp"

namespace cloudpact::scenario_json {

namespace fs = std::filesystem;

std::string resolve_base(const std::string& sweep_path, const std::string& base) {
  const fs::path b(base);
  if (b.is_absolute()) return base;
  const fs::path beside = fs::path(sweep_path).parent_path() / b;
  std::error_code ec;
  if (fs::is_regular_file(beside, ec)) return beside.lexically_normal().string();
  return base;
}

std::string file_stem_id(const std::string& path, const std::string& fallback) {
  const std::string stem = fs::path(path).stem().string();
  return is_valid_id(stem) ? stem : fallback;
}

std::optional<std::string> pointer_problem(const Json& base_doc, const std::string& pointer, const Json& value) {
  Json copy = base_doc;
  Problems p("");
  apply_override(copy, Override{pointer, value.dump()}, p);
  if (p.empty()) return std::nullopt;
  std::string line = p.lines().front();
  // Lines read ": PTR: what (expected ...)" with an empty file name.
  const std::string prefix = ": " + pointer + ": ";
  if (line.rfind(prefix, 0) == 0) line = line.substr(prefix.size());
  return line;
}

std::string shown_value(const Json& value) {
  std::string text =
      value.is_number_float() ? number_text(value.get<double>()) : json_text(value);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

std::vector<std::string> value_problems(const Json& base_doc, const std::string& base_path, const std::string& pointer,
                                        const Json& value) {
  Json doc = base_doc;
  Problems p(base_path);
  apply_override(doc, Override{pointer, value.dump()}, p);
  if (p.empty()) (void)build_scenario(doc, p);
  std::vector<std::string> out;
  const std::string prefix = p.file() + ": ";
  for (const std::string& line : p.lines()) out.push_back(line.rfind(prefix, 0) == 0 ? line.substr(prefix.size()) : line);
  return out;
}

AcceptedPointers::const_iterator overlapping(const AcceptedPointers& accepted, const std::vector<std::string>& tokens) {
  return std::find_if(accepted.begin(), accepted.end(), [&](const auto& a) {
    const std::vector<std::string>& other = a.first;
    const std::size_t n = std::min(other.size(), tokens.size());
    return std::equal(other.begin(), other.begin() + static_cast<long>(n), tokens.begin());
  });
}

std::optional<Json> read_base(const std::string& base_path, const std::string& at, const std::string& beside,
                              Problems& problems, std::string& sha256, std::string* bytes) {
  std::error_code ec;
  if (!fs::exists(base_path, ec)) {
    problems.add(at, "cannot read " + in_quotes(base_path),
                 "a scenario file, relative to " + beside + " or the current directory");
    return std::nullopt;
  }
  // A folder, or a sweep or optimize file, is the referring file's mistake
  // (its `base`), not a problem inside that path: said there, once, where
  // reading it as a scenario would name the path alone, or list every key
  // of a sweep as unknown to a scenario.
  if (fs::is_directory(base_path, ec)) {
    problems.add(at, "cannot read " + in_quotes(base_path) + ": it is a folder",
                 "a scenario file, relative to " + beside + " or the current directory");
    return std::nullopt;
  }
  try {
    const std::string base_bytes = read_input_file(base_path, limits::max_scenario_bytes, "scenario file");
    sha256 = sha256_hex(base_bytes);
    Json doc = parse_input_json(base_bytes, base_path);
    if (doc.is_object()) {
      std::vector<std::string> keys;
      for (const auto& item : doc.items()) keys.push_back(item.key());
      if (looks_like_sweep_file(keys)) {
        problems.add(at,
                     in_quotes(base_path) + (looks_like_optimize_file(keys) ? " is an optimize file" : " is a sweep file") +
                         ", not a scenario",
                     "a scenario file");
        return std::nullopt;
      }
    }
    Problems base_problems(base_path);
    (void)build_scenario(doc, base_problems);
    base_problems.throw_if_any();
    if (bytes) *bytes = base_bytes;
    return doc;
  } catch (const InputError& e) {
    for (const std::string& line : e.lines()) problems.add_line(line);
    return std::nullopt;
  }
}

}  // namespace cloudpact::scenario_json
