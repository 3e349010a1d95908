// The command line itself (src/cli/command_line.hpp): every command's
// --help lists every option it accepts, and bad invocations exit 2 with
// exactly one line on stderr and nothing written. Runs the real binary.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/command_line.hpp"
#include "cloudpact_git_revision.h"
#include "cloudpact_version.h"
#include "run_cloudpact.hpp"

namespace fs = std::filesystem;
using cloudpact::test::run_cloudpact;
using cloudpact::test::Run;
using cloudpact::test::temp_root;

namespace {

const std::string kScenario01 = std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/01-one-vendor-vs-two.json";

// What each command accepts: every option name and positional argument. A
// new option must be added here too, so that it is seen in the help below.
const std::map<std::string, std::set<std::string>> kAccepted = {
    {"validate", {"FILE", "--set"}},
    {"run", {"FILE", "--out", "--set"}},
    {"risk", {"FILE", "--out", "--paths", "--seed", "--backend", "--threads", "--batch", "--uncertainty-off", "--sensitivity", "--set"}},
    {"sweep",
     {"FILE", "--out", "-j", "--jobs", "--resume", "--retry-failed", "--collect", "--slurm", "--partition",
      "--array-size", "--slurm-script-only"}},
    {"optimize", {"FILE", "--out", "--backend", "--threads"}},
    {"check", {"FILE", "--baseline", "--junit", "--update", "--paths", "--z"}},
    {"schema", {}},
    {"compare-json", {"A", "B", "--rel", "--ignore"}},
    {"sweep-variant", {"DIR", "ID", "--at"}},
    {"sweep-worker", {"DIR", "--shard", "--shards", "-j"}},
};

// The names of every option and argument of `cmd`, as the CLI11 declaration has them.
std::set<std::string> declared(const CLI::App& cmd) {
  std::set<std::string> out;
  for (const CLI::Option* opt : cmd.get_options()) {
    if (opt == cmd.get_help_ptr()) continue;
    if (!opt->nonpositional()) out.insert(opt->get_name(true, false));
    for (const std::string& n : opt->get_snames()) out.insert("-" + n);
    for (const std::string& n : opt->get_lnames()) out.insert("--" + n);
  }
  return out;
}

// The words of a text, without the punctuation around option names in
// usage lines and tables ("[--out", "-j,", "[FILE...]").
std::set<std::string> words(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) {
    while (!w.empty() && (w.front() == '[' || w.front() == '(')) w.erase(0, 1);
    while (!w.empty() && (w.back() == ']' || w.back() == ',' || w.back() == '.' || w.back() == ')')) w.pop_back();
    out.insert(w);
  }
  return out;
}

// The lines of the top-level help from command `name`'s entry to the next.
std::string entry_of(const std::string& help, const std::string& name) {
  std::istringstream in(help);
  std::string out;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    const bool entry_start = line.size() > 2 && line.compare(0, 2, "  ") == 0 && line[2] != ' ';
    if (entry_start) inside = line.compare(2, name.size() + 1, name + " ") == 0;
    if (inside) out += line + "\n";
  }
  return out;
}

void check_usage_error(const std::vector<std::string>& args, const std::string& message) {
  std::string line = "cloudpact";
  for (const std::string& a : args) line += " " + a;
  INFO(line);
  const Run r = run_cloudpact(args);
  CHECK(r.exit_code == 2);
  CHECK(r.err == "cloudpact: " + message + "\n");
  CHECK(r.out.empty());
}

}  // namespace

TEST_CASE("every command is declared with exactly the options it accepts") {
  const cloudpact::CommandLine command_line;
  std::set<std::string> commands;
  for (const cloudpact::Command& c : command_line.commands()) {
    const std::string name = c.app->get_name();
    INFO("command " << name);
    commands.insert(name);
    REQUIRE(kAccepted.count(name) == 1);
    CHECK(declared(*c.app) == kAccepted.at(name));
  }
  CHECK(commands.size() == kAccepted.size());
}

TEST_CASE("COMMAND --help exits 0 and lists every option of the command") {
  const cloudpact::CommandLine command_line;
  for (const cloudpact::Command& c : command_line.commands()) {
    const std::string name = c.app->get_name();
    INFO("cloudpact " << name << " --help");
    for (const char* help : {"--help", "-h"}) {
      const Run r = run_cloudpact({name, help});
      CHECK(r.exit_code == 0);
      CHECK(r.err.empty());
      CHECK(r.out.rfind("usage: cloudpact " + name, 0) == 0);
      const std::set<std::string> shown = words(r.out);
      for (const std::string& option : declared(*c.app)) {
        CHECK_MESSAGE(shown.count(option) == 1, option << " is missing from the help:\n" << r.out);
      }
      CHECK(shown.count("--help") == 1);
    }
  }
}

