// The file system fails under cloudpact: a full disk (a small tmpfs, and a
// file size limit where mounting is not allowed), an output folder it may not
// write (a read-only bind mount; as the user nobody; chmod when not root), and
// an output folder or its parent removed while the command runs. Each time:
// exit 3 with one line naming the path, the folder keeps its previous set (or
// gets the whole new one), and a later successful run leaves nothing behind.
#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <random>

#include <fcntl.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fault_support.hpp"

using namespace cloudpact::faults;

namespace {

// Run set A, risk set A and the user's own files.
Tree full_folder() {
  Tree t = refs().run_a;
  const Tree r = refs().risk_a, u = user_files();
  t.insert(r.begin(), r.end());
  t.insert(u.begin(), u.end());
  return t;
}

std::vector<std::string> run_b(const fs::path& out) {
  std::vector<std::string> a = {"run", kScenario01};
  a.insert(a.end(), kRunB.begin(), kRunB.end());
  a.insert(a.end(), {"--out", out.string()});
  return a;
}

std::vector<std::string> risk_b(const fs::path& out) {
  std::vector<std::string> a = {"risk", kScenario01};
  a.insert(a.end(), kRiskB.begin(), kRiskB.end());
  a.insert(a.end(), {"--out", out.string()});
  return a;
}

// After a failed run B and risk B: everything as it was.
void expect_unchanged(const fs::path& o, const Tree& before) {
  const Tree now = tree_of(o);
  CHECK_MESSAGE(now == before, "the folder changed:" << describe_difference(before, now));
}

void expect_fails_naming(const Result& r, const fs::path& path, const char* what) {
  CAPTURE(what);
  CAPTURE(r.err);
  CHECK(r.status.exited(3));
  CHECK(one_line_naming(r.err, path.string()));
}

class Mount {
 public:
  Mount(const fs::path& target, const char* source, const char* type, unsigned long flags, const char* data)
      : target_(target) {
    ok_ = ::mount(source, target.c_str(), type, flags, data) == 0;
    error_ = ok_ ? "" : std::strerror(errno);
  }
  ~Mount() {
    if (ok_) ::umount2(target_.c_str(), MNT_DETACH);
  }
  Mount(const Mount&) = delete;
  Mount& operator=(const Mount&) = delete;
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }

 private:
  fs::path target_;
  bool ok_ = false;
  std::string error_;
};

// Fills the file system of `dir` up: a file that grows until ENOSPC.
void fill(const fs::path& dir) {
  std::FILE* f = std::fopen((dir / "filler").c_str(), "wb");
  REQUIRE(f != nullptr);
  std::setvbuf(f, nullptr, _IONBF, 0);
  const std::string block(4096, 'x');
  while (std::fwrite(block.data(), 1, block.size(), f) == block.size()) {
  }
  std::fwrite(block.data(), 1, 1, f);
  std::fclose(f);
}

// rm -rf racing with a command that writes there: again until it is gone.
void remove_racing(const fs::path& p) {
  for (int i = 0; i < 1000; ++i) {
    std::error_code ec;
    fs::remove_all(p, ec);
    if (!ec) return;
  }
  FAIL("cannot remove " << p);
}

std::string sweep_file(const fs::path& dir) {
  const fs::path f = dir / "s.json";
  write_file(f, R"({"base": ")" + kScenario01 + R"(", "mode": "grid", "parameters": [
    {"pointer": "/contracts/0/price_usd_per_gpu_hour", "values": [1.5, 2.0, 2.5, 3.0]}]})");
  return f.string();
}

}  // namespace

