// Writes that could be redirected: links planted where outputs, temporaries,
// staging folders, the sweep lock or a JUnit report go are never followed
// (what they point to is left untouched); output folders a commit cannot
// replace safely are refused with exit 2 before any work; files that are not
// the command's survive every commit (the same files, hard-linked), with the
// folder's mode and owner; concurrent commits into one folder lose nothing;
// `check` reports anything unexpected in a baseline folder.
#include <doctest/doctest.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault_support.hpp"

using namespace cloudpact::faults;

namespace {

std::vector<std::string> run_args(bool b, const fs::path& out) {
  std::vector<std::string> a = {"run", kScenario01};
  const auto& extra = b ? kRunB : kRunA;
  a.insert(a.end(), extra.begin(), extra.end());
  a.insert(a.end(), {"--out", out.string()});
  return a;
}

std::vector<std::string> risk_args(bool b, const fs::path& out) {
  std::vector<std::string> a = {"risk", kScenario01};
  const auto& extra = b ? kRiskB : kRiskA;
  a.insert(a.end(), extra.begin(), extra.end());
  a.insert(a.end(), {"--out", out.string()});
  return a;
}

// A folder (or file) outside every output folder, which nothing may touch.
struct Victim {
  fs::path dir, file;
  Tree before;
  explicit Victim(const fs::path& p) : dir(p / "victim"), file(dir / "precious.txt") {
    make_tree(dir, {{"precious.txt", "file:keep me\n"}, {"sub", "folder"}, {"sub/x", "file:x"}});
    before = tree_of(dir);
  }
  void untouched() const {
    const Tree now = tree_of(dir);
    CHECK_MESSAGE(now == before, "the victim changed:" << describe_difference(before, now));
  }
};

ino_t inode(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_ino;
}

}  // namespace

TEST_CASE("refused before any work (exit 2, one line, nothing written): --out '', a link, a file, ., /") {
  const fs::path p = fresh_dir("refuse");
  const Victim v(p);
  fs::create_symlink(v.dir, p / "link");
  write_file(p / "file", "not a folder");
  const fs::path sweep = p / "s.json";
  write_file(sweep, R"({"base": ")" + kScenario01 + R"(", "mode": "grid", "parameters": [
    {"pointer": "/contracts/0/price_usd_per_gpu_hour", "values": [1.5]}]})");
  struct Case {
    std::vector<std::string> args;
    std::string message;
    fs::path cwd;
  };
  const std::vector<Case> cases = {
      {{"run", kScenario01, "--out", ""}, "cloudpact: --out needs a folder, got ''\n", {}},
      {{"risk", kScenario01, "--out", ""}, "cloudpact: --out needs a folder, got ''\n", {}},
      {{"sweep", sweep.string(), "--out", ""}, "cloudpact: --out needs a folder, got ''\n", {}},
      {{"run", kScenario01, "--out="}, "cloudpact: --out needs a folder, got ''\n", {}},
      {{"run", kScenario01, "--out", (p / "link").string()},
       "cloudpact: --out " + (p / "link").string() +
           ": is a symbolic link (expected a folder: cloudpact does not write through links)\n",
       {}},
      {{"risk", kScenario01, "--out", (p / "link").string()}, "is a symbolic link", {}},
      {{"sweep", sweep.string(), "--out", (p / "link").string()}, "is a symbolic link", {}},
      {{"run", kScenario01, "--out", (p / "link") .string() + "/"}, "is a symbolic link", {}},
      // "link/." is the link too, not its target resolved behind its back.
      {{"run", kScenario01, "--out", (p / "link").string() + "/."}, "is a symbolic link", {}},
      {{"risk", kScenario01, "--out", (p / "link").string() + "/./"}, "is a symbolic link", {}},
      {{"run", kScenario01, "--out", (p / "file").string()}, "cloudpact: --out " + (p / "file").string() + ": is not a folder\n", {}},
      {{"risk", kScenario01, "--out", (p / "file").string()}, "is not a folder", {}},
      {{"run", kScenario01, "--out", "."},
       "cloudpact: --out .: is the current folder or holds it (expected another folder: the files replace the "
       "folder as a whole, docs/reference.md §1.2)\n",
       v.dir},
      {{"run", kScenario01, "--out", ".."}, "is the current folder or holds it", v.dir / "sub"},
      {{"run", kScenario01, "--out", "/"}, "is a file system root", {}},
      {{"check", "--update", "--baseline", p.string(), kScenario01}, "", {}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    Launch l;
    l.args = c.args;
    l.cwd = c.cwd;
    if (c.args[0] == "check") {
      fs::create_symlink(v.dir, p / "01-one-vendor-vs-two");
      const Result r = run(l);
      CHECK(r.status.exited(2));
      CHECK(r.err == (p / "01-one-vendor-vs-two").string() +
                         ": is a symbolic link (expected a folder: cloudpact does not write through links)\n");
      continue;
    }
    const Result r = run(l);
    CHECK(r.status.exited(2));
    if (c.message.back() == '\n') {
      CHECK(r.err == c.message);
    } else {
      CHECK(error_lines(r.err).size() == 1);
      CHECK(r.err.find(c.message) != std::string::npos);
    }
    v.untouched();
  }
  CHECK(tree_of(p).count("file"));
  // One file needs no exchange: risk --out . writes in place.
  Launch here;
  here.args = {"risk", kScenario01, "--paths", "100", "--out", "."};
  here.cwd = v.dir / "sub";
  CHECK(run(here).status.exited(0));
  CHECK(fs::is_regular_file(v.dir / "sub" / "risk.json"));
}