TEST_CASE("cloudpact --help lists every listed command with every option") {
  const cloudpact::CommandLine command_line;
  for (const char* help : {"--help", "-h"}) {
    const Run r = run_cloudpact({help});
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("usage: cloudpact [--version] COMMAND ...\n", 0) == 0);
    for (const cloudpact::Command& c : command_line.commands()) {
      const std::string name = c.app->get_name();
      INFO("command " << name);
      const std::string entry = entry_of(r.out, name);
      if (c.app->get_group().empty()) {  // run by cloudpact itself or by scripts
        CHECK(entry.empty());
        continue;
      }
      const std::set<std::string> shown = words(entry);
      CHECK(shown.count("cloudpact") == 1);
      for (const std::string& option : declared(*c.app)) {
        // The usage line names an option by its first name ("-j", not "--jobs").
        if (option == "--jobs") continue;
        CHECK_MESSAGE(shown.count(option) == 1, option << " is missing from the entry:\n" << entry);
      }
    }
  }
  // Every option of check, which the hand-written help once forgot.
  const std::string check = entry_of(run_cloudpact({"--help"}).out, "check");
  CHECK(check.find("[--paths N]") != std::string::npos);
  CHECK(check.find("[--z Z]") != std::string::npos);
}

TEST_CASE("--help wins over anything else on the line; --version prints the version and git revision") {
  const Run help = run_cloudpact({"risk", kScenario01, "--paths", "0", "--frobnicate", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.rfind("usage: cloudpact risk ", 0) == 0);
  const Run flag_help = run_cloudpact({"check", "--update=x", "--help"});
  CHECK(flag_help.exit_code == 0);
  CHECK(flag_help.out.rfind("usage: cloudpact check ", 0) == 0);
  const Run version = run_cloudpact({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out == std::string("cloudpact ") + CLOUDPACT_VERSION + " (git " + CLOUDPACT_GIT_REVISION + ")\n");
  CHECK(version.err.empty());
}

TEST_CASE("usage errors: exit 2, one line on stderr, nothing on stdout") {
  check_usage_error({}, "missing COMMAND (see cloudpact --help)");
  check_usage_error({"frobnicate"}, "unknown command frobnicate (see cloudpact --help)");
  // --help wins over everything but a command that does not exist: there is no help of it.
  check_usage_error({"frobnicate", "--help"}, "unknown command frobnicate (see cloudpact --help)");
  check_usage_error({"-h", "frobnicate"}, "unknown command frobnicate (see cloudpact --help)");
  check_usage_error({"--frobnicate"}, "unknown option --frobnicate (see cloudpact --help)");
  // Unknown options, wherever they are.
  check_usage_error({"run", kScenario01, "--fro\nbnicate"}, "unknown option --fro\\nbnicate (see cloudpact run --help)");
  check_usage_error({"risk", kScenario01, "--paths", "1\x1b[2J"},
                    "--paths needs an integer in [1, 100000000], got '1\\u001B[2J'");
  check_usage_error({"schema", "a\tb"}, "unexpected argument 'a\\tb' (see cloudpact schema --help)");
  // Integers: the whole text, in range.
  check_usage_error({"risk", kScenario01, "--paths", "0"}, "--paths needs an integer in [1, 100000000], got '0'");
  check_usage_error({"risk", kScenario01, "--paths=1e3"}, "--paths needs an integer in [1, 100000000], got '1e3'");
  check_usage_error({"risk", kScenario01, "--seed", "-1"},
                    "--seed needs an integer in [0, 9000000000000000000], got '-1'");
  // The range of a file's seed: a seed the command line takes can be written there.
  check_usage_error({"risk", kScenario01, "--seed", "9000000000000000001"},
                    "--seed needs an integer in [0, 9000000000000000000], got '9000000000000000001'");
  check_usage_error({"risk", kScenario01, "--threads", "4097"}, "--threads needs an integer in [0, 4096], got '4097'");
  check_usage_error({"sweep", kScenario01, "-j", "0"}, "-j/--jobs needs an integer in [1, 1024], got '0'");
  check_usage_error({"sweep", kScenario01, "--jobs=1025"}, "-j/--jobs needs an integer in [1, 1024], got '1025'");
  check_usage_error({"sweep-worker", "d", "--shards", "2", "--shard", "2"}, "--shard needs an integer in [0, 1], got '2'");
  check_usage_error({"risk", kScenario01, "--backend", "gpu"}, "--backend needs auto, cpu or cuda, got 'gpu'");
  check_usage_error({"check", "--z", "nan"}, "--z needs a number > 0, got 'nan'");
  check_usage_error({"compare-json", "a", "b", "--rel", "-1"}, "--rel needs a number >= 0, got '-1'");
  check_usage_error({"compare-json", "a", "b", "--ignore", "backend"},
                    "--ignore: 'backend' is neither a JSON pointer (/a/b) nor **/KEY");
  // `--opt=` is `--opt ''`: the next argument is not taken as its value
  // (`check --junit= FILE` wrote the report over FILE).
  {
    // On a copy: were the next argument taken, it would be overwritten.
    const std::string victim = (temp_root() / "junit-victim.json").string();
    std::filesystem::copy_file(kScenario01, victim, std::filesystem::copy_options::overwrite_existing);
    check_usage_error({"check", "--junit=", victim}, "--junit needs a file name, got ''");
    std::ifstream a(kScenario01, std::ios::binary), b(victim, std::ios::binary);
    CHECK(std::string(std::istreambuf_iterator<char>(a), {}) == std::string(std::istreambuf_iterator<char>(b), {}));
  }
  check_usage_error({"run", "--out=", kScenario01}, "--out needs a folder, got ''");
  check_usage_error({"check", "--z=", kScenario01}, "--z needs a number > 0, got ''");
  check_usage_error({"risk", kScenario01, "--seed=", "--paths", "3"},
                    "--seed needs an integer in [0, 9000000000000000000], got ''");
  // A flag is given or not: a value is neither read as a boolean (`no`
  // would switch it off) nor left to CLI11's words.
  check_usage_error({"check", "--update=x"}, "--update takes no value, got 'x'");
  check_usage_error({"risk", kScenario01, "--sensitivity=no"}, "--sensitivity takes no value, got 'no'");
  check_usage_error({"sweep", "s.json", "--resume=true"}, "--resume takes no value, got 'true'");
  check_usage_error({"sweep", "s.json", "--partition", "p"},
                    "--partition and --array-size go with --slurm or --slurm-script-only");
  // The wrong number of files.
  check_usage_error({"run"}, "run needs exactly one scenario FILE");
  check_usage_error({"run", kScenario01, kScenario01}, "run needs exactly one scenario FILE");
  check_usage_error({"risk"}, "risk needs exactly one scenario FILE");
  check_usage_error({"validate"}, "validate needs at least one FILE");
  check_usage_error({"sweep", "a.json", "b.json"}, "sweep needs exactly one sweep FILE");
  check_usage_error({"compare-json", "a"}, "compare-json needs two files A B");
  check_usage_error({"compare-json", "a", "b", "c"}, "unexpected argument 'c' (see cloudpact compare-json --help)");
  check_usage_error({"schema", "x"}, "unexpected argument 'x' (see cloudpact schema --help)");
  check_usage_error({"sweep-variant", "d"}, "sweep-variant needs DIR ID (it is run by cloudpact sweep)");
}

TEST_CASE("a usage error writes nothing; a later value of an option replaces an earlier one; --set repeats") {
  const fs::path out = cloudpact::test::temp_root() / "usage-out";
  check_usage_error({"run", kScenario01, "--out", out.string(), "--paths", "3"},
                    "unknown option --paths (see cloudpact run --help)");
  CHECK_FALSE(fs::exists(out));

  const fs::path first = cloudpact::test::temp_root() / "first", last = cloudpact::test::temp_root() / "last";
  const Run run = run_cloudpact({"run", kScenario01, "--out", first.string(), "--out=" + last.string()});
  CHECK(run.exit_code == 0);
  CHECK(run.out == last.string() + "\n");
  CHECK(fs::exists(last / "summary.json"));
  CHECK_FALSE(fs::exists(first));

  // Both overrides apply: the second one's problem is reported.
  const Run twice = run_cloudpact({"validate", kScenario01, "--set", "/name=x", "--set=/end=2025-09-01"});
  CHECK(twice.exit_code == 2);
  CHECK(twice.err == kScenario01 + ": /end: ends before it starts (expected a date after /start 2025-10-01)\n");
  CHECK(run_cloudpact({"validate", kScenario01, "--set", "/name=x", "--set", "/policy/placement=cheapest"}).exit_code == 0);
}

TEST_CASE("problems in files are one line each, whatever the keys and values hold") {
  // A key with a newline and one with a terminal escape, set from the command line.
  const Run r = run_cloudpact({"validate", kScenario01, "--set", "/x\ny=1", "--set", "/policy/placement=\x1b[31m"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == kScenario01 + ": /x\\ny: unknown key (expected one of: accelerators, contracts, end, events, finance, name, "
                               "negotiation, output, policy, providers, start, uncertainty, workloads)\n" +
                     kScenario01 + ": /policy/placement: unknown placement \"\\u001B[31m\" (expected one of: "
                                   "cheapest, primary, single_vendor)\n");
  // A number beyond a double, set from the command line, is not "a string".
  const Run big = run_cloudpact({"validate", kScenario01, "--set", "/output/interval_hours=1e400"});
  CHECK(big.exit_code == 2);
  CHECK(big.err == kScenario01 +
                       ": /output/interval_hours: number out of range: 1e400 (expected a number a double can hold)\n");
}

TEST_CASE("what validate accepts, run and risk compute: the upper ends of the ranges give finite numbers") {
  const std::string high = std::string(CLOUDPACT_SOURCE_DIR) + "/tests/scenario/fixtures/valid/boundaries-high.json";
  CHECK(run_cloudpact({"validate", high}).exit_code == 0);
  const fs::path out = cloudpact::test::temp_root() / "high";
  const Run run = run_cloudpact({"run", high, "--out", out.string()});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const Run risk = run_cloudpact({"risk", high, "--paths", "64", "--threads", "2", "--out", out.string()});
  INFO(risk.err);
  REQUIRE(risk.exit_code == 0);
  std::ifstream summary_in(out / "summary.json"), risk_in(out / "risk.json");
  const nlohmann::json summary = nlohmann::json::parse(summary_in), r = nlohmann::json::parse(risk_in);
  for (const auto& [key, value] : summary["totals"].items()) {
    CAPTURE(key);
    CHECK(value.is_number());
  }
  for (const auto& [name, portfolio] : r["portfolios"].items()) {
    CAPTURE(name);
    CHECK(portfolio["cost_usd"]["mean"].is_number());
    CHECK(portfolio["cost_usd"]["p99"].is_number());
    CHECK(portfolio["spend_usd"]["mean"].is_number());
    CHECK(portfolio["unmet_gpu_hours"]["mean"].is_number());
  }
}


namespace {
// A pipe holding `text` whole, its write end closed: `/dev/fd/N` of its read
// end, which run_cloudpact's child inherits and can read once only.
struct PipeFile {
  int fd = -1;
  explicit PipeFile(const std::string& text) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(text.size() < 65536);  // within a pipe's buffer: written before any reader
    REQUIRE(::write(fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    ::close(fds[1]);
    fd = fds[0];
  }
  ~PipeFile() { ::close(fd); }
  PipeFile(const PipeFile&) = delete;
  PipeFile& operator=(const PipeFile&) = delete;
  std::string path() const { return "/dev/fd/" + std::to_string(fd); }
};
}  // namespace

TEST_CASE("validate reads each file once: a pipe is checked as the file it carries") {
  // It used to read a file once to tell its kind and again to check it: a
  // pipe's second read was empty ("unexpected end of input"), and a named
  // pipe's second open waited for a writer that never came.
  const std::string text = cloudpact::test::read_text(kScenario01);
  {
    const PipeFile pipe(text);
    const Run r = run_cloudpact({"validate", pipe.path()});
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
  }
  {
    auto doc = nlohmann::json::parse(text);
    doc["polcy"] = 1;
    const PipeFile pipe(doc.dump());
    const Run r = run_cloudpact({"validate", pipe.path()});
    CHECK(r.exit_code == 2);
    CHECK(r.err == pipe.path() + ": /polcy: unknown key (expected one of: accelerators, contracts, end, events, finance, "
                                 "name, negotiation, output, policy, providers, start, uncertainty, workloads)\n");
  }
}