TEST_CASE("a full disk (tmpfs): run, risk, check --junit and sweep exit 3 naming the path; nothing changes") {
  const fs::path p = fresh_dir("full");
  const fs::path mnt = p / "fs";
  fs::create_directories(mnt);
  const Mount m(mnt, "tmpfs", "tmpfs", 0, "size=256k");
  if (!m.ok()) {
    MESSAGE("no tmpfs (mount: " << m.error() << "): the full disk is tested by the file size limit case only");
    return;
  }
  const fs::path o = mnt / "o";
  make_tree(o, full_folder());
  write_file(mnt / "junit.xml", "old report\n");
  const std::string sweep = sweep_file(p);
  REQUIRE(run({"sweep", sweep, "--out", (mnt / "sw").string()}).status.exited(0));
  const Tree sw_before = tree_of(mnt / "sw");
  const Tree before = tree_of(o);
  fill(mnt);

  expect_fails_naming(run(run_b(o)), o, "run");
  expect_unchanged(o, before);
  expect_fails_naming(run(risk_b(o)), o, "risk");
  expect_unchanged(o, before);
  const Result check = run({"check", "--junit", (mnt / "junit.xml").string(), kScenario01},
                           {"TMPDIR=" + p.string()});
  expect_fails_naming(check, mnt / "junit.xml", "check --junit");
  CHECK(slurp(mnt / "junit.xml") == "old report\n");
  // A sweep with new values: its plan-variants.jsonl cannot be written, and
  // nothing moves (not even sweep.csv, which goes only once the new plan file
  // is flushed).
  std::string text = slurp(sweep);
  write_file(sweep, text.replace(text.find("3.0"), 3, "3.5"));
  const Result s = run({"sweep", sweep, "--out", (mnt / "sw").string(), "--resume"});
  CHECK(s.status.exited(3));
  CHECK(error_lines(s.err).back().find((mnt / "sw").string()) != std::string::npos);
  expect_unchanged(mnt / "sw", sw_before);
  CHECK(leftovers(mnt).empty());

  fs::remove(mnt / "filler");
  REQUIRE(run(run_b(o)).status.exited(0));
  CHECK(which_set(o, kRunFiles, refs().run_a, refs().run_b) == "B");
  CHECK(except(tree_of(o), kRunFiles) == except(before, kRunFiles));
  REQUIRE(run(risk_b(o)).status.exited(0));
  CHECK(which_set(o, {"risk.json"}, refs().risk_a, refs().risk_b) == "B");
  CHECK(run({"sweep", sweep, "--out", (mnt / "sw").string(), "--resume"}).status.exited(0));
  CHECK(leftovers(mnt).empty());
}

TEST_CASE("stdout that cannot take the output (/dev/full, closed): exit 3 naming standard output") {
  const fs::path p = fresh_dir("stdout");
  for (const bool closed : {false, true}) {
    CAPTURE(closed);
    if (!closed && !fs::exists("/dev/full")) {
      WARN_MESSAGE(false, "no /dev/full on this machine: the full-device case is not run");
      continue;
    }
    // What each command prints on stdout: the schema, the usage, the output folder's path.
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"schema"}, {"--help"}, {"run", kScenario01, "--out", (p / "o").string()}}) {
      CAPTURE(args[0]);
      Launch l;
      l.args = args;
      l.in_child = [closed] {
        if (closed) {
          ::close(1);
        } else {
          const int f = ::open("/dev/full", O_WRONLY);
          if (f < 0 || ::dup2(f, 1) < 0) ::_exit(126);
        }
      };
      const Result r = run(l);
      CHECK(r.status.exited(3));
      CHECK(r.err.rfind("cloudpact: cannot write to standard output", 0) == 0);
      CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
  }
}

TEST_CASE("a full disk (file size limit, SIGXFSZ ignored): exit 3 naming the file; nothing changes") {
  const fs::path p = fresh_dir("fsize");
  const fs::path o = p / "o";
  make_tree(o, full_folder());
  const Tree before = tree_of(o);
  for (const bool risk : {false, true}) {
    Launch l;
    l.args = risk ? risk_b(o) : run_b(o);
    l.in_child = [] {
      std::signal(SIGXFSZ, SIG_IGN);  // ignored stays ignored across exec: write(2) fails with EFBIG
      const rlimit lim{1000, 1000};  // below summary.json and risk.json, above any message on stderr (a file too)
      ::setrlimit(RLIMIT_FSIZE, &lim);
    };
    const Result r = run(l);
    expect_fails_naming(r, o, risk ? "risk" : "run");
    CHECK(r.err.find("File too large") != std::string::npos);
    expect_unchanged(o, before);
    CHECK(leftovers(p).empty());
  }
}

