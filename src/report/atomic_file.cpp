#include "report/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace cloudpact {

namespace {
[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

// A descriptor closed on every way out, errors included: a long sweep
// writes thousands of files and must not run out of descriptors because
// some failed.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  // close(2) once; on Linux the descriptor is gone even when it fails.
  int close() {
    const int r = ::close(fd_);
    fd_ = -1;
    return r;
  }

 private:
  int fd_;
};

// The temporary file is removed unless it was renamed into place.
class Temporary {
 public:
  explicit Temporary(std::string path) : path_(std::move(path)) {}
  ~Temporary() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  Temporary(const Temporary&) = delete;
  Temporary& operator=(const Temporary&) = delete;
  void renamed() { path_.clear(); }

 private:
  std::string path_;
};

// The error is thrown before the guards run (errno still names it); they
// close and unlink during unwinding.
void write_atomically(const std::filesystem::path& target, const std::string& content) {
  const std::string tmp = target.string() + ".tmp." + std::to_string(::getpid());
  Descriptor fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) fail("cannot create", tmp);
  Temporary temporary(tmp);
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) fail("cannot flush", tmp);
  if (fd.close() != 0) fail("cannot flush", tmp);
  if (::rename(tmp.c_str(), target.c_str()) != 0) fail("cannot rename onto", target.string());
  temporary.renamed();
}
}  // namespace

void write_outputs(const std::string& dir, const std::vector<OutputFile>& files) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create folder " + dir + ": " + ec.message());
  for (const OutputFile& f : files) write_atomically(std::filesystem::path(dir) / f.name, f.content);
  // The folder entry itself, so the renames survive a power loss.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

bool commit_folder(const std::string& parent, const std::string& name, const std::vector<OutputFile>& files) {
  namespace fs = std::filesystem;
  const fs::path target = fs::path(parent) / name;
  const fs::path tmp = fs::path(parent) / (".tmp-" + name + "-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(tmp, ec);
  write_outputs(tmp.string(), files);
  // rename(2) of a folder onto an existing non-empty folder fails (ENOTEMPTY
  // or EEXIST), so a folder is committed once, by whoever comes first.
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    fs::remove_all(tmp, ec);
    if (err == ENOTEMPTY || err == EEXIST) return false;
    errno = err;
    fail("cannot rename onto", target.string());
  }
  const int dfd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

}  // namespace cloudpact
