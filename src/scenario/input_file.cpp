#include "scenario/input_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "scenario/input_error.hpp"
#include "scenario/json_document.hpp"
#include "scenario/message_text.hpp"

namespace cloudpact {

namespace {
// "a scenario file", "an optimize file".
std::string a_or_an(std::string_view what) {
  const bool vowel = !what.empty() && std::string_view("aeiou").find(what.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(what);
}
}  // namespace

std::string read_input_file(const std::string& path, std::uint64_t max_bytes, std::string_view what) {
  const std::string shown = escape_text(path);
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError({shown + ": cannot read: it is a folder (expected " + a_or_an(what) + ")"});
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    throw InputError({shown + ": cannot read: " + std::strerror(err) + " (expected a readable " + std::string(what) +
                      ")"});
  }
  // Read at most one byte more than allowed: a device or a pipe that never
  // ends is refused like a file that is too large.
  std::string bytes;
  // A regular file's size is known before reading: its text then goes into
  // memory of that size, where a string that doubles as it grows held 32 MB
  // for the 21 MB stress scenario while it was loaded, and copied itself
  // into fresh memory at every doubling. The loop below still reads to the
  // end, whatever the size said.
  if (const std::uintmax_t size = std::filesystem::file_size(path, ec); !ec && size <= max_bytes)
    bytes.reserve(static_cast<std::size_t>(size));
  char buf[1 << 16];
  while (in && bytes.size() <= max_bytes) {
    in.read(buf, sizeof buf);
    bytes.append(buf, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw InputError({shown + ": cannot read (expected a readable " + std::string(what) + ")"});
  check_input_size(path, bytes, max_bytes, what);
  return bytes;
}

void check_input_size(const std::string& path, const std::string& text, std::uint64_t max_bytes, std::string_view what) {
  if (text.size() <= max_bytes) return;
  throw InputError({escape_text(path) + ": too large: more than " + std::to_string(max_bytes) + " bytes (expected " +
                    a_or_an(what) + " of at most " + std::to_string(max_bytes >> 20) + " MiB)"});
}

nlohmann::json parse_input_json(const std::string& text, const std::string& file) {
  scenario_json::Problems problems(file);
  std::optional<nlohmann::json> doc = scenario_json::parse_json(text, problems);
  problems.throw_if_any();
  return std::move(*doc);
}

namespace {

// Collects the keys at depth 1 and nothing else (no value is stored).
class TopLevelKeys : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::vector<std::string> keys;
  bool is_object = false;

  bool null() override { return true; }
  bool boolean(bool /*val*/) override { return true; }
  bool number_integer(number_integer_t /*val*/) override { return true; }
  bool number_unsigned(number_unsigned_t /*val*/) override { return true; }
  bool number_float(number_float_t /*val*/, const string_t& /*s*/) override { return true; }
  bool string(string_t& /*val*/) override { return true; }
  bool binary(binary_t& /*val*/) override { return true; }
  bool start_object(std::size_t /*elements*/) override {
    if (depth_++ == 0) is_object = true;
    return true;
  }
  bool start_array(std::size_t /*elements*/) override {
    ++depth_;
    return true;
  }
  bool end_object() override { return --depth_, true; }
  bool end_array() override { return --depth_, true; }
  bool key(string_t& key) override {
    if (depth_ == 1) keys.push_back(key);
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*ex*/) override {
    return false;
  }

 private:
  std::size_t depth_ = 0;
};

}  // namespace

std::vector<std::string> top_level_keys(const std::string& path, std::uint64_t max_bytes) {
  std::string text;
  try {
    text = read_input_file(path, max_bytes, "file");
  } catch (const InputError&) {
    return {};
  }
  return top_level_keys_of(text);
}

std::vector<std::string> top_level_keys_of(const std::string& text) {
  TopLevelKeys sax;
  if (!nlohmann::json::sax_parse(text, &sax) || !sax.is_object) return {};
  return std::move(sax.keys);
}

}  // namespace cloudpact
