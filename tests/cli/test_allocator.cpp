// The executable's allocator settings (src/cli/jemalloc_conf.cpp): linked
// with jemalloc, the executable hands it huge pages for its heap, and
// jemalloc takes them (it lists every setting it read when MALLOC_CONF
// asks it to: confirm_conf). Without jemalloc (the sanitizer build) there
// is nothing to hand. Runs the real binary.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "run_cloudpact.hpp"

using cloudpact::test::run_cloudpact;
using cloudpact::test::Run;

TEST_CASE("the executable starts jemalloc with huge pages for its heap and metadata") {
  // The child inherits the environment: set for this one run.
  REQUIRE(::setenv("MALLOC_CONF", "confirm_conf:true", 1) == 0);
  const Run r = run_cloudpact({"--version"});
  REQUIRE(::unsetenv("MALLOC_CONF") == 0);
  CHECK(r.exit_code == 0);
#if CLOUDPACT_EXE_JEMALLOC
  CHECK(r.err.find("(string pointed to by the global variable malloc_conf): \"thp:always,metadata_thp:always\"") !=
        std::string::npos);
  CHECK(r.err.find("-- Set conf value: thp:always\n") != std::string::npos);
  CHECK(r.err.find("-- Set conf value: metadata_thp:always\n") != std::string::npos);
#else
  CHECK(r.err.find("<jemalloc>") == std::string::npos);
#endif
}
