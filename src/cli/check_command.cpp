// `cloudpact check [--baseline DIR] [--junit FILE] [--update] [--paths N] [--z Z] [FILE...]`
// (docs/reference.md §8): re-runs every scenario's replay (and risk, where a baseline
// risk.json exists) in child processes of this binary and compares the
// outputs with the committed baselines DIR/<name>/ (regression/check.hpp),
// or with --update rewrites them: the only way baselines are written.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/progress.hpp"
#include "proc/child_process.hpp"
#include "regression/check.hpp"
#include "regression/check_report.hpp"
#include "regression/tolerances.hpp"
#include "report/atomic_file.hpp"
#include "scenario/input_file.hpp"
#include "scenario/json_reader.hpp"
#include "scenario/limits.hpp"
#include "scenario/load.hpp"
#include "scenario/message_text.hpp"

namespace cloudpact {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using regression::CaseResult;
using regression::Row;

const char* kCheckDetails =
    "Re-runs each scenario (default: every scenarios/*.json but schema.json), each in a child\n"
    "process, and compares its outputs with the baselines in DIR/<scenario name>/:\n"
    "  summary.json  `cloudpact run`: every number within 1e-9 relative\n"
    "  risk.json     `cloudpact risk --backend cpu` with the baseline's paths and seed, when\n"
    "                the baseline folder holds one: every number within Z of its Monte Carlo\n"
    "                standard errors (mean: Z·se_mean; quantile p_q: Z·max(se_pq, the normal\n"
    "                approximation se_mean·√(q(1−q))/φ(Φ⁻¹(q))); cvar95: Z·se_cvar95; p_unmet:\n"
    "                Z·max(se_p_unmet, 1/paths); each cost histogram as a sample: the two\n"
    "                samples' Kolmogorov–Smirnov distance within c·√(1/n + 1/m), c = 2.06 at\n"
    "                Z = 5; every rule in docs/reference.md §8.3)\n"
    "Strings, keys and array lengths must match exactly; cloudpact_version and the risk\n"
    "backend are not compared. Prints a table of every number that moved, with its relative\n"
    "change, tolerance and verdict, then one summary line.\n"
    "Baselines are written only by --update: review `git diff results/` before committing.\n"
    "\n"
    "Exit 0 all within tolerance (or baselines written), 1 a regression, 2 invalid input or\n"
    "usage (nothing written), 3 a run or I/O failed.";

struct CheckOptions {
  std::vector<std::string> files;
  std::optional<std::string> baseline, junit;
  bool update = false;
  std::optional<std::int64_t> paths;
  std::optional<double> z;
};

constexpr std::int64_t kDefaultRiskPaths = 1000;
constexpr size_t kQuotedStderrLines = 40;
const std::string kNoBaseline = "no baseline (run cloudpact check --update)";

// One scenario to check, with what its baseline folder holds.
struct Target {
  std::string file, name;
  fs::path dir;                       // DIR/<name>
  std::optional<json> summary, risk;  // parsed baselines (check: both; update: risk only)
  std::int64_t risk_paths = 0;        // from the risk baseline
  std::uint64_t risk_seed = 0;
};

std::vector<std::string> default_scenario_files() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("scenarios", ec)) {
    if (e.path().extension() == ".json" && e.path().filename() != "schema.json" && e.is_regular_file()) {
      files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    throw UsageError("no scenario files: scenarios/*.json matched nothing (run from the project root, or name FILEs)");
  }
  return files;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  if (in) ss << in.rdbuf();
  if (!in || in.bad()) throw std::runtime_error("cannot read " + p.string() + ": " + std::strerror(errno));
  return ss.str();
}

// The JSON of a baseline file; nullopt (and its problem lines) when it is
// unreadable, too large or not JSON.
std::optional<json> parse_baseline(const fs::path& p, std::vector<std::string>& problems) {
  try {
    return parse_input_json(read_input_file(p.string(), limits::max_baseline_bytes, "baseline file"), p.string());
  } catch (const InputError& e) {
    problems.insert(problems.end(), e.lines().begin(), e.lines().end());
    return std::nullopt;
  }
}

// A baseline document is an object (summary.json's or risk.json's); any
// other JSON is damage to say at its root, not a structure to compare.
bool baseline_is_object(const fs::path& p, const json& doc, std::vector<std::string>& problems) {
  if (doc.is_object()) return true;
  problems.push_back(escape_text(p.string()) + ": /: is " + scenario_json::type_phrase(doc) + " (expected the " +
                     p.filename().string() + " object written by cloudpact check --update)");
  return false;
}

