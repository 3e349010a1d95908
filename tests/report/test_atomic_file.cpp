// Atomic output files (src/report/atomic_file.hpp): a failed write leaves
// neither the target nor its temporary file behind, and no open descriptor.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/atomic_file.hpp"

namespace fs = std::filesystem;
using cloudpact::commit_outputs;

namespace {

int open_descriptors() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

// The names in `dir`, sorted, one per line.
std::string listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  std::string out;
  for (const std::string& n : names) out += n + "\n";
  return out;
}

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("cloudpact-test-atomic-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("atomic files: written whole, no temporary left, no descriptor left open") {
  const fs::path dir = fresh_dir("ok");
  const int before = open_descriptors();
  commit_outputs(dir.string(), {{"a.json", "{}\n"}, {"b.csv", "x\n1\n"}});
  CHECK(open_descriptors() == before);
  CHECK(listing(dir) == "a.json\nb.csv\n");
  CHECK(read_text(dir / "a.json") == "{}\n");
  fs::remove_all(dir);
}

TEST_CASE("atomic files: a failed rename leaves the old state, no temporary, no descriptor") {
  const fs::path dir = fresh_dir("rename");
  fs::create_directories(dir / "taken" / "inside");  // a non-empty folder where the file should go
  const int before = open_descriptors();
  CHECK_THROWS_WITH_AS(commit_outputs(dir.string(), {{"taken", "text"}}),
                       ("cannot rename onto " + (dir / "taken").string() + ": Is a directory").c_str(),
                       std::runtime_error);
  CHECK(open_descriptors() == before);
  CHECK(listing(dir) == "taken\n");
  fs::remove_all(dir);
}

TEST_CASE("atomic files: a failed write (file size limit) closes and removes the temporary") {
  // In a child: RLIMIT_FSIZE would also stop doctest's own output. The child
  // reports through its exit code: 0 all as expected, else which check failed.
  const fs::path dir = fresh_dir("write");
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);  // write(2) then fails with EFBIG instead of killing the process
    const rlimit limit{16, 16};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(10);
    const int before = open_descriptors();
    try {
      commit_outputs(dir.string(), {{"big.json", std::string(1000, 'x')}});
      ::_exit(11);  // it should have failed
    } catch (const std::runtime_error& e) {
      const std::string expected = "cannot write " + (dir / "big.json").string() + ": File too large";
      if (e.what() != expected) ::_exit(12);
    }
    if (open_descriptors() != before) ::_exit(13);
    if (!fs::is_empty(dir)) ::_exit(14);
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK_MESSAGE(WEXITSTATUS(status) == 0,
                "child check " << WEXITSTATUS(status)
                               << " failed (11 no error, 12 message, 13 descriptor left open, 14 file left)");
  CHECK(fs::is_empty(dir));
  fs::remove_all(dir);
}

TEST_CASE("atomic files: a file given by parts holds their concatenation, beside a whole one") {
  const fs::path dir = fresh_dir("parts");
  const std::string big(3 << 20, 'y');  // parts as large as the replay's (about 1 MiB)
  int calls = 0;
  const cloudpact::TextWriter parts = [&](const cloudpact::TextSink& emit) {
    ++calls;
    emit("ab");
    emit("");
    emit(big);
    emit("c\n");
  };
  commit_outputs(dir.string(), {{"whole.csv", "x\n"}, {"parts.jsonl", "ignored when parts are given", parts}});
  CHECK(calls == 1);
  CHECK(listing(dir) == "parts.jsonl\nwhole.csv\n");
  CHECK(read_text(dir / "parts.jsonl") == "ab" + big + "c\n");
  CHECK(read_text(dir / "whole.csv") == "x\n");
  fs::remove_all(dir);
}

TEST_CASE("atomic files: a writer that fails half way leaves the folder as it was, no temporary, no descriptor") {
  const fs::path dir = fresh_dir("parts-fail");
  commit_outputs(dir.string(), {{"a.json", "old\n"}});
  const int before = open_descriptors();
  const cloudpact::TextWriter fails = [](const cloudpact::TextSink& emit) {
    emit("half of it");
    throw std::runtime_error("the writer stopped");
  };
  CHECK_THROWS_WITH_AS(commit_outputs(dir.string(), {{"a.json", "new\n"}, {"b.jsonl", "", fails}}),
                       "the writer stopped", std::runtime_error);
  CHECK(open_descriptors() == before);
  CHECK(listing(dir) == "a.json\n");
  CHECK(read_text(dir / "a.json") == "old\n");
  // Nor the folder the new set was staged in, beside it.
  CHECK(listing(dir.parent_path()).find("." + dir.filename().string()) == std::string::npos);
  fs::remove_all(dir);
}
