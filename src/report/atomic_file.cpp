#include "report/atomic_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/fault_points.hpp"
#include "report/fs_ops.hpp"
#include "scenario/message_text.hpp"

namespace cloudpact {

namespace {

namespace fs = std::filesystem;
using fsx::Fd;

using Names = std::set<std::string>;

// Where an output folder lives: NAME in PARENT, both as paths for messages.
struct Place {
  std::string shown;   // the folder as given, without trailing slashes
  std::string parent;  // its parent; "" for a file system root
  std::string name;    // its entry in the parent; "" for a file system root
};

std::string join(const std::string& dir, const std::string& name) {
  if (dir.empty() || dir == ".") return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

Place place_of(const std::string& dir) {
  Place p;
  p.shown = dir;
  // "DIR/." and "DIR/" are DIR: without its trailing "." a link at DIR is
  // seen as one (realpath would have resolved it to its target).
  for (;;) {
    while (p.shown.size() > 1 && p.shown.back() == '/') p.shown.pop_back();
    if (p.shown.size() > 2 && p.shown.ends_with("/.")) {
      p.shown.resize(p.shown.size() - 2);
      continue;
    }
    break;
  }
  fs::path path(p.shown);
  const std::string last = path.filename().string();
  if (last == "." || last == "..") {
    // "." or "out/..": the folder it means, by its own name in its parent.
    char* real = ::realpath(p.shown.c_str(), nullptr);
    if (real == nullptr) fsx::fail("cannot find the folder " + p.shown);
    path = real;
    std::free(real);
  }
  p.name = path.filename().string();
  if (p.name.empty()) return p;  // "/"
  p.parent = path.has_parent_path() ? path.parent_path().string() : ".";
  return p;
}

// One line whatever the paths in it hold (docs/reference.md §9.1).
void warn(const std::string& message) { std::cerr << one_line("cloudpact: warning: " + message) << "\n"; }

// ----- names of what a commit leaves while it runs ------------------------

constexpr const char* kTag = ".cloudpact-";
constexpr std::size_t kRandom = 12;

// Long names are cut (NAME_MAX is 255) and told apart by a hash.
std::string short_base(const std::string& name) {
  if (name.size() <= 120) return name;
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (const unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return name.substr(0, 100) + "~" + buf;
}

std::string hidden_prefix(const std::string& base, const char* kind) {
  return "." + short_base(base) + kTag + kind + "-";
}

bool random_tail(const std::string& s, std::size_t at) {
  if (s.size() != at + kRandom) return false;
  return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(at), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); });
}

// ".NAME.cloudpact-KIND-XXXXXXXXXXXX"
bool is_hidden(const std::string& entry, const std::string& base, const char* kind) {
  const std::string pre = hidden_prefix(base, kind);
  return entry.compare(0, pre.size(), pre) == 0 && random_tail(entry, pre.size());
}

// A temporary file of an interrupted one-file commit: ".FILE.cloudpact-tmp-XXXXXXXXXXXX".
bool is_temporary_file(const std::string& entry) {
  const std::string marker = std::string(kTag) + "tmp-";
  if (entry.size() < 1 + marker.size() + kRandom || entry[0] != '.') return false;
  const std::size_t at = entry.size() - kRandom - marker.size();
  return entry.compare(at, marker.size(), marker) == 0 && random_tail(entry, at + marker.size());
}

// What cloudpact before 0.1.0's hardening left: "FILE.tmp.PID".
bool is_old_temporary(const std::string& entry, const Names& files) {
  for (const std::string& f : files) {
    const std::string pre = f + ".tmp.";
    if (entry.size() > pre.size() && entry.compare(0, pre.size(), pre) == 0 &&
        std::all_of(entry.begin() + static_cast<std::ptrdiff_t>(pre.size()), entry.end(),
                    [](char c) { return c >= '0' && c <= '9'; })) {
      return true;
    }
  }
  return false;
}

// ----- small steps ---------------------------------------------------------

void sync_or_warn(int fd, const std::string& shown) {
  if (fsx::sync_fd(fd, shown) != 0) warn("cannot flush " + shown + ": " + std::strerror(errno));
}

void remove_or_warn(int dirfd, const std::string& name, const std::string& shown) {
  std::string failed;
  if (!fsx::remove_tree(dirfd, name, shown, failed)) {
    warn("cannot remove " + failed + ": " + std::strerror(errno) + " (the next commit there removes it)");
  }
}

// rename(2) that never replaces; where the file system cannot say so
// (EINVAL), a plain rename after checking the name is free.
int rename_noreplace(int from_dir, const std::string& from, int to_dir, const std::string& to,
                     const std::string& shown) {
  if (fsx::rename_at(from_dir, from, to_dir, to, RENAME_NOREPLACE, shown) == 0) return 0;
  if (errno != EINVAL) return -1;
  struct stat st;
  if (fsx::stat_at(to_dir, to, st)) {
    errno = EEXIST;
    return -1;
  }
  return fsx::rename_at(from_dir, from, to_dir, to, 0, shown);
}

bool is_mount_root(int dirfd, const std::string& name) {
#ifdef STATX_ATTR_MOUNT_ROOT
  struct statx sx;
  if (::statx(dirfd, name.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) != 0) return false;
  return (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 && (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
#else
  (void)dirfd;
  (void)name;
  return false;
#endif
}

const char* kWhole = "the files replace the folder as a whole, docs/reference.md §1.2";

// Why the folder NAME in PARENT cannot be exchanged for a new one ("" when it can).
std::string whole_folder_problem(const Place& pl) {
  if (pl.name.empty()) return std::string("is a file system root (expected a folder in one: ") + kWhole + ")";
  const std::string path = join(pl.parent, pl.name);
  struct stat st, up;
  if (::lstat(path.c_str(), &st) != 0) return "";
  if (is_mount_root(AT_FDCWD, path) || (::stat(pl.parent.c_str(), &up) == 0 && up.st_dev != st.st_dev)) {
    return std::string("is a mount point (expected a folder inside it: ") + kWhole + ")";
  }
  char* real = ::realpath(path.c_str(), nullptr);
  char* here = ::realpath(".", nullptr);
  std::string problem;
  if (real != nullptr && here != nullptr) {
    const std::string r = real, h = here;
    if (h == r || (h.size() > r.size() && h.compare(0, r.size(), r) == 0 && h[r.size()] == '/')) {
      problem = std::string("is the current folder or holds it (expected another folder: ") + kWhole + ")";
    }
  }
  std::free(real);
  std::free(here);
  return problem;
}

// ----- the lock ------------------------------------------------------------

// An flock on the parent folder, for the whole commit: commits into the same
// folder (and its siblings) take turns, and a commit may remove what an
// interrupted one left. Released when the parent's descriptor closes.
class ParentLock {
 public:
  ParentLock(int parent_fd, const std::string& shown) {
    if (fsx::lock_fd(parent_fd, false, shown) == 0) return;
    if (errno == EWOULDBLOCK) {
      std::cerr << one_line("cloudpact: waiting for another cloudpact process writing into " + shown) << "\n";
      if (fsx::lock_fd(parent_fd, true, shown) == 0) return;
    }
    if (errno == EBADF || errno == ENOLCK || errno == EINVAL || errno == EOPNOTSUPP) {
      // No flock on folders here (NFS): a lock file in the parent.
      const std::string file = join(shown, ".cloudpact-lock");
      file_ = Fd(::openat(parent_fd, ".cloudpact-lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
      if (!file_.ok()) fsx::fail("cannot open the lock " + file);
      if (fsx::lock_fd(file_.get(), true, file) == 0) return;
      fsx::fail("cannot lock " + file);
    }
    fsx::fail("cannot lock the folder " + shown);
  }

 private:
  Fd file_;
};

// ----- a new folder beside the output folder ---------------------------------

// Created exclusively (mkdir fails on anything already there, a link
// included), mode 0700 while it is filled; removed with everything in it
// unless released.
class Staging {
 public:
  // With `may_fail`, a folder that cannot be made leaves ok() false (errno
  // set) instead of throwing.
  Staging(int parent_fd, const std::string& parent_shown, const std::string& prefix, const std::string& beside,
          bool may_fail = false)
      : parent_fd_(parent_fd) {
    for (int attempt = 0;; ++attempt) {
      name_ = prefix + fsx::random_name();
      shown_ = join(parent_shown, name_);
      if (fsx::mkdir_at(parent_fd, name_, 0700, shown_) == 0) break;
      if (errno != EEXIST || attempt == 4) {
        const int err = errno;
        name_.clear();
        if (may_fail) {
          errno = err;
          return;
        }
        fsx::fail("cannot create the folder " + shown_ + " (to write " + beside + ")", err);
      }
    }
    fd_ = Fd(fsx::open_folder_at(parent_fd, name_));
    if (!fd_.ok()) fsx::fail("cannot open the folder " + shown_);
  }
  ~Staging() {
    fd_.close();
    if (!name_.empty()) {
      std::string failed;
      (void)fsx::remove_tree(parent_fd_, name_, shown_, failed);
    }
  }
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;

  bool ok() const { return fd_.ok(); }
  int fd() const { return fd_.get(); }
  const std::string& name() const { return name_; }
  const std::string& shown() const { return shown_; }
  void release() { name_.clear(); }
  // After an exchange the name holds the old folder: removed now, a failure
  // said (the next commit removes it).
  void remove_now() {
    fd_.close();
    remove_or_warn(parent_fd_, name_, shown_);
    name_.clear();
  }

 private:
  int parent_fd_;
  std::string name_, shown_;
  Fd fd_;
};

// Writes output file `f` as NAME in the folder: its text, whole or by parts.
void write_output(int dirfd, const std::string& name, const OutputFile& f, const std::string& shown) {
  if (f.write_text)
    fsx::write_new_file(dirfd, name, f.write_text, 0644, shown);
  else
    fsx::write_new_file(dirfd, name, f.content, 0644, shown);
}

void write_files(int dirfd, const std::vector<OutputFile>& files, const std::string& shown_dir) {
  for (const OutputFile& f : files) write_output(dirfd, f.name, f, join(shown_dir, f.name));
}

// A copy where a hard link cannot be made (another file system inside,
// hard links refused): the file's bytes, mode and owner; a link's target.
void copy_entry(int from, const std::string& name, int to, const struct stat& st, const std::string& shown) {
  if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
    const ssize_t n = ::readlinkat(from, name.c_str(), target.data(), target.size());
    if (n < 0) fsx::fail("cannot keep " + shown + " (read the link)");
    target.resize(static_cast<std::size_t>(n));
    if (fsx::symlink_at(target, to, name, shown) != 0) fsx::fail("cannot keep " + shown + " (make the link)");
    return;
  }
  if (!S_ISREG(st.st_mode)) fsx::fail("cannot keep " + shown + " (hard link)");
  Fd src(::openat(from, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!src.ok()) fsx::fail("cannot keep " + shown + " (open it)");
  std::string content;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(src.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      fsx::fail("cannot keep " + shown + " (read it)");
    }
    if (n == 0) break;
    content.append(buf, static_cast<std::size_t>(n));
  }
  fsx::write_new_file(to, name, content, st.st_mode & 07777, shown);
}

// Puts into `to` everything of `from` but the names in `skip`: a hard link of
// each file (the same file: its bytes, owner, mode and times), a folder made
// again with the same treatment and its owner, mode and times.
void replicate(int from, int to, const Names& skip, const std::string& shown, dev_t dev) {
  std::vector<std::string> names;
  if (!fsx::list_folder(from, names)) fsx::fail("cannot read the folder " + shown);
  for (const std::string& n : names) {
    if (skip.count(n) != 0) continue;
    const std::string path = join(shown, n);
    struct stat st;
    if (!fsx::stat_at(from, n, st)) {
      if (errno == ENOENT) continue;  // removed meanwhile
      fsx::fail("cannot read " + path);
    }
    if (!S_ISDIR(st.st_mode)) {
      if (fsx::link_at(from, n, to, n, path) == 0) continue;
      if (errno == ENOENT) continue;
      if (errno != EXDEV && errno != EPERM && errno != EMLINK && errno != EOPNOTSUPP) {
        fsx::fail("cannot keep " + path + " (hard link)");
      }
      copy_entry(from, n, to, st, path);
      continue;
    }
    if (st.st_dev != dev || is_mount_root(from, n)) {
      throw std::runtime_error("cannot keep " + path + ": it is a mount point (" + kWhole + ")");
    }
    Fd src(fsx::open_folder_at(from, n));
    if (!src.ok()) {
      if (errno == ENOENT) continue;
      fsx::fail("cannot open the folder " + path);
    }
    if (fsx::mkdir_at(to, n, 0700, path) != 0) fsx::fail("cannot keep " + path + " (make the folder)");
    Fd dst(fsx::open_folder_at(to, n));
    if (!dst.ok()) fsx::fail("cannot keep " + path + " (open the folder)");
    replicate(src.get(), dst.get(), {}, path, dev);
    (void)fsx::chown_fd(dst.get(), st.st_uid, st.st_gid, path);  // only root may give a folder away
    if (fsx::chmod_fd(dst.get(), st.st_mode & 07777, path) != 0) fsx::fail("cannot keep " + path + " (its mode)");
    (void)fsx::times_fd(dst.get(), st, path);
    if (fsx::sync_fd(dst.get(), path) != 0) fsx::fail("cannot keep " + path + " (flush the folder)");
  }
}

// After the exchange: whatever was written into the old folder while the new
// one was filled goes over, so that a commit loses nothing but the command's
// own old files. An entry missing from the new folder is moved; a file
// replaced in the old folder after it was linked (another inode) replaces
// its link. Failures are warnings: the new set is in place.
void carry_over(int old_fd, int new_fd, const Names& skip, const std::string& shown) {
  std::vector<std::string> names;
  if (!fsx::list_folder(old_fd, names)) return;
  for (const std::string& n : names) {
    if (skip.count(n) != 0 || is_temporary_file(n)) continue;
    const std::string path = join(shown, n);
    struct stat os, ns;
    if (!fsx::stat_at(old_fd, n, os)) continue;
    if (!fsx::stat_at(new_fd, n, ns)) {
      if (errno == ENOENT && rename_noreplace(old_fd, n, new_fd, n, path) != 0) {
        warn("cannot keep " + path + ", written during the commit: " + std::strerror(errno));
      }
      continue;
    }
    if (S_ISDIR(os.st_mode) && S_ISDIR(ns.st_mode)) {
      Fd o(fsx::open_folder_at(old_fd, n)), w(fsx::open_folder_at(new_fd, n));
      if (o.ok() && w.ok()) carry_over(o.get(), w.get(), {}, path);
    } else if (!S_ISDIR(os.st_mode) && !S_ISDIR(ns.st_mode) && os.st_ino != ns.st_ino) {
      if (fsx::rename_at(old_fd, n, new_fd, n, 0, path) != 0) {
        warn("cannot keep " + path + ", written during the commit: " + std::strerror(errno));
      }
    }
  }
}

// ----- what an interrupted commit left -------------------------------------

// In PARENT: the new folder of a commit stopped before its exchange (or the
// old one, after it) is removed; if the output folder is missing while an
// old one waits (stopped between "rename away" and "rename in", on a file
// system without RENAME_EXCHANGE), the old one is renamed back first. In the
// output folder: temporary files of one-file commits.
void clean_up(int parent_fd, const Place& pl, const Names& files) {
  std::vector<std::string> names;
  if (!fsx::list_folder(parent_fd, names)) fsx::fail("cannot read the folder " + pl.parent);
  struct stat parent_st;
  if (::fstat(parent_fd, &parent_st) != 0) fsx::fail("cannot read the folder " + pl.parent);
  std::vector<std::pair<std::int64_t, std::string>> olds;
  std::vector<std::string> news;
  for (const std::string& n : names) {
    struct stat st;
    // Only a folder of ours (or of the parent's owner) is renamed back;
    // anything else there, a link included, is removed.
    if (is_hidden(n, pl.name, "old") && fsx::stat_at(parent_fd, n, st) && S_ISDIR(st.st_mode) &&
        (st.st_uid == ::geteuid() || st.st_uid == parent_st.st_uid)) {
      olds.emplace_back(static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec, n);
    } else if (is_hidden(n, pl.name, "new") || is_hidden(n, pl.name, "old")) {  // a link is only removed
      news.push_back(n);
    }
  }
  std::sort(olds.rbegin(), olds.rend());  // newest first
  struct stat st;
  if (!fsx::stat_at(parent_fd, pl.name, st)) {
    if (errno != ENOENT) fsx::fail("cannot read " + pl.shown);
    if (!olds.empty()) {
      const std::string from = join(pl.parent, olds.front().second);
      if (rename_noreplace(parent_fd, olds.front().second, parent_fd, pl.name, pl.shown) != 0) {
        fsx::fail("cannot rename " + from + " back to " + pl.shown);
      }
      warn("renamed " + from + " back to " + pl.shown + " (a commit there was interrupted)");
      olds.erase(olds.begin());
    }
  }
  for (const auto& [when, n] : olds) remove_or_warn(parent_fd, n, join(pl.parent, n));
  for (const std::string& n : news) remove_or_warn(parent_fd, n, join(pl.parent, n));

  Fd dir(fsx::open_folder_at(parent_fd, pl.name));
  if (!dir.ok() || !fsx::list_folder(dir.get(), names)) return;
  for (const std::string& n : names) {
    if (!is_temporary_file(n) && !is_old_temporary(n, files)) continue;
    if (fsx::stat_at(dir.get(), n, st) && !S_ISDIR(st.st_mode)) remove_or_warn(dir.get(), n, join(pl.shown, n));
  }
}

// ----- the three ways in -------------------------------------------------------

// One file replaces its namesake in the folder: one rename. The file is
// written in a new folder beside it (a kill leaves nothing in the output
// folder itself), or, where there is no "beside" (a file system root, a
// mount point, a parent that cannot be written), under a temporary name in
// the folder.
void replace_file_here(int dirfd, const std::string& shown_dir, const OutputFile& f) {
  const std::string target = join(shown_dir, f.name);
  const std::string tmp = hidden_prefix(f.name, "tmp") + fsx::random_name();
  write_output(dirfd, tmp, f, target);
  if (fsx::rename_at(dirfd, tmp, dirfd, f.name, 0, target) != 0) {
    const int err = errno;
    ::unlinkat(dirfd, tmp.c_str(), 0);
    fsx::fail("cannot rename onto " + target, err);
  }
  sync_or_warn(dirfd, shown_dir);
}

void remove_files(int dirfd, const std::string& shown_dir, const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    const std::string shown = join(shown_dir, n);
    if (fsx::unlink_at(dirfd, n, 0, shown) != 0 && errno != ENOENT) fsx::fail("cannot remove " + shown);
  }
}

void replace_file(int parent_fd, const Place& pl, int dirfd, const OutputFile& f, const std::vector<std::string>& remove) {
  const std::string target = join(pl.shown, f.name);
  {
    Staging staging(parent_fd, pl.parent, hidden_prefix(pl.name, "new"), target, true);
    if (!staging.ok()) {
      if (errno != EACCES && errno != EPERM && errno != EROFS) fsx::fail("cannot create the folder " + staging.shown());
      remove_files(dirfd, pl.shown, remove);
      replace_file_here(dirfd, pl.shown, f);
      return;
    }
    write_output(staging.fd(), f.name, f, target);
    remove_files(dirfd, pl.shown, remove);
    if (fsx::rename_at(staging.fd(), f.name, dirfd, f.name, 0, target) != 0) {
      if (errno != EXDEV) fsx::fail("cannot rename onto " + target);
    } else {
      sync_or_warn(dirfd, pl.shown);
      return;  // ~Staging removes the empty folder
    }
  }
  replace_file_here(dirfd, pl.shown, f);  // `remove` already removed
}

// A folder that does not exist yet: filled beside, then renamed into place.
void create_folder(int parent_fd, const Place& pl, const std::vector<OutputFile>& files) {
  Staging staging(parent_fd, pl.parent, hidden_prefix(pl.name, "new"), pl.shown);
  write_files(staging.fd(), files, pl.shown);
  if (fsx::chmod_fd(staging.fd(), 0777 & ~fsx::current_umask(), staging.shown()) != 0 ||
      fsx::sync_fd(staging.fd(), staging.shown()) != 0) {
    fsx::fail("cannot flush the folder " + staging.shown());
  }
  if (rename_noreplace(parent_fd, staging.name(), parent_fd, pl.name, pl.shown) != 0) {
    fsx::fail("cannot rename the new folder onto " + pl.shown);
  }
  staging.release();
  sync_or_warn(parent_fd, pl.parent);
}

// Several files into an existing folder: a new folder with the new files and
// everything else of the old one, exchanged with it at once.
void exchange_folder(int parent_fd, const Place& pl, const struct stat& was, const std::vector<OutputFile>& files,
                     const Names& set) {
  if (const std::string why = whole_folder_problem(pl); !why.empty()) throw std::runtime_error(pl.shown + ": " + why);
  Fd old(fsx::open_folder_at(parent_fd, pl.name));
  if (!old.ok()) fsx::fail("cannot open the folder " + pl.shown);
  struct stat now;
  if (::fstat(old.get(), &now) != 0 || now.st_ino != was.st_ino || now.st_dev != was.st_dev) {
    throw std::runtime_error("cannot write " + pl.shown + ": it was replaced meanwhile");
  }
  for (const OutputFile& f : files) {
    // A folder under a file's name would be dropped with the old folder.
    const std::string& n = f.name;
    struct stat st;
    if (fsx::stat_at(old.get(), n, st) && S_ISDIR(st.st_mode)) {
      fsx::fail("cannot replace " + join(pl.shown, n), EISDIR);
    }
  }
  Staging staging(parent_fd, pl.parent, hidden_prefix(pl.name, "new"), pl.shown);
  (void)fsx::chown_fd(staging.fd(), was.st_uid, was.st_gid, staging.shown());
  if (fsx::chmod_fd(staging.fd(), 0700 | (was.st_mode & S_ISGID), staging.shown()) != 0) {
    fsx::fail("cannot set the mode of " + staging.shown());
  }
  write_files(staging.fd(), files, pl.shown);
  replicate(old.get(), staging.fd(), set, pl.shown, was.st_dev);
  if (fsx::chmod_fd(staging.fd(), was.st_mode & 07777, staging.shown()) != 0 ||
      fsx::sync_fd(staging.fd(), staging.shown()) != 0) {
    fsx::fail("cannot flush the folder " + staging.shown());
  }

  // The commit point.
  const bool can_exchange = !fault::no_exchange();
  if (can_exchange && fsx::rename_at(parent_fd, staging.name(), parent_fd, pl.name, RENAME_EXCHANGE, pl.shown) == 0) {
    // The staging name now holds the old folder.
    sync_or_warn(parent_fd, pl.parent);
    carry_over(old.get(), staging.fd(), set, pl.shown);
    old.close();
    staging.remove_now();
    sync_or_warn(parent_fd, pl.parent);
    return;
  }
  if (can_exchange && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) fsx::fail("cannot replace " + pl.shown);
  // No RENAME_EXCHANGE on this file system: for an instant there is no
  // folder; the next commit renames the old one back if we stop right there.
  const std::string away = hidden_prefix(pl.name, "old") + fsx::random_name();
  if (rename_noreplace(parent_fd, pl.name, parent_fd, away, pl.shown) != 0) {
    fsx::fail("cannot move " + pl.shown + " aside");
  }
  if (rename_noreplace(parent_fd, staging.name(), parent_fd, pl.name, pl.shown) != 0) {
    const int err = errno;
    (void)rename_noreplace(parent_fd, away, parent_fd, pl.name, pl.shown);
    fsx::fail("cannot rename the new folder onto " + pl.shown, err);
  }
  staging.release();
  sync_or_warn(parent_fd, pl.parent);
  Fd fresh(fsx::open_folder_at(parent_fd, pl.name));
  if (fresh.ok()) carry_over(old.get(), fresh.get(), set, pl.shown);
  old.close();
  remove_or_warn(parent_fd, away, join(pl.parent, away));
  sync_or_warn(parent_fd, pl.parent);
}

Names names_of(const std::vector<OutputFile>& files) {
  Names names;
  for (const OutputFile& f : files) {
    if (f.name.empty() || f.name.find('/') != std::string::npos || f.name == "." || f.name == ".." ||
        !names.insert(f.name).second) {
      throw std::logic_error("commit_outputs: bad or repeated file name '" + f.name + "'");
    }
  }
  return names;
}

void make_parents(const std::string& parent) {
  if (!fault::step("mkdir -p", parent)) fsx::fail("cannot create the folder " + parent);
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw std::runtime_error("cannot create the folder " + parent + ": " + ec.message());
}

}  // namespace

std::string output_folder_problem(const std::string& dir, bool several) {
  if (dir.empty()) return "is empty (expected a folder)";
  Place pl;
  try {
    pl = place_of(dir);
  } catch (const std::exception& e) {
    return e.what();
  }
  if (pl.name.empty()) return several ? whole_folder_problem(pl) : "";
  struct stat st;
  if (::lstat(join(pl.parent, pl.name).c_str(), &st) != 0) {
    if (errno == ENOENT) return "";
    return std::string("cannot be used: ") + std::strerror(errno);
  }
  if (S_ISLNK(st.st_mode)) return "is a symbolic link (expected a folder: cloudpact does not write through links)";
  if (!S_ISDIR(st.st_mode)) return "is not a folder";
  return several ? whole_folder_problem(pl) : "";
}

void commit_outputs(const std::string& dir, const std::vector<OutputFile>& files, const CommitOptions& options) {
  if (dir.empty()) throw std::runtime_error("no output folder given");
  if (files.empty()) return;
  const Names set = names_of(files);
  Names skip = set;  // what the new folder does not take from the old one
  skip.insert(options.remove.begin(), options.remove.end());
  const bool create = options.create;
  const Place pl = place_of(dir);
  if (pl.name.empty()) {  // "/": one file, in place
    if (files.size() > 1) throw std::runtime_error(pl.shown + ": " + whole_folder_problem(pl));
    Fd root(fsx::open_folder(pl.shown, false));
    if (!root.ok()) fsx::fail("cannot open the folder " + pl.shown);
    const ParentLock lock(root.get(), pl.shown);
    remove_files(root.get(), pl.shown, options.remove);
    replace_file_here(root.get(), pl.shown, files.front());
    return;
  }
  if (create) make_parents(pl.parent);
  Fd parent(fsx::open_folder(pl.parent, false));
  if (!parent.ok()) fsx::fail("cannot open the folder " + pl.parent);
  const ParentLock lock(parent.get(), pl.parent);
  clean_up(parent.get(), pl, set);
  struct stat st;
  if (!fsx::stat_at(parent.get(), pl.name, st)) {
    if (errno != ENOENT || !create) fsx::fail("cannot write into " + pl.shown);
    create_folder(parent.get(), pl, files);
    return;
  }
  if (S_ISLNK(st.st_mode)) {
    throw std::runtime_error("cannot write " + pl.shown + ": it is a symbolic link (cloudpact does not write through links)");
  }
  if (!S_ISDIR(st.st_mode)) throw std::runtime_error("cannot write " + pl.shown + ": it is not a folder");
  if (files.size() == 1) {
    Fd d(fsx::open_folder_at(parent.get(), pl.name));
    if (!d.ok()) fsx::fail("cannot open the folder " + pl.shown);
    replace_file(parent.get(), pl, d.get(), files.front(), options.remove);
    return;
  }
  exchange_folder(parent.get(), pl, st, files, skip);
}

void remove_output(const std::string& dir, const std::string& name) {
  const Place pl = place_of(dir);
  if (pl.name.empty()) throw std::runtime_error("remove_output: a file system root");
  Fd parent(fsx::open_folder(pl.parent, false));
  if (!parent.ok()) {
    if (errno == ENOENT) return;
    fsx::fail("cannot open the folder " + pl.parent);
  }
  const ParentLock lock(parent.get(), pl.parent);
  Fd d(fsx::open_folder_at(parent.get(), pl.name));
  if (!d.ok()) {
    if (errno == ENOENT) return;
    fsx::fail("cannot open the folder " + pl.shown);
  }
  const std::string shown = join(pl.shown, name);
  if (fsx::unlink_at(d.get(), name, 0, shown) != 0 && errno != ENOENT) fsx::fail("cannot remove " + shown);
  if (fsx::sync_fd(d.get(), pl.shown) != 0) fsx::fail("cannot flush the folder " + pl.shown);
}

bool commit_folder(const std::string& parent, const std::string& name, const std::vector<OutputFile>& files) {
  (void)names_of(files);
  Fd p(fsx::open_folder(parent, true));
  if (!p.ok()) fsx::fail("cannot open the folder " + parent);
  const std::string target = join(parent, name);
  Staging staging(p.get(), parent, ".tmp-" + name + "-", target);
  write_files(staging.fd(), files, target);
  if (fsx::chmod_fd(staging.fd(), 0777 & ~fsx::current_umask(), staging.shown()) != 0 ||
      fsx::sync_fd(staging.fd(), staging.shown()) != 0) {
    fsx::fail("cannot flush the folder " + staging.shown());
  }
  // rename(2) never replaces a non-empty folder (and RENAME_NOREPLACE not
  // even an empty one): a folder is committed once, by whoever comes first.
  if (rename_noreplace(p.get(), staging.name(), p.get(), name, target) != 0) {
    if (errno == EEXIST || errno == ENOTEMPTY) return false;  // ~Staging removes ours
    fsx::fail("cannot rename the new folder onto " + target);
  }
  staging.release();
  sync_or_warn(p.get(), parent);
  return true;
}

void remove_path(const std::string& path) {
  const Place pl = place_of(path);
  if (pl.name.empty()) throw std::runtime_error("remove_path: a file system root");
  Fd parent(fsx::open_folder(pl.parent, false));
  if (!parent.ok()) {
    if (errno == ENOENT) return;
    fsx::fail("cannot open the folder " + pl.parent);
  }
  std::string failed;
  if (!fsx::remove_tree(parent.get(), pl.name, pl.shown, failed)) fsx::fail("cannot remove " + failed);
}

}  // namespace cloudpact
