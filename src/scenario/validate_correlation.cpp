// What sampled futures share (docs/reference.md §11): the correlation of
// providers' price shocks, the delivery copula's common factor, and outage
// zones over regions of any providers. Read after the rest of `uncertainty`,
// whose price models a price correlation needs.
#include <cmath>
#include <string>

#include "scenario/correlation_matrix.hpp"
#include "scenario/limits.hpp"
#include "scenario/validate_builder.hpp"

namespace cloudpact::scenario_json::validation {

void Builder::read_price_correlation(const Json& v, const std::string& ptr) {
  const format::ObjectSpec& spec = format::object("price_correlation");
  Object o = object_of(r_, v, ptr, "a price correlation " + braced_keys(spec), spec);
  if (!o.ok()) return;
  PriceCorrelation pc;
  bool ok = true;
  const Json* providers = array_member(o, spec.field("providers"), "a non-empty array of provider ids");
  if (providers && !check_count(*providers, o.at("providers"), limits::max_correlated_providers, "providers"))
    return;
  std::map<std::string, std::string> listed;
  for (std::size_t i = 0; providers && i < providers->size(); ++i) {
    const std::string p_ptr = child_pointer(o.at("providers"), i);
    const auto p = provider_ref((*providers)[i], p_ptr);
    if (!p) {
      ok = false;
      continue;
    }
    if (const auto [it, fresh] = listed.emplace(*p, p_ptr); !fresh) {
      problems_.add(p_ptr, "provider " + in_quotes(*p) + " listed twice", "each provider once, first at " + it->second);
      ok = false;
      continue;
    }
    if (!s_.uncertainty.prices.count(*p)) {
      problems_.add(p_ptr, "provider " + in_quotes(*p) + " has no price model",
                    "a provider with its own /uncertainty/prices entry");
      ok = false;
    }
    pc.providers.push_back(*p);
  }
  const format::Field& matrix_field = spec.field("matrix");
  const Json* matrix = array_member(o, matrix_field, "a square array of rows of numbers in [-1, 1]");
  if (!providers || !matrix) return;
  const std::size_t n = providers->size();
  const std::string m_ptr = o.at("matrix");
  if (matrix->size() != n) {
    problems_.add(m_ptr, std::to_string(matrix->size()) + " rows for " + std::to_string(n) + " providers",
                  "one row per provider listed at " + o.at("providers") + ", in its order");
    return;
  }
  std::vector<double> flat(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string row_ptr = child_pointer(m_ptr, i);
    const Json& row = (*matrix)[i];
    if (!row.is_array() || row.size() != n) {
      problems_.add(row_ptr, row.is_array() ? std::to_string(row.size()) + " numbers" : "not an array",
                    "a row of " + std::to_string(n) + " numbers in [-1, 1], one per provider");
      ok = false;
      continue;
    }
    for (std::size_t j = 0; j < n; ++j) {
      const auto x = r_.number(row[j], child_pointer(row_ptr, j), matrix_field.range);
      if (!x) {
        ok = false;
        continue;
      }
      flat[i * n + j] = *x;
    }
  }
  if (!ok) return;
  for (std::size_t i = 0; i < n; ++i) {
    if (flat[i * n + i] != 1.0) {
      problems_.add(child_pointer(child_pointer(m_ptr, i), i), "diagonal entry " + number_text(flat[i * n + i]),
                    "1: a provider's shocks are perfectly correlated with themselves");
      ok = false;
    }
    for (std::size_t j = i + 1; j < n; ++j)
      if (flat[i * n + j] != flat[j * n + i]) {
        problems_.add(child_pointer(child_pointer(m_ptr, j), i),
                      number_text(flat[j * n + i]) + " but " + number_text(flat[i * n + j]) + " at " +
                          child_pointer(child_pointer(m_ptr, i), j),
                      "a symmetric matrix");
        ok = false;
      }
  }
  if (!ok) return;
  // Positive semidefinite, to rounding: a correlation matrix is a Gram
  // matrix. Entries written with a few decimals (0.7) are not exact in
  // binary, so eigenvalues a hair below 0 are rounding, not a wrong matrix.
  const double smallest = symmetric_eigen(flat, static_cast<int>(n)).values.front();
  if (smallest < -1e-9) {
    problems_.add(m_ptr, "not positive semidefinite: its smallest eigenvalue is " + rounded_text(smallest),
                  "a correlation matrix, whose eigenvalues are all >= 0 (no three providers can be pairwise "
                  "correlated in contradictory ways)");
    return;
  }
  for (std::size_t i = 0; i < n; ++i) pc.matrix.emplace_back(flat.begin() + static_cast<long>(i * n),
                                                             flat.begin() + static_cast<long>((i + 1) * n));
  s_.uncertainty.correlation.prices = std::move(pc);
}

void Builder::read_outage_zones(const Json& v, const std::string& ptr) {
  if (!r_.is_array(v, ptr, "an array of outage zones")) return;
  if (!check_count(v, ptr, limits::max_outage_zones, "outage zones")) return;
  const format::ObjectSpec& spec = format::object("outage_zone");
  std::map<std::string, std::string> ids;
  for (std::size_t z = 0; z < v.size(); ++z) {
    const std::string z_ptr = child_pointer(ptr, z);
    Object o = object_of(r_, v[z], z_ptr, "an outage zone " + braced_keys(spec), spec);
    if (!o.ok()) continue;
    OutageZone zone;
    bool ok = true;
    if (const auto id = o.id("id")) {
      ok = claim_id(ids, *id, o.at("id"), "outage zones") && ok;
      zone.id = *id;
    } else {
      ok = false;
    }
    const Json* regions = array_member(o, spec.field("regions"), "a non-empty array of regions \"provider/region\"");
    std::map<std::string, std::string> listed;
    for (std::size_t i = 0; regions && i < regions->size(); ++i) {
      const std::string r_ptr = child_pointer(o.at("regions"), i);
      const auto region = r_.string((*regions)[i], r_ptr, "a region \"provider/region\"");
      if (!region) {
        ok = false;
        continue;
      }
      if (!region_paths_.count(*region)) {
        if (reference_checkable(*region))
          problems_.add(r_ptr, "unknown region " + in_quotes(*region),
                        "a region \"provider/region\" of this scenario: " + one_of(std::vector<std::string>(
                                                                               region_paths_.begin(), region_paths_.end())));
        ok = false;
        continue;
      }
      if (const auto [it, fresh] = listed.emplace(*region, r_ptr); !fresh) {
        problems_.add(r_ptr, "region " + in_quotes(*region) + " listed twice", "each region once, first at " + it->second);
        ok = false;
        continue;
      }
      zone.regions.push_back(*region);
    }
    const std::optional<OutageModel> model = outage_process(o, spec);
    if (!ok || !regions || !model) continue;
    zone.model = *model;
    s_.uncertainty.correlation.zones.push_back(std::move(zone));
  }
}

void Builder::read_correlation(const Json& v, const std::string& ptr) {
  const format::ObjectSpec& spec = format::object("correlation");
  Object o = object_of(r_, v, ptr, "a correlation object " + braced_keys(spec), spec);
  if (!o.ok()) return;
  if (const Json* prices = o.find("prices")) read_price_correlation(*prices, o.at("prices"));
  if (const Json* delivery = o.find("delivery")) {
    const format::ObjectSpec& model = format::object("delivery_correlation");
    Object d = object_of(r_, *delivery, o.at("delivery"), "a delivery correlation " + braced_keys(model), model);
    if (d.ok()) s_.uncertainty.correlation.delivery_common = number_or_default(d, model.field("common"));
  }
  if (const Json* zones = o.find("zones")) read_outage_zones(*zones, o.at("zones"));
}

}  // namespace cloudpact::scenario_json::validation
