// `cloudpact sweep` end to end, with the real binary (CLOUDPACT_BIN): the
// numbers of each variant against hand calculations, failures recorded,
// byte-identical tables, and kill-then-resume losing and duplicating nothing.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>

#include "proc/child_process.hpp"

using namespace cloudpact;
namespace fs = std::filesystem;

namespace {

const std::string kSource = CLOUDPACT_SOURCE_DIR;
const std::string kScenario01 = kSource + "/scenarios/01-one-vendor-vs-two.json";

std::string bin() {
  const char* b = std::getenv("CLOUDPACT_BIN");
  REQUIRE_MESSAGE(b != nullptr, "CLOUDPACT_BIN must name the cloudpact binary (meson sets it)");
  return b;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("cloudpact-test-sweep-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

struct Run {
  ChildExit exit;
  std::string out, err;
};

Run sweep(const fs::path& work, std::vector<std::string> args) {
  std::vector<std::string> argv{bin(), "sweep"};
  argv.insert(argv.end(), args.begin(), args.end());
  Run r;
  r.exit = run_child({argv, (work / "stdout.txt").string(), (work / "stderr.txt").string()});
  r.out = slurp(work / "stdout.txt");
  r.err = slurp(work / "stderr.txt");
  return r;
}

// sweep.csv as rows of cells (no quoted commas in these tests' values, except
// the error column, which is last and taken whole).
std::vector<std::vector<std::string>> rows_of(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(csv);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::size_t at = 0;
    while (true) {
      if (at < line.size() && line[at] == '"') {
        cells.push_back(line.substr(at));
        break;
      }
      const auto comma = line.find(',', at);
      cells.push_back(line.substr(at, comma - at));
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
    rows.push_back(cells);
  }
  return rows;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  FAIL("no column " << name);
  return 0;
}

// Scenario 01 by hand: October 2025 (744 h); aws reserves 10,000 H100 at the
// contract price, azure sells 5,000 on demand at $12.29; aws is down for
// 14 h 32 min. Demand d above 10,000 spills to azure all month; during the
// outage azure serves min(d, 5,000).
double spend_01(double price, double demand) {
  const double hours = 744.0, outage_h = 14.0 + 32.0 / 60.0;
  const double reserved_usd = 10000.0 * hours * price;
  const double spill_gpu_h = std::min(std::max(demand - 10000.0, 0.0), 5000.0) * (hours - outage_h);
  const double outage_gpu_h = std::min(demand, 5000.0) * outage_h;
  return reserved_usd + 12.29 * (spill_gpu_h + outage_gpu_h);
}

void write_file(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

std::string grid_sweep(const std::string& base, const std::string& prices, const std::string& demands) {
  return R"({"base": ")" + base + R"(", "mode": "grid", "parameters": [
    {"pointer": "/contracts/0/price_usd_per_gpu_hour", "values": )" + prices + R"(},
    {"pointer": "/workloads/0/demand_gpus", "values": )" + demands + "}]}";
}

// `sweep W/s.json --out W/o -j JOBS`, its stderr in W/err.txt, sent `sig`
// as soon as `appears` exists (or after a minute); how it ended. The sweep
// starts with `sig` at its default disposition, or ignored when
// `started_ignoring` (as nohup starts a command ignoring SIGHUP): an
// ignored signal is inherited across exec.
ChildExit sweep_stopped_once(const fs::path& w, const std::string& jobs, const fs::path& appears, int sig = SIGTERM,
                             bool started_ignoring = false) {
  std::signal(sig, started_ignoring ? SIG_IGN : SIG_DFL);
  const pid_t pid = spawn_child({{bin(), "sweep", (w / "s.json").string(), "--out", (w / "o").string(), "-j", jobs},
                                 "/dev/null", (w / "err.txt").string()});
  std::signal(sig, SIG_DFL);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(appears) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ::kill(pid, sig);
  return wait_child(pid);
}

}  // namespace

