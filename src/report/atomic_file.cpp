#include "report/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace cloudpact {

namespace {
[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

void write_atomically(const std::filesystem::path& target, const std::string& content) {
  const std::string tmp = target.string() + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create", tmp);
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail("cannot write", tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    fail("cannot flush", tmp);
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    ::unlink(tmp.c_str());
    fail("cannot rename onto", target.string());
  }
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
