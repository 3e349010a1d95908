#include "report/fault_points.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace cloudpact::fault {

namespace {

long env_number(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtol(v, nullptr, 10) : 0;
}

struct Hooks {
  long stop_at = env_number("CLOUDPACT_TEST_STOP_AT");
  long fail_at = env_number("CLOUDPACT_TEST_FAIL_AT");
  bool trace = env_number("CLOUDPACT_TEST_TRACE") != 0;
  bool active = stop_at > 0 || fail_at > 0 || trace;
  long steps = 0;
};

Hooks& hooks() {
  static Hooks h;
  return h;
}

}  // namespace

void set_command(const std::string& command) {
  const char* only = std::getenv("CLOUDPACT_TEST_ONLY");
  if (only != nullptr && *only != '\0' && command != only) hooks().active = false;
}

bool no_exchange() {
  static const bool off = env_number("CLOUDPACT_TEST_NO_EXCHANGE") != 0;
  return off;
}

bool step(const char* what, const std::string& path) {
  Hooks& h = hooks();
  if (!h.active) return true;
  const long n = ++h.steps;
  if (h.trace) std::fprintf(stderr, "cloudpact: step %ld: %s %s\n", n, what, path.c_str());
  if (n == h.stop_at) std::raise(SIGSTOP);
  if (n == h.fail_at) {
    errno = EIO;
    return false;
  }
  return true;
}

}  // namespace cloudpact::fault
