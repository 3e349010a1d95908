#include "regression/check_report.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>

#include "scenario/message_text.hpp"

namespace cloudpact::regression {

namespace {

constexpr size_t kColumns = 8;
using Line = std::array<std::string, kColumns>;

std::string format(const char* fmt, double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

Line table_line(const std::string& scenario, const Row& r) {
  return {scenario,
          r.metric,
          r.baseline,
          r.now,
          r.rel_change ? format("%+.3g", *r.rel_change) : "-",
          r.rel_tolerance ? format("%.3g", *r.rel_tolerance) : "-",
          r.regression ? "REGRESSION" : "ok",
          r.basis};
}

std::string render(const std::vector<Line>& lines) {
  std::array<size_t, kColumns> width{};
  for (const Line& l : lines) {
    for (size_t c = 0; c < kColumns; ++c) width[c] = std::max(width[c], l[c].size());
  }
  std::string out;
  for (const Line& l : lines) {
    std::string text;
    for (size_t c = 0; c < kColumns; ++c) {
      text += l[c];
      if (c + 1 < kColumns) text += std::string(width[c] - l[c].size() + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  }
  return out;
}

const Line kHeader = {"scenario", "metric", "baseline", "now", "change", "tolerance", "verdict", "basis"};

std::string plural(std::int64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string attr(const std::string& name, const std::string& value) {
  return " " + name + "=\"" + xml_escape(value) + "\"";
}

struct Counts {
  std::int64_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double seconds = 0.0;
};

Counts count(const std::vector<CaseResult>& cases) {
  Counts c;
  for (const CaseResult& k : cases) {
    ++c.tests;
    c.seconds += k.seconds;
    if (!k.error.empty()) ++c.errors;
    else if (k.regressions() > 0) ++c.failures;
    else if (!k.skipped.empty()) ++c.skipped;
  }
  return c;
}

std::string counts_attrs(const Counts& c) {
  return attr("tests", std::to_string(c.tests)) + attr("failures", std::to_string(c.failures)) +
         attr("errors", std::to_string(c.errors)) + attr("skipped", std::to_string(c.skipped)) +
         attr("time", format("%.3f", c.seconds));
}

}  // namespace

std::int64_t CaseResult::moved() const {
  return std::count_if(rows.begin(), rows.end(), [](const Row& r) { return r.rel_change.has_value(); });
}

std::int64_t CaseResult::regressions() const {
  return std::count_if(rows.begin(), rows.end(), [](const Row& r) { return r.regression; });
}

std::string format_table(const std::vector<CaseResult>& cases) {
  std::vector<Line> lines{kHeader};
  for (const CaseResult& c : cases) {
    for (const Row& r : c.rows) lines.push_back(table_line(c.scenario, r));
  }
  return lines.size() == 1 ? "" : render(lines);
}

std::string summary_line(const std::vector<CaseResult>& cases) {
  std::set<std::string> scenarios;
  std::int64_t compared = 0, moved = 0, regressions = 0, errors = 0;
  for (const CaseResult& c : cases) {
    scenarios.insert(c.scenario);
    compared += c.numbers_compared;
    moved += c.moved();
    regressions += c.regressions();
    errors += c.error.empty() ? 0 : 1;
  }
  std::string s = "check: " + plural(static_cast<std::int64_t>(scenarios.size()), "scenario", "scenarios") + ", " +
                  plural(compared, "number", "numbers") + " compared, " + std::to_string(moved) + " moved, " +
                  plural(regressions, "regression", "regressions");
  if (errors > 0) s += ", " + plural(errors, "error", "errors");
  // A risk case without a baseline passes unseen otherwise: say so, as
  // the JUnit counts do.
  if (const std::int64_t skipped = count(cases).skipped; skipped > 0)
    s += ", " + std::to_string(skipped) + " skipped (no risk.json baseline)";
  return s + "\n";
}

std::string junit_xml(const std::vector<CaseResult>& cases) {
  const Counts total = count(cases);
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<testsuites" + attr("name", "cloudpact check") + counts_attrs(total) + ">\n";
  x += "  <testsuite" + attr("name", "cloudpact check") + counts_attrs(total) + ">\n";
  for (const CaseResult& c : cases) {
    x += "    <testcase" + attr("classname", c.scenario) + attr("name", c.name) + attr("time", format("%.3f", c.seconds));
    std::vector<Line> failing{kHeader};
    std::vector<std::string> metrics;
    for (const Row& r : c.rows) {
      if (!r.regression) continue;
      failing.push_back(table_line(c.scenario, r));
      metrics.push_back(r.metric);
    }
    const std::string body = (failing.size() > 1 ? render(failing) : "") + c.details;
    if (!c.error.empty()) {
      x += ">\n      <error" + attr("message", c.error) + attr("type", "runtime") + ">" + xml_escape(body) +
           "</error>\n    </testcase>\n";
    } else if (!metrics.empty()) {
      std::string message = plural(static_cast<std::int64_t>(metrics.size()), "regression", "regressions") + ": ";
      const size_t named = std::min<size_t>(metrics.size(), 5);
      for (size_t i = 0; i < named; ++i) message += (i ? ", " : "") + metrics[i];
      if (metrics.size() > named) message += " and " + std::to_string(metrics.size() - named) + " more";
      x += ">\n      <failure" + attr("message", message) + attr("type", "regression") + ">" + xml_escape(body) +
           "</failure>\n    </testcase>\n";
    } else if (!c.skipped.empty()) {
      x += ">\n      <skipped" + attr("message", c.skipped) + "/>\n    </testcase>\n";
    } else {
      x += "/>\n";
    }
  }
  x += "  </testsuite>\n</testsuites>\n";
  return x;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    // XML must be well-formed UTF-8: a byte that starts no UTF-8 sequence
    // (a baseline's text, a message quoting a file's bytes) becomes '?'.
    // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are UTF-8 but not XML 1.0
    // characters: '?' too.
    const std::size_t n = utf8_sequence_at(s, i);
    const bool not_xml =
        n == 3 && s.compare(i, 2, "\xEF\xBF") == 0 && (static_cast<unsigned char>(s[i + 2]) & 0xFEu) == 0xBEu;
    if (n == 0 || not_xml) {
      out += '?';
      i += n == 0 ? 1 : n;
      continue;
    }
    if (n > 1) {
      out.append(s, i, n);
      i += n;
      continue;
    }
    const char ch = s[i++];
    const auto u = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if ((u < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || u == 0x7F) out += '?';
        else out += ch;
    }
  }
  return out;
}

}  // namespace cloudpact::regression