TEST_CASE("a mount point as --out of run is refused; a mount point inside it stops the commit, nothing changes") {
  const fs::path p = fresh_dir("mountpoint");
  fs::create_directories(p / "m");
  if (::mount("tmpfs", (p / "m").c_str(), "tmpfs", 0, "size=64k") != 0) {
    MESSAGE("no tmpfs (" << std::strerror(errno) << "): mount points not tested");
    return;
  }
  Result r = run(run_args(false, p / "m"));
  CHECK(r.status.exited(2));
  CHECK(r.err.find("is a mount point") != std::string::npos);
  CHECK(run(risk_args(false, p / "m")).status.exited(0));  // one file: in place
  ::umount2((p / "m").c_str(), MNT_DETACH);

  make_tree(p / "o", refs().run_a);
  fs::create_directories(p / "o" / "data");
  REQUIRE(::mount("tmpfs", (p / "o" / "data").c_str(), "tmpfs", 0, "size=64k") == 0);
  write_file(p / "o" / "data" / "big.bin", "on another file system");
  const Tree before = tree_of(p / "o");
  r = run(run_args(true, p / "o"));
  CHECK(r.status.exited(3));
  CHECK(one_line_naming(r.err, (p / "o" / "data").string()));
  CHECK(tree_of(p / "o") == before);
  ::umount2((p / "o" / "data").c_str(), MNT_DETACH);
  CHECK(leftovers(p).empty());
}

TEST_CASE("links at the output files' names are replaced, never written through") {
  const fs::path p = fresh_dir("links-out");
  const Victim v(p);
  const fs::path o = p / "o";
  fs::create_directories(o);
  for (const std::string& f : kRunFiles) fs::create_symlink(v.file, o / f);
  fs::create_symlink(v.file, o / "risk.json");
  REQUIRE(run(run_args(true, o)).status.exited(0));
  REQUIRE(run(risk_args(true, o)).status.exited(0));
  v.untouched();
  CHECK(which_set(o, kRunFiles, refs().run_a, refs().run_b) == "B");
  CHECK(which_set(o, {"risk.json"}, refs().risk_a, refs().risk_b) == "B");
  // The old code's temporaries ("FILE.tmp.PID") as links: removed, not followed.
  fs::create_symlink(v.file, o / "summary.json.tmp.12345");
  fs::create_symlink(v.file, o / ".risk.json.cloudpact-tmp-aaaaaaaaaaaa");
  REQUIRE(run(run_args(false, o)).status.exited(0));
  REQUIRE(run(risk_args(false, o)).status.exited(0));
  v.untouched();
  CHECK(leftovers(p).empty());
}

TEST_CASE("links planted as staging folders beside --out are removed, never followed nor renamed in") {
  const fs::path p = fresh_dir("links-staging");
  const Victim v(p);
  const fs::path o = p / "o";
  for (const bool exists : {true, false}) {
    CAPTURE(exists);
    std::error_code ec;
    fs::remove_all(o, ec);
    if (exists) make_tree(o, refs().run_a);
    fs::create_symlink(v.dir, p / ".o.cloudpact-new-aaaaaaaaaaaa");
    fs::create_symlink(v.dir, p / ".o.cloudpact-old-bbbbbbbbbbbb");  // "put back" only when a folder of ours
    REQUIRE(run(run_args(true, o)).status.exited(0));
    CHECK(!fs::is_symlink(o));
    CHECK(which_set(o, kRunFiles, refs().run_a, refs().run_b) == "B");
    CHECK(leftovers(p).empty());
    v.untouched();
  }
}

