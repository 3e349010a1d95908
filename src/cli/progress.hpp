// Progress on stderr for long commands (docs/reference.md §1): on a terminal a bar with
// percent, rate and ETA redrawn in place; otherwise one plain line every
// ~2 s. Nothing at all for work that finishes within ~1 s. Never results.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace cloudpact {

class Progress {
 public:
  // `what` prefixes every line ("risk"), `unit` names the items ("paths").
  Progress(std::string what, std::string unit, std::int64_t total);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(std::int64_t done);  // cheap when nothing is due
  // Extra words shown after the ETA ("3 failed"); empty for none.
  void set_note(std::string note) { note_ = std::move(note); }
  void finish();                   // final 100% line (only if something was shown)
  // Work that ends before its announced total (a search that converged):
  // the total becomes what was done, so the final line claims no more.
  void set_total(std::int64_t total) { total_ = total; }

  // "42s", "3m07s", "2h05m"; "?" for a negative or non-finite time.
  static std::string format_duration(double seconds);

 private:
  using clock = std::chrono::steady_clock;
  void draw(std::int64_t done, double elapsed);

  std::string what_, unit_, note_;
  std::int64_t total_;
  bool tty_;
  bool drawn_ = false, finished_ = false;
  clock::time_point start_, last_;
};

}  // namespace cloudpact
