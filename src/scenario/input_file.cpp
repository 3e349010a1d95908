#include "scenario/input_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "scenario/input_error.hpp"
#include "scenario/json_document.hpp"
#include "scenario/message_text.hpp"

namespace cloudpact {

std::string read_input_file(const std::string& path, std::uint64_t max_bytes, std::string_view what) {
  const std::string shown = escape_text(path);
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError({shown + ": cannot read: it is a folder (expected a " + std::string(what) + ")"});
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    throw InputError({shown + ": cannot read: " + std::strerror(err) + " (expected a readable " + std::string(what) +
                      ")"});
  }
  // Read at most one byte more than allowed: a device or a pipe that never
  // ends is refused like a file that is too large.
  std::string bytes;
  char buf[1 << 16];
  while (in && bytes.size() <= max_bytes) {
    in.read(buf, sizeof buf);
    bytes.append(buf, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw InputError({shown + ": cannot read (expected a readable " + std::string(what) + ")"});
  if (bytes.size() > max_bytes) {
    throw InputError({shown + ": too large: more than " + std::to_string(max_bytes) + " bytes (expected a " +
                      std::string(what) + " of at most " + std::to_string(max_bytes >> 20) + " MiB)"});
  }
  return bytes;
}

nlohmann::json parse_input_json(const std::string& text, const std::string& file) {
  scenario_json::Problems problems(file);
  std::optional<nlohmann::json> doc = scenario_json::parse_json(text, problems);
  problems.throw_if_any();
  return std::move(*doc);
}

}  // namespace cloudpact
