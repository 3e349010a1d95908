#include "fault_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace cloudpact::faults {

const std::string kSource = CLOUDPACT_SOURCE_DIR;
const std::string kScenario01 = kSource + "/scenarios/01-one-vendor-vs-two.json";
const std::vector<std::string> kRunFiles = {"summary.json", "timeseries.csv", "ledger.csv", "events.jsonl"};
const std::vector<std::string> kRunA = {};
const std::vector<std::string> kRunB = {"--set", "/workloads/0/demand_gpus=9000"};
const std::vector<std::string> kRiskA = {"--paths", "200", "--seed", "1"};
const std::vector<std::string> kRiskB = {"--paths", "200", "--seed", "2"};

std::string bin() {
  const char* b = std::getenv("CLOUDPACT_BIN");
  REQUIRE_MESSAGE(b != nullptr, "CLOUDPACT_BIN must name the cloudpact binary (meson sets it)");
  return b;
}

namespace {

struct Root {
  fs::path path;
  Root() {
    // Orphans of a killed sweep (its variant processes) come to us to be reaped.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    std::string t = (fs::temp_directory_path() / "cloudpact-test-faults-XXXXXX").string();
    if (::mkdtemp(t.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = t;
    ::chmod(path.c_str(), 0755);
  }
  ~Root() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

const fs::path& root() {
  static Root r;
  return r.path;
}

}  // namespace

fs::path fresh_dir(const std::string& name) {
  const fs::path d = root() / name;
  std::error_code ec;
  fs::remove_all(d, ec);
  fs::create_directories(d);
  return d;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

pid_t start(const Launch& l, const fs::path& out_file, const fs::path& err_file) {
  // Everything the child needs is made before fork: tests run commands from
  // several threads, and a forked child may only make async-signal-safe calls.
  std::vector<std::string> argv = {bin()};
  argv.insert(argv.end(), l.args.begin(), l.args.end());
  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const std::string& mine : l.env) replaced = replaced || mine.substr(0, mine.find('=')) == name;
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), l.env.begin(), l.env.end());
  std::vector<char*> cenv;
  for (std::string& e : env) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  const std::string out = out_file.string(), err = err_file.string(), cwd = l.cwd.string();
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {  // no doctest here: its reporter's lock may be held by another thread
    ::setpgid(0, 0);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (o < 0 || e < 0 || ::dup2(o, 1) < 0 || ::dup2(e, 2) < 0) ::_exit(126);
    if (l.in_child) l.in_child();
    ::execve(cargv[0], cargv.data(), cenv.data());
    ::_exit(127);
  }
  REQUIRE(pid > 0);
  ::setpgid(pid, pid);  // both sides, so that it holds before either goes on
  return pid;
}

Status wait_for(pid_t pid, bool until_stopped) {
  int st = 0;
  pid_t got;
  do {
    got = ::waitpid(pid, &st, until_stopped ? WUNTRACED : 0);
  } while (got < 0 && errno == EINTR);
  REQUIRE(got == pid);
  Status s;
  if (WIFSTOPPED(st)) {
    s.stopped = true;
  } else if (WIFSIGNALED(st)) {
    s.signal = WTERMSIG(st);
  } else {
    s.exit_code = WEXITSTATUS(st);
  }
  return s;
}

void wait_group_gone(pid_t pgid) {
  for (int i = 0; i < 20000; ++i) {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    if (::kill(-pgid, 0) != 0 && errno == ESRCH) return;
    sleep_us(500);
  }
  FAIL("process group " << pgid << " did not end");
}

void kill_group(pid_t pgid, int sig) {
  ::kill(-pgid, sig);
  ::kill(-pgid, SIGCONT);
  wait_group_gone(pgid);
}

Result run(const Launch& l) {
  static std::atomic<int> n{0};
  const int k = ++n;
  const fs::path out = root() / ("run" + std::to_string(k) + ".out");
  const fs::path err = root() / ("run" + std::to_string(k) + ".err");
  const pid_t pid = start(l, out, err);
  Result r;
  r.status = wait_for(pid, false);
  r.out = slurp(out);
  r.err = slurp(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

Result run(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  Launch l;
  l.args = args;
  l.env = env;
  return run(l);
}

std::vector<std::string> error_lines(const std::string& err) {
  std::vector<std::string> lines;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("cloudpact: warning: ", 0) == 0 || line.rfind("cloudpact: waiting for ", 0) == 0) continue;
    // AddressSanitizer's note when an exception unwinds after SimGrid ran
    // its actors on stacks of their own (sanitizer builds only).
    if ((line.rfind("==", 0) == 0 && line.find("WARNING: ASan is ignoring requested __asan_handle_no_return") !=
                                         std::string::npos) ||
        line == "False positive error reports may follow" ||
        line.rfind("For details see https://github.com/google/sanitizers/issues/189", 0) == 0) {
      continue;
    }
    lines.push_back(line);
  }
  return lines;
}

bool one_line_naming(const std::string& err, const std::string& path) {
  const std::vector<std::string> lines = error_lines(err);
  return lines.size() == 1 && lines[0].rfind("cloudpact: ", 0) == 0 && lines[0].find(path) != std::string::npos;
}

int count_steps(const Launch& l, int exit_code) {
  Launch traced = l;
  traced.env.push_back("CLOUDPACT_TEST_TRACE=1");
  const Result r = run(traced);
  REQUIRE_MESSAGE(r.status.exited(exit_code), "a traced run failed: " << r.err);
  int n = 0;
  std::istringstream in(r.err);
  for (std::string line; std::getline(in, line);) n += line.rfind("cloudpact: step ", 0) == 0;
  return n;
}

namespace {

void walk(const fs::path& dir, const std::string& prefix, Tree& t) {
  std::error_code ec;
  std::vector<fs::path> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(it->path());
  for (const fs::path& p : entries) {
    const std::string rel = prefix + p.filename().string();
    const fs::file_status s = fs::symlink_status(p, ec);
    if (s.type() == fs::file_type::symlink) {
      t[rel] = "link:" + fs::read_symlink(p, ec).string();
    } else if (s.type() == fs::file_type::directory) {
      t[rel] = "folder";
      walk(p, rel + "/", t);
    } else if (s.type() == fs::file_type::regular) {
      t[rel] = "file:" + slurp(p);
    } else if (s.type() != fs::file_type::not_found) {
      t[rel] = "other";
    }
  }
}

bool under(const std::string& rel, const std::vector<std::string>& names) {
  const std::string top = rel.substr(0, rel.find('/'));
  return std::find(names.begin(), names.end(), top) != names.end();
}

}  // namespace

Tree tree_of(const fs::path& dir) {
  Tree t;
  walk(dir, "", t);
  return t;
}

void make_tree(const fs::path& dir, const Tree& t) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  for (const auto& [rel, what] : t) {  // sorted: a folder comes before what is in it
    const fs::path p = dir / rel;
    if (what == "folder") {
      fs::create_directories(p);
    } else if (what.rfind("link:", 0) == 0) {
      fs::create_symlink(what.substr(5), p);
    } else {
      write_file(p, what.substr(5));
    }
  }
}