TEST_CASE("a grid sweep: every variant's spend matches the hand calculation") {
  const fs::path w = fresh_dir("grid");
  write_file(w / "s.json", grid_sweep(kScenario01, "[1.5, 2.0, 2.5]", "[6000, 8000, 12000, 16000]"));
  const Run r = sweep(w, {(w / "s.json").string(), "--out", (w / "out").string(), "-j", "2"});
  CHECK(r.exit.exit_code == 0);
  CHECK(r.out == (w / "out").string() + "\n");
  const auto rows = rows_of(slurp(w / "out" / "sweep.csv"));
  REQUIRE(rows.size() == 13);
  const auto& h = rows[0];
  CHECK(h.front() == "variant");
  CHECK(h[1] == "/contracts/0/price_usd_per_gpu_hour");
  CHECK(h[2] == "/workloads/0/demand_gpus");
  CHECK(h[3] == "totals.spend_usd");
  CHECK(h[h.size() - 2] == "status");
  CHECK(h.back() == "error");
  const std::size_t spend = column(h, "totals.spend_usd"), unmet = column(h, "totals.unmet_gpu_hours");
  std::set<std::string> ids;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    REQUIRE(row.size() == h.size());
    ids.insert(row[0]);
    CHECK(fs::is_directory(w / "out" / "variants" / row[0]));
    const double price = std::stod(row[1]), demand = std::stod(row[2]);
    CHECK(row[h.size() - 2] == "ok");
    CHECK(std::stod(row[spend]) == doctest::Approx(spend_01(price, demand)).epsilon(1e-9));
    const double unmet_by_hand = std::max(demand - 5000.0, 0.0) * (14.0 + 32.0 / 60.0) +
                                 std::max(demand - 15000.0, 0.0) * (744.0 - 14.0 - 32.0 / 60.0);
    CHECK(std::stod(row[unmet]) == doctest::Approx(unmet_by_hand).epsilon(1e-9));
  }
  CHECK(ids.size() == 12);
  CHECK(r.err.find("sweep: 12 variants: 12 ok, 0 failed") != std::string::npos);
  // Grid order: price outer, demand inner.
  CHECK(rows[1][1] == "1.5");
  CHECK(rows[1][2] == "6000");
  CHECK(rows[12][1] == "2.5");
  CHECK(rows[12][2] == "16000");
  // The plan: a small header, and one line per variant, in plan order.
  CHECK(slurp(w / "out" / "plan.json").find("\"variant_count\": 12") != std::string::npos);
  const std::string lines = slurp(w / "out" / "plan-variants.jsonl");
  CHECK(lines.rfind("{\"id\":\"" + rows[1][0] + "\",\"values\":[1.5,6000]}\n", 0) == 0);
  CHECK(std::count(lines.begin(), lines.end(), '\n') == 12);
}

TEST_CASE("a combination that is invalid fails alone; each value alone was valid") {
  const fs::path w = fresh_dir("combination");
  write_file(w / "s.json", R"({"base": ")" + kScenario01 + R"(", "mode": "grid", "parameters": [
    {"pointer": "/contracts/0/start", "values": ["2025-10-01", "2026-06-01"]},
    {"pointer": "/contracts/0/end", "values": ["2026-10-01", "2026-03-01"]}]})");
  const Run r = sweep(w, {(w / "s.json").string(), "--out", (w / "out").string(), "-j", "2"});
  CHECK(r.exit.exit_code == 3);  // one variant failed
  CHECK(r.err.find("sweep: 4 variants: 3 ok, 1 failed") != std::string::npos);
  const auto rows = rows_of(slurp(w / "out" / "sweep.csv"));
  REQUIRE(rows.size() == 5);
  CHECK(rows[4][1] == "2026-06-01");
  CHECK(rows[4][2] == "2026-03-01");
  CHECK(rows[4][rows[0].size() - 2] == "failed");
  CHECK(rows[4].back() == kScenario01 +
                              ": /contracts/0/end: ends before it starts (expected a date after /contracts/0/start "
                              "2026-06-01)");
}

