// Checkpoint arithmetic of a training job (SPEC 2.4). Pure functions, so the
// rollback rule is tested without a simulation.
#pragma once

#include <cmath>

namespace cloudpact {

inline constexpr double kH100FlopsPerSecond = 989e12;  // BF16 dense peak of one H100-equivalent

// Seconds of uninterrupted running the job needs: flops / (gpus · 989e12 · mfu).
inline double training_work_s(double flops, double gpus, double mfu) {
  return flops / (gpus * kH100FlopsPerSecond * mfu);
}

// Progress kept after an interruption: the last checkpoint, i.e. the largest
// multiple of the checkpoint period not above the progress. No checkpoints
// (period 0) keeps nothing. Progress is in seconds of running at full size,
// so checkpoints fall every `checkpoint_s` of running, across restarts too.
inline double progress_after_rollback(double progress_s, double checkpoint_s) {
  if (checkpoint_s <= 0.0) return 0.0;
  // A tiny epsilon so that a job interrupted exactly on a checkpoint keeps it
  // despite the last bit of floating-point noise in progress_s.
  return std::floor(progress_s / checkpoint_s * (1.0 + 1e-12)) * checkpoint_s;
}

}  // namespace cloudpact
