// `cloudpact check` end to end (docs/reference.md §8): runs the real binary (CLOUDPACT_BIN,
// set by meson) on a small scenario in temporary folders: --update, a clean
// check, perturbed baselines, a missing baseline, JUnit output, bad input.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "run_cloudpact.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string source_dir = CLOUDPACT_SOURCE_DIR;
const std::string scenario_01 = source_dir + "/scenarios/01-one-vendor-vs-two.json";

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary);
  out << s;
  REQUIRE(out.good());
}

const fs::path& root() { return cloudpact::test::temp_root(); }

using cloudpact::test::run_cloudpact;
using cloudpact::test::Run;

// Scenario 01 with sampled demand and on-demand prices, so that its risk
// numbers have standard errors above 0 (01 as written has no uncertainty).
const std::string& uncertain_scenario() {
  static const std::string path = [] {
    json s = json::parse(read_text(scenario_01));
    s["name"] = "01-uncertain";
    s["uncertainty"] = json::parse(
        R"({"demand": {"vol_per_year": 0.3},
            "prices": {"azure": {"model": "gbm", "drift_per_year": 0, "vol_per_year": 0.3}}})");
    const fs::path p = root() / "01-uncertain.json";
    write_text(p, s.dump(2));
    return p.string();
  }();
  return path;
}

// `check --update --paths 200` of the uncertain scenario, once.
struct Baseline {
  fs::path dir;
  Run update;
};

const Baseline& baseline() {
  static const Baseline b = [] {
    Baseline x;
    x.dir = root() / "baseline";
    x.update = run_cloudpact({"check", "--update", "--paths", "200", "--baseline", x.dir.string(), uncertain_scenario()});
    return x;
  }();
  return b;
}

// A fresh copy of the baseline folder to perturb.
fs::path baseline_copy(const std::string& name) {
  const fs::path dir = root() / name;
  fs::copy(baseline().dir, dir, fs::copy_options::recursive);
  return dir;
}

void edit_json(const fs::path& file, const std::function<void(json&)>& edit) {
  json j = json::parse(read_text(file));
  edit(j);
  write_text(file, j.dump(2));
}

// The table line naming `metric`, "" when there is none.
std::string line_with(const std::string& text, const std::string& metric) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l.find("  " + metric + "  ") != std::string::npos) return l;
  }
  return "";
}

// The columns of a table line (separated by two spaces or more): scenario,
// metric, baseline, now, change, tolerance, verdict, basis.
std::vector<std::string> columns(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    size_t end = line.find("  ", i);
    if (end == std::string::npos) end = line.size();
    out.push_back(line.substr(i, end - i));
    i = line.find_first_not_of(' ', end);
    if (i == std::string::npos) break;
  }
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE("check --update writes the baselines, and a check against them passes") {
  const Baseline& b = baseline();
  INFO(b.update.err);
  REQUIRE(b.update.exit_code == 0);
  const std::string dir = (b.dir / "01-uncertain").string();
  CHECK(b.update.out == dir + "/summary.json  (new)  <-  " + uncertain_scenario() + "\n" + dir +
                            "/risk.json  (new)  <-  " + uncertain_scenario() + "\n");
  const json risk = json::parse(read_text(b.dir / "01-uncertain" / "risk.json"));
  CHECK(risk["paths"] == 200);
  CHECK(risk["seed"] == 42);  // the scenario's own (default) seed
  CHECK(risk["portfolios"]["contracted"]["cost_usd"]["se_mean"].get<double>() > 0.0);

  const Run check = run_cloudpact({"check", "--baseline", b.dir.string(), uncertain_scenario()});
  INFO(check.err);
  CHECK(check.exit_code == 0);
  CHECK(starts_with(check.out, "check: 1 scenario, "));
  CHECK(check.out.find(" numbers compared, 0 moved, 0 regressions\n") != std::string::npos);
  CHECK(check.out.find('\n') == check.out.size() - 1);  // nothing moved: no table

  // Again: the same bytes, said so; the seed and paths now come from the baseline.
  const fs::path again = baseline_copy("again");
  const Run update = run_cloudpact({"check", "--update", "--baseline", again.string(), uncertain_scenario()});
  CHECK(update.exit_code == 0);
  CHECK(update.out.find("/risk.json  (unchanged)") != std::string::npos);
  CHECK(read_text(again / "01-uncertain" / "risk.json") == read_text(b.dir / "01-uncertain" / "risk.json"));
}

