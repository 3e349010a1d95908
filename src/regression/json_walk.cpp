#include "regression/json_walk.hpp"

#include <algorithm>
#include <stdexcept>

#include "scenario/message_text.hpp"

namespace cloudpact::regression {

namespace {

using json = nlohmann::json;
using Kind = JsonPlace::Kind;

struct Walker {
  const JsonSubtrees& ignore;
  const JsonSubtrees& whole;
  const std::function<void(const JsonPlace&)>& visit;
  JsonPointer at;  // where the walk is; extended and shortened as it descends

  void report(Kind kind, const json* first, const json* second) { visit(JsonPlace{kind, at, first, second}); }

  void walk(const json& a, const json& b) {
    if (whole.covers(at)) return report(Kind::whole, &a, &b);
    if (a.is_number() && b.is_number()) return report(Kind::numbers, &a, &b);
    if (a.type() != b.type()) return report(Kind::type_changed, &a, &b);
    if (a.is_object()) {
      for (const auto& [key, value] : a.items()) {
        at.push_back(key);
        if (!ignore.covers(at)) {
          const auto other = b.find(key);
          if (other != b.end()) walk(value, *other);
          else report(Kind::only_in_first, &value, nullptr);
        }
        at.pop_back();
      }
      for (const auto& [key, value] : b.items()) {
        if (a.contains(key)) continue;
        at.push_back(key);
        if (!ignore.covers(at)) report(Kind::only_in_second, nullptr, &value);
        at.pop_back();
      }
      return;
    }
    if (a.is_array()) {
      if (a.size() != b.size()) report(Kind::length_changed, &a, &b);
      for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
        at.push_back(std::to_string(i));
        if (!ignore.covers(at)) walk(a[i], b[i]);
        at.pop_back();
      }
      return;
    }
    if (a != b) report(Kind::value_changed, &a, &b);
  }
};

}  // namespace

JsonSubtrees::JsonSubtrees(const std::vector<std::string>& entries) {
  for (const std::string& entry : entries) {
    const bool any_depth = entry.rfind("**/", 0) == 0;
    const std::string pointer_part = any_depth ? entry.substr(2) : entry;
    try {
      JsonPointer p(pointer_part);
      if (any_depth) {
        if (p.empty() || !p.parent_pointer().empty()) throw std::invalid_argument("not one token");
        member_names_.push_back(p.back());
      } else {
        pointers_.push_back(std::move(p));
      }
    } catch (const std::exception&) {
      throw std::invalid_argument("'" + entry + "' is neither a JSON pointer (/a/b) nor **/KEY");
    }
  }
}

bool JsonSubtrees::covers(const JsonPointer& at) const {
  if (std::find(pointers_.begin(), pointers_.end(), at) != pointers_.end()) return true;
  return !at.empty() && std::find(member_names_.begin(), member_names_.end(), at.back()) != member_names_.end();
}

void walk_json(const json& first, const json& second, const JsonSubtrees& ignore,
               const std::function<void(const JsonPlace&)>& visit, const JsonSubtrees& whole) {
  Walker w{ignore, whole, visit, JsonPointer()};
  if (!ignore.covers(w.at)) w.walk(first, second);
}

std::vector<std::string> reference_tokens(const JsonPointer& pointer) {
  std::vector<std::string> tokens;
  for (JsonPointer p = pointer; !p.empty(); p.pop_back()) tokens.push_back(p.back());
  std::reverse(tokens.begin(), tokens.end());
  return tokens;
}

std::string pointer_text(const JsonPointer& pointer) {
  return pointer.empty() ? "(document)" : pointer.to_string();
}

std::string shown_value(const nlohmann::json& value) { return shortened_text(value.dump(), 60); }

}  // namespace cloudpact::regression
