// uncertainty.correlation (docs/reference.md §11): what a valid block looks
// like, each rule it can break with the exact line, and the symmetric square
// root the risk problem builds from a valid price matrix.
#include <doctest/doctest.h>

#include <cmath>

#include "scenario/correlation_matrix.hpp"
#include "scenario_fixture.hpp"

using namespace cloudpact::test;

namespace {

// tests/scenario/fixtures/valid/correlation.json: the base scenario with
// aws and azure price models, a delivery model and every correlation part.
Json correlated() { return Json::parse(read_fixture("valid/correlation.json")); }

template <typename Edit>
Lines with(Edit edit) {
  Json doc = correlated();
  edit(doc);
  return problems_of_doc(doc);
}

Json& corr(Json& doc) { return doc["uncertainty"]["correlation"]; }

// A third provider with a price model, for matrices that two cannot break.
void add_oracle(Json& doc) {
  doc["providers"].push_back(Json::parse(R"({"id": "oracle", "on_demand_usd_per_gpu_hour": {"H100": 3},
      "regions": [{"id": "abilene", "clusters": [{"id": "h100", "accelerator": "H100", "capacity_gpus": 100}]}]})"));
  doc["uncertainty"]["prices"]["oracle"] = Json::parse(R"({"vol_per_year": 0.1})");
}

constexpr const char* kMatrix = "bad.json: /uncertainty/correlation/prices/matrix";

}  // namespace

TEST_CASE("the correlation fixture is valid") { CHECK(with([](Json&) {}) == Lines{}); }

TEST_CASE("a price matrix must be a correlation matrix of the listed providers") {
  CHECK(with([](Json& d) { corr(d)["prices"]["matrix"] = Json::parse("[[1, 0.7], [0.6, 1]]"); }) ==
        Lines{std::string(kMatrix) + "/1/0: 0.6 but 0.7 at /uncertainty/correlation/prices/matrix/0/1 "
                                     "(expected a symmetric matrix)"});
  CHECK(with([](Json& d) { corr(d)["prices"]["matrix"] = Json::parse("[[0.9, 0.7], [0.7, 1]]"); }) ==
        Lines{std::string(kMatrix) + "/0/0: diagonal entry 0.9 (expected 1: a provider's shocks are perfectly "
                                     "correlated with themselves)"});
  CHECK(with([](Json& d) { corr(d)["prices"]["matrix"] = Json::parse("[[1, -1.5], [-1.5, 1]]"); }) ==
        Lines{std::string(kMatrix) + "/0/1: out of range: -1.5 (expected a number in [-1, 1])",
              std::string(kMatrix) + "/1/0: out of range: -1.5 (expected a number in [-1, 1])"});
  CHECK(with([](Json& d) { corr(d)["prices"]["matrix"] = Json::parse("[[1, 0.7]]"); }) ==
        Lines{std::string(kMatrix) + ": 1 rows for 2 providers (expected one row per provider listed at "
                                     "/uncertainty/correlation/prices/providers, in its order)"});
  CHECK(with([](Json& d) { corr(d)["prices"]["matrix"] = Json::parse("[[1, 0.7], [0.7]]"); }) ==
        Lines{std::string(kMatrix) + "/1: 1 numbers (expected a row of 2 numbers in [-1, 1], one per provider)"});
  CHECK(with([](Json& d) { corr(d)["prices"]["matrix"] = Json::parse("[[1, 0.7], 0.7]"); }) ==
        Lines{std::string(kMatrix) + "/1: not an array (expected a row of 2 numbers in [-1, 1], one per provider)"});
  CHECK(with([](Json& d) { corr(d)["prices"]["matrix"] = Json::parse(R"([[1, 0.7], [0.7, "1"]])"); }) ==
        Lines{std::string(kMatrix) + "/1/1: is a string (expected a number in [-1, 1])"});
}

TEST_CASE("a price matrix must be positive semidefinite") {
  // [[1, a, -a], [a, 1, a], [-a, a, 1]] has the eigenvector (1, -1, 1) with
  // eigenvalue 1 - 2a and (trace 3) 1 + a twice: a = 0.75 gives -0.5, a
  // contradiction no three providers can meet (aws~azure, azure~oracle, but
  // aws~-oracle); a = 0.5 gives 0, singular and allowed.
  CHECK(with([](Json& d) {
          add_oracle(d);
          corr(d)["prices"] = Json::parse(R"({"providers": ["aws", "azure", "oracle"],
              "matrix": [[1, 0.75, -0.75], [0.75, 1, 0.75], [-0.75, 0.75, 1]]})");
        }) == Lines{std::string(kMatrix) + ": not positive semidefinite: its smallest eigenvalue is -0.5 (expected "
                                           "a correlation matrix, whose eigenvalues are all >= 0 (no three providers "
                                           "can be pairwise correlated in contradictory ways))"});
  CHECK(with([](Json& d) {
          add_oracle(d);
          corr(d)["prices"] = Json::parse(R"({"providers": ["aws", "azure", "oracle"],
              "matrix": [[1, 0.5, -0.5], [0.5, 1, 0.5], [-0.5, 0.5, 1]]})");
        }) == Lines{});
  // ρ = 1: the same path, singular and allowed.
  CHECK(with([](Json& d) { corr(d)["prices"]["matrix"] = Json::parse("[[1, 1], [1, 1]]"); }) == Lines{});
}

