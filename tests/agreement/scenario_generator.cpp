#include "scenario_generator.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "rules/training.hpp"
#include "scenario/dates.hpp"
#include "scenario/input_error.hpp"
#include "scenario/load.hpp"

namespace cloudpact::test {

namespace {

using ojson = nlohmann::ordered_json;
constexpr std::int64_t kDay_s = 86400;

// mt19937_64 with explicit integer maths (no std distributions: their
// algorithms are not specified, so the same seed could give another scenario
// on another standard library).
class Dice {
 public:
  explicit Dice(std::uint64_t seed) : rng_(seed) {}
  // Uniform integer in [lo, hi].
  std::int64_t integer(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool chance(int percent) { return integer(0, 99) < percent; }
  // A price-like number with two decimals in [lo, hi].
  double cents(double lo, double hi) {
    return static_cast<double>(integer(std::llround(lo * 100), std::llround(hi * 100))) / 100.0;
  }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(integer(0, static_cast<std::int64_t>(v.size()) - 1))];
  }

 private:
  std::mt19937_64 rng_;
};

struct Place {
  std::string provider, region, cluster, accelerator;
  std::string path() const { return provider + "/" + region + "/" + cluster; }
};

class Generator {
 public:
  Generator(std::uint64_t seed, ScenarioClass kind) : d_(seed), kind_(kind) {}

  ojson build() {
    start_ = *parse_utc_date("2025-01-01") + d_.integer(0, 500) * kDay_s;
    days_ = d_.integer(20, 420);
    ojson s;
    s["name"] = "generated";
    s["start"] = date(0);
    s["end"] = date(days_);
    s["accelerators"] = {{"H100", {{"h100_equiv", 1.0}}}, {"B200", {{"h100_equiv", 2.0}}}, {"GB200", {{"h100_equiv", 2.5}}}};
    s["providers"] = providers();
    s["contracts"] = contracts();
    s["workloads"] = workloads();
    s["policy"] = policy();
    s["events"] = events();
    if (d_.chance(50)) s["uncertainty"] = uncertainty();
    s["output"] = {{"interval_hours", d_.pick(std::vector<int>{6, 24, 168})}};
    // Drawn last, so every earlier draw (and each seed's scenario) is as before.
    if (d_.chance(70)) s["finance"] = {{"discount_rate_per_year", d_.cents(0.0, 0.3)}};
    if (d_.chance(45)) deal_terms(s);
    return s;
  }

 private:
  // A whole-day date, `day` days after the start (negative: before it).
  std::string date(std::int64_t day) const { return format_utc(start_ + day * kDay_s).substr(0, 10); }
  std::string instant(std::int64_t minute) const { return format_utc(start_ + minute * 60); }

  // A whole-GPU curve: a constant, or steps on whole days; in the intraday
  // class also linear, with points at any minute.
  ojson int_curve(std::int64_t max_value) {
    if (d_.chance(40)) return d_.integer(0, max_value);
    const bool intraday = kind_ == ScenarioClass::intraday && d_.chance(70);
    std::set<std::int64_t> minutes;
    const auto n = d_.integer(1, 4);
    for (int i = 0; i < n; ++i)
      minutes.insert(intraday ? d_.integer(-30 * 1440, (days_ + 30) * 1440) : d_.integer(-30, days_ + 30) * 1440);
    ojson pts = ojson::array();
    for (std::int64_t m : minutes) pts.push_back({intraday ? instant(m) : date(m / 1440), d_.integer(0, max_value)});
    return {{"shape", intraday && d_.chance(60) ? "linear" : "step"}, {"points", pts}};
  }

  ojson price_curve(double lo, double hi) {
    if (d_.chance(60)) return d_.cents(lo, hi);
    std::set<std::int64_t> days;
    const auto n = d_.integer(1, 3);
    for (int i = 0; i < n; ++i) days.insert(d_.integer(-30, days_ + 30));
    ojson pts = ojson::array();
    for (std::int64_t day : days) pts.push_back({date(day), d_.cents(lo, hi)});
    return {{"shape", "step"}, {"points", pts}};
  }