Tree only(const Tree& t, const std::vector<std::string>& names) {
  Tree out;
  for (const auto& [k, v] : t)
    if (under(k, names)) out[k] = v;
  return out;
}

Tree except(const Tree& t, const std::vector<std::string>& names) {
  Tree out;
  for (const auto& [k, v] : t)
    if (!under(k, names)) out[k] = v;
  return out;
}

std::string describe_difference(const Tree& want, const Tree& got) {
  std::string out;
  for (const auto& [k, v] : want) {
    const auto it = got.find(k);
    if (it == got.end()) {
      out += " missing " + k + ";";
    } else if (it->second != v) {
      out += " changed " + k + ";";
    }
  }
  for (const auto& [k, v] : got)
    if (!want.count(k)) out += " extra " + k + ";";
  return out;
}

std::vector<std::string> leftovers(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& [rel, what] : tree_of(dir)) {
    const std::string name = fs::path(rel).filename().string();
    if (name.find(".cloudpact-") != std::string::npos || name.rfind(".tmp-", 0) == 0 ||
        name.rfind(".stderr-", 0) == 0 || name.find(".tmp.") != std::string::npos) {
      out.push_back(rel);
    }
  }
  return out;
}

Tree user_files() {
  return {{"plot.png", "file:\x89PNG not really"},
          {"report", "folder"},
          {"report/report.html", "file:<html></html>"},
          {"report/img", "folder"},
          {"report/img/a.png", "file:a"},
          {".notes", "file:mine"},
          {"latest.png", "link:plot.png"}};
}

namespace {

Tree produce(const std::string& command, const std::vector<std::string>& extra, const std::vector<std::string>& names,
             const std::string& label) {
  const fs::path d = fresh_dir("reference-" + label);
  std::vector<std::string> args = {command, kScenario01};
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"--out", (d / "o").string()});
  const Result r = run(args);
  REQUIRE_MESSAGE(r.status.exited(0), "reference " << label << ": " << r.err);
  return only(tree_of(d / "o"), names);
}

}  // namespace

