// Checks shared by every section of the validator: ids unique in their scope,
// dates in order, machine limits on counts, arrays, references to providers,
// accelerators and places, and curves (capacity, demand, prices).
#include <string>

#include "scenario/limits.hpp"
#include "scenario/validate_builder.hpp"

namespace cloudpact::scenario_json::validation {

const char* const curve_expected = "a number >= 0 or a {\"shape\", \"points\"} curve";
const char* const target_expected = "a provider \"p\", region \"p/r\" or cluster \"p/r/c\" of this scenario";
const char* const memory_note = "; more would not fit in memory";

namespace {
const char* const points_expected = "a non-empty array of [date, value] points";
}  // namespace

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Accelerator default_accelerator(const std::string& id) {
  const format::ObjectSpec& spec = format::object("accelerator");
  return Accelerator{id, spec.field("h100_equiv").default_value.get<double>(),
                     spec.field("kw").default_value.get<double>()};
}

std::string peek_string(const Json& v, const char* key) {
  if (!v.is_object()) return {};
  const auto it = v.find(key);
  return it != v.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// Records `id` in a scope; a second use is reported where it happens.
bool Builder::claim_id(std::map<std::string, std::string>& scope, const std::string& id, const std::string& ptr,
                       std::string_view scope_name) {
  const auto [it, fresh] = scope.emplace(id, ptr);
  if (!fresh)
    problems_.add(ptr, "duplicate id " + in_quotes(id),
                  "an id unique among " + std::string(scope_name) + ", first used at " + it->second);
  return fresh;
}

// `b` must come strictly after `a` (a term, an event, the horizon).
bool Builder::check_order(const Date& a, const std::string& a_ptr, const Date& b, const std::string& b_ptr) {
  if (b.epoch_s > a.epoch_s) return true;
  problems_.add(b_ptr, b.epoch_s < a.epoch_s ? "ends before it starts" : "ends when it starts",
                "a date after " + a_ptr + " " + a.text);
  return false;
}

bool Builder::check_count(const Json& array, const std::string& ptr, std::size_t limit, std::string_view what) {
  if (array.size() <= limit) return true;
  problems_.add(ptr, "too many " + std::string(what) + ": " + std::to_string(array.size()),
                "at most " + std::to_string(limit) + " " + std::string(what) + memory_note);
  return false;
}

// An array member; reports a wrong type, and an empty array when `non_empty`.
const Json* Builder::array_member(const Object& o, std::string_view key, Need need, std::string_view expected,
                                  bool non_empty) {
  const Json* v = need == Need::required ? o.require(key, expected) : o.find(key);
  if (!v || !r_.is_array(*v, o.at(key), expected)) return nullptr;
  if (non_empty && v->empty()) {
    problems_.add(o.at(key), "empty", expected);
    return nullptr;
  }
  return v;
}

const Json* Builder::array_member(const Object& o, const format::Field& f, std::string_view expected) {
  return array_member(o, f.key, f.need == format::Need::required ? Need::required : Need::optional, expected,
                      f.min_items > 0);
}

void Builder::use_accelerator(const std::string& name, const std::string& ptr) {
  if (s_.accelerators.count(name)) return;
  if (accelerators_declared_) {
    problems_.add(ptr, "unknown accelerator " + in_quotes(name), one_of(keys_of(s_.accelerators)));
    return;
  }
  // Without an `accelerators` section every name used stands for itself
  // with the defaults (docs/reference.md §2.1: h100_equiv defaults to 1).
  s_.accelerators[name] = default_accelerator(name);
}

bool Builder::reference_checkable(const std::string& ref) const {
  if (!providers_ok_) return false;
  for (const std::string& prefix : unsure_prefixes_)
    if (ref.starts_with(prefix)) return false;
  return true;
}

// A reference to a provider. When the providers section itself is broken,
// that was reported once: references to it are not reported again.
std::optional<std::string> Builder::provider_ref(const Json& v, const std::string& ptr) {
  auto id = r_.string(v, ptr, "a provider id");
  if (!id) return std::nullopt;
  if (provider_ptr_.count(*id)) return id;
  if (reference_checkable(*id)) problems_.add(ptr, "unknown provider " + in_quotes(*id), one_of(keys_of(provider_ptr_)));
  return std::nullopt;
}

std::optional<std::string> Builder::target_ref(const Object& o) {
  auto target = o.string("target", target_expected, Need::required);
  if (!target) return std::nullopt;
  return known_place(*target, o.at("target"));
}

std::optional<std::string> Builder::place_ref(const Json& v, const std::string& ptr) {
  auto place = r_.string(v, ptr, target_expected);
  if (!place) return std::nullopt;
  return known_place(*place, ptr);
}

std::optional<std::string> Builder::known_place(const std::string& place, const std::string& ptr) {
  if (provider_ptr_.count(place) || region_paths_.count(place) || cluster_provider_.count(place)) return place;
  if (reference_checkable(place)) problems_.add(ptr, "unknown target " + in_quotes(place), target_expected);
  return std::nullopt;
}

std::optional<Curve> Builder::curve(const Json& v, const std::string& ptr, const Range& range) {
  if (v.is_number()) {
    const auto x = r_.number(v, ptr, range);
    return x ? std::optional<Curve>(Curve::make_constant(*x)) : std::nullopt;
  }
  if (!v.is_object()) {
    problems_.add(ptr, "is " + type_phrase(v), curve_expected);
    return std::nullopt;
  }
  const format::ObjectSpec& spec = format::object("curve_points");
  Object o = object_of(r_, v, ptr, curve_expected, spec);
  const auto shape = choice(o, spec.field("shape"), "shape");
  const Json* pts = array_member(o, "points", Need::required, points_expected, false);
  if (!pts) return std::nullopt;
  const std::string pts_ptr = o.at("points");
  if (pts->empty()) {
    problems_.add(pts_ptr, "empty curve", "at least one [date, value] point");
    return std::nullopt;
  }
  if (!check_count(*pts, pts_ptr, limits::max_curve_points, "points")) return std::nullopt;

  std::vector<std::pair<double, double>> points;
  points.reserve(pts->size());
  bool good = true;
  std::optional<Date> previous;
  for (std::size_t i = 0; i < pts->size(); ++i) {
    const Json& pt = (*pts)[i];
    const std::string pt_ptr = child_pointer(pts_ptr, i);
    if (!pt.is_array() || pt.size() != 2) {
      const std::string what = !pt.is_array()   ? "is " + type_phrase(pt)
                               : pt.size() == 1 ? std::string("has 1 element")
                                                : "has " + std::to_string(pt.size()) + " elements";
      problems_.add(pt_ptr, what, "a [date, value] pair");
      good = false;
      continue;
    }
    const auto date = r_.date(pt[0], child_pointer(pt_ptr, 0));
    const auto value = r_.number(pt[1], child_pointer(pt_ptr, 1), range);
    if (!date || !value) good = false;
    if (!date) continue;
    if (previous && date->epoch_s <= previous->epoch_s) {
      problems_.add(child_pointer(pt_ptr, 0), date->text + " is not after the previous point's date " + previous->text,
                    "strictly increasing dates");
      good = false;
    }
    previous = date;
    if (value) points.emplace_back(s_.to_sim_s(date->epoch_s), *value);
  }
  if (!good || !shape) return std::nullopt;
  return *shape == "step" ? Curve::make_step(std::move(points)) : Curve::make_linear(std::move(points));
}

std::optional<Curve> Builder::curve_member(const Object& o, const format::Field& f) {
  const Json* v = f.need == format::Need::required ? o.require(f.key, curve_expected) : o.find(f.key);
  return v ? curve(*v, o.at(f.key), f.range) : std::nullopt;
}

}  // namespace cloudpact::scenario_json::validation