TEST_CASE("the providers of a price matrix") {
  CHECK(with([](Json& d) { corr(d)["prices"]["providers"] = Json::parse(R"(["aws", "aws"])"); }) ==
        Lines{"bad.json: /uncertainty/correlation/prices/providers/1: provider \"aws\" listed twice (expected each "
              "provider once, first at /uncertainty/correlation/prices/providers/0)"});
  CHECK(with([](Json& d) { d["uncertainty"]["prices"].erase("azure"); }) ==
        Lines{"bad.json: /uncertainty/correlation/prices/providers/1: provider \"azure\" has no price model "
              "(expected a provider with its own /uncertainty/prices entry)"});
  CHECK(with([](Json& d) { corr(d)["prices"]["providers"][1] = "gcp"; }) ==
        Lines{"bad.json: /uncertainty/correlation/prices/providers/1: unknown provider \"gcp\" (expected one of: "
              "aws, azure)"});
  CHECK(with([](Json& d) { corr(d)["prices"]["providers"] = Json::array(); }) ==
        Lines{"bad.json: /uncertainty/correlation/prices/providers: empty (expected a non-empty array of provider "
              "ids)"});
}

TEST_CASE("the delivery copula's common factor is in [0, 1]") {
  CHECK(with([](Json& d) { corr(d)["delivery"]["common"] = -0.1; }) ==
        Lines{"bad.json: /uncertainty/correlation/delivery/common: negative: -0.1 (expected a number in [0, 1])"});
  CHECK(with([](Json& d) { corr(d)["delivery"]["common"] = 1; }) == Lines{});
  // The copula does not lengthen the longest delay a path can draw: its
  // mixed normal √ρ·Z + √(1−ρ)·Z_c could reach √2 times the largest single
  // draw, √(2·ln 2³³) = 6.76 (limits.hpp max_abs_normal), and is clamped
  // there. Median 1 day, sigma 1.2: e^(6.76·1.2) = 3,360 days, within the
  // 36,525-day limit at any ρ (unclamped, ρ = 1/2 would reach 96,606); sigma
  // 1.6: e^(6.76·1.6) = 50,108 days, refused with or without the copula.
  for (const double rho : {0.0, 0.5, 1.0}) {
    CAPTURE(rho);
    CHECK(with([&](Json& d) {
            d["uncertainty"]["delivery"]["delay_days"] = Json::parse(R"({"dist": "lognormal", "median": 1, "sigma": 1.2})");
            corr(d)["delivery"]["common"] = rho;
          }) == Lines{});
    CHECK(with([&](Json& d) {
            d["uncertainty"]["delivery"]["delay_days"] = Json::parse(R"({"dist": "lognormal", "median": 1, "sigma": 1.6})");
            corr(d)["delivery"]["common"] = rho;
          }) == Lines{"bad.json: /uncertainty/delivery/delay_days/sigma: a path could draw a delay of 50108 days "
                      "(expected the longest draw, median x e^(6.76 x sigma) for a lognormal, of at most 36525 days)"});
  }
}

TEST_CASE("outage zones name regions of this scenario, each once") {
  CHECK(with([](Json& d) { corr(d)["zones"][0]["regions"][1] = "azure/westus"; }) ==
        Lines{"bad.json: /uncertainty/correlation/zones/0/regions/1: unknown region \"azure/westus\" (expected a "
              "region \"provider/region\" of this scenario: one of: aws/us-east-1, azure/eastus)"});
  CHECK(with([](Json& d) { corr(d)["zones"][0]["regions"][1] = "aws/us-east-1"; }) ==
        Lines{"bad.json: /uncertainty/correlation/zones/0/regions/1: region \"aws/us-east-1\" listed twice (expected "
              "each region once, first at /uncertainty/correlation/zones/0/regions/0)"});
  CHECK(with([](Json& d) { corr(d)["zones"].push_back(corr(d)["zones"][0]); }) ==
        Lines{"bad.json: /uncertainty/correlation/zones/1/id: duplicate id \"virginia\" (expected an id unique among "
              "outage zones, first used at /uncertainty/correlation/zones/0/id)"});
  CHECK(with([](Json& d) { corr(d)["zones"][0]["capacity_lost_pct"] = 0; }) ==
        Lines{"bad.json: /uncertainty/correlation/zones/0/capacity_lost_pct: out of range: 0 (expected a number in "
              "(0, 100])"});
  // 8,000 a year over two years (730 days, 1.9986 years of 365.25 days):
  // more arrivals than a path may hold.
  CHECK(with([](Json& d) { corr(d)["zones"][0]["rate_per_year"] = 8000; d["end"] = "2027-01-01"; }) ==
        Lines{"bad.json: /uncertainty/correlation/zones/0/rate_per_year: about 15989 sampled outages of the zone "
              "over the horizon (expected rate_per_year x years of at most 10000)"});
}

TEST_CASE("correlation_square_root: S·Sᵀ = C, unit rows, S = I for the identity") {
  using cloudpact::correlation_square_root;
  const auto product = [](const std::vector<double>& s, int n, int i, int j) {
    double x = 0.0;
    for (int k = 0; k < n; ++k) x += s[static_cast<size_t>(i * n + k)] * s[static_cast<size_t>(j * n + k)];
    return x;
  };
  const std::vector<std::vector<double>> cases = {
      {1, 0.7, 0.7, 1},
      {1, 0.5, -0.5, 0.5, 1, 0.5, -0.5, 0.5, 1},  // singular (eigenvalue 0)
      {1, 1, 1, 1},                              // ρ = 1: one path
      {1, -0.3, 0.2, -0.3, 1, 0.4, 0.2, 0.4, 1},
  };
  for (const auto& c : cases) {
    const int n = static_cast<int>(std::lround(std::sqrt(static_cast<double>(c.size()))));
    const std::vector<double> s = correlation_square_root(c, n);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) CHECK(product(s, n, i, j) == doctest::Approx(c[static_cast<size_t>(i * n + j)]).epsilon(1e-12));
  }
  const std::vector<double> identity = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  CHECK(correlation_square_root(identity, 3) == identity);
}