TEST_CASE("refused before anything runs: a bad value or pointer, an unknown metric; exit 2, nothing written") {
  const fs::path w = fresh_dir("refused");
  auto refused = [&](const std::string& text, const std::string& err) {
    write_file(w / "s.json", text);
    const Run r = sweep(w, {(w / "s.json").string(), "--out", (w / "out").string()});
    CHECK(r.exit.exit_code == 2);
    CHECK(r.err == err);
    CHECK(r.out.empty());
    CHECK_FALSE(fs::exists(w / "out"));
  };
  const std::string file = (w / "s.json").string();
  refused(grid_sweep(kScenario01, "[1.5, 2.0]", "[8000, -5]"),
          file + ": /parameters/1/values/1: -5 makes an invalid scenario: /workloads/0/demand_gpus: negative: -5 "
                 "(expected a number in [0, 10000000000])\n");
  refused(R"({"base": ")" + kScenario01 + R"(", "mode": "grid", "parameters": [
            {"pointer": "/contracts/0/price_usd_per_gpu_hr", "values": [1, 2]}]})",
          file + ": /parameters/0/values/0: 1 makes an invalid scenario: /contracts/0/price_usd_per_gpu_hr: unknown "
                 "key (expected one of: billing, clusters, commitment_usd, end, exit_fee_pct_of_remaining, id, "
                 "min_spend_usd_per_year, price_usd_per_gpu_hour, provider, sla, start)\n" +
              file + ": /parameters/0/values/1: 2 makes an invalid scenario: /contracts/0/price_usd_per_gpu_hr: "
                     "unknown key (expected one of: billing, clusters, commitment_usd, end, "
                     "exit_fee_pct_of_remaining, id, min_spend_usd_per_year, price_usd_per_gpu_hour, provider, sla, "
                     "start)\n");
  refused(R"({"base": ")" + kScenario01 + R"(", "mode": "grid", "metrics": ["totals.spend"], "parameters": [
            {"pointer": "/contracts/0/price_usd_per_gpu_hour", "values": [1, 2]}]})",
          file + ": /metrics/0: unknown metric \"totals.spend\" (expected a dotted path into summary.json of the base "
                 "scenario, such as totals.spend_usd)\n");
  refused(R"({"base": ")" + kScenario01 + R"(", "mode": "grid", "parameters": [
            {"pointer": "/policy", "values": [{}]}, {"pointer": "/policy/placement", "values": ["primary"]}]})",
          file + ": /parameters/1/pointer: pointer \"/policy/placement\" lies inside the pointer of "
                 "/parameters/0/pointer (expected pointers that do not overlap: a variant would set one value "
                 "twice)\n");
  // --collect of a folder no sweep was started in: nothing to collect, and
  // nothing started there.
  write_file(w / "s.json", grid_sweep(kScenario01, "[1.5, 2.0]", "[8000]"));
  const Run c = sweep(w, {file, "--out", (w / "none").string(), "--collect"});
  CHECK(c.exit.exit_code == 2);
  CHECK(c.err == file + ": " + (w / "none").string() +
                     " holds no sweep to collect (expected the folder a sweep was started in, or no --collect to "
                     "start one)\n");
  CHECK_FALSE(fs::exists(w / "none"));
  // validate says the same.
  write_file(w / "s.json", R"({"base": ")" + kScenario01 + R"(", "mode": "grid", "parameters": [
            {"pointer": "/policy", "values": [{}]}, {"pointer": "/policy/placement", "values": ["primary"]}]})");
  const ChildExit v = run_child({{bin(), "validate", file}, (w / "v.out").string(), (w / "v.err").string()});
  CHECK(v.exit_code == 2);
  CHECK(slurp(w / "v.err").find("lies inside the pointer of /parameters/0/pointer") != std::string::npos);
  // A valid sweep file with --set: sweep takes no --set, so validate does not
  // pass it as if the override had reached it; the scenario beside it takes it.
  write_file(w / "s.json", grid_sweep(kScenario01, "[1.5, 2.0]", "[8000]"));
  const ChildExit s = run_child({{bin(), "validate", kScenario01, file, "--set", "/policy/placement=primary"},
                                 (w / "s.out").string(), (w / "s.err").string()});
  CHECK(s.exit_code == 2);
  CHECK(slurp(w / "s.err") == file + ": --set applies to scenario files only, and this is a sweep file (expected it "
                                      "without --set: sweep takes none)\n");
  CHECK(run_child({{bin(), "validate", kScenario01, "--set", "/policy/placement=primary"}, (w / "t.out").string(),
                   (w / "t.err").string()})
            .ok());
}

