#include "sweep/sweep_folder.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "sweep/plan.hpp"

namespace cloudpact {

namespace fs = std::filesystem;

SweepFolder::SweepFolder(std::string dir) : dir_(std::move(dir)) {}

std::string SweepFolder::plan_path() const { return (fs::path(dir_) / "plan.json").string(); }

std::string SweepFolder::plan_variants_path() const { return (fs::path(dir_) / kPlanVariantsFile).string(); }
std::string SweepFolder::csv_path() const { return (fs::path(dir_) / "sweep.csv").string(); }
std::string SweepFolder::variants_dir() const { return (fs::path(dir_) / "variants").string(); }
std::string SweepFolder::variant_dir(const std::string& id) const {
  return (fs::path(variants_dir()) / id).string();
}

bool SweepFolder::committed(const std::string& id) const {
  std::error_code ec;
  return fs::is_directory(variant_dir(id), ec);
}

std::set<std::string> SweepFolder::committed_ids() const {
  std::set<std::string> ids;
  std::error_code ec;
  for (fs::directory_iterator it(variants_dir(), ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] != '.' && it->is_directory(ec)) ids.insert(name);
  }
  return ids;
}

std::FILE* open_text_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return nullptr;
  std::FILE* f = ::fdopen(fd, "rb");
  if (!f) ::close(fd);
  return f;
}

std::string read_text_file(const std::string& path) {
  std::FILE* f = open_text_file(path);
  if (!f) return "";
  std::string text;
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  return failed ? "" : text;
}

std::string SweepFolder::read_result(const std::string& id) const {
  return read_text_file((fs::path(variant_dir(id)) / "result.json").string());
}

bool SweepFolder::commit(const std::string& id, const std::vector<OutputFile>& files) const {
  // variants/ is made by lock(): a sweep folder removed meanwhile is an
  // error, not a new folder holding one variant.
  return commit_folder(variants_dir(), id, files);
}

void SweepFolder::remove_temporaries() const {
  std::error_code ec;
  std::vector<fs::path> stale;
  for (fs::directory_iterator it(variants_dir(), ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(".tmp-", 0) == 0 || name.rfind(".stderr-", 0) == 0) stale.push_back(it->path());
  }
  for (const fs::path& p : stale) remove_path(p.string());  // a link is removed, never followed
}

void SweepFolder::lock() {
  std::error_code ec;
  fs::create_directories(variants_dir(), ec);
  if (ec) throw std::runtime_error("cannot create the folder " + variants_dir() + ": " + ec.message());
  const std::string path = (fs::path(dir_) / ".lock").string();
  lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    throw std::runtime_error(dir_ + " is in use by another cloudpact sweep (lock " + path + ")");
  }
}

void SweepFolder::unmake(const std::string& first_made) {
  std::error_code ec;
  fs::remove(variants_dir(), ec);  // only when empty
  // Unlinked while still held: another sweep that opens .lock now makes a
  // new one, never shares this one after its release.
  fs::remove(fs::path(dir_) / ".lock", ec);
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
  if (first_made.empty()) return;
  for (fs::path p = dir_;; p = p.parent_path()) {
    if (!fs::remove(p, ec)) break;  // not empty, or gone: what is above is not ours either
    if (p == fs::path(first_made) || !p.has_parent_path() || p.parent_path() == p) break;
  }
}

std::string variant_result_json(const std::string& id, const std::vector<std::string>& pointers,
                                const std::vector<std::string>& values_json, const std::string& error) {
  nlohmann::ordered_json j;
  j["variant"] = id;
  j["status"] = error.empty() ? "ok" : "failed";
  j["error"] = error;
  nlohmann::ordered_json values = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < pointers.size() && i < values_json.size(); ++i) {
    values[pointers[i]] = nlohmann::ordered_json::parse(values_json[i]);
  }
  j["values"] = values;
  return j.dump(2) + "\n";
}

}  // namespace cloudpact