  ojson providers() {
    ojson list = ojson::array();
    const auto n = d_.pick(std::vector<int>{1, 2, 2, 3, 3});  // mostly several: failover and moves
    for (int p = 0; p < n; ++p) {
      const std::string pid = "p" + std::to_string(p);
      providers_.push_back(pid);
      ojson prov;
      prov["id"] = pid;
      ojson od = ojson::object();
      for (const char* acc : {"H100", "B200", "GB200"})
        if (d_.chance(70)) od[acc] = d_.cents(1.0, 12.0);
      prov["on_demand_usd_per_gpu_hour"] = od;
      if (d_.chance(80)) prov["egress_usd_per_gb"] = d_.cents(0.01, 0.12);
      ojson regions = ojson::array();
      const auto nr = d_.integer(1, 2);
      for (int r = 0; r < nr; ++r) {
        const std::string rid = "r" + std::to_string(r);
        regions_.push_back(pid + "/" + rid);
        ojson clusters = ojson::array();
        const auto nc = d_.integer(1, 2);
        for (int c = 0; c < nc; ++c) {
          Place pl{pid, rid, "c" + std::to_string(c), d_.pick(std::vector<std::string>{"H100", "H100", "B200", "GB200"})};
          clusters.push_back({{"id", pl.cluster}, {"accelerator", pl.accelerator}, {"capacity_gpus", int_curve(4000)}});
          places_.push_back(pl);
        }
        regions.push_back({{"id", rid}, {"clusters", clusters}});
      }
      prov["regions"] = regions;
      list.push_back(prov);
    }
    return list;
  }

  ojson contracts() {
    ojson list = ojson::array();
    std::set<std::string> reserved;  // one contract per cluster: terms never overlap
    int k = 0;
    for (const std::string& pid : providers_) {
      const auto n = d_.integer(0, 2);
      for (int i = 0; i < n; ++i) {
        ojson clusters = ojson::array();
        for (const Place& pl : places_)
          if (pl.provider == pid && !reserved.count(pl.path()) && d_.chance(60)) {
            clusters.push_back(pl.path());
            reserved.insert(pl.path());
          }
        if (clusters.empty()) continue;
        const std::string kid = "k" + std::to_string(k++);
        contracts_.push_back(kid);
        std::int64_t a = d_.integer(-90, days_ - 1), b = d_.integer(a + 1, days_ + 400);
        if (d_.chance(5)) {  // a term that ended before the start
          b = d_.integer(-20, 0);
          a = b - d_.integer(1, 400);
        }
        ojson c;
        c["id"] = kid;
        c["provider"] = pid;
        c["start"] = date(a);
        c["end"] = date(b);
        c["clusters"] = clusters;
        c["billing"] = d_.chance(50) ? "reserved" : "usage";
        c["price_usd_per_gpu_hour"] = price_curve(0.5, 8.0);
        if (d_.chance(50)) c["commitment_usd"] = static_cast<double>(d_.integer(0, 80'000'000));
        if (d_.chance(40)) c["min_spend_usd_per_year"] = static_cast<double>(d_.integer(0, 60'000'000));
        if (d_.chance(50)) {
          const std::vector<std::pair<double, double>> tiers{{99.99, 10}, {99.9, 20}, {99.5, 25},
                                                             {99.0, 30}, {97.0, 50},  {95.0, 100}};
          ojson credits = ojson::array();
          for (const auto& [below, credit] : tiers)
            if (d_.chance(45)) credits.push_back({{"below_pct", below}, {"credit_pct", credit}});
          if (!credits.empty()) c["sla"] = {{"credits", credits}};
        }
        if (d_.chance(50)) c["exit_fee_pct_of_remaining"] = static_cast<double>(d_.integer(0, 30));
        list.push_back(c);
      }
    }
    return list;
  }

  ojson eligible_providers() {
    std::vector<std::string> ps = providers_;
    // A random order: Fisher–Yates on our own dice.
    for (size_t i = ps.size(); i > 1; --i) std::swap(ps[i - 1], ps[static_cast<size_t>(d_.integer(0, static_cast<std::int64_t>(i) - 1))]);
    ps.resize(static_cast<size_t>(d_.integer(1, static_cast<std::int64_t>(ps.size()))));
    return ps;
  }