TEST_CASE("a variant process reads only its own line of the plan") {
  const fs::path w = fresh_dir("own-line");
  write_file(w / "s.json", grid_sweep(kScenario01, "[1.0, 2.0, 3.0]", "[8000]"));
  REQUIRE(sweep(w, {(w / "s.json").string(), "--out", (w / "o").string(), "--slurm-script-only"}).exit.ok());
  const std::string lines = slurp(w / "o" / "plan-variants.jsonl");
  const std::size_t second = lines.find('\n') + 1;
  const std::string id = lines.substr(second + 7, 13);
  // At its offset; at a wrong one (found by its line head); with none.
  for (const std::string& at : {std::to_string(second), std::string("0"), std::string()}) {
    CAPTURE(at);
    fs::remove_all(w / "o" / "variants" / id);
    std::vector<std::string> argv{bin(), "sweep-variant", (w / "o").string(), id};
    if (!at.empty()) argv.insert(argv.end(), {"--at", at});
    CHECK(run_child({argv, "/dev/null", ""}).ok());
    CHECK(slurp(w / "o" / "variants" / id / "result.json").find("\"status\": \"ok\"") != std::string::npos);
  }
  CHECK_FALSE(run_child({{bin(), "sweep-variant", (w / "o").string(), "v000000000000"}, "/dev/null", "/dev/null"}).ok());
  // A folder no sweep started in: its missing plan is named as such.
  for (const char* command : {"sweep-variant", "sweep-worker"}) {
    std::vector<std::string> argv{bin(), command, (w / "none").string()};
    if (std::string(command) == "sweep-variant") argv.push_back(id);
    const ChildExit e = run_child({argv, "/dev/null", (w / "none.err").string()});
    CHECK(e.exit_code == 3);
    CHECK(slurp(w / "none.err") == "cloudpact: " + (w / "none" / "plan.json").string() +
                                       ": cannot read: no such file (expected the folder of a sweep that cloudpact "
                                       "sweep started)\n");
  }
}

TEST_CASE("same sweep, same bytes, whatever -j; an existing folder needs --resume") {
  const fs::path w = fresh_dir("bytes");
  write_file(w / "s.json", grid_sweep(kScenario01, "[1.0, 3.0]", "[7000, 11000]"));
  REQUIRE(sweep(w, {(w / "s.json").string(), "--out", (w / "a").string(), "-j", "1"}).exit.ok());
  REQUIRE(sweep(w, {(w / "s.json").string(), "--out", (w / "b").string(), "-j", "4"}).exit.ok());
  CHECK(slurp(w / "a" / "sweep.csv") == slurp(w / "b" / "sweep.csv"));
  CHECK(slurp(w / "a" / "plan.json") == slurp(w / "b" / "plan.json"));

  const std::string before = slurp(w / "a" / "sweep.csv");
  const Run again = sweep(w, {(w / "s.json").string(), "--out", (w / "a").string()});
  CHECK(again.exit.exit_code == 2);
  CHECK(again.err == (w / "s.json").string() + ": " + (w / "a").string() +
                         " already holds a sweep (expected --resume to finish it, --collect to rebuild its table, "
                         "or another --out)\n");
  CHECK(slurp(w / "a" / "sweep.csv") == before);

  // Nothing to do: --resume only rebuilds the table, identically.
  CHECK(sweep(w, {(w / "s.json").string(), "--out", (w / "a").string(), "--resume"}).exit.ok());
  CHECK(slurp(w / "a" / "sweep.csv") == before);
}

TEST_CASE("extending a grid and resuming runs only the new variants") {
  const fs::path w = fresh_dir("extend");
  write_file(w / "s.json", grid_sweep(kScenario01, "[2.0]", "[8000]"));
  REQUIRE(sweep(w, {(w / "s.json").string(), "--out", (w / "o").string()}).exit.ok());
  const auto first = fs::directory_iterator(w / "o" / "variants")->path();
  const auto stamp = fs::last_write_time(first / "result.json");
  write_file(w / "s.json", grid_sweep(kScenario01, "[2.0, 2.5]", "[8000]"));
  const Run r = sweep(w, {(w / "s.json").string(), "--out", (w / "o").string(), "--resume"});
  CHECK(r.exit.ok());
  CHECK(fs::last_write_time(first / "result.json") == stamp);
  const auto rows = rows_of(slurp(w / "o" / "sweep.csv"));
  REQUIRE(rows.size() == 3);
  CHECK(rows[1][0] == first.filename().string());
  CHECK(std::stod(rows[2][3]) == doctest::Approx(spend_01(2.5, 8000)).epsilon(1e-9));
}