TEST_CASE("an output folder on a read-only bind mount: exit 3 naming it, nothing changes") {
  const fs::path p = fresh_dir("readonly");
  fs::create_directories(p / "rw");
  fs::create_directories(p / "ro");
  make_tree(p / "rw" / "o", full_folder());
  const Tree before = tree_of(p / "rw" / "o");
  const Mount bind(p / "ro", (p / "rw").c_str(), nullptr, MS_BIND, nullptr);
  if (!bind.ok()) {
    MESSAGE("no bind mount (" << bind.error() << "): an unwritable folder is tested as nobody or by chmod");
    return;
  }
  REQUIRE(::mount(nullptr, (p / "ro").c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) == 0);
  const fs::path o = p / "ro" / "o";
  const Result r = run(run_b(o));
  expect_fails_naming(r, p / "ro", "run");
  CHECK(r.err.find("Read-only file system") != std::string::npos);
  expect_fails_naming(run(risk_b(o)), o, "risk");
  expect_unchanged(o, before);
  const Result s = run({"sweep", sweep_file(p), "--out", (p / "ro" / "sw").string()});
  CHECK(s.status.exited(3));
  CHECK(one_line_naming(s.err, (p / "ro" / "sw").string()));
  CHECK(!fs::exists(p / "ro" / "sw"));
}

TEST_CASE("an output folder the user may not write (as nobody, or chmod when not root): exit 3 naming it") {
  const fs::path p = fresh_dir("denied");
  const fs::path o = p / "o";
  make_tree(o, full_folder());
  const Tree before = tree_of(o);
  Launch l;
  if (::geteuid() == 0) {
    // root ignores permissions: the commands run as nobody, the folder is root's, 0755.
    l.in_child = [] {
      if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(125);
    };
    l.cwd = "/";
  } else {
    fs::permissions(o, fs::perms::owner_write, fs::perm_options::remove);
    fs::permissions(p, fs::perms::owner_write, fs::perm_options::remove);
  }
  for (const bool risk : {false, true}) {
    l.args = risk ? risk_b(o) : run_b(o);
    const Result r = run(l);
    REQUIRE_MESSAGE(!r.status.exited(125), "cannot become nobody");
    expect_fails_naming(r, risk ? o : p, risk ? "risk" : "run");
    CHECK(r.err.find("Permission denied") != std::string::npos);
    expect_unchanged(o, before);
  }
  if (::geteuid() != 0) {
    fs::permissions(p, fs::perms::owner_write, fs::perm_options::add);
    fs::permissions(o, fs::perms::owner_write, fs::perm_options::add);
  }
  CHECK(leftovers(p).empty());
}

