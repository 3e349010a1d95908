// Training jobs (docs/reference.md §2.4): how long a job runs, what an
// interruption keeps, when a run ends. Plain arithmetic shared by the replay
// (src/sim/training_jobs.cpp) and the path model (kernels/path_model.inl).
#pragma once

#include <math.h>  // floor in the global namespace: g++ host code and nvcc device code

#include "rules/hd.hpp"

namespace cloudpact::rules {

inline constexpr double kH100FlopsPerSecond = 989e12;  // BF16 dense peak of one H100-equivalent

// Seconds of uninterrupted running the job needs: flops / (gpus · 989e12 · mfu),
// to the microsecond. The quotient carries the last bits of floating-point
// noise (240 h came out 864000.0000000001 s): a run meant to end on a cut (a
// capacity step, an outage, a contract's end) then ended a tenth of a
// nanosecond after it, which the replay's SimGrid clock absorbs and the
// path model's exact comparison did not, so one engine finished the run and
// the other rolled it back to its last checkpoint. Every instant the engines
// compare is a whole second or such a work away from one, so both now see
// the tie. Beyond 9e9 s a double is coarser than a microsecond already.
CP_HD inline double training_work_s(double flops, double gpus, double mfu) {
  const double work_s = flops / (gpus * kH100FlopsPerSecond * mfu);
  return work_s < 9e9 ? floor(work_s * 1e6 + 0.5) / 1e6 : work_s;
}

// Progress kept after an interruption: the last checkpoint, i.e. the largest
// multiple of the checkpoint period not above the progress. No checkpoints
// (period 0) keeps nothing. Progress is in seconds of running at full size,
// so checkpoints fall every `checkpoint_s` of running, across restarts too.
CP_HD inline double progress_after_rollback(double progress_s, double checkpoint_s) {
  if (checkpoint_s <= 0.0) return 0.0;
  // A relative epsilon so that a job interrupted exactly on a checkpoint
  // keeps it despite the last bit of floating-point noise in progress_s.
  return floor(progress_s / checkpoint_s * (1.0 + 1e-12)) * checkpoint_s;
}

// Progress at instant t_s of a run that started at `run_start_s` with
// `progress_s` already done: a running job holds all its GPUs, so it
// progresses one second a second (the replay's hosts run at a fixed speed).
CP_HD inline double progress_at_s(double progress_s, double run_start_s, double t_s) {
  return progress_s + (t_s - run_start_s);
}

// When a run that started at `run_start_s` with `progress_s` already done
// finishes if nothing interrupts it.
CP_HD inline double run_finish_s(double run_start_s, double work_s, double progress_s) {
  return run_start_s + (work_s - progress_s);
}

// GPU-seconds an interruption throws away: the progress since the last
// checkpoint, at the job's size.
CP_HD inline double lost_gpu_s(double progress_s, double kept_s, double gpus) { return (progress_s - kept_s) * gpus; }

}  // namespace cloudpact::rules