TEST_CASE("a sweep whose base changed cannot be resumed") {
  const fs::path w = fresh_dir("changed");
  fs::copy_file(kScenario01, w / "base.json");
  write_file(w / "s.json", grid_sweep((w / "base.json").string(), "[2.0]", "[8000]"));
  REQUIRE(sweep(w, {(w / "s.json").string(), "--out", (w / "o").string()}).exit.ok());
  std::string base = slurp(w / "base.json");
  base.replace(base.find("12.29"), 5, "13.00");
  write_file(w / "base.json", base);
  const Run r = sweep(w, {(w / "s.json").string(), "--out", (w / "o").string(), "--resume"});
  CHECK(r.exit.exit_code == 2);
  CHECK(r.err == (w / "s.json").string() + ": cannot resume " + (w / "o").string() +
                     ": the base scenario changed since the sweep started (expected the sweep this folder was "
                     "started with, or another --out)\n");
}

TEST_CASE("killed with SIGKILL mid-sweep, then resumed: nothing lost, nothing twice, same bytes") {
  const fs::path w = fresh_dir("kill");
  const std::string lhs = R"({"base": ")" + kScenario01 + R"(", "mode": "lhs", "samples": 24, "seed": 5,
    "parameters": [{"pointer": "/contracts/0/price_usd_per_gpu_hour", "min": 1, "max": 3},
                   {"pointer": "/workloads/0/demand_gpus", "min": 5000, "max": 14000}]})";
  write_file(w / "s.json", lhs);
  // The reference: one uninterrupted run.
  REQUIRE(sweep(w, {(w / "s.json").string(), "--out", (w / "ref").string(), "-j", "2"}).exit.ok());

  const pid_t pid = spawn_child({{bin(), "sweep", (w / "s.json").string(), "--out", (w / "o").string(), "-j", "1"},
                                 "/dev/null", (w / "killed.txt").string()});
  // Wait for the second committed variant, then kill without warning.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto committed = [&] {
    int n = 0;
    std::error_code ec;
    for (fs::directory_iterator it(w / "o" / "variants", ec), end; !ec && it != end; it.increment(ec))
      n += it->path().filename().string()[0] == 'v';
    return n;
  };
  while (committed() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGKILL);
  const ChildExit killed = wait_child(pid);
  CHECK(killed.signal == SIGKILL);
  const int kept = committed();
  WARN_MESSAGE(kept < 24, "the sweep finished before the kill; the resume below had nothing to do");
  // Each committed folder is whole: it has its result.json.
  for (const auto& e : fs::directory_iterator(w / "o" / "variants"))
    if (e.path().filename().string()[0] == 'v') CHECK(fs::exists(e.path() / "result.json"));

  const Run resumed = sweep(w, {(w / "s.json").string(), "--out", (w / "o").string(), "--resume", "-j", "2"});
  CHECK(resumed.exit.ok());
  const std::string csv = slurp(w / "o" / "sweep.csv");
  CHECK(csv == slurp(w / "ref" / "sweep.csv"));
  std::set<std::string> ids;
  const auto rows = rows_of(csv);
  for (std::size_t i = 1; i < rows.size(); ++i) CHECK(ids.insert(rows[i][0]).second);
  CHECK(ids.size() == 24);
}

TEST_CASE("SIGTERM stops the sweep cleanly: children end, the table holds what finished") {
  const fs::path w = fresh_dir("term");
  write_file(w / "s.json", R"({"base": ")" + kScenario01 + R"(", "mode": "random", "samples": 30, "seed": 9,
    "parameters": [{"pointer": "/contracts/0/price_usd_per_gpu_hour", "min": 1, "max": 3}]})");
  const ChildExit e = sweep_stopped_once(w, "2", w / "o" / "sweep.csv");
  const std::string err = slurp(w / "err.txt");
  if (e.signal == SIGTERM) {
    CHECK(err.find("interrupted by signal 15; what finished is kept") != std::string::npos);
  } else {
    CHECK(e.exit_code == 0);  // it finished first
  }
  const auto rows = rows_of(slurp(w / "o" / "sweep.csv"));
  int committed = 0;
  for (const auto& entry : fs::directory_iterator(w / "o" / "variants"))
    committed += entry.path().filename().string()[0] == 'v';
  CHECK(static_cast<int>(rows.size()) - 1 == committed);
  CHECK(sweep(w, {(w / "s.json").string(), "--out", (w / "o").string(), "--resume"}).exit.ok());
  CHECK(rows_of(slurp(w / "o" / "sweep.csv")).size() == 31);
}

