// File-system steps of atomic_file.cpp, relative to open folder descriptors
// so that a path changed behind cloudpact's back (a folder renamed, a link
// planted) cannot redirect them, and never following a symbolic link. Each
// call that changes something passes a fault point first (fault_points.hpp).
#pragma once

#include <string>
#include <vector>

#include <sys/stat.h>
#include <sys/types.h>

#include "report/text_sink.hpp"

namespace cloudpact::fsx {

// A descriptor closed on every way out, errors included.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd();
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  int close();  // close(2) once; on Linux the descriptor is gone even when it fails

 private:
  int fd_ = -1;
};

// std::runtime_error "WHAT: strerror(errno)"; the message names the path.
[[noreturn]] void fail(const std::string& what);
[[noreturn]] void fail(const std::string& what, int err);

// 12 characters [0-9a-z] from getrandom(2): names nobody can guess.
std::string random_name();

// The process's umask (for the modes mkdir(2) and creat(2) would give).
mode_t current_umask();

// A folder, opened without following a link at its last component.
// -1 and errno on failure.
int open_folder_at(int dirfd, const std::string& name);
// A path's folder, links followed except none at all when `nofollow`.
int open_folder(const std::string& path, bool nofollow);

// The names in a folder, "." and ".." left out; errno and false on failure.
bool list_folder(int dirfd, std::vector<std::string>& names);

// lstat relative to a folder; false (errno set) on failure.
bool stat_at(int dirfd, const std::string& name, struct stat& st);

// Creates NAME (O_CREAT | O_EXCL | O_NOFOLLOW: never an existing file, never
// through a link), writes `content`, flushes it with fsync and closes it.
// On failure removes it and throws, naming `shown`.
void write_new_file(int dirfd, const std::string& name, const std::string& content, mode_t mode,
                    const std::string& shown);
// The same, the text written part by part as `write_text` gives it.
void write_new_file(int dirfd, const std::string& name, const TextWriter& write_text, mode_t mode,
                    const std::string& shown);

// Fault-pointed system calls: -1 and errno on failure (EIO when injected).
int mkdir_at(int dirfd, const std::string& name, mode_t mode, const std::string& shown);
int link_at(int from_dir, const std::string& from, int to_dir, const std::string& to, const std::string& shown);
int symlink_at(const std::string& target, int dirfd, const std::string& name, const std::string& shown);
int rename_at(int from_dir, const std::string& from, int to_dir, const std::string& to, unsigned flags,
              const std::string& shown);
int unlink_at(int dirfd, const std::string& name, int flags, const std::string& shown);
int sync_fd(int fd, const std::string& shown);
int chmod_fd(int fd, mode_t mode, const std::string& shown);
int chown_fd(int fd, uid_t uid, gid_t gid, const std::string& shown);
int times_fd(int fd, const struct stat& like, const std::string& shown);
int lock_fd(int fd, bool wait, const std::string& shown);

// Removes NAME in the folder and, when it is a folder, everything in it,
// never following a link: a link is removed, not what it points to. A name
// that is already gone counts as removed. False, with the path that could not
// be removed in `failed` and errno set, on failure.
bool remove_tree(int dirfd, const std::string& name, const std::string& shown, std::string& failed);

}  // namespace cloudpact::fsx