  ojson workloads() {
    ojson list = ojson::array();
    const auto n = d_.integer(1, 3);
    for (int i = 0; i < n; ++i) {
      const std::string wid = "w" + std::to_string(i);
      inference_.push_back(wid);
      ojson w{{"id", wid}, {"kind", "inference"}, {"demand_gpus", int_curve(6000)},
              {"value_usd_per_gpu_hour", d_.cents(2.0, 20.0)}};
      if (d_.chance(40)) w["providers"] = eligible_providers();
      if (d_.chance(50)) w["priority"] = d_.integer(0, 2);
      list.push_back(w);
    }
    if (kind_ == ScenarioClass::intraday || d_.chance(50)) {
      const auto jobs = d_.integer(1, 3);
      for (int j = 0; j < jobs; ++j) {
        const double gpus = static_cast<double>(d_.integer(1, 15) * 100);
        const double mfu = d_.cents(0.2, 0.6);
        const double hours = static_cast<double>(d_.integer(12, 24 * 20));
        const std::int64_t submit_minute =
            kind_ == ScenarioClass::intraday ? d_.integer(0, days_ * 1440 - 1) : d_.integer(0, days_ - 1) * 1440;
        // Often a whole provider fails soon after: interruptions, rollbacks,
        // restarts elsewhere and egress.
        if (d_.chance(60)) job_outages_.push_back(submit_minute + d_.integer(60, 3 * 1440));
        // Sometimes an outage starts at the very minute the job's work would
        // end if it ran from its submit uninterrupted: its end and the cut
        // fall on one instant, and both engines must finish it first.
        if (d_.chance(25)) job_outages_.push_back(submit_minute + static_cast<std::int64_t>(hours) * 60);
        ojson w{{"id", "t" + std::to_string(j)},
                {"kind", "training"},
                {"submit", kind_ == ScenarioClass::intraday ? instant(submit_minute) : date(submit_minute / 1440)},
                {"flops", gpus * rules::kH100FlopsPerSecond * mfu * hours * 3600.0},
                {"gpus", gpus},
                {"mfu", mfu},
                {"checkpoint_hours", static_cast<double>(d_.integer(0, 12))},
                {"restart_hours", static_cast<double>(d_.integer(0, 6))},
                {"dataset_tb", static_cast<double>(d_.integer(0, 200))}};
        if (d_.chance(40)) w["providers"] = eligible_providers();
        if (d_.chance(50)) w["priority"] = d_.integer(0, 2);
        list.push_back(w);
      }
    }
    return list;
  }

  ojson policy() {
    const auto r = d_.integer(0, 9);
    if (r < 6) return {{"placement", "cheapest"}};
    if (r < 8) return {{"placement", "primary"}};
    return {{"placement", "single_vendor"}, {"vendor", d_.pick(providers_)}};
  }

  // An exclusivity (half the time) and a right of first refusal of one
  // holder (docs/reference.md §14), on whole days. A split the validator
  // refuses (an offered contract sharing a cluster with another) drops the
  // right.
  void deal_terms(ojson& s) {
    const std::string holder = d_.pick(providers_);
    std::int64_t first_other = days_ + 30;  // the earliest start of another provider's contract
    for (const auto& c : s["contracts"])
      if (c["provider"] != holder)
        first_other = std::min(first_other, (*parse_utc_date(c["start"].get<std::string>()) - start_) / kDay_s);
    ojson& policy = s["policy"];
    std::int64_t exclusive_until = -1000;
    if (d_.chance(50) && first_other > -30) {
      exclusive_until = std::min(first_other, d_.integer(1, days_));
      policy["exclusivity"] = {{"provider", holder}, {"until", date(exclusive_until)}};
    }
    std::vector<std::string> regions;
    for (const Place& pl : places_)
      if (pl.provider == holder && std::find(regions.begin(), regions.end(), pl.region) == regions.end())
        regions.push_back(pl.region);
    ojson rofr = {{"holder", holder},
                  {"until", date(std::max(exclusive_until + 1, d_.integer(-10, days_ + 10)))},
                  {"region", d_.pick(regions)},
                  {"match_pct", d_.integer(0, 100)}};
    if (d_.chance(50)) rofr["match_probability"] = d_.cents(0.0, 1.0);
    policy["rofr"] = rofr;
    try {
      (void)parse_scenario(s.dump(), "generated.json");
    } catch (const InputError&) {
      policy.erase("rofr");
    }
  }