TEST_CASE("a signal the sweep was started ignoring (SIGHUP under nohup) leaves it running; caught, it stops it") {
  // Eight variants of about 50 ms each: the signal, sent once the plan is
  // committed, comes long before the last one.
  const fs::path w = fresh_dir("nohup");
  write_file(w / "s.json", grid_sweep(kScenario01, "[1.0, 1.5, 2.0, 2.5]", "[6000, 8000]"));
  const ChildExit ignored = sweep_stopped_once(w, "1", w / "o" / "plan.json", SIGHUP, true);
  CHECK(ignored.ok());
  CHECK(rows_of(slurp(w / "o" / "sweep.csv")).size() == 9);
  fs::remove_all(w / "o");
  const ChildExit caught = sweep_stopped_once(w, "1", w / "o" / "plan.json", SIGHUP, false);
  CHECK(caught.signal == SIGHUP);
  CHECK(slurp(w / "err.txt").find("interrupted by signal 1; what finished is kept") != std::string::npos);
}

TEST_CASE("SIGTERM while the plan is committed: the commit ends, the sweep stops before any variant, resumable") {
  // 200,000 variants: a plan of megabytes, whose commit is under way when
  // the lock appears (the lock is taken just before it).
  const fs::path w = fresh_dir("term-plan");
  std::string prices = "[", gpus = "[";
  for (int i = 0; i < 500; ++i) prices += (i ? ", " : "") + std::to_string(1.0 + i / 1000.0);
  for (int i = 0; i < 400; ++i) gpus += (i ? ", " : "") + std::to_string(8000 + i);
  write_file(w / "s.json", grid_sweep(kScenario01, prices + "]", gpus + "]"));
  const ChildExit e = sweep_stopped_once(w, "1", w / "o" / ".lock");
  CHECK(e.signal == SIGTERM);
  const std::string err = slurp(w / "err.txt");
  CHECK(err.find("sweep: 200000 variants: ") != std::string::npos);
  CHECK(err.find("not run (rerun with --resume)") != std::string::npos);
  CHECK(err.find("interrupted by signal 15; what finished is kept") != std::string::npos);
  // The plan is whole, the table written from it, no temporary left.
  CHECK(fs::exists(w / "o" / "plan.json"));
  const std::string variants = slurp(w / "o" / "plan-variants.jsonl");
  CHECK(std::count(variants.begin(), variants.end(), '\n') == 200000);
  CHECK(rows_of(slurp(w / "o" / "sweep.csv")).size() >= 1);
  for (const auto& entry : fs::directory_iterator(w / "o"))
    CHECK(entry.path().filename().string().rfind(".tmp", 0) != 0);
}

TEST_CASE("--slurm-script-only writes the job array script and submits nothing") {
  const fs::path w = fresh_dir("script");
  write_file(w / "s.json", grid_sweep(kScenario01, "[1.0, 2.0, 3.0]", "[8000]"));
  const Run r = sweep(w, {(w / "s.json").string(), "--out", (w / "o").string(), "--slurm-script-only",
                          "--array-size", "2", "--partition", "debug"});
  CHECK(r.exit.ok());
  const std::string script = slurp(w / "o" / "slurm" / "sweep.sbatch");
  CHECK(r.out == (w / "o" / "slurm" / "sweep.sbatch").string() + "\n");
  CHECK(script.find("#SBATCH --array=0-1\n") != std::string::npos);
  CHECK(script.find("#SBATCH --partition=debug\n") != std::string::npos);
  CHECK(script.find("sweep-worker '" + (w / "o").string() + "' --shard \"${SLURM_ARRAY_TASK_ID}\" --shards 2") !=
        std::string::npos);
  CHECK(!fs::exists(w / "o" / "variants" / "x"));
  CHECK(!fs::exists(w / "o" / "sweep.csv"));
  // The hints are words a shell takes as names: a file name with a command
  // substitution in it is single-quoted, never run when pasted.
  write_file(w / "a $(b)'c.json", grid_sweep(kScenario01, "[1.0, 2.0]", "[8000]"));
  const Run odd = sweep(w, {(w / "a $(b)'c.json").string(), "--out", (w / "q").string(), "--slurm-script-only"});
  CHECK(odd.exit.ok());
  CHECK(odd.err.find("  then:   cloudpact sweep '" + w.string() + "/a $(b)'\\''c.json' --out " + (w / "q").string() +
                     " --collect\n") != std::string::npos);

  const Run bad = sweep(w, {(w / "s.json").string(), "--out", (w / "p").string(), "--slurm", "--partition", "a;b"});
  CHECK(bad.exit.exit_code == 2);
  CHECK(bad.err == "cloudpact: --partition needs a Slurm partition name of [A-Za-z0-9._-], got 'a;b'\n");
  CHECK(!fs::exists(w / "p"));
}