TEST_CASE("the output folder removed at every step of run's commit: the new set or nothing, exit 0 or 3") {
  const fs::path p = fresh_dir("vanish");
  const fs::path o = p / "o";
  make_tree(o, full_folder());
  Launch l;
  l.args = run_b(o);
  const int steps = count_steps(l);
  std::map<std::string, int> seen;
  for (int k = 1; k <= steps; ++k) {
    for (const bool parent : {false, true}) {
      CAPTURE(k);
      CAPTURE(parent);
      make_tree(o, full_folder());
      Launch stop = l;
      stop.env = {"CLOUDPACT_TEST_STOP_AT=" + std::to_string(k)};
      const pid_t pid = start(stop, p.parent_path() / "vanish.out", p.parent_path() / "vanish.err");
      REQUIRE(wait_for(pid, true).stopped);
      fs::remove_all(parent ? p : o);
      ::kill(pid, SIGCONT);
      const Status s = wait_for(pid, false);
      const std::string err = slurp(p.parent_path() / "vanish.err");
      CAPTURE(err);
      const std::string state = which_set(o, kRunFiles, refs().run_a, refs().run_b);
      if (s.exited(3)) {
        CHECK(one_line_naming(err, p.string()));
        CHECK(!fs::exists(o));
      } else {
        REQUIRE(s.exited(0));
        CHECK((state == "B" || !fs::exists(o)));
      }
      ++seen[std::string(parent ? "parent removed, " : "folder removed, ") + (s.exited(0) ? "exit 0 " : "exit 3 ") +
             (fs::exists(o) ? state : "no folder")];
      fs::create_directories(p);
      REQUIRE(run(run_b(o)).status.exited(0));
      CHECK(leftovers(p).empty());
    }
  }
  std::string text;
  for (const auto& [k, n] : seen) text += "; " + k + ": " + std::to_string(n);
  MESSAGE("output folder or parent removed at each of " << steps << " steps" << text);
}

TEST_CASE("the output folder removed at random instants of run and sweep") {
  const fs::path p = fresh_dir("vanish-random");
  const fs::path o = p / "o";
  std::mt19937_64 rng(20251130);
  // How long a run takes here.
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(run(run_b(o)).status.exited(0));
  const long run_us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
  const int n = soak(20);
  int exit0 = 0, exit3 = 0;
  for (int i = 0; i < n; ++i) {
    CAPTURE(i);
    make_tree(o, full_folder());
    const pid_t pid = start({run_b(o), {}, {}, {}}, p.parent_path() / "vr.out", p.parent_path() / "vr.err");
    sleep_us(std::uniform_int_distribution<long>(0, run_us * 6 / 5)(rng));
    remove_racing(o);
    const Status s = wait_for(pid, false);
    const std::string err = slurp(p.parent_path() / "vr.err");
    CAPTURE(err);
    if (s.exited(3)) {
      ++exit3;
      CHECK(one_line_naming(err, p.string()));
    } else {
      REQUIRE(s.exited(0));
      ++exit0;
    }
    const std::string state = which_set(o, kRunFiles, refs().run_a, refs().run_b);
    CHECK((state == "B" || state == "none"));
  }
  REQUIRE(run(run_b(o)).status.exited(0));
  CHECK(leftovers(p).empty());
  MESSAGE("run: output folder removed at " << n << " random instants: " << exit0 << " exit 0, " << exit3 << " exit 3");

  const std::string sweep = sweep_file(p);
  const fs::path d = p / "sw";
  const auto s0 = std::chrono::steady_clock::now();
  REQUIRE(run({"sweep", sweep, "--out", d.string(), "-j", "2"}).status.exited(0));
  const long sweep_us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - s0).count();
  int sweep3 = 0;
  const int m = soak(10);
  for (int i = 0; i < m; ++i) {
    CAPTURE(i);
    fs::remove_all(d);
    const pid_t pid = start({{"sweep", sweep, "--out", d.string(), "-j", "2"}, {}, {}, {}}, p.parent_path() / "vs.out",
                            p.parent_path() / "vs.err");
    sleep_us(std::uniform_int_distribution<long>(0, sweep_us * 6 / 5)(rng));
    remove_racing(d);
    const Status s = wait_for(pid, false);
    wait_group_gone(pid);
    const std::string err = slurp(p.parent_path() / "vs.err");
    CAPTURE(err);
    CHECK((s.exited(0) || s.exited(3)));
    if (s.exited(3)) {
      // Either the error that stopped it, naming the folder, or (the folder
      // went while the table was read) the sweep's own account of variants
      // it found failed or missing.
      ++sweep3;
      const auto lines = error_lines(err);
      REQUIRE(!lines.empty());
      const bool error = lines.back().rfind("cloudpact: ", 0) == 0 && lines.back().find(d.string()) != std::string::npos;
      const bool account = err.rfind("sweep: ", 0) == 0 && err.find(" variants: ") != std::string::npos;
      CHECK((error || account));
    }
    // Whatever is there was made whole: no sweep.csv without plan.json.
    if (fs::exists(d / "sweep.csv")) CHECK(fs::exists(d / "plan.json"));
  }
  MESSAGE("sweep: folder removed at " << m << " random instants: " << sweep3 << " exit 3");
}

