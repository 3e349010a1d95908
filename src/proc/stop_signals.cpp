#include "proc/stop_signals.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace cloudpact {

namespace {

volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void on_stop_signal(int sig) { g_stop_signal = sig; }
constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

}  // namespace

struct StopSignals::Saved {
  struct sigaction old[kCount];
};

StopSignals::StopSignals() : saved_(new Saved) {
  g_stop_signal = 0;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < kCount; ++i) {
    ::sigaction(kStopSignals[i], nullptr, &saved_->old[i]);
    // A signal the command was started ignoring stays ignored: SIGHUP under
    // nohup (a sweep left running at logout), SIGINT of a background job a
    // script started. Its user asked for that; catching it would stop the
    // command at the first hangup or Ctrl-C meant for something else.
    if (saved_->old[i].sa_handler != SIG_IGN) ::sigaction(kStopSignals[i], &sa, nullptr);
  }
}

StopSignals::~StopSignals() {
  for (int i = 0; i < kCount; ++i) ::sigaction(kStopSignals[i], &saved_->old[i], nullptr);
  delete saved_;
}

int StopSignals::received() { return g_stop_signal; }

[[noreturn]] void die_by(int sig) {
  std::fflush(nullptr);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
  std::_Exit(128 + sig);
}

}  // namespace cloudpact
