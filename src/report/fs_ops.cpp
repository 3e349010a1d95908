#include "report/fs_ops.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include "report/fault_points.hpp"

namespace cloudpact::fsx {

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

int Fd::close() {
  const int r = ::close(fd_);
  fd_ = -1;
  return r;
}

void fail(const std::string& what) { fail(what, errno); }

void fail(const std::string& what, int err) { throw std::runtime_error(what + ": " + std::strerror(err)); }

std::string random_name() {
  unsigned char bytes[12];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot draw a random name (getrandom)");
    }
    got += static_cast<std::size_t>(n);
  }
  static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out;
  for (const unsigned char b : bytes) out += digits[b % 36];
  return out;
}

mode_t current_umask() {
  const mode_t m = ::umask(022);
  ::umask(m);
  return m;
}

int open_folder_at(int dirfd, const std::string& name) {
  return ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int open_folder(const std::string& path, bool nofollow) {
  return ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
}

bool list_folder(int dirfd, std::vector<std::string>& names) {
  // A description of its own: the caller's offset is left alone.
  const int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    const int err = errno;
    ::close(fd);
    errno = err;
    return false;
  }
  names.clear();
  errno = 0;
  while (const dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
    errno = 0;
  }
  const int err = errno;
  ::closedir(d);
  errno = err;
  return err == 0;
}

bool stat_at(int dirfd, const std::string& name, struct stat& st) {
  return ::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

namespace {

// The file is removed unless it was kept.
class NewFile {
 public:
  NewFile(int dirfd, std::string name) : dirfd_(dirfd), name_(std::move(name)) {}
  ~NewFile() {
    if (!name_.empty()) ::unlinkat(dirfd_, name_.c_str(), 0);
  }
  NewFile(const NewFile&) = delete;
  NewFile& operator=(const NewFile&) = delete;
  void keep() { name_.clear(); }

 private:
  int dirfd_;
  std::string name_;
};

}  // namespace

void write_new_file(int dirfd, const std::string& name, const std::string& content, mode_t mode,
                    const std::string& shown) {
  write_new_file(dirfd, name, [&content](const TextSink& emit) { emit(content); }, mode, shown);
}

void write_new_file(int dirfd, const std::string& name, const TextWriter& write_text, mode_t mode,
                    const std::string& shown) {
  if (!fault::step("create", shown)) fail("cannot create " + shown);
  Fd fd(::openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!fd.ok()) fail("cannot create " + shown);
  // The error is thrown before the guard runs (errno still names it); the
  // guard unlinks and the descriptor closes during unwinding.
  NewFile guard(dirfd, name);
  if (!fault::step("write", shown)) fail("cannot write " + shown);
  write_text([&](std::string_view part) {
    std::size_t done = 0;
    while (done < part.size()) {
      const ssize_t n = ::write(fd.get(), part.data() + done, part.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        fail("cannot write " + shown);
      }
      done += static_cast<std::size_t>(n);
    }
  });
  if (!fault::step("fsync", shown) || ::fsync(fd.get()) != 0) fail("cannot write " + shown);
  if (fd.close() != 0) fail("cannot write " + shown);
  guard.keep();
}

int mkdir_at(int dirfd, const std::string& name, mode_t mode, const std::string& shown) {
  if (!fault::step("mkdir", shown)) return -1;
  return ::mkdirat(dirfd, name.c_str(), mode);
}

int link_at(int from_dir, const std::string& from, int to_dir, const std::string& to, const std::string& shown) {
  if (!fault::step("link", shown)) return -1;
  return ::linkat(from_dir, from.c_str(), to_dir, to.c_str(), 0);
}

int symlink_at(const std::string& target, int dirfd, const std::string& name, const std::string& shown) {
  if (!fault::step("symlink", shown)) return -1;
  return ::symlinkat(target.c_str(), dirfd, name.c_str());
}

int rename_at(int from_dir, const std::string& from, int to_dir, const std::string& to, unsigned flags,
              const std::string& shown) {
  if (!fault::step("rename", shown)) return -1;
  return ::renameat2(from_dir, from.c_str(), to_dir, to.c_str(), flags);
}

int unlink_at(int dirfd, const std::string& name, int flags, const std::string& shown) {
  if (!fault::step("unlink", shown)) return -1;
  return ::unlinkat(dirfd, name.c_str(), flags);
}

int sync_fd(int fd, const std::string& shown) {
  if (!fault::step("fsync", shown)) return -1;
  return ::fsync(fd);
}

int chmod_fd(int fd, mode_t mode, const std::string& shown) {
  if (!fault::step("chmod", shown)) return -1;
  return ::fchmod(fd, mode);
}

int chown_fd(int fd, uid_t uid, gid_t gid, const std::string& shown) {
  if (!fault::step("chown", shown)) return -1;
  return ::fchown(fd, uid, gid);
}

int times_fd(int fd, const struct stat& like, const std::string& shown) {
  if (!fault::step("utimens", shown)) return -1;
  const struct timespec times[2] = {like.st_atim, like.st_mtim};
  return ::futimens(fd, times);
}

int lock_fd(int fd, bool wait, const std::string& shown) {
  if (!fault::step("lock", shown)) return -1;
  int r;
  do {
    r = ::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB));
  } while (r != 0 && errno == EINTR);
  return r;
}

bool remove_tree(int dirfd, const std::string& name, const std::string& shown, std::string& failed) {
  if (unlink_at(dirfd, name, 0, shown) == 0 || errno == ENOENT) return true;
  if (errno != EISDIR && errno != EPERM) {
    failed = shown;
    return false;
  }
  // What is removed here is cloudpact's own: a staging folder, or an output
  // folder it exchanged out of the way, which keeps the modes its owner gave
  // it. A folder without write permission for its owner (a DIR made
  // read-only, whose parent cloudpact could still write) cannot have its
  // files unlinked; as that owner, cloudpact gives itself the permission
  // first, where chmod(1) would be asked to.
  struct stat st {};
  // AT_SYMLINK_NOFOLLOW: a link swapped in after the stat is refused
  // (EOPNOTSUPP), never its target's mode changed.
  if (stat_at(dirfd, name, st) && S_ISDIR(st.st_mode) && (st.st_mode & S_IRWXU) != S_IRWXU)
    (void)::fchmodat(dirfd, name.c_str(), (st.st_mode & 07777) | S_IRWXU, AT_SYMLINK_NOFOLLOW);
  Fd d(open_folder_at(dirfd, name));
  if (!d.ok()) {
    if (errno == ENOENT) return true;
    failed = shown;
    return false;
  }
  std::vector<std::string> names;
  if (!list_folder(d.get(), names)) {
    failed = shown;
    return false;
  }
  for (const std::string& n : names) {
    if (!remove_tree(d.get(), n, shown + "/" + n, failed)) return false;
  }
  d.close();
  if (unlink_at(dirfd, name, AT_REMOVEDIR, shown) == 0 || errno == ENOENT) return true;
  failed = shown;
  return false;
}

}  // namespace cloudpact::fsx
