#include "cli/progress.hpp"

#include <cmath>
#include <cstdio>

#include <unistd.h>

namespace cloudpact {

namespace {
constexpr double kQuietSeconds = 1.0;     // nothing shown before this
constexpr double kTtyRedrawSeconds = 0.2;
constexpr double kPlainLineSeconds = 2.0;
constexpr int kBarWidth = 30;

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string rate_text(double per_s) {
  char buf[32];
  if (per_s >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM", per_s / 1e6);
  else if (per_s >= 1e3) std::snprintf(buf, sizeof buf, "%.1fk", per_s / 1e3);
  else if (per_s >= 10) std::snprintf(buf, sizeof buf, "%.0f", per_s);
  else std::snprintf(buf, sizeof buf, "%.2f", per_s);  // slow items (sweep variants)
  return buf;
}
}  // namespace

Progress::Progress(std::string what, std::string unit, std::int64_t total)
    : what_(std::move(what)), unit_(std::move(unit)), total_(total), tty_(::isatty(2) == 1),
      start_(clock::now()), last_(start_) {}

Progress::~Progress() {
  // Left without finish() (an exception): end the bar's line, claim nothing.
  if (!finished_ && drawn_ && tty_) {
    std::fputc('\n', stderr);
    std::fflush(stderr);
  }
}

std::string Progress::format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  const auto t = static_cast<long long>(std::llround(s));
  char buf[32];
  if (t < 60) std::snprintf(buf, sizeof buf, "%llds", t);
  else if (t < 3600) std::snprintf(buf, sizeof buf, "%lldm%02llds", t / 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%lldh%02lldm", t / 3600, (t % 3600) / 60);
  return buf;
}

void Progress::update(std::int64_t done) {
  if (finished_) return;
  const clock::time_point now = clock::now();
  const double elapsed = seconds(now - start_);
  if (elapsed < kQuietSeconds) return;
  const double since = seconds(now - last_);
  if (drawn_ && since < (tty_ ? kTtyRedrawSeconds : kPlainLineSeconds)) return;
  if (!drawn_ && !tty_ && elapsed < kPlainLineSeconds) return;
  last_ = now;
  draw(done, elapsed);
}

void Progress::draw(std::int64_t done, double elapsed) {
  const double frac = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : -1.0;
  const int pct = static_cast<int>(std::floor(frac * 100.0));
  if (tty_) {
    std::string bar(kBarWidth, ' ');
    const int full = static_cast<int>(std::floor(frac * kBarWidth));
    for (int i = 0; i < full && i < kBarWidth; ++i) bar[static_cast<size_t>(i)] = '#';
    std::fprintf(stderr, "\r%s [%s] %3d%%  %s %s/s  ETA %s%s%s   ", what_.c_str(), bar.c_str(), pct,
                 rate_text(rate).c_str(), unit_.c_str(), format_duration(eta).c_str(), note_.empty() ? "" : "  ",
                 note_.c_str());
  } else {
    std::fprintf(stderr, "%s: %lld/%lld %s (%d%%), %s %s/s, ETA %s%s%s\n", what_.c_str(),
                 static_cast<long long>(done), static_cast<long long>(total_), unit_.c_str(), pct,
                 rate_text(rate).c_str(), unit_.c_str(), format_duration(eta).c_str(), note_.empty() ? "" : ", ",
                 note_.c_str());
  }
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (!drawn_) return;
  const double elapsed = seconds(clock::now() - start_);
  if (tty_) {
    draw(total_, elapsed);
    std::fputc('\n', stderr);
  } else {
    std::fprintf(stderr, "%s: %lld %s done in %s\n", what_.c_str(), static_cast<long long>(total_), unit_.c_str(),
                 format_duration(elapsed).c_str());
  }
  std::fflush(stderr);
}

}  // namespace cloudpact
