// The replay module (docs/reference.md §3.1): the executable loads SimGrid
// only when a command replays, from the module beside it, and says where it
// looked when the module is missing or is not one. Runs the real binary;
// the dynamic loader's own trace (LD_DEBUG=libs) tells which libraries a
// run initialised.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "run_cloudpact.hpp"

namespace fs = std::filesystem;
using cloudpact::test::run_cloudpact;
using cloudpact::test::Run;

namespace {

const std::string source_dir = CLOUDPACT_SOURCE_DIR;
const std::string scenario_01 = source_dir + "/scenarios/01-one-vendor-vs-two.json";

// One run with environment variable `name` set to `value` (the child
// inherits this process's environment).
Run run_with_env(const char* name, const std::string& value, const std::vector<std::string>& args) {
  REQUIRE(::setenv(name, value.c_str(), 1) == 0);
  const Run r = run_cloudpact(args);
  REQUIRE(::unsetenv(name) == 0);
  return r;
}

// Whether the loader's trace shows a library whose file name starts with
// `stem` being initialised.
bool initialised(const Run& r, const std::string& stem) {
  const std::string marker = "calling init: ";
  for (std::size_t at = r.err.find(marker); at != std::string::npos; at = r.err.find(marker, at + 1)) {
    const std::size_t end = r.err.find('\n', at);
    const fs::path lib = r.err.substr(at + marker.size(), end == std::string::npos ? end : end - at - marker.size());
    if (lib.filename().string().rfind(stem, 0) == 0) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("validate and risk never load SimGrid; run loads it with the replay module") {
  const fs::path out = cloudpact::test::temp_root() / "module-trace";
  const Run validate = run_with_env("LD_DEBUG", "libs", {"validate", scenario_01});
  CHECK(validate.exit_code == 0);
  // The trace is there: the C++ runtime is always initialised.
  CHECK(initialised(validate, "libstdc++.so"));
  CHECK_FALSE(initialised(validate, "libsimgrid.so"));
  CHECK_FALSE(initialised(validate, "cloudpact-replay.so"));

  const Run risk = run_with_env("LD_DEBUG", "libs",
                                {"risk", scenario_01, "--paths", "20", "--threads", "1", "--out", (out / "risk").string()});
  CHECK(risk.exit_code == 0);
  CHECK(fs::exists(out / "risk" / "risk.json"));
  CHECK_FALSE(initialised(risk, "libsimgrid.so"));
  CHECK_FALSE(initialised(risk, "cloudpact-replay.so"));

  const Run run = run_with_env("LD_DEBUG", "libs", {"run", scenario_01, "--out", (out / "run").string()});
  CHECK(run.exit_code == 0);
  CHECK(fs::exists(out / "run" / "summary.json"));
  CHECK(initialised(run, "cloudpact-replay.so"));
  CHECK(initialised(run, "libsimgrid.so"));
}

TEST_CASE("without its module, run exits 3 naming where it looked and writes nothing; risk still runs") {
  const fs::path out = cloudpact::test::temp_root() / "module-missing";
  const std::string missing = (out / "nowhere" / "cloudpact-replay.so").string();
  const Run run = run_with_env("CLOUDPACT_REPLAY_MODULE", missing, {"run", scenario_01, "--out", (out / "run").string()});
  CHECK(run.exit_code == 3);
  CHECK(run.out.empty());
  CHECK(run.err == "cloudpact: cannot find the replay module cloudpact-replay.so (looked at " + missing +
                       "; CLOUDPACT_REPLAY_MODULE names another)\n");
  CHECK_FALSE(fs::exists(out / "run"));

  const Run risk = run_with_env("CLOUDPACT_REPLAY_MODULE", missing,
                                {"risk", scenario_01, "--paths", "20", "--threads", "1", "--out", (out / "risk").string()});
  CHECK(risk.exit_code == 0);
  CHECK(fs::exists(out / "risk" / "risk.json"));
}

TEST_CASE("a file that is not a loadable module is refused with the loader's reason; nothing written") {
  const fs::path out = cloudpact::test::temp_root() / "module-bad";
  fs::create_directories(out);
  const fs::path bad = out / "cloudpact-replay.so";
  std::ofstream(bad) << "not a shared object\n";
  const Run run =
      run_with_env("CLOUDPACT_REPLAY_MODULE", bad.string(), {"run", scenario_01, "--out", (out / "run").string()});
  CHECK(run.exit_code == 3);
  const std::string prefix = "cloudpact: cannot load the replay module " + bad.string() + ": ";
  CHECK(run.err.rfind(prefix, 0) == 0);
  // dlerror's own words follow: glibc names the file and the reason.
  CHECK(run.err.size() > prefix.size() + 1);
  CHECK(run.err.find('\n') == run.err.size() - 1);
  CHECK_FALSE(fs::exists(out / "run"));
}