TEST_CASE("a read-only output folder in a parent the user may write: run replaces it and leaves nothing beside it") {
  // The old folder, exchanged out of the way, keeps its mode 0555: its
  // files could not be unlinked, and each run left a hidden copy behind.
  const fs::path p = fresh_dir("folder-read-only");
  const fs::path o = p / "o";
  make_tree(o, full_folder());
  Launch l;
  if (::geteuid() == 0) {
    REQUIRE(::chown(p.c_str(), 65534, 65534) == 0);  // both nobody's: root would ignore the mode
    REQUIRE(::chown(o.c_str(), 65534, 65534) == 0);
    for (const auto& e : fs::recursive_directory_iterator(o)) REQUIRE(::lchown(e.path().c_str(), 65534, 65534) == 0);
    l.in_child = [] {
      if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(125);
    };
    l.cwd = "/";
  }
  fs::permissions(o, fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                  fs::perm_options::remove);
  for (int k = 0; k < 2; ++k) {
    l.args = k == 0 ? run_b(o) : std::vector<std::string>{"run", kScenario01, "--out", o.string()};
    const Result r = run(l);
    REQUIRE_MESSAGE(!r.status.exited(125), "cannot become nobody");
    CHECK_MESSAGE(r.status.exited(0), r.err);
    CHECK(r.err.find("cannot remove") == std::string::npos);
    CHECK(which_set(o, kRunFiles, refs().run_a, refs().run_b) == (k == 0 ? "B" : "A"));
    CHECK(leftovers(p).empty());
  }
  fs::permissions(o, fs::perms::owner_write, fs::perm_options::add);
}

TEST_CASE("a writable folder in a parent the user may not write: risk writes in place, run exits 3 naming it") {
  const fs::path p = fresh_dir("parent-denied");
  const fs::path o = p / "o";
  make_tree(o, full_folder());
  fs::create_directories(p.parent_path() / "parent-denied.sweep");  // beside p: p cannot be written
  const std::string sweep = sweep_file(p.parent_path() / "parent-denied.sweep");
  Launch l;
  if (::geteuid() == 0) {
    REQUIRE(::chown(o.c_str(), 65534, 65534) == 0);  // the folder is nobody's, its parent root's
    l.in_child = [] {
      if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(125);
    };
    l.cwd = "/";
  } else {
    fs::permissions(p, fs::perms::owner_write, fs::perm_options::remove);
  }
  l.args = risk_b(o);
  const Result risk = run(l);
  CHECK_MESSAGE(risk.status.exited(0), risk.err);
  CHECK(which_set(o, {"risk.json"}, refs().risk_a, refs().risk_b) == "B");
  l.args = run_b(o);
  const Result r = run(l);
  expect_fails_naming(r, p, "run");
  CHECK(which_set(o, kRunFiles, refs().run_a, refs().run_b) == "A");
  // A sweep's plan is two files, committed by exchanging the folder: it
  // fails the same way, and takes back the .lock and variants/ it made.
  const Tree before = tree_of(o);
  l.args = {"sweep", sweep, "--out", o.string()};
  const Result s = run(l);
  expect_fails_naming(s, p, "sweep");
  CHECK(tree_of(o) == before);
  if (::geteuid() != 0) fs::permissions(p, fs::perms::owner_write, fs::perm_options::add);
  CHECK(leftovers(p).empty());
}