// The baseline risk.json's paths and seed, which the re-run must reuse.
void read_risk_run(Target& t, std::vector<std::string>& problems) {
  const std::string file = (t.dir / "risk.json").string();
  const json& r = *t.risk;
  const std::string paths_expected =
      "(expected an integer in [1, " + std::to_string(limits::max_paths) + "])";
  if (!r.is_object() || !r.contains("paths") || !r["paths"].is_number_integer() || r["paths"].get<std::int64_t>() < 1 ||
      r["paths"].get<std::int64_t>() > limits::max_paths) {
    problems.push_back(file + ": /paths: missing or out of range " + paths_expected);
  } else {
    t.risk_paths = r["paths"].get<std::int64_t>();
  }
  if (!r.is_object() || !r.contains("seed") || !r["seed"].is_number_unsigned() ||
      r["seed"].get<std::uint64_t>() > limits::max_seed) {
    // The range --seed takes: the re-run passes it there.
    problems.push_back(file + ": /seed: missing or out of range (expected an integer in [0, " +
                       std::to_string(limits::max_seed) + "])");
  } else {
    t.risk_seed = r["seed"].get<std::uint64_t>();
  }
}

// A baseline folder holds summary.json and risk.json, regular files, and
// nothing else: anything more is reported, not ignored. With --update it must
// also be a folder that a commit can replace as a whole.
void check_baseline_folder(const Target& t, bool update, std::vector<std::string>& problems) {
  const std::string dir = escape_text(t.dir.string());  // for messages
  if (update) {
    if (const std::string why = output_folder_problem(t.dir.string(), true); !why.empty()) {
      problems.push_back(dir + ": " + why);
      return;
    }
  }
  std::error_code ec;
  const fs::file_status folder = fs::symlink_status(t.dir, ec);
  if (folder.type() == fs::file_type::not_found) return;  // no baseline yet
  if (ec) {
    // Not "no baseline": one that cannot be looked at (a folder above it
    // that cannot be searched) would pass as missing.
    problems.push_back(dir + ": cannot be read: " + ec.message());
    return;
  }
  if (folder.type() != fs::file_type::directory) {
    problems.push_back(dir + ": not a folder (expected a baseline folder with summary.json and risk.json)");
    return;
  }
  std::vector<std::string> names;
  for (fs::directory_iterator it(t.dir, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) {
    problems.push_back(dir + ": cannot be read: " + ec.message());
    return;
  }
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    const fs::path p = t.dir / n;
    if (n != "summary.json" && n != "risk.json") {
      problems.push_back(escape_text(p.string()) + ": unexpected in a baseline folder (expected only summary.json and risk.json, "
                                      "written by cloudpact check --update; move it elsewhere)");
    } else if (fs::symlink_status(p, ec).type() != fs::file_type::regular) {
      problems.push_back(escape_text(p.string()) + ": not a regular file (expected the baseline written by cloudpact check --update)");
    }
  }
}

// A folder of its own for the children's outputs, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/cloudpact-check-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) {
      throw std::runtime_error("cannot create a temporary folder " + templ + ": " + std::strerror(errno));
    }
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string last_lines(const std::string& text, size_t n) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::string out;
  if (lines.size() > n) out += "  | ... (" + std::to_string(lines.size() - n) + " lines before)\n";
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) out += "  | " + lines[i] + "\n";
  return out;
}

// One child `cloudpact COMMAND FILE ... --out TMP/<name>`: its output text,
// or how it failed.
struct ChildOutput {
  std::optional<std::string> text;  // the output file, when the child succeeded
  double seconds = 0.0;
};