TEST_CASE("the user's files survive every commit: the same files, links as links, the folder's mode and owner") {
  const fs::path p = fresh_dir("user-files");
  const Victim v(p);
  const fs::path o = p / "o";
  Tree t = refs().run_a;
  const Tree u = user_files();
  t.insert(u.begin(), u.end());
  make_tree(o, t);
  fs::create_symlink(v.file, o / "report" / "outside");
  for (int i = 0; i < 500; ++i) write_file(o / "report" / "img" / ("f" + std::to_string(i)), std::to_string(i));
  ::chmod(o.c_str(), 0750);
  ::chmod((o / "report").c_str(), 0700);
  if (::geteuid() == 0) REQUIRE(::chown(o.c_str(), 65534, 65534) == 0);
  const Tree before = except(tree_of(o), kRunFiles);
  const ino_t plot = inode(o / "plot.png"), deep = inode(o / "report" / "img" / "f7");
  REQUIRE(run(run_args(true, o)).status.exited(0));
  REQUIRE(run(risk_args(true, o)).status.exited(0));
  CHECK(except(except(tree_of(o), kRunFiles), {"risk.json"}) == before);
  CHECK(inode(o / "plot.png") == plot);
  CHECK(inode(o / "report" / "img" / "f7") == deep);
  struct stat st {};
  REQUIRE(::stat(o.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0750);
  if (::geteuid() == 0) CHECK(st.st_uid == 65534);
  REQUIRE(::stat((o / "report").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
  v.untouched();
  CHECK(leftovers(p).empty());
}

TEST_CASE("concurrent run, run and risk into one folder: each commit whole, nothing lost") {
  const fs::path p = fresh_dir("concurrent");
  const fs::path o = p / "o";
  Tree t = refs().run_a;
  const Tree u = user_files();
  t.insert(u.begin(), u.end());
  make_tree(o, t);
  for (int round = 0; round < soak(8); ++round) {
    CAPTURE(round);
    Result a, b, r;
    std::thread ta([&] { a = run(run_args(false, o)); });
    std::thread tb([&] { b = run(run_args(true, o)); });
    std::thread tr([&] { r = run(risk_args(round % 2 == 1, o)); });
    ta.join();
    tb.join();
    tr.join();
    CHECK(a.status.exited(0));
    CHECK(b.status.exited(0));
    CHECK(r.status.exited(0));
    const std::string state = which_set(o, kRunFiles, refs().run_a, refs().run_b);
    CHECK((state == "A" || state == "B"));
    CHECK(which_set(o, {"risk.json"}, refs().risk_a, refs().risk_b) == (round % 2 == 1 ? "B" : "A"));
    CHECK(except(except(tree_of(o), kRunFiles), {"risk.json"}) == u);
    CHECK(leftovers(p).empty());
  }
}

TEST_CASE("sweep: a link at .lock, a variant's temporary or its stderr file is never followed") {
  const fs::path p = fresh_dir("links-sweep");
  const Victim v(p);
  const fs::path sweep = p / "s.json";
  write_file(sweep, R"({"base": ")" + kScenario01 + R"(", "mode": "grid", "parameters": [
    {"pointer": "/contracts/0/price_usd_per_gpu_hour", "values": [1.5, 2.0]}]})");
  const fs::path d = p / "o";
  fs::create_directories(d);
  fs::create_symlink(v.dir / "created-through-the-lock", d / ".lock");
  Result r = run({"sweep", sweep.string(), "--out", d.string()});
  CHECK(r.status.exited(3));
  CHECK(one_line_naming(r.err, (d / ".lock").string()));
  CHECK(!fs::exists(v.dir / "created-through-the-lock"));
  fs::remove(d / ".lock");

  REQUIRE(run({"sweep", sweep.string(), "--out", d.string(), "--slurm-script-only"}).status.exited(0));
  const auto lines = slurp(d / "plan-variants.jsonl");  // {"id":"v…","values":[…]} per line
  const std::string id = lines.substr(lines.find("\"id\":\"") + 6, 13);
  fs::create_symlink(v.dir, d / "variants" / (".tmp-" + id + "-aaaaaaaaaaaa"));
  fs::create_symlink(v.file, d / "variants" / (".stderr-" + id));
  r = run({"sweep", sweep.string(), "--out", d.string(), "--resume"});
  CHECK_MESSAGE(r.status.exited(0), r.err);
  v.untouched();
  CHECK(leftovers(d).empty());

  // Links at the plan's and the table's names in a new sweep folder (one to
  // a copy of the very plan-variants.jsonl it will write): replaced by
  // one-file commits, never written through.
  const fs::path d2 = p / "o2";
  fs::create_directories(d2);
  write_file(p / "variants-copy.jsonl", slurp(d / "plan-variants.jsonl"));
  fs::create_symlink(p / "variants-copy.jsonl", d2 / "plan-variants.jsonl");
  fs::create_symlink(v.file, d2 / "sweep.csv");
  r = run({"sweep", sweep.string(), "--out", d2.string()});
  CHECK_MESSAGE(r.status.exited(0), r.err);
  v.untouched();
  CHECK(slurp(p / "variants-copy.jsonl") == slurp(d / "plan-variants.jsonl"));
  for (const char* name : {"plan.json", "plan-variants.jsonl", "sweep.csv"}) {
    CAPTURE(name);
    CHECK(fs::is_regular_file(fs::symlink_status(d2 / name)));
  }
  CHECK(slurp(d2 / "plan-variants.jsonl") == slurp(d / "plan-variants.jsonl"));
  CHECK(slurp(d2 / "sweep.csv") == slurp(d / "sweep.csv"));
  CHECK(leftovers(d2).empty());
}

TEST_CASE("check --junit: a link at the report's name is refused, neither written through nor replaced") {
  const fs::path p = fresh_dir("links-junit");
  const Victim v(p);
  fs::create_symlink(v.file, p / "junit.xml");
  const Result r = run({"check", "--junit", (p / "junit.xml").string(), kScenario01}, {"TMPDIR=" + p.string()});
  CHECK_MESSAGE(r.status.exited(2), r.err);
  CHECK(one_line_naming(r.err, (p / "junit.xml").string()));
  CHECK(r.err.find("is a symbolic link") != std::string::npos);
  CHECK(fs::is_symlink(p / "junit.xml"));
  v.untouched();
  const Result bad = run({"check", "--junit", (p / "nodir") .string() + "/", kScenario01});
  CHECK(bad.status.exited(2));
}

TEST_CASE("check reports anything in a baseline folder besides regular summary.json and risk.json") {
  const fs::path p = fresh_dir("check-folder");
  const fs::path b = p / "results";
  fs::create_directories(b);
  fs::copy(kSource + "/results/01-one-vendor-vs-two", b / "01-one-vendor-vs-two", fs::copy_options::recursive);
  const fs::path dir = b / "01-one-vendor-vs-two";
  write_file(dir / "notes.txt", "mine");
  write_file(dir / "summary.json.tmp.4242", "half a file");
  for (const bool update : {false, true}) {
    CAPTURE(update);
    std::vector<std::string> args = {"check", "--baseline", b.string(), kScenario01};
    if (update) args.insert(args.begin() + 1, "--update");
    const Result r = run(args, {"TMPDIR=" + p.string()});
    CHECK(r.status.exited(2));
    CHECK(r.err == (dir / "notes.txt").string() +
                       ": unexpected in a baseline folder (expected only summary.json and risk.json, written by "
                       "cloudpact check --update; move it elsewhere)\n" +
                       (dir / "summary.json.tmp.4242").string() +
                       ": unexpected in a baseline folder (expected only summary.json and risk.json, written by "
                       "cloudpact check --update; move it elsewhere)\n");
  }
  fs::remove(dir / "notes.txt");
  fs::remove(dir / "summary.json.tmp.4242");
  fs::rename(dir / "summary.json", p / "summary.json");
  fs::create_symlink(p / "summary.json", dir / "summary.json");
  const Result r = run({"check", "--baseline", b.string(), kScenario01}, {"TMPDIR=" + p.string()});
  CHECK(r.status.exited(2));
  CHECK(r.err == (dir / "summary.json").string() +
                     ": not a regular file (expected the baseline written by cloudpact check --update)\n");
}