  std::string target() {
    const Place& pl = d_.pick(places_);
    const auto r = d_.integer(0, 2);
    return r == 0 ? pl.provider : r == 1 ? pl.provider + "/" + pl.region : pl.path();
  }

  ojson events() {
    ojson list = ojson::array();
    for (auto n = d_.integer(0, 5); n > 0; --n) {
      // Any minute, overlapping the horizon (an event entirely outside it is
      // invalid); whole providers down often enough that training jobs move
      // (and pay egress).
      const std::int64_t from = d_.integer(-2 * 1440, days_ * 1440 - 1);
      const std::int64_t to = std::max<std::int64_t>(from + d_.integer(1, 5 * 1440), 1);
      const bool whole = d_.chance(30);
      list.push_back({{"type", "outage"}, {"target", whole ? d_.pick(providers_) : target()}, {"start", instant(from)},
                      {"end", instant(to)}, {"capacity_lost_pct", whole ? 100.0 : static_cast<double>(d_.integer(1, 10) * 10)}});
    }
    for (const std::int64_t from : job_outages_)
      if (from < days_ * 1440)
        list.push_back({{"type", "outage"}, {"target", d_.pick(providers_)}, {"start", instant(from)},
                        {"end", instant(from + d_.integer(60, 4 * 1440))}, {"capacity_lost_pct", 100.0}});
    for (auto n = d_.integer(0, 2); n > 0; --n) {
      ojson e{{"type", "price_change"}, {"date", date(d_.integer(1, days_ - 1))}};
      if (!contracts_.empty() && d_.chance(40)) {
        e["contract"] = d_.pick(contracts_);
        e["factor"] = d_.cents(0.5, 1.5);
      } else {
        e["target"] = d_.pick(providers_);
        if (d_.chance(70)) e["accelerator"] = d_.pick(std::vector<std::string>{"H100", "B200", "GB200"});
        if (d_.chance(50)) e["on_demand_usd_per_gpu_hour"] = d_.cents(1.0, 12.0);
        else e["factor"] = d_.cents(0.5, 1.5);
      }
      list.push_back(e);
    }
    for (auto n = d_.integer(0, 2); n > 0; --n) {
      const std::int64_t a = d_.integer(0, days_ - 1), b = d_.integer(a + 1, days_ + 10);
      list.push_back({{"type", "demand_shock"}, {"workload", d_.pick(inference_)}, {"start", date(a)}, {"end", date(b)},
                      {"factor", d_.cents(0.3, 2.5)}});
    }
    for (auto n = d_.integer(0, 2); n > 0; --n)
      list.push_back({{"type", "delivery_delay"}, {"target", target()}, {"days", static_cast<double>(d_.integer(0, 60))}});
    return list;
  }

  ojson uncertainty() {
    ojson u;
    u["outages"] = {{"default", {{"rate_per_year", 3.0}, {"duration_hours", {{"dist", "fixed"}, {"value", 12.0}}}}}};
    ojson prices = ojson::object();
    for (const std::string& p : providers_) prices[p] = {{"model", "gbm"}, {"drift_per_year", -0.1}, {"vol_per_year", 0.4}};
    u["prices"] = prices;
    u["demand"] = {{"vol_per_year", 0.3}};
    u["delivery"] = {{"p_on_time", 0.5}, {"delay_days", {{"dist", "fixed"}, {"value", 30.0}}}};
    return u;
  }

  Dice d_;
  ScenarioClass kind_;
  std::int64_t start_ = 0, days_ = 0;
  std::vector<std::string> providers_, regions_, contracts_, inference_;
  std::vector<Place> places_;
  std::vector<std::int64_t> job_outages_;  // minutes: outage starts aimed at training jobs
};

}  // namespace

nlohmann::ordered_json random_scenario(std::uint64_t seed, ScenarioClass kind) { return Generator(seed, kind).build(); }

}  // namespace cloudpact::test
