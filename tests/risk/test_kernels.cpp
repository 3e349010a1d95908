// The Monte Carlo kernels (CPU build): known answers of Philox, independence
// from threads and batching, consistency with the replay, and closed forms
// (docs/reference.md §4, notes/monte-carlo.md).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <sstream>

#include "../sim/replay_in_child.hpp"
#include "risk/problem.hpp"
#include "risk_api.hpp"
#include "view_builder.inl"
#include "scenario/load.hpp"

using namespace cloudpact;

namespace {
risk::BatchResults evaluate(const risk::RiskProblem& pb, std::int64_t first, std::int64_t count, int threads,
                            std::uint64_t seed = 7) {
  risk::BatchResults r;
  risk::evaluate_paths(pb, seed, first, count, risk::Backend::cpu, threads, r);
  return r;
}

double mean(const std::vector<double>& v, size_t from, size_t n) {
  return std::accumulate(v.begin() + static_cast<long>(from), v.begin() + static_cast<long>(from + n), 0.0) /
         static_cast<double>(n);
}

double stddev(const std::vector<double>& v, size_t from, size_t n) {
  const double m = mean(v, from, n);
  double s = 0.0;
  for (size_t i = from; i < from + n; ++i) s += (v[i] - m) * (v[i] - m);
  return std::sqrt(s / static_cast<double>(n - 1));
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("Philox4x32-10 known-answer vectors (Random123)") {
  const std::uint32_t zero_ctr[4] = {0, 0, 0, 0}, zero_key[2] = {0, 0};
  std::uint32_t out[4];
  risk::philox4x32_10(zero_ctr, zero_key, out);
  CHECK(out[0] == 0x6627e8d5u);
  CHECK(out[1] == 0xe169c58du);
  CHECK(out[2] == 0xbc57ac4cu);
  CHECK(out[3] == 0x9b00dbd8u);
  const std::uint32_t pi_ctr[4] = {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u};
  const std::uint32_t pi_key[2] = {0xa4093822u, 0x299f31d0u};
  risk::philox4x32_10(pi_ctr, pi_key, out);
  CHECK(out[0] == 0xd16cfe09u);
  CHECK(out[1] == 0x94fdccebu);
  CHECK(out[2] == 0x5001e420u);
  CHECK(out[3] == 0x24126ea1u);
}

TEST_CASE("path i draws the same future for any thread count and batching") {
  const Scenario sc = load_scenario(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/openai-2025-2027.json");
  const RiskSetup setup = build_risk_problem(sc);
  const auto one = evaluate(setup.problem, 0, 48, 1);
  const auto two = evaluate(setup.problem, 0, 48, 2);
  CHECK(one.cost_usd == two.cost_usd);
  CHECK(one.unmet_gpu_hours == two.unmet_gpu_hours);
  CHECK(one.provider_spend_usd == two.provider_spend_usd);
  // Paths 16..47 evaluated as their own batch are the same paths.
  const auto tail = evaluate(setup.problem, 16, 32, 2);
  for (int q = 0; q < one.n_portfolios; ++q)
    for (int i = 0; i < 32; ++i)
      CHECK(tail.cost_usd[static_cast<size_t>(q * 32 + i)] == one.cost_usd[static_cast<size_t>(q * 48 + 16 + i)]);
  // And the futures do differ between paths (the flagship has uncertainty).
  CHECK(one.cost_usd[0] != one.cost_usd[1]);
}

namespace {
// Every figure of two batches, to the bit (NaN included, were there one).
void check_same_bits(const risk::BatchResults& a, const risk::BatchResults& b) {
  const std::vector<double> risk::BatchResults::*arrays[] = {
      &risk::BatchResults::cost_usd, &risk::BatchResults::spend_usd, &risk::BatchResults::unmet_gpu_hours,
      &risk::BatchResults::provider_spend_usd, &risk::BatchResults::provider_used_gpu_hours,
      &risk::BatchResults::provider_exit_cost_usd, &risk::BatchResults::billed_usd, &risk::BatchResults::shortfall_usd,
      &risk::BatchResults::sla_credits_usd, &risk::BatchResults::egress_usd, &risk::BatchResults::unmet_value_usd,
      &risk::BatchResults::clamped_multiplier_days, &risk::BatchResults::contract_billed_usd,
      &risk::BatchResults::contract_shortfall_usd, &risk::BatchResults::contract_sla_credits_usd,
      &risk::BatchResults::contract_commitment_remaining_usd, &risk::BatchResults::npv_cost_usd,
      &risk::BatchResults::provider_npv_spend_usd, &risk::BatchResults::npv_spend_usd,
      &risk::BatchResults::npv_unmet_value_usd, &risk::BatchResults::contract_npv_billed_usd,
      &risk::BatchResults::holder_spend_usd, &risk::BatchResults::holder_npv_spend_usd};
  for (const auto m : arrays) {
    const std::vector<double>& x = a.*m;
    const std::vector<double>& y = b.*m;
    REQUIRE(x.size() == y.size());
    // An empty array (a scenario without contracts) has no data pointer,
    // which memcmp may not be given even for 0 bytes.
    if (!x.empty()) CHECK(std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0);
  }
}
// Index of a portfolio by name.
int portfolio_index(const RiskSetup& setup, const std::string& name) {
  const auto it = std::find(setup.portfolio_names.begin(), setup.portfolio_names.end(), name);
  REQUIRE(it != setup.portfolio_names.end());
  return static_cast<int>(it - setup.portfolio_names.begin());
}

// The step that starts `days` after the scenario's start (at midnight UTC).
int step_starting(const risk::RiskProblem& pb, double days) {
  const auto it = std::find(pb.step_start_s.begin(), pb.step_start_s.end(), days * 86400.0);
  REQUIRE(it != pb.step_start_s.end());
  return static_cast<int>(it - pb.step_start_s.begin());
}

// The kernels' view of a problem in host memory, with the tables it points into.
struct HostView {
  risk::kernel::StepTables tables;
  risk::kernel::View v;
  explicit HostView(const risk::RiskProblem& pb)
      : tables(risk::kernel::step_tables(pb)), v(risk::kernel::make_view(pb, tables, [](const auto& a) { return a.data(); })) {}
  HostView(const HostView&) = delete;
};
HostView host_view(const risk::RiskProblem& pb) { return HostView(pb); }
}  // namespace

TEST_CASE("every figure of every path is the same bits for 1, 2, 3 and 7 threads, whichever thread takes which path") {
  // The CPU's threads pull paths from a shared counter as they go (more
  // threads than cores here, and counts that do not divide the batch), so
  // which thread walks which path, with its own scratch, differs from run
  // to run; nothing of it may reach a figure.
  const Scenario sc = load_scenario(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/openai-2025-2027.json");
  const RiskSetup setup = build_risk_problem(sc);
  const auto one = evaluate(setup.problem, 0, 97, 1);
  for (const int threads : {2, 3, 7}) {
    CAPTURE(threads);
    check_same_bits(one, evaluate(setup.problem, 0, 97, threads));
  }
}

TEST_CASE("portfolios walked together on a path give the same bits as walked one at a time") {
  // The flagship with --sensitivity: 15 portfolios in 6 variants (the
  // sources off; without its rofr clause the scenario sees the contracted
  // future, as the holder matches nothing, and is walked once when grouped)
  // and a 7th until 2025-01-21 (without:azure and single:aws, free of
  // azure's exclusivity, which read the contracted variant's steps once it
  // ends when grouped with it, and their own when walked alone), sampled
  // outages in regions and zones, delivery delays, correlated prices, jobs
  // that stop.
  const Scenario sc = load_scenario(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/openai-2025-2027.json");
  const RiskSetup setup = build_risk_problem(sc, false, true);
  REQUIRE(setup.problem.portfolio_providers.size() >= 12);
  risk::BatchResults one, three, all;
  risk::evaluate_paths(setup.problem, 5, 0, 24, risk::Backend::cpu, 2, one, 1);
  risk::evaluate_paths(setup.problem, 5, 0, 24, risk::Backend::cpu, 2, three, 3);
  risk::evaluate_paths(setup.problem, 5, 0, 24, risk::Backend::cpu, 2, all);
  check_same_bits(one, three);
  check_same_bits(one, all);
  // The paths differ, so equal bits are not equal zeros.
  CHECK(one.cost_usd[0] != one.cost_usd[1]);
}

TEST_CASE("optimize's contracted portfolio alone: the same bits, less its GPU-hours per provider, which it leaves untracked") {
  // build_contracted_problem drops the other portfolios and the contracted
  // one's use per provider (no optimize figure reads it): every other
  // figure must be the bits it has among all the portfolios of `risk`.
  // The flagship: inference over reserved and on-demand clusters, jobs
  // that start, stop and finish, sampled outages, delays and prices.
  const Scenario sc = load_scenario(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/openai-2025-2027.json");
  const RiskSetup all = build_risk_problem(sc);
  const RiskSetup alone = build_contracted_problem(sc);
  REQUIRE(all.problem.portfolio_providers.size() > 1);
  REQUIRE(alone.problem.portfolio_providers.size() == 1);
  constexpr std::int64_t kPaths = 40;
  const risk::BatchResults with_all = evaluate(all.problem, 0, kPaths, 2);
  const risk::BatchResults by_itself = evaluate(alone.problem, 0, kPaths, 2);
  // `risk`'s figures cut to the contracted portfolio's rows (the first
  // `kPaths` of each per-portfolio array), its use per provider zeroed.
  risk::BatchResults expected = with_all;
  for (auto* rows : {&expected.cost_usd, &expected.spend_usd, &expected.unmet_gpu_hours, &expected.npv_cost_usd,
                     &expected.holder_spend_usd, &expected.holder_npv_spend_usd})
    rows->resize(static_cast<size_t>(kPaths));
  // The use `risk` tracks is there to be left out: GPU-hours on some provider.
  CHECK(*std::max_element(with_all.provider_used_gpu_hours.begin(), with_all.provider_used_gpu_hours.end()) > 0.0);
  std::fill(expected.provider_used_gpu_hours.begin(), expected.provider_used_gpu_hours.end(), 0.0);
  check_same_bits(expected, by_itself);
}

TEST_CASE("a portfolio forks from another at the first step a provider one holds and the other does not sells") {
  // In the flagship Oracle's one cluster has no on-demand price and is sold
  // only under oracle-300b, from 2027-01-01: until then `without:oracle`
  // walks as `contracted` (and is forked from it when grouped, which the
  // test above checks bit for bit). CoreWeave's first contract starts
  // 2025-03-01; AWS sells on demand once Azure's exclusivity ends, 2025-01-21.
  const Scenario sc = load_scenario(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/openai-2025-2027.json");
  const RiskSetup setup = build_risk_problem(sc, false, false);
  const risk::RiskProblem& pb = setup.problem;
  const HostView hv = host_view(pb);
  const risk::kernel::View& v = hv.v;
  const auto at = [&](const std::string& name) { return portfolio_index(setup, name); };
  const int oracle_starts = step_starting(pb, 365 + 365);  // 2027-01-01
  const int coreweave_starts = step_starting(pb, 31 + 28);  // 2025-03-01
  CHECK(risk::kernel::fork_step(v, at("contracted"), at("without:oracle")) == oracle_starts);
  CHECK(risk::kernel::fork_step(v, at("without:oracle"), at("contracted")) == oracle_starts);
  CHECK(risk::kernel::fork_step(v, at("without:coreweave"), at("without:oracle")) == coreweave_starts);
  CHECK(risk::kernel::fork_step(v, at("contracted"), at("without:aws")) == step_starting(pb, 20));  // 2025-01-21
  CHECK(risk::kernel::fork_step(v, at("contracted"), at("without:azure")) == 0);
  CHECK(risk::kernel::fork_step(v, at("contracted"), at("contracted")) == pb.n_steps);
  // Without azure, or with only another provider, the buyer is free of
  // azure's exclusivity: those portfolios walk the problem without it when
  // that changes their walk (aws sells on demand before 2025-01-21), and
  // this one when it does not (coreweave and oracle sell nothing before it:
  // single:oracle forks from single:coreweave when coreweave starts).
  REQUIRE(pb.lifted != nullptr);
  CHECK(pb.lifted_until_step == step_starting(pb, 20));
  for (size_t q = 0; q < setup.portfolio_names.size(); ++q) {
    const std::string& name = setup.portfolio_names[q];
    CAPTURE(name);
    CHECK(pb.portfolio_lifted[q] == (name == "without:azure" || name == "single:aws" ? 1 : 0));
  }
  CHECK(risk::kernel::fork_step(v, at("single:coreweave"), at("single:oracle")) == coreweave_starts);
}

TEST_CASE("a contract billed for use that closes a bill before its provider sells moves the fork step there") {
  // b sells only under its usage contract, from 2025-06-01 (a's exclusivity
  // ends then), with $1M a year of minimum spend: its first contract-year
  // closes on 2026-06-01. Validation keeps a contract from starting under
  // another provider's exclusivity, so b sells before that closing; the
  // problem is edited so that b sells nothing before 2026-07-01, which makes
  // the closing, with its shortfall, the first step at which b changes a
  // walk: fork_step counts closings, not only sales.
  const std::string text = R"({ "name": "fork", "start": "2025-01-01", "end": "2026-08-01",
    "providers": [
      { "id": "a", "on_demand_usd_per_gpu_hour": { "H100": 3 },
        "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 500 } ] } ] },
      { "id": "b", "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 800 } ] } ] },
      { "id": "e", "on_demand_usd_per_gpu_hour": { "H100": 4 },
        "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 300 } ] } ] } ],
    "contracts": [ { "id": "k", "provider": "b", "start": "2025-06-01", "end": "2027-06-01", "clusters": ["b/r/c"],
                     "billing": "usage", "price_usd_per_gpu_hour": 2, "min_spend_usd_per_year": 1e6 } ],
    "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 1000, "value_usd_per_gpu_hour": 10 } ],
    "policy": { "placement": "cheapest", "exclusivity": { "provider": "a", "until": "2025-06-01" } },
    "uncertainty": { "demand": { "vol_per_year": 0.5 },
                     "outages": { "default": { "rate_per_year": 6, "duration_hours": { "dist": "fixed", "value": 12 } } } } })";
  const RiskSetup setup = build_risk_problem(parse_scenario(text, "fork.json"), false, false);
  const auto at = [&](const std::string& name) { return portfolio_index(setup, name); };
  const int exclusivity_ends = step_starting(setup.problem, 151);  // 2025-06-01
  const int year_closes = step_starting(setup.problem, 365 + 151);  // 2026-06-01
  const int b_sells = step_starting(setup.problem, 365 + 181);      // 2026-07-01
  CHECK(risk::kernel::fork_step(host_view(setup.problem).v, at("contracted"), at("without:b")) == exclusivity_ends);
  CHECK(risk::kernel::fork_step(host_view(setup.problem).v, at("contracted"), at("without:e")) == exclusivity_ends);
  risk::RiskProblem pb = setup.problem;
  const int b_cluster = 1;
  REQUIRE(pb.cluster_provider[b_cluster] == 1);
  // The portfolios free of a's exclusivity that e's on-demand sales reach
  // before it ends walk the problem without it: edited alike, as the two
  // sell the same after the exclusivity.
  REQUIRE(pb.lifted != nullptr);
  auto lifted = std::make_shared<risk::RiskProblem>(*pb.lifted);
  for (int s = 0; s < b_sells; ++s) {
    pb.seller_step[static_cast<size_t>(s * pb.n_clusters + b_cluster)] = static_cast<std::int8_t>(rules::Seller::none);
    lifted->seller_step[static_cast<size_t>(s * pb.n_clusters + b_cluster)] = static_cast<std::int8_t>(rules::Seller::none);
  }
  pb.lifted = lifted;
  CHECK(risk::kernel::fork_step(host_view(pb).v, at("contracted"), at("without:b")) == year_closes);
  // The shortfall of the year b sold nothing in is there on every path, and
  // walking the portfolios together or one at a time gives the same bits.
  risk::BatchResults one, all;
  risk::evaluate_paths(pb, 3, 0, 16, risk::Backend::cpu, 2, one, 1);
  risk::evaluate_paths(pb, 3, 0, 16, risk::Backend::cpu, 2, all);
  check_same_bits(one, all);
  for (std::int64_t i = 0; i < 16; ++i) CHECK(all.contract_shortfall_usd[static_cast<size_t>(i)] == 1e6);
}

TEST_CASE("a job no cluster of the parent may serve comes back in a fork that holds its provider") {
  // The job runs only on b, which sells (as e does) only under a contract
  // from 2025-06-01; it is ready from 2025-02-01. Walked in groups of
  // two, `without:b` (a, e) walks from the start and leaves the job out of
  // its walk once it is ready, as none of its clusters may ever serve it;
  // `without:e` (a, b) forks from it on 2025-06-01 and must take the job
  // back, or it would never run there. Walked one at a time, `without:e`
  // runs it: the same bits either way.
  const std::string text = R"({ "name": "fork-job", "start": "2025-01-01", "end": "2025-12-01",
    "providers": [
      { "id": "a", "on_demand_usd_per_gpu_hour": { "H100": 3 },
        "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 500 } ] } ] },
      { "id": "b", "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 800 } ] } ] },
      { "id": "e", "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 300 } ] } ] } ],
    "contracts": [
      { "id": "kb", "provider": "b", "start": "2025-06-01", "end": "2025-12-01", "clusters": ["b/r/c"],
        "billing": "usage", "price_usd_per_gpu_hour": 2 },
      { "id": "ke", "provider": "e", "start": "2025-06-01", "end": "2025-12-01", "clusters": ["e/r/c"],
        "billing": "usage", "price_usd_per_gpu_hour": 4 } ],
    "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 600, "value_usd_per_gpu_hour": 10 },
                   { "id": "t", "kind": "training", "submit": "2025-02-01", "flops": 1e23, "gpus": 400, "mfu": 0.4,
                     "providers": ["b"] } ],
    "policy": { "placement": "cheapest" },
    "uncertainty": { "demand": { "vol_per_year": 0.5 }, "prices": { "a": { "vol_per_year": 0.3 }, "b": { "vol_per_year": 0.3 }, "e": { "vol_per_year": 0.3 } } } })";
  const RiskSetup setup = build_risk_problem(parse_scenario(text, "fork-job.json"), false, false);
  const auto at = [&](const std::string& name) { return portfolio_index(setup, name); };
  // Groups of two put these two together, `without:b` first.
  REQUIRE(at("without:b") == 2);
  REQUIRE(at("without:e") == 3);
  CHECK(risk::kernel::fork_step(host_view(setup.problem).v, at("without:b"), at("without:e")) ==
        step_starting(setup.problem, 151));  // 2025-06-01
  risk::BatchResults one, two;
  risk::evaluate_paths(setup.problem, 11, 0, 16, risk::Backend::cpu, 2, one, 1);
  risk::evaluate_paths(setup.problem, 11, 0, 16, risk::Backend::cpu, 2, two, 2);
  check_same_bits(one, two);
}

TEST_CASE("the portfolio without the rofr clause is walked as the contracted one only when the holder never matches") {
  // Walked together (groups of 16), no_rofr is the contracted portfolio's
  // twin when the holder can match nothing, and is walked once; walked one
  // at a time it is walked on its own. Either way the same bits, and the two
  // portfolios differ exactly when the holder can match.
  const std::string flagship = read_file(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/openai-2025-2027.json");
  const std::string clause = "\"match_pct\": 0,";
  REQUIRE(flagship.find(clause) != std::string::npos);
  struct Case {
    std::string rofr;  // what replaces match_pct 0
    bool differ;       // whether no_rofr differs from contracted on some path
  };
  for (const Case& c : {Case{"\"match_pct\": 0,", false}, Case{"\"match_pct\": 50,", true},
                        Case{"\"match_pct\": 0, \"match_probability\": 0,", false},
                        Case{"\"match_pct\": 0, \"match_probability\": 0.5,", true}}) {
    CAPTURE(c.rofr);
    std::string text = flagship;
    text.replace(text.find(clause), clause.size(), c.rofr);
    const Scenario sc = parse_scenario(text, "rofr.json");
    const RiskSetup setup = build_risk_problem(sc, false, false);
    const auto contracted = static_cast<std::size_t>(portfolio_index(setup, "contracted"));
    const auto no_rofr = static_cast<std::size_t>(portfolio_index(setup, "no_rofr"));
    constexpr std::int64_t kPaths = 16;
    risk::BatchResults one, all;
    risk::evaluate_paths(setup.problem, 11, 0, kPaths, risk::Backend::cpu, 2, one, 1);
    risk::evaluate_paths(setup.problem, 11, 0, kPaths, risk::Backend::cpu, 2, all);
    check_same_bits(one, all);
    int differing = 0;
    for (std::int64_t i = 0; i < kPaths; ++i) {
      const double a = all.cost_usd[contracted * kPaths + static_cast<std::size_t>(i)];
      const double b = all.cost_usd[no_rofr * kPaths + static_cast<std::size_t>(i)];
      if (a != b) ++differing;
    }
    CHECK((differing > 0) == c.differ);
  }
}

TEST_CASE("with the uncertainty off, every scenario's contracted cost and unmet GPU-hours match the replay within 1%") {
  for (const auto& entry : std::filesystem::directory_iterator(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios")) {
    const std::string path = entry.path().string();
    if (entry.path().extension() != ".json" || entry.path().filename() == "schema.json") continue;
    INFO(path);
    const Scenario sc = load_scenario(path);
    const RiskSetup setup = build_risk_problem(sc, true);
    const auto r = evaluate(setup.problem, 0, 2, 1);
    CHECK(r.cost_usd[0] == r.cost_usd[1]);  // no uncertainty: every path is the replay's future
    const auto s = test::replay_in_child(read_file(path)).summary_json();
    const double replay_cost = s["totals"]["spend_usd"].get<double>() + s["totals"]["unmet_value_usd"].get<double>();
    const double replay_unmet = s["totals"]["unmet_gpu_hours"].get<double>();
    CHECK(r.cost_usd[0] == doctest::Approx(replay_cost).epsilon(0.01));
    CHECK(r.unmet_gpu_hours[0] == doctest::Approx(replay_unmet).epsilon(0.01).scale(1.0));
  }
}

namespace {
// One year, one provider, one on-demand cluster of 1000 H100 at $2; 100 GPUs
// of demand. `uncertainty` is spliced in.
// The mean of the first n values (portfolio 0's paths) and its standard error.
struct MeanSe {
  double mean, se;
};
MeanSe mean_and_se(const std::vector<double>& v, std::int64_t n) {
  const auto count = static_cast<size_t>(n);
  return {mean(v, 0, count), stddev(v, 0, count) / std::sqrt(static_cast<double>(n))};
}

std::string one_cluster_year(const std::string& uncertainty) {
  return R"({ "name": "closed-form", "start": "2025-01-01", "end": "2026-01-01",
    "providers": [ { "id": "p", "on_demand_usd_per_gpu_hour": { "H100": 2 },
      "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 1000 } ] } ] } ],
    "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 100, "value_usd_per_gpu_hour": 10 } ],
    "uncertainty": )" + uncertainty + " }";
}
}  // namespace

TEST_CASE("GBM price multiplier: the mean cost follows E[S(t)] = exp(drift * t)") {
  // Day d's multiplier is exp(x_d) with E = exp(mu * d / 365.25) (the jump
  // compensation keeps this true with jumps too). Cost of day d: 100 GPUs x
  // 24 h x $2 x multiplier, so E[cost] = 4800 * sum_d exp(mu d / 365.25).
  const double mu = 0.2;
  const Scenario sc = parse_scenario(one_cluster_year(R"({ "prices": { "p": { "drift_per_year": 0.2, "vol_per_year": 0.3,
      "jump_rate_per_year": 2, "jump_mean_pct": -20, "jump_sd_pct": 10 } } })"), "gbm.json");
  const RiskSetup setup = build_risk_problem(sc);
  const std::int64_t n = 20000;
  const auto r = evaluate(setup.problem, 0, n, 0);
  double expected = 0.0;
  for (int d = 0; d < 365; ++d) expected += 4800.0 * std::exp(mu * d / 365.25);
  const auto [m, se] = mean_and_se(r.cost_usd, n);
  INFO("mean " << m << " expected " << expected << " se " << se);
  CHECK(std::abs(m - expected) < 4.0 * se);
}

TEST_CASE("Poisson outages of fixed length: expected unmet = rate x years x demand x duration") {
  // 2 outages a year, each 10 h, all capacity lost: 2 x 1 x 100 x 10 = 2,000
  // GPU-h a year expected (overlaps, at 10 h in 8,760, change this by ~0.1%).
  const Scenario sc = parse_scenario(one_cluster_year(R"({ "outages": { "default": { "rate_per_year": 2,
      "duration_hours": { "dist": "fixed", "value": 10 } } } })"), "poisson.json");
  const RiskSetup setup = build_risk_problem(sc);
  const std::int64_t n = 20000;
  const auto r = evaluate(setup.problem, 0, n, 0);
  const auto [m, se] = mean_and_se(r.unmet_gpu_hours, n);
  // An outage that starts in the last 10 h is cut by the horizon: expected
  // loss 2 x (10/8760) x 100 x 5 = 1.1 GPU-h, negligible against 4 se.
  INFO("mean " << m << " se " << se);
  CHECK(std::abs(m - 2000.0) < 4.0 * se + 2.0);
}

TEST_CASE("dense outages, more changes a day than a step's shared list holds: unmet = demand x hours x (1 - e^(-rate x duration))") {
  // 3,650 outages a year (10 a day) of 1 h each: the time covered by at
  // least one is 1 − e^(−λd) of the year (a Poisson process of fixed-length
  // intervals), λd = 10/24, so 100 GPUs unmet 8,760 h × 0.34076 = 298,505
  // GPU-h a year expected. About 13 outage starts and ends fall in a day,
  // above the 8 that the reserved ledger lists for the walkers
  // (StepShared::outage_changes): most days the walker redraws its own
  // cursors, some it takes the list, and both must give the same outages.
  const Scenario sc = parse_scenario(one_cluster_year(R"({ "outages": { "default": { "rate_per_year": 3650,
      "duration_hours": { "dist": "fixed", "value": 1 } } } })"), "dense.json");
  const RiskSetup setup = build_risk_problem(sc);
  const std::int64_t n = 2000;
  const auto r = evaluate(setup.problem, 0, n, 0);
  const double expected = 100.0 * 8760.0 * (1.0 - std::exp(-3650.0 / 8760.0));
  const auto [m, se] = mean_and_se(r.unmet_gpu_hours, n);
  // The first hour of the year has no earlier outage to run into it:
  // at most 100 × 0.34 GPU-h less, far below 4 se.
  INFO("mean " << m << " expected " << expected << " se " << se);
  CHECK(std::abs(m - expected) < 4.0 * se + 40.0);
  // Walked alone or with the other portfolios, the same bits.
  risk::BatchResults alone;
  risk::evaluate_paths(setup.problem, 7, 0, 64, risk::Backend::cpu, 1, alone, 1);
  const auto together = evaluate(setup.problem, 0, 64, 1);
  CHECK(alone.unmet_gpu_hours == together.unmet_gpu_hours);
  CHECK(alone.cost_usd == together.cost_usd);
}

namespace {
// Walks share_step over `paths` paths of the contracted portfolio and checks
// every step's order against a sort from scratch by the placement rule;
// returns the steps whose tables kept the last step's prices and clusters
// (marginal_kept_step), and how many of those changed the order.
std::pair<int, int> check_kept_orders(const risk::RiskProblem& pb, std::uint64_t paths) {
  const HostView hv(pb);
  const risk::kernel::View& v = hv.v;
  const risk::kernel::ScratchLayout layout = risk::kernel::scratch_layout(v);
  std::vector<float> fs(static_cast<size_t>(layout.floats_per_path));
  std::vector<int> is(static_cast<size_t>(layout.ints_per_path));
  int kept_steps = 0, kept_reorders = 0;
  for (std::uint64_t path = 0; path < paths; ++path) {
    risk::kernel::sample_future(v, 7, path, fs.data(), is.data());
    const risk::kernel::PortfolioRun run(v, 0, fs.data(), is.data(), 7, path);
    risk::kernel::StepShared sh;
    sh.reset();
    std::vector<int> last;
    for (int s = 0; s < v.n_steps; ++s) {
      run.share_step(s, sh);
      const std::int64_t row = static_cast<std::int64_t>(s) * v.n_clusters;
      std::vector<int> expected;
      std::vector<double> price(static_cast<size_t>(v.n_clusters), 0.0);
      for (int c = 0; c < v.n_clusters; ++c) {
        if (((v.sold_step[s] >> c) & 1u) == 0 || ((sh.empty >> c) & 1u)) continue;
        expected.push_back(c);
        const auto seller = static_cast<rules::Seller>(v.seller_step[row + c]);
        const double mult = seller == rules::Seller::on_demand ? sh.price_mult[v.cluster_provider[c]] : 1.0;
        price[static_cast<size_t>(c)] =
            rules::marginal_usd_per_gpu_hour(seller, v.seller_price_step[row + c] * mult, v.cluster_h100_equiv[c]);
      }
      std::sort(expected.begin(), expected.end(), [&](int a, int b) {
        return rules::cheaper_first(price[static_cast<size_t>(a)], a, price[static_cast<size_t>(b)], b);
      });
      const std::vector<int> order(sh.order, sh.order + sh.n_order);
      INFO("path " << path << " step " << s);
      REQUIRE(order == expected);
      for (int o = 0; o < sh.n_order; ++o) REQUIRE(sh.position[sh.order[o]] == o);
      if (v.marginal_kept_step[s]) {
        ++kept_steps;
        if (order != last) ++kept_reorders;
      }
      last = order;
    }
  }
  return {kept_steps, kept_reorders};
}
}  // namespace

TEST_CASE("the placement order a variant keeps step to step is the order sorted afresh, on every step of a path") {
  // share_step re-sorts the last step's order, and when the step tables
  // kept their prices (marginal_kept_step) it compares only the pairs
  // beside the clusters whose price the path moves.
  SUBCASE("the flagship: on-demand prices that cross each other, above the reserved clusters") {
    const Scenario sc = load_scenario(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/openai-2025-2027.json");
    const RiskSetup setup = build_risk_problem(sc);
    const auto [kept, reorders] = check_kept_orders(setup.problem, 16);
    CHECK(kept > 16 * setup.problem.n_steps / 2);
    CHECK(reorders > 0);
  }
  SUBCASE("two on-demand prices that cross a usage contract's fixed price, from either side") {
    // $2 fixed on u's cluster, and p's and q's on-demand $2 moving with
    // 80% a year: each crosses the fixed price and the other many times.
    const Scenario sc = parse_scenario(R"({ "name": "crossing", "start": "2025-01-01", "end": "2026-01-01",
      "providers": [
        { "id": "p", "on_demand_usd_per_gpu_hour": { "H100": 2 },
          "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 100 } ] } ] },
        { "id": "u", "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 100 } ] } ] },
        { "id": "q", "on_demand_usd_per_gpu_hour": { "H100": 2 },
          "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 100 } ] } ] } ],
      "contracts": [ { "id": "k", "provider": "u", "start": "2025-01-01", "end": "2026-01-01", "clusters": ["u/r/c"],
                       "billing": "usage", "price_usd_per_gpu_hour": 2 } ],
      "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 150, "value_usd_per_gpu_hour": 10 } ],
      "uncertainty": { "prices": { "p": { "vol_per_year": 0.8 }, "q": { "vol_per_year": 0.8 } } } })",
                                       "crossing.json");
    const RiskSetup setup = build_risk_problem(sc);
    const auto [kept, reorders] = check_kept_orders(setup.problem, 32);
    CHECK(kept > 32 * setup.problem.n_steps / 2);
    CHECK(reorders > 32);
  }
}

TEST_CASE("a quiet step gives the same bits as the general step, and a walk keeps knowing which steps are quiet") {
  // A step is quiet (one piece, no job to shed or run, the outages' state
  // kept) until quiet_until_s, which the walk works out again only after a
  // step that is not. Walked with every step forced through the general
  // path instead, a portfolio must end with the same figures, bit for bit:
  // a stale quiet_until_s that let a step with a running job or an outage
  // be quiet would leave the job's GPU-hours or the outage's loss out.
  // The flagship: sampled outages, and training jobs that wait, start,
  // roll back and restart, and finish.
  const Scenario sc = load_scenario(std::string(CLOUDPACT_SOURCE_DIR) + "/scenarios/openai-2025-2027.json");
  const RiskSetup setup = build_risk_problem(sc);
  const HostView hv(setup.problem);
  const risk::kernel::View& v = hv.v;
  const risk::kernel::ScratchLayout layout = risk::kernel::scratch_layout(v);
  std::vector<float> fs(static_cast<size_t>(layout.floats_per_path));
  std::vector<int> is(static_cast<size_t>(layout.ints_per_path));
  auto walk = [&](std::uint64_t path, bool force_general, int& quiet_steps) {
    auto run = std::make_unique<risk::kernel::PortfolioRun>(v, 0, fs.data(), is.data(), 7, path);
    risk::kernel::ReservedLedger ledger;
    ledger.open(v, 0, 7, path, v.portfolio_providers[0]);
    risk::kernel::StepShared sh;
    sh.reset();
    for (int s = 0; s < v.n_steps; ++s) {
      run->share_step(s, sh);
      ledger.step(v, s, sh);
      if (force_general) run->quiet_until_s = -risk::kernel::kNever;
      if (sh.end_s <= run->quiet_until_s) ++quiet_steps;
      run->step(s, sh);
    }
    ledger.finish(v);
    run->finish(ledger);
    return run;
  };
  int quiet_steps = 0, forced_quiet = 0;
  for (std::uint64_t path = 0; path < 12; ++path) {
    risk::kernel::sample_future(v, 7, path, fs.data(), is.data());
    const auto usual = walk(path, false, quiet_steps);
    const auto general = walk(path, true, forced_quiet);
    INFO("path " << path);
    // PortfolioTotals is doubles alone (no padding); the providers' arrays
    // are compared as far as the walk writes them.
    const size_t providers = static_cast<size_t>(v.n_providers) * sizeof(double);
    CHECK(std::memcmp(&usual->t, &general->t, sizeof usual->t) == 0);
    CHECK(std::memcmp(usual->provider_spend, general->provider_spend, providers) == 0);
    CHECK(std::memcmp(usual->provider_used, general->provider_used, providers) == 0);
    CHECK(std::memcmp(usual->provider_npv, general->provider_npv, providers) == 0);
    CHECK(usual->t.unmet_gpu_hours > 0.0);
  }
  // Most steps were quiet, and some were not (outages, jobs).
  CHECK(forced_quiet == 0);
  CHECK(quiet_steps > 12 * v.n_steps / 2);
  CHECK(quiet_steps < 12 * v.n_steps);
}

TEST_CASE("risk refuses a scenario beyond the kernels' bounds with a clear message") {
  std::string text = R"({ "name": "big", "start": "2025-01-01", "end": "2025-02-01", "providers": [ )";
  for (int p = 0; p < risk::kMaxProviders + 1; ++p)
    text += std::string(p ? "," : "") + R"({ "id": "p)" + std::to_string(p) +
            R"(", "regions": [ { "id": "r", "clusters": [ { "id": "c", "accelerator": "H100", "capacity_gpus": 1 } ] } ] })";
  text += R"( ], "workloads": [ { "id": "w", "kind": "inference", "demand_gpus": 1 } ] })";
  const Scenario sc = parse_scenario(text, "big.json");
  try {
    (void)build_risk_problem(sc);
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(e.lines().at(0) == "big.json: /providers: 17 providers is more than `risk` handles (expected at most 16; "
                             "`run` has no such bound)");
  }
}