// Runs `self args...` with stdout and stderr in files under `tmp`; on
// failure fills the case (error for runtime failures, a regression row for
// anything else: the code under test broke) and says so on stderr.
ChildOutput run_child_for(CaseResult& c, const std::vector<std::string>& args, const fs::path& tmp,
                          const std::string& output_file) {
  const std::string log = (tmp / (c.scenario + "." + c.name)).string();
  ChildSpec spec;
  spec.argv.push_back(self_exe_path());
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.stdout_path = log + ".stdout";
  spec.stderr_path = log + ".stderr";
  const auto t0 = std::chrono::steady_clock::now();
  const ChildExit e = run_child(spec);
  ChildOutput out;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  c.seconds += out.seconds;
  const std::string command = "cloudpact " + args[0];
  if (e.ok()) {
    const fs::path produced = tmp / c.scenario / output_file;
    try {
      out.text = read_text(produced);
    } catch (const std::exception& ex) {
      c.error = command + " exited 0 but " + ex.what();
      std::cerr << "check: " << c.scenario << ": " << c.error << "\n";
    }
    return out;
  }
  std::string child_stderr;
  try {
    child_stderr = read_text(spec.stderr_path);
  } catch (const std::exception&) {
    child_stderr = "(its stderr could not be read)\n";
  }
  const std::string what = command + " failed (" + e.describe() + ")";
  c.details = command + " stderr:\n" + last_lines(child_stderr, kQuotedStderrLines);
  // Exit 3 is the child's own runtime failure (I/O, device), 127 an exec
  // failure: the check could not run. A crash or any other code is the
  // implementation's fault: a regression.
  if (e.signal == 0 && (e.exit_code == kExitRuntime || e.exit_code == 127)) {
    c.error = what;
  } else {
    Row r;
    r.metric = "(" + args[0] + ")";
    r.baseline = "-";
    r.now = "-";
    r.basis = what;
    r.regression = true;
    c.rows.push_back(std::move(r));
  }
  std::cerr << "check: " << c.scenario << ": " << what << "; its stderr:\n" << last_lines(child_stderr, kQuotedStderrLines);
  return out;
}

// Compares a produced document with its baseline into the case.
template <typename Compare>
void compare_into(CaseResult& c, const json& baseline, const std::string& produced, Compare compare) {
  json now;
  try {
    now = json::parse(produced);
  } catch (const json::exception& e) {
    Row r;
    r.metric = "(document)";
    r.baseline = "-";
    r.now = "-";
    r.basis = std::string("output is not JSON: ") + e.what();
    r.regression = true;
    c.rows.push_back(std::move(r));
    return;
  }
  regression::Comparison cmp = compare(baseline, now);
  c.numbers_compared += cmp.numbers_compared;
  c.rows.insert(c.rows.end(), std::make_move_iterator(cmp.rows.begin()), std::make_move_iterator(cmp.rows.end()));
}

// `risk FILE --paths N [--seed S] --backend cpu --out DIR`: the baseline's
// seed when there is a risk baseline, else the scenario's own.
std::vector<std::string> risk_args(const Target& t, const fs::path& out_dir, std::int64_t paths) {
  std::vector<std::string> a = {"risk", t.file, "--paths", std::to_string(paths)};
  if (t.risk) a.insert(a.end(), {"--seed", std::to_string(t.risk_seed)});
  a.insert(a.end(), {"--backend", "cpu", "--out", out_dir.string()});
  return a;
}

// "DIR/<name>/summary.json  (updated)" etc.
std::string write_note(const fs::path& target, const std::string& content) {
  std::error_code ec;
  if (!fs::exists(target, ec)) return "new";
  try {
    return read_text(target) == content ? "unchanged" : "updated";
  } catch (const std::exception&) {
    return "updated";
  }
}