TEST_CASE("a shard worker runs exactly its share of the plan") {
  const fs::path w = fresh_dir("shard");
  write_file(w / "s.json", grid_sweep(kScenario01, "[1.0, 2.0, 3.0]", "[8000, 9000]"));
  REQUIRE(sweep(w, {(w / "s.json").string(), "--out", (w / "o").string(), "--slurm-script-only", "--array-size",
                    "3"})
              .exit.ok());
  const ChildExit e = run_child({{bin(), "sweep-worker", (w / "o").string(), "--shard", "1", "--shards", "3"},
                                 (w / "worker.txt").string(), ""});
  CHECK(e.ok());
  CHECK(slurp(w / "worker.txt") == "shard 1/3: 2 of 2 variants committed (0 crashed)\n");
  // Shard 1 of 3 holds plan positions 1 and 4: (1.0, 9000) and (3.0, 8000).
  const auto rows = rows_of(slurp(w / "o" / "plan.json"));  // only used to keep plan.json read
  (void)rows;
  const Run collect = sweep(w, {(w / "s.json").string(), "--out", (w / "o").string(), "--collect"});
  CHECK(collect.exit.exit_code == 3);  // four variants not run
  const auto table = rows_of(slurp(w / "o" / "sweep.csv"));
  REQUIRE(table.size() == 3);
  CHECK(table[1][1] == "1");
  CHECK(table[1][2] == "9000");
  CHECK(table[2][1] == "3");
  CHECK(table[2][2] == "8000");
}

TEST_CASE("a base edited after the plan: its variants fail, never run on the edited base; --collect rewrites no plan") {
  const fs::path w = fresh_dir("base-edited");
  fs::copy_file(kScenario01, w / "base.json");
  write_file(w / "s.json", grid_sweep((w / "base.json").string(), "[1.0, 2.0]", "[8000]"));
  REQUIRE(sweep(w, {(w / "s.json").string(), "--out", (w / "o").string(), "--slurm-script-only"}).exit.ok());
  // As if edited between the submission and the tasks (or while a local
  // sweep runs): one byte more.
  std::ofstream(w / "base.json", std::ios::app) << "\n";
  const ChildExit e = run_child({{bin(), "sweep-worker", (w / "o").string(), "--shard", "0", "--shards", "1"},
                                 (w / "worker.txt").string(), ""});
  CHECK(e.ok());
  int failed = 0;
  for (const auto& entry : fs::directory_iterator(w / "o" / "variants")) {
    CHECK(!fs::exists(entry.path() / "summary.json"));
    const std::string result = slurp(entry.path() / "result.json");
    failed += result.find("the base scenario " + (w / "base.json").string() +
                          " changed since the sweep was planned") != std::string::npos;
  }
  CHECK(failed == 2);

  // --collect with a file that now plans more variants: refused, the plan
  // left as it was (a Slurm job may still be running it).
  const fs::path v = fresh_dir("collect-changed");
  write_file(v / "s.json", grid_sweep(kScenario01, "[1.0, 2.0]", "[8000]"));
  REQUIRE(sweep(v, {(v / "s.json").string(), "--out", (v / "o").string(), "--slurm-script-only"}).exit.ok());
  const std::string plan = slurp(v / "o" / "plan.json"), variants = slurp(v / "o" / "plan-variants.jsonl");
  write_file(v / "more.json", grid_sweep(kScenario01, "[1.0, 2.0, 3.0]", "[8000]"));
  const Run c = sweep(v, {(v / "more.json").string(), "--out", (v / "o").string(), "--collect"});
  CHECK(c.exit.exit_code == 2);
  CHECK(c.err == (v / "more.json").string() + ": cannot collect " + (v / "o").string() +
                     ": the file now plans other variants or metrics than the folder's plan.json (expected the sweep "
                     "file as the sweep was started, or --resume to run the changed plan)\n");
  CHECK(slurp(v / "o" / "plan.json") == plan);
  CHECK(slurp(v / "o" / "plan-variants.jsonl") == variants);
  // The same file collects (nothing run yet: exit 3, two variants not run).
  CHECK(sweep(v, {(v / "s.json").string(), "--out", (v / "o").string(), "--collect"}).exit.exit_code == 3);
}
