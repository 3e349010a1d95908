// The folder of a sweep (docs/reference.md §7):
//   DIR/plan.json            what to run (plan.hpp), with
//   DIR/plan-variants.jsonl  the variants, one line each
//   DIR/sweep.csv            one row per committed variant, rebuilt from variants/
//   DIR/variants/<id>/       each variant's outputs and result.json, committed
//                            by one atomic folder rename
//   DIR/.lock                held (flock) by the process driving the sweep
// A variant is done exactly when variants/<id>/ exists: whatever kills the
// sweep, a variant is either whole or absent, and a rerun never duplicates it.
#pragma once

#include <set>
#include <cstdio>
#include <string>
#include <vector>

#include "report/atomic_file.hpp"

namespace cloudpact {

class SweepFolder {
 public:
  explicit SweepFolder(std::string dir);

  const std::string& dir() const { return dir_; }
  std::string plan_path() const;
  std::string plan_variants_path() const;
  std::string csv_path() const;
  std::string variants_dir() const;
  std::string variant_dir(const std::string& id) const;

  bool committed(const std::string& id) const;
  std::set<std::string> committed_ids() const;
  // result.json of a committed variant ("" when absent).
  std::string read_result(const std::string& id) const;

  // Commits a variant's files at once; false when it was already committed.
  bool commit(const std::string& id, const std::vector<OutputFile>& files) const;

  // Leftovers of processes killed mid-write (variants/.tmp-*, .stderr-*).
  // Call only while holding the lock, with no variant process running.
  void remove_temporaries() const;

  // Takes DIR/.lock (creating DIR and DIR/variants); throws
  // std::runtime_error when another cloudpact process is driving this sweep.
  // Released when the process exits.
  void lock();

  // Undoes lock() in a folder where no sweep started: removes variants/
  // (empty), then .lock (before letting go of it), then DIR and each folder
  // above it up to `first_made` when lock() made them (each only when
  // empty; `first_made` empty: DIR existed). Never throws: it runs on a
  // failure's way out.
  void unmake(const std::string& first_made);

 private:
  std::string dir_;
  int lock_fd_ = -1;
};

// result.json of a variant: {"variant", "status": "ok"|"failed", "error", "values"}.
std::string variant_result_json(const std::string& id, const std::vector<std::string>& pointers,
                                const std::vector<std::string>& values_json, const std::string& error);

// A file of a sweep folder, which cloudpact (or Slurm, for its logs) wrote:
// its text, "" when unreadable. Never read through a symbolic link
// (O_NOFOLLOW): a link planted in the folder is not followed out of it.
std::string read_text_file(const std::string& path);

// The same file opened for reading line by line (plan-variants.jsonl, which
// a variant process reads one line of at its offset): nullptr, errno set,
// when it cannot be opened or is a link. Close with std::fclose.
std::FILE* open_text_file(const std::string& path);

}  // namespace cloudpact