TEST_CASE("check --update writes the bytes `cloudpact run` writes (the committed baseline)") {
  const fs::path dir = root() / "committed";
  const Run update = run_cloudpact({"check", "--update", "--paths", "100", "--baseline", dir.string(), scenario_01});
  INFO(update.err);
  REQUIRE(update.exit_code == 0);
  CHECK(read_text(dir / "01-one-vendor-vs-two" / "summary.json") ==
        read_text(source_dir + "/results/01-one-vendor-vs-two/summary.json"));
}

TEST_CASE("a replay number 1e-6 off is a regression, named in the table and in JUnit") {
  const fs::path dir = baseline_copy("spend");
  edit_json(dir / "01-uncertain" / "summary.json",
            [](json& j) { j["totals"]["spend_usd"] = j["totals"]["spend_usd"].get<double>() * (1.0 + 1e-6); });
  const fs::path junit = root() / "spend-junit.xml";
  const Run r = run_cloudpact({"check", "--baseline", dir.string(), "--junit", junit.string(), uncertain_scenario()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const std::vector<std::string> row = columns(line_with(r.out, "totals.spend_usd"));
  REQUIRE(row.size() == 8);
  CHECK(row[0] == "01-uncertain");
  CHECK(row[1] == "totals.spend_usd");
  CHECK(row[4] == "-1e-06");  // relative change, baseline to now
  CHECK(row[5] == "1e-09");
  CHECK(row[6] == "REGRESSION");
  CHECK(row[7] == "1e-9 relative");
  CHECK(r.out.find(" 1 moved, 1 regression\n") != std::string::npos);
  const std::string xml = read_text(junit);
  CHECK(xml.find("<testsuite name=\"cloudpact check\" tests=\"2\" failures=\"1\" errors=\"0\"") != std::string::npos);
  CHECK(xml.find("<testcase classname=\"01-uncertain\" name=\"replay\"") != std::string::npos);
  CHECK(xml.find("<failure message=\"1 regression: totals.spend_usd\"") != std::string::npos);
  CHECK(xml.find("<testcase classname=\"01-uncertain\" name=\"risk\"") != std::string::npos);
}

TEST_CASE("a risk mean 0.1 standard error off passes, 20 standard errors off fails") {
  for (const double k : {0.1, 20.0}) {
    CAPTURE(k);
    const fs::path dir = baseline_copy("risk-" + std::to_string(static_cast<int>(k * 10)));
    edit_json(dir / "01-uncertain" / "risk.json", [k](json& j) {
      json& c = j["portfolios"]["contracted"]["cost_usd"];
      c["mean"] = c["mean"].get<double>() + k * c["se_mean"].get<double>();
    });
    const Run r = run_cloudpact({"check", "--baseline", dir.string(), uncertain_scenario()});
    INFO(r.out << r.err);
    const std::vector<std::string> row = columns(line_with(r.out, "portfolios.contracted.cost_usd.mean"));
    REQUIRE(row.size() == 8);
    CHECK(row[7] == "5·se_mean");
    CHECK(r.out.find(" 1 moved, ") != std::string::npos);
    if (k < 1) {
      CHECK(r.exit_code == 0);
      CHECK(row[6] == "ok");
    } else {
      CHECK(r.exit_code == 1);
      CHECK(row[6] == "REGRESSION");
    }
  }
}

TEST_CASE("cost histograms: another seed's sample passes, another distribution fails") {
  // The histograms of the same scenario's 200 paths with seed 43: another
  // sample of the same distributions, put in the baseline of seed 42.
  const fs::path other = root() / "seed-43";
  const Run r43 = run_cloudpact({"risk", "--paths", "200", "--seed", "43", "--out", other.string(), uncertain_scenario()});
  INFO(r43.err);
  REQUIRE(r43.exit_code == 0);
  const json seed_43 = json::parse(read_text(other / "risk.json"));
  const fs::path dir = baseline_copy("histograms");
  const fs::path risk_file = dir / "01-uncertain" / "risk.json";
  edit_json(risk_file, [&](json& j) {
    for (auto& [name, p] : j["portfolios"].items()) p["cost_usd"]["histogram"] = seed_43["portfolios"][name]["cost_usd"]["histogram"];
  });
  Run r = run_cloudpact({"check", "--baseline", dir.string(), uncertain_scenario()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  std::vector<std::string> row = columns(line_with(r.out, "portfolios.contracted.cost_usd.histogram"));
  REQUIRE(row.size() == 8);
  CHECK(row[5] == "0.206");  // 2.06·√(2/200)
  CHECK(row[6] == "ok");
  CHECK(row[7] == "KS distance ≤ 2.06·√(1/n + 1/m)");

  // Another distribution: every path 10 bins (a quarter of the range) up,
  // the top ones in the last bin. One bin would be within what 200 paths
  // tell apart (a distance of 0.065 against 0.206 above).
  edit_json(risk_file, [&](json& j) {
    json& counts = j["portfolios"]["contracted"]["cost_usd"]["histogram"]["counts"];
    const std::size_t n = counts.size(), shift = 10;
    std::vector<std::int64_t> moved(n, 0);
    for (std::size_t i = 0; i < n; ++i) moved[std::min(n - 1, i + shift)] += counts[i].get<std::int64_t>();
    counts = moved;
  });
  r = run_cloudpact({"check", "--baseline", dir.string(), uncertain_scenario()});
  CHECK(r.exit_code == 1);
  row = columns(line_with(r.out, "portfolios.contracted.cost_usd.histogram"));
  REQUIRE(row.size() == 8);
  CHECK(row[6] == "REGRESSION");

  // Bins that are no sample of the run's paths: a regression whatever the distance.
  edit_json(risk_file, [&](json& j) {
    json& h = j["portfolios"]["contracted"]["cost_usd"]["histogram"];
    for (json& c : h["counts"]) c = 0;
  });
  r = run_cloudpact({"check", "--baseline", dir.string(), uncertain_scenario()});
  CHECK(r.exit_code == 1);
  row = columns(line_with(r.out, "portfolios.contracted.cost_usd.histogram"));
  REQUIRE(row.size() == 8);
  CHECK(row[7] == "baseline not a histogram of its paths: counts sum to 0, not the run's 200 paths");
}

TEST_CASE("structure: a key the output no longer has is a regression") {
  const fs::path dir = baseline_copy("structure");
  edit_json(dir / "01-uncertain" / "summary.json", [](json& j) { j["totals"]["gone_usd"] = 1.0; });
  const Run r = run_cloudpact({"check", "--baseline", dir.string(), uncertain_scenario()});
  CHECK(r.exit_code == 1);
  CHECK(columns(line_with(r.out, "totals.gone_usd")) ==
        std::vector<std::string>{"01-uncertain", "totals.gone_usd", "1.0", "-", "-", "-", "REGRESSION", "missing now"});
}

TEST_CASE("a scenario without a baseline is a regression") {
  const fs::path empty = root() / "no-baselines";
  fs::create_directories(empty);
  const Run r = run_cloudpact({"check", "--baseline", empty.string(), uncertain_scenario()});
  CHECK(r.exit_code == 1);
  CHECK(columns(line_with(r.out, "summary.json")) ==
        std::vector<std::string>{"01-uncertain", "summary.json", "-", "-", "-", "-", "REGRESSION",
                                 "no baseline (run cloudpact check --update)"});
  CHECK(r.out.find("check: 1 scenario, 0 numbers compared, 0 moved, 1 regression, 1 skipped (no risk.json "
                   "baseline)\n") != std::string::npos);
}

TEST_CASE("default files: scenarios/*.json of the current folder, schema.json excepted") {
  const fs::path project = root() / "project";
  fs::create_directories(project / "scenarios");
  fs::copy(uncertain_scenario(), project / "scenarios" / "a.json");
  write_text(project / "scenarios" / "schema.json", "{\"not\": \"a scenario\"}");
  fs::copy(baseline().dir, project / "results", fs::copy_options::recursive);
  const Run r = run_cloudpact({"check"}, project);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(starts_with(r.out, "check: 1 scenario, "));

  const fs::path bare = root() / "bare";
  fs::create_directories(bare);
  const Run none = run_cloudpact({"check"}, bare);
  CHECK(none.exit_code == 2);
  CHECK(none.err ==
        "cloudpact: no scenario files: scenarios/*.json matched nothing (run from the project root, or name FILEs)\n");
}

TEST_CASE("baselines are inputs too: a missing --baseline folder and a baseline no scenario names are refused") {
  // Not a regression: nothing to compare with was given.
  const fs::path missing = root() / "no-such-folder";
  const Run r = run_cloudpact({"check", "--baseline", missing.string(), uncertain_scenario()});
  CHECK(r.exit_code == 2);
  CHECK(r.err == missing.string() + ": no such folder (expected --baseline DIR: a folder holding DIR/<scenario "
                                    "name>/ baselines, or --update to write them)\n");
  CHECK(r.out.empty());

  // Checking every scenario, a baseline folder without its scenario would go unchecked.
  const fs::path project = root() / "orphans";
  fs::create_directories(project / "scenarios");
  fs::copy(uncertain_scenario(), project / "scenarios" / "a.json");
  fs::copy(baseline().dir, project / "results", fs::copy_options::recursive);
  fs::copy(project / "results" / "01-uncertain", project / "results" / "renamed", fs::copy_options::recursive);
  fs::create_directories(project / "results" / "bench");  // not a baseline: no summary.json or risk.json
  write_text(project / "results" / "bench" / "gpu.json", "{}");
  for (const bool update : {false, true}) {
    const Run o = run_cloudpact(update ? std::vector<std::string>{"check", "--update"} : std::vector<std::string>{"check"},
                                project);
    CHECK(o.exit_code == 2);
    CHECK(o.err == "results/renamed: a baseline without a scenario (expected a scenario named \"renamed\" among the "
                   "checked files, or remove the folder)\n");
  }
  // Named files check only themselves.
  CHECK(run_cloudpact({"check", "scenarios/a.json"}, project).exit_code == 0);

  // A baseline file is read like any input: within its size, nesting checked.
  const fs::path deep = baseline_copy("deep");
  write_text(deep / "01-uncertain" / "summary.json", std::string(100, '[') + std::string(100, ']'));
  const Run d = run_cloudpact({"check", "--baseline", deep.string(), uncertain_scenario()});
  CHECK(d.exit_code == 2);
  std::string zeros;
  for (int i = 0; i < 64; ++i) zeros += "/0";
  CHECK(d.err == (deep / "01-uncertain" / "summary.json").string() + ": " + zeros +
                     ": nested too deep: more than 64 levels (expected at most 64 arrays and objects inside each "
                     "other)\n");
}

TEST_CASE("invalid input: exit 2, one line per problem, nothing written") {
  json s = json::parse(read_text(scenario_01));
  s["end"] = "2025-09-01";
  const fs::path bad = root() / "bad.json";
  write_text(bad, s.dump());
  const fs::path junit = root() / "bad-junit.xml";
  const fs::path dir = root() / "bad-baselines";
  for (const bool update : {false, true}) {
    std::vector<std::string> args = {"check", "--baseline", dir.string(), uncertain_scenario(), bad.string()};
    args.push_back(update ? "--update" : "--junit=" + junit.string());
    const Run r = run_cloudpact(args);
    CHECK(r.exit_code == 2);
    // Every problem at once; without --update the missing baseline folder is one.
    const std::string no_folder = update ? "" : dir.string() + ": no such folder (expected --baseline DIR: a folder "
                                                               "holding DIR/<scenario name>/ baselines, or --update to "
                                                               "write them)\n";
    CHECK(r.err ==
          bad.string() + ": /end: ends before it starts (expected a date after /start 2025-10-01)\n" + no_folder);
    CHECK(r.out.empty());
    CHECK_FALSE(fs::exists(junit));
    CHECK_FALSE(fs::exists(dir));
  }

  // Two files with one name would share a baseline folder.
  const Run twice =
      run_cloudpact({"check", "--update", "--baseline", dir.string(), uncertain_scenario(), uncertain_scenario()});
  CHECK(twice.exit_code == 2);
  CHECK(twice.err == uncertain_scenario() + ": /name: \"01-uncertain\" is also the name of " + uncertain_scenario() +
                         " (expected one scenario per name: the baseline folder is named after it)\n");

  // A baseline risk.json without its run parameters.
  const fs::path broken = baseline_copy("broken");
  edit_json(broken / "01-uncertain" / "risk.json", [](json& j) { j.erase("paths"); });
  const Run r = run_cloudpact({"check", "--baseline", broken.string(), uncertain_scenario()});
  CHECK(r.exit_code == 2);
  CHECK(r.err == (broken / "01-uncertain" / "risk.json").string() +
                     ": /paths: missing or out of range (expected an integer in [1, 100000000])\n");
  // --update reuses a risk baseline's paths and seed: a damaged one is not
  // rewritten from itself, and the message says how to replace it.
  write_text(broken / "01-uncertain" / "risk.json", "{ bad");
  const Run redo = run_cloudpact({"check", "--update", "--baseline", broken.string(), uncertain_scenario()});
  CHECK(redo.exit_code == 2);
  CHECK(redo.err == (broken / "01-uncertain" / "risk.json").string() +
                        ": line 1, column 3: JSON syntax error: invalid literal while parsing object key (expected "
                        "string literal) (--update reuses its paths and seed: remove the file, and give --paths, to "
                        "write a new one)\n");
  CHECK(read_text(broken / "01-uncertain" / "risk.json") == "{ bad");

  auto usage = [](const std::vector<std::string>& args, const std::string& message) {
    const Run u = run_cloudpact(args);
    CHECK(u.exit_code == 2);
    CHECK(u.err == "cloudpact: " + message + "\n");
    CHECK(u.out.empty());
  };
  usage({"check", "--frobnicate"}, "unknown option --frobnicate (see cloudpact check --help)");
  usage({"check", "--paths", "10"}, "--paths applies only with --update (a check re-runs the baseline's paths)");
  usage({"check", "--update", "--junit", "x.xml"}, "--junit applies only to a check, not with --update");
  usage({"check", "--z", "0"}, "--z needs a number > 0, got '0'");
  usage({"check", "--update", "--paths", "0"}, "--paths needs an integer in [1, 100000000], got '0'");
  usage({"check", "--set", "/name=x"}, "unknown option --set (see cloudpact check --help)");
  // A folder at the report's name: refused before any scenario runs.
  const fs::path folder = fs::temp_directory_path() / "cloudpact-check-junit-folder";
  fs::create_directories(folder);
  usage({"check", "--junit", folder.string()}, "--junit " + folder.string() + " is a folder (expected a file name)");
  fs::remove(folder);
  // A link or a device there would be replaced by the report's rename (as
  // root, /dev/null itself): refused, and left as it was.
  const fs::path special_dir = cloudpact::test::temp_root() / "junit-special";
  fs::create_directories(special_dir);
  const fs::path link = special_dir / "report.xml", fifo = special_dir / "fifo";
  fs::create_symlink(special_dir / "target.xml", link);
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  usage({"check", "--junit", link.string()},
        "--junit " + link.string() +
            " is a symbolic link (expected a regular file's name: cloudpact does not write through links)");
  CHECK(fs::is_symlink(link));
  CHECK(!fs::exists(special_dir / "target.xml"));
  // A device of its own (a null device made with mknod, as root), never the
  // system's: a build that regressed would replace it.
  std::vector<fs::path> specials = {fifo};
  const fs::path device = special_dir / "null";
  if (::geteuid() == 0 && ::mknod(device.c_str(), S_IFCHR | 0666, ::makedev(1, 3)) == 0) specials.push_back(device);
  for (const fs::path& special : specials) {
    usage({"check", "--junit", special.string()},
          "--junit " + special.string() +
              " is not a regular file (expected a regular file's name: the report replaces the file there)");
  }
  CHECK(fs::is_fifo(fifo));
  if (specials.size() > 1) CHECK(fs::is_character_file(device));
}

TEST_CASE("damaged baselines are bad input, each said once before anything runs") {
  auto refused = [](const fs::path& dir, const std::string& message) {
    const Run r = run_cloudpact({"check", "--baseline", dir.string(), uncertain_scenario()});
    CHECK(r.exit_code == 2);
    CHECK(r.err == message + "\n");
    CHECK(r.out.empty());
  };
  // A FIFO where summary.json belongs: reported, never opened (the read
  // would wait for a writer forever).
  const fs::path fifo = baseline_copy("fifo-baseline");
  fs::remove(fifo / "01-uncertain" / "summary.json");
  REQUIRE(::mkfifo((fifo / "01-uncertain" / "summary.json").c_str(), 0600) == 0);
  refused(fifo, (fifo / "01-uncertain" / "summary.json").string() +
                    ": not a regular file (expected the baseline written by cloudpact check --update)");
  // JSON that is not an object: damage at the root, not a structure to compare.
  const fs::path array = baseline_copy("array-baseline");
  write_text(array / "01-uncertain" / "summary.json", "[1, 2]");
  refused(array, (array / "01-uncertain" / "summary.json").string() +
                     ": /: is an array (expected the summary.json object written by cloudpact check --update)");
  write_text(array / "01-uncertain" / "summary.json", read_text(baseline().dir / "01-uncertain" / "summary.json"));
  write_text(array / "01-uncertain" / "risk.json", "42");
  refused(array, (array / "01-uncertain" / "risk.json").string() +
                     ": /: is a number (expected the risk.json object written by cloudpact check --update)");
  // A seed the re-run could not pass to --seed: bad input, not a failed risk.
  const fs::path seed = baseline_copy("seed-baseline");
  edit_json(seed / "01-uncertain" / "risk.json", [](json& j) { j["seed"] = 9000000000000000001ull; });
  refused(seed, (seed / "01-uncertain" / "risk.json").string() +
                    ": /seed: missing or out of range (expected an integer in [0, 9000000000000000000])");
  // --baseline naming a file.
  const fs::path file = root() / "baseline-file";
  write_text(file, "");
  refused(file, file.string() + ": not a folder (expected --baseline DIR: a folder holding DIR/<scenario name>/ "
                                "baselines, or --update to write them)");
}

TEST_CASE("check --help") {
  const Run r = run_cloudpact({"check", "--help"});
  CHECK(r.exit_code == 0);
  CHECK(starts_with(r.out, "usage: cloudpact check [--baseline DIR] [--junit FILE] [--update] [--paths N] [--z Z] "
                           "[FILE...]\n"));
  // The quantile tolerance as the check computes it (regression/tolerances.hpp), not the normal term alone.
  CHECK(r.out.find("quantile p_q: Z·max(se_pq, the normal") != std::string::npos);
}
