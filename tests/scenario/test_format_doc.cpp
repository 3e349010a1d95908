// docs/scenario-format.md holds exactly what scenario_format_markdown()
// generates from the format table, and that text is a sound Markdown page:
// every object has its table, every link points at a heading of the page.
//
// After changing the format table (src/scenario/fields.cpp) or the generator
// (src/scenario/format_markdown.cpp), regenerate the file with
//   CLOUDPACT_UPDATE_SCHEMA=1 build/tests/test_format_doc
#include <doctest/doctest.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "scenario/fields.hpp"
#include "scenario/load.hpp"

namespace {

const std::string doc_path = std::string(CLOUDPACT_SOURCE_DIR) + "/docs/scenario-format.md";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The anchors GitHub gives the page's headings.
std::set<std::string> heading_anchors(const std::string& md) {
  std::set<std::string> out;
  std::istringstream lines(md);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line.front() != '#') continue;
    std::string anchor;
    for (const char c : line.substr(line.find(' ') + 1)) {
      const auto u = static_cast<unsigned char>(c);
      if (std::isalnum(u) || c == '-' || c == '_')
        anchor += static_cast<char>(std::tolower(u));
      else if (c == ' ')
        anchor += '-';
    }
    CHECK_MESSAGE(out.insert(anchor).second, "two headings share the anchor #" << anchor);
  }
  return out;
}

}  // namespace

TEST_CASE("docs/scenario-format.md is exactly what scenario_format_markdown() prints") {
  const std::string text = cloudpact::scenario_format_markdown();
  if (std::getenv("CLOUDPACT_UPDATE_SCHEMA")) std::ofstream(doc_path, std::ios::binary) << text;
  CHECK(read_file(doc_path) == text);
}

TEST_CASE("every object has its heading, every field its row, every link its heading") {
  const std::string md = cloudpact::scenario_format_markdown();
  const std::set<std::string> anchors = heading_anchors(md);
  for (const auto& spec : cloudpact::scenario_format::objects()) {
    CAPTURE(spec.name);
    CHECK(md.find("\n" + std::string(static_cast<std::size_t>(spec.level), '#') + " " + spec.title + "\n") !=
          std::string::npos);
    for (const auto& f : spec.fields) CHECK(md.find("| `" + f.key + "` |") != std::string::npos);
  }
  const std::regex link(R"(\]\(#([^)]+)\))");
  for (auto it = std::sregex_iterator(md.begin(), md.end(), link); it != std::sregex_iterator(); ++it) {
    CAPTURE((*it)[1].str());
    CHECK(anchors.count((*it)[1].str()));
  }
  // Every table row has the six cells of its header.
  std::istringstream lines(md);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("| ", 0) != 0) continue;
    CAPTURE(line);
    std::size_t cells = 0;
    for (std::size_t i = 0; i < line.size(); ++i)
      if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++cells;
    CHECK(cells == 7);
  }
}