int check_command(const CheckOptions& o) {
  const bool update = o.update;
  if (!update && o.paths) throw UsageError("--paths applies only with --update (a check re-runs the baseline's paths)");
  if (update && o.junit) throw UsageError("--junit applies only to a check, not with --update");
  const std::int64_t paths_opt = o.paths.value_or(0);
  const double z = o.z.value_or(regression::kDefaultZ);
  const fs::path baseline_root = o.baseline.value_or("results");
  const std::string junit = o.junit.value_or("");
  // --junit's folder before any work: the report is committed into it at the end.
  std::string junit_folder;
  if (!junit.empty()) {
    const fs::path jp = junit;
    if (!jp.has_filename() || jp.filename() == "." || jp.filename() == "..") {
      throw UsageError("--junit needs a file name, got '" + escape_text(junit) + "'");
    }
    junit_folder = jp.parent_path().empty() ? "." : jp.parent_path().string();
    if (const std::string why = output_folder_problem(junit_folder, false); !why.empty()) {
      throw UsageError("--junit " + escape_text(junit) + ": its folder " + escape_text(junit_folder) + " " + why);
    }
    // A folder at the report's name could not be replaced by a file: said
    // now, not after every scenario has run.
    std::error_code ec;
    const fs::file_status at = fs::symlink_status(jp, ec);
    if (fs::is_directory(at))
      throw UsageError("--junit " + escape_text(junit) + " is a folder (expected a file name)");
    // The report is committed by a rename over its name: a link or a device
    // (/dev/null, /dev/stdout as root) there would be replaced, not written to.
    if (fs::is_symlink(at))
      throw UsageError("--junit " + escape_text(junit) +
                       " is a symbolic link (expected a regular file's name: cloudpact does not write through links)");
    if (fs::exists(at) && !fs::is_regular_file(at))
      throw UsageError("--junit " + escape_text(junit) +
                       " is not a regular file (expected a regular file's name: the report replaces the file there)");
  }

  // Every input first, so that nothing runs or is written when one is bad.
  const std::vector<std::string> files = o.files.empty() ? default_scenario_files() : o.files;
  std::vector<std::string> problems;
  std::vector<Target> targets;
  std::map<std::string, std::string> file_of_name;
  for (const std::string& f : files) {
    try {
      const Scenario sc = load_scenario(f);
      if (const auto it = file_of_name.find(sc.name); it != file_of_name.end()) {
        problems.push_back(f + ": /name: \"" + sc.name + "\" is also the name of " + it->second +
                           " (expected one scenario per name: the baseline folder is named after it)");
        continue;
      }
      file_of_name[sc.name] = f;
      Target t;
      t.file = f;
      t.name = sc.name;
      t.dir = baseline_root / sc.name;
      targets.push_back(std::move(t));
    } catch (const InputError& e) {
      problems.insert(problems.end(), e.lines().begin(), e.lines().end());
    }
  }
  // The baselines themselves: a check needs their folder; checking every
  // scenario, a baseline folder no scenario names would silently go
  // unchecked (a renamed or deleted scenario). Judged only once every
  // scenario loaded: one that did not has no name to match.
  std::error_code dir_ec;
  const bool root_exists = fs::is_directory(baseline_root, dir_ec);
  if (!update && !root_exists) {
    std::error_code ec;
    problems.push_back(escape_text(baseline_root.string()) +
                       (fs::exists(baseline_root, ec) ? ": not a folder" : ": no such folder") +
                       " (expected --baseline DIR: a folder holding DIR/<scenario name>/ baselines, or --update to "
                       "write them)");
  }
  // A baseline folder this process cannot search reads as one holding no
  // baselines (each a regression "no baseline"), and one it cannot list
  // hides the baselines no scenario names: either is bad input.
  const bool root_unreadable = root_exists && ::access(baseline_root.c_str(), R_OK | X_OK) != 0;
  if (root_unreadable) {
    problems.push_back(escape_text(baseline_root.string()) + ": cannot be read: " + std::strerror(errno) +
                       " (expected a baseline folder this user can list and search)");
  } else if (o.files.empty() && root_exists && problems.empty()) {
    std::vector<std::string> orphans;
    for (const auto& e : fs::directory_iterator(baseline_root, dir_ec)) {
      std::error_code ec;
      const bool baseline = e.is_directory(ec) && (fs::exists(e.path() / "summary.json", ec) ||
                                                   fs::exists(e.path() / "risk.json", ec));
      if (baseline && !file_of_name.count(e.path().filename().string())) orphans.push_back(e.path().string());
    }
    std::sort(orphans.begin(), orphans.end());
    for (const std::string& dir : orphans) {
      problems.push_back(escape_text(dir) + ": a baseline without a scenario (expected a scenario named " +
                         quoted_text(fs::path(dir).filename().string()) +
                         " among the checked files, or remove the folder)");
    }
  }
  for (Target& t : targets) {
    if (root_unreadable) break;  // said once, for the folder above them all
    const size_t folder_problems = problems.size();
    check_baseline_folder(t, update, problems);
    // A folder already found wrong (a FIFO, a folder or a link where a
    // baseline belongs) is not opened: a FIFO would block the read forever.
    if (problems.size() > folder_problems) continue;
    std::error_code ec;
    if (!update && fs::exists(t.dir / "summary.json", ec)) {
      t.summary = parse_baseline(t.dir / "summary.json", problems);
      if (t.summary && !baseline_is_object(t.dir / "summary.json", *t.summary, problems)) t.summary.reset();
    }
    if (fs::exists(t.dir / "risk.json", ec)) {
      const size_t before = problems.size();
      t.risk = parse_baseline(t.dir / "risk.json", problems);
      if (t.risk && !baseline_is_object(t.dir / "risk.json", *t.risk, problems)) t.risk.reset();
      if (t.risk) read_risk_run(t, problems);
      // --update re-runs a risk baseline with its own paths and seed, so a
      // damaged one cannot be rewritten from itself: say how to replace it.
      if (update)
        for (size_t i = before; i < problems.size(); ++i)
          problems[i] += " (--update reuses its paths and seed: remove the file, and give --paths, to write a new one)";
    }
  }
  if (!problems.empty()) throw InputError(problems);

  const TempDir tmp;
  std::vector<CaseResult> cases;
  int status = kExitOk;
  Progress progress("check", "scenarios", static_cast<std::int64_t>(targets.size()));
  std::int64_t done = 0;
  for (const Target& t : targets) {
    const fs::path out_dir = tmp.path() / t.name;
    CaseResult replay;
    replay.scenario = t.name;
    replay.name = "replay";
    CaseResult risk = replay;
    risk.name = "risk";

    std::optional<std::string> summary_text, risk_text;
    if (update || t.summary) {
      summary_text = run_child_for(replay, {"run", t.file, "--out", out_dir.string()}, tmp.path(), "summary.json").text;
      if (summary_text && t.summary) compare_into(replay, *t.summary, *summary_text, regression::compare_replay);
    } else {
      Row r;
      r.metric = "summary.json";
      r.baseline = "-";
      r.now = "-";
      r.basis = kNoBaseline;
      r.regression = true;
      replay.rows.push_back(std::move(r));
    }
    if (update || t.risk) {
      const std::int64_t paths = paths_opt > 0 ? paths_opt : (t.risk ? t.risk_paths : kDefaultRiskPaths);
      risk_text = run_child_for(risk, risk_args(t, out_dir, paths), tmp.path(), "risk.json").text;
      if (risk_text && !update) {
        compare_into(risk, *t.risk, *risk_text,
                     [z](const json& b, const json& n) { return regression::compare_risk(b, n, z); });
      }
    } else {
      risk.skipped = "no risk.json baseline (cloudpact check --update writes one)";
    }

    if (update) {
      if (summary_text && risk_text) {
        const std::vector<OutputFile> outs = {{"summary.json", *summary_text}, {"risk.json", *risk_text}};
        std::vector<std::string> notes;
        for (const OutputFile& o : outs) notes.push_back(write_note(t.dir / o.name, o.content));
        commit_outputs(t.dir.string(), outs);  // both or neither
        for (size_t i = 0; i < outs.size(); ++i) {
          std::cout << (t.dir / outs[i].name).string() << "  (" << notes[i] << ")  <-  " << t.file << "\n";
        }
      } else {
        status = kExitRuntime;  // said on stderr; nothing written for this scenario
      }
    }
    cases.push_back(std::move(replay));
    cases.push_back(std::move(risk));
    progress.update(++done);
  }
  progress.finish();
  if (update) return status;

  std::cout << regression::format_table(cases) << regression::summary_line(cases);
  if (!junit.empty()) commit_outputs(junit_folder, {{fs::path(junit).filename().string(), regression::junit_xml(cases)}});
  bool errors = false, regressions = false;
  for (const CaseResult& c : cases) {
    errors = errors || !c.error.empty();
    regressions = regressions || c.regressions() > 0;
  }
  return errors ? kExitRuntime : regressions ? kExitRegression : kExitOk;
}

}  // namespace

Command add_check_command(CLI::App& root) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App& cmd = add_command(root, "check", "re-run every scenario and compare with its baselines in results/",
                              kCheckDetails);
  add_positionals(cmd, "FILE", "[FILE...]", o->files, "scenario files (default: scenarios/*.json but schema.json)");
  add_path(cmd, "--baseline", o->baseline, "DIR", "a folder", "baseline folders (default results)");
  add_path(cmd, "--junit", o->junit, "FILE", "a file name", "also write JUnit XML (one test case per scenario and output)");
  add_flag(cmd, "--update", o->update,
           "rewrite DIR/<name>/summary.json and risk.json with this build's outputs instead of comparing");
  add_integer<std::int64_t>(cmd, "--paths", o->paths, 1, limits::max_paths, "N",
                            "with --update: Monte Carlo paths of the risk baselines (default: the "
                            "existing baseline's, else 1000)");
  add_number(cmd, "--z", o->z, 0.0, Bound::exclusive, "Z", "standard errors a risk number may move (default 5)");
  return {&cmd, [o] { return check_command(*o); }};
}

}  // namespace cloudpact