const References& refs() {
  static const References r = [] {
    References x;
    x.run_a = produce("run", kRunA, kRunFiles, "run-a");
    x.run_b = produce("run", kRunB, kRunFiles, "run-b");
    x.risk_a = produce("risk", kRiskA, {"risk.json"}, "risk-a");
    x.risk_b = produce("risk", kRiskB, {"risk.json"}, "risk-b");
    return x;
  }();
  REQUIRE(r.run_a.size() == kRunFiles.size());
  REQUIRE(r.run_a != r.run_b);
  REQUIRE(r.risk_a != r.risk_b);
  return r;
}

std::string which_set(const fs::path& dir, const std::vector<std::string>& names, const Tree& a, const Tree& b) {
  const Tree got = only(tree_of(dir), names);
  if (got.empty()) return "none";
  if (got == a) return "A";
  if (got == b) return "B";
  return "a mix:" + describe_difference(a, got) + " (against A)";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

SweepRef sweep_ref(const fs::path& file, const std::string& label, int code) {
  const fs::path d = fresh_dir("sweep-reference-" + label);
  const Result r = run({"sweep", file.string(), "--out", (d / "s").string(), "-j", "2"});
  REQUIRE_MESSAGE(r.status.exited(code), r.err);
  return {slurp(d / "s" / "plan.json"), slurp(d / "s" / "sweep.csv"), tree_of(d / "s" / "variants"),
          slurp(d / "s" / "plan-variants.jsonl")};
}

std::string judge_sweep(const fs::path& d, const std::vector<const SweepRef*>& refs) {
  if (!fs::exists(d / "plan.json")) {
    CHECK_MESSAGE(!fs::exists(d / "sweep.csv"), "sweep.csv without plan.json");
    std::error_code ec;
    for (fs::directory_iterator it(d / "variants", ec), end; !ec && it != end; it.increment(ec)) {
      CHECK_MESSAGE(it->path().filename().string()[0] == '.', "a variant without plan.json");
    }
    return "no plan";
  }
  const std::string plan = slurp(d / "plan.json");
  const SweepRef* ref = nullptr;
  for (const SweepRef* r : refs)
    if (r->plan == plan) ref = r;
  REQUIRE_MESSAGE(ref != nullptr, "plan.json is none of the plans");
  // plan.json and plan-variants.jsonl are one set: whatever stopped the
  // command, the variants are plan.json's own.
  CHECK_MESSAGE(slurp(d / "plan-variants.jsonl") == ref->plan_variants,
                "plan-variants.jsonl is not plan.json's variants (the two are committed as one set)");
  const Tree variants = tree_of(d / "variants");
  std::set<std::string> committed;
  for (const auto& [rel, what] : variants) {
    const std::string top = rel.substr(0, rel.find('/'));
    if (top[0] == '.') continue;  // a temporary
    committed.insert(top);
    CHECK_MESSAGE(ref->variants.count(rel), "unexpected " << rel);
    if (ref->variants.count(rel)) CHECK_MESSAGE(ref->variants.at(rel) == what, "variant file differs: " << rel);
  }
  for (const std::string& id : committed) {
    for (const auto& [rel, what] : ref->variants) {
      if (rel.rfind(id + "/", 0) == 0) CHECK_MESSAGE(variants.count(rel), "variant " << id << " lacks " << rel);
    }
  }
  if (!fs::exists(d / "sweep.csv")) return "no table";
  const auto want = lines_of(ref->csv), got = lines_of(slurp(d / "sweep.csv"));
  REQUIRE(!got.empty());
  CHECK_MESSAGE(got[0] == want[0], "sweep.csv's header is not its plan's");
  std::size_t at = 1;
  for (std::size_t i = 1; i < got.size(); ++i) {
    while (at < want.size() && want[at] != got[i]) ++at;
    CHECK_MESSAGE(at < want.size(), "row not in the reference (or out of order): " << got[i]);
    CHECK_MESSAGE(committed.count(got[i].substr(0, got[i].find(','))), "row of an uncommitted variant");
  }
  return "table of " + std::to_string(got.size() - 1) + " rows";
}

int soak(int n) {
  const char* s = std::getenv("CLOUDPACT_FAULT_SOAK");
  const int k = s != nullptr ? std::atoi(s) : 1;
  return n * std::max(k, 1);
}

void sleep_us(long us) {
  timespec t{us / 1000000, (us % 1000000) * 1000};
  while (::nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

}  // namespace cloudpact::faults
