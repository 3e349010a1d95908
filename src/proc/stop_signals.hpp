// SIGINT, SIGTERM and SIGHUP as requests to stop at a clean point: while a
// StopSignals exists they only set a flag that long commands read (a sweep
// stops starting variants, optimize stops its search and writes the best
// point so far); one the process was started ignoring (nohup's SIGHUP)
// stays ignored. Restores the previous handlers when destroyed.
#pragma once

namespace cloudpact {

class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  static int received();  // the signal caught, 0 when none

 private:
  static constexpr int kCount = 3;
  struct Saved;
  Saved* saved_;
};

// Ends the process as `sig` would have without a handler (the exit status a
// shell or Slurm expects of an interrupted command), after flushing stdio.
[[noreturn]] void die_by(int sig);

}  // namespace cloudpact
