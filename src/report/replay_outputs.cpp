#include "report/replay_outputs.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "cloudpact_version.h"
#include "report/json_text.hpp"
#include "rules/billing.hpp"
#include "rules/concentration.hpp"
#include "rules/present_value.hpp"
#include "scenario/dates.hpp"

namespace cloudpact {

namespace {
constexpr double kSecondsPerHour = 3600.0;
using ojson = nlohmann::ordered_json;

// ordered_json's operator[] searches its keys linearly: with 100,000
// workloads that is quadratic. Ids are unique (validated), so append directly.
void append(ojson& object, const std::string& key, ojson value) {
  object.get_ref<ojson::object_t&>().emplace_back(key, std::move(value));
}

std::int64_t to_epoch(const Scenario& sc, double t_s) { return sc.start_epoch_s + std::llround(t_s); }

// nlohmann's dump(2), written member by member, so that summary.json's
// workloads (100,000 objects in the stress scenario) are written as they are
// read instead of first built into a document, copied into text and freed.
// Scalars and keys are nlohmann's own text (dump()); objects and arrays are
// laid out as its pretty printer lays them out (detail/output/serializer.hpp).
constexpr unsigned kIndentStep = 2;
// Sizes to reserve for the outputs built as one string (bytes; estimates,
// a little above the scenarios' averages: one more doubling if exceeded).
// The stress scenario's events.jsonl lines average 171 bytes (at most 218),
// and summary.json takes about 232 bytes a training workload; an entry of
// its providers, contracts or workloads is given the same room.
constexpr size_t kEventLineBytes = 192;
constexpr size_t kSummaryEntryBytes = 256;
constexpr size_t kSummaryHeadBytes = 4096;

// A command writes summary.json and events.jsonl into their files a part of
// about this size at a time (replay_outputs): whole, the stress scenario's
// would take 57 MB of memory touched for the first time (the memory freed
// before them is in pieces too small for strings that long), only to be
// copied into the files.
constexpr size_t kPartBytes = size_t{1} << 20;

// Hands `out` to `emit` once it holds a part's worth, and starts the next
// part in the same memory.
void emit_full_part(std::string& out, const TextSink& emit) {
  if (out.size() < kPartBytes) return;
  emit(out);
  out.clear();
}

// A text given by parts, collected whole into memory of `expected_bytes`.
std::string whole_text(size_t expected_bytes, const TextWriter& write_text) {
  std::string whole;
  whole.reserve(expected_bytes);
  write_text([&whole](std::string_view part) { whole += part; });
  return whole;
}

// Appends JSON text to one string: scalars and keys exactly as nlohmann's
// dump() writes them, by one serializer for the whole text. dump() builds a
// serializer (which reads the locale) and a string at every call: 1.3
// million calls for the stress scenario's summary.
class PrettyWriter {
 public:
  explicit PrettyWriter(std::string& out) : out_(out), dump_(nlohmann::detail::output_adapter<char>(out), ' ') {}

  // v.dump(), appended.
  void scalar(const ojson& v) { dump_.dump(v, false, false, 0); }

  // Opens member `key` of an object whose members sit `indent` spaces in.
  void open_member(bool& first, const std::string& key, unsigned indent) {
    out_ += first ? "{\n" : ",\n";
    first = false;
    out_.append(indent, ' ');
    scalar(ojson(key));
    out_ += ": ";
  }

  // Closes an object whose braces sit `indent` spaces in.
  void close_object(bool first, unsigned indent) {
    if (first) {
      out_ += "{}";
      return;
    }
    out_ += '\n';
    out_.append(indent, ' ');
    out_ += '}';
  }

  void pretty(const ojson& v, unsigned indent) {
    if (v.is_object() && !v.empty()) {
      bool first = true;
      for (const auto& [k, x] : v.items()) {
        open_member(first, k, indent + kIndentStep);
        pretty(x, indent + kIndentStep);
      }
      close_object(first, indent);
    } else if (v.is_array() && !v.empty()) {
      out_ += "[\n";
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) out_ += ",\n";
        out_.append(indent + kIndentStep, ' ');
        pretty(v[i], indent + kIndentStep);
      }
      out_ += '\n';
      out_.append(indent, ' ');
      out_ += ']';
    } else {
      scalar(v);
    }
  }

 private:
  std::string& out_;
  nlohmann::detail::serializer<ojson> dump_;
};

size_t summary_expected_bytes(const ReplayResult& r) {
  return kSummaryHeadBytes + (r.providers.size() + r.contracts.size() + r.workloads.size()) * kSummaryEntryBytes;
}

size_t events_expected_bytes(const ReplayResult& r) { return r.events.size() * kEventLineBytes; }

}  // namespace

void write_summary_json(const Scenario& sc, const ReplayResult& r, const TextSink& emit) {
  ojson j;
  j["scenario"] = sc.name;
  j["cloudpact_version"] = CLOUDPACT_VERSION;
  j["scenario_sha256"] = sc.sha256;
  j["start"] = format_utc(sc.start_epoch_s);
  j["end"] = format_utc(sc.end_epoch_s);

  double used_s = 0.0, avail_s = 0.0, unmet_s = 0.0, unmet_value = 0.0, spend = 0.0;
  for (const ProviderTotals& p : r.providers) {
    used_s += p.used_gpu_s;
    avail_s += p.available_gpu_s;
    spend += p.spend_usd;
  }
  for (const WorkloadTotals& w : r.workloads) {
    unmet_s += w.unmet_gpu_s;
    unmet_value += w.unmet_value_usd;
  }
  ojson totals;
  // spend = billed + shortfall − credits + egress (docs/reference.md §5); the per-provider
  // spends add up to the same figure.
  totals["spend_usd"] = rules::spend_usd(r.billed_usd, r.shortfall_usd, r.sla_credits_usd, r.egress_usd);
  totals["billed_usd"] = r.billed_usd;
  totals["shortfall_usd"] = r.shortfall_usd;
  totals["sla_credits_usd"] = r.sla_credits_usd;
  totals["egress_usd"] = r.egress_usd;
  totals["used_gpu_hours"] = used_s / kSecondsPerHour;
  totals["available_gpu_hours"] = avail_s / kSecondsPerHour;
  totals["unmet_gpu_hours"] = unmet_s / kSecondsPerHour;
  totals["unmet_value_usd"] = unmet_value;
  // Present values at the start (docs/reference.md §13).
  const double rate = sc.finance.discount_rate_per_year;
  totals["npv_spend_usd"] = rules::reported_present_value(r.npv_spend_usd, totals["spend_usd"].get<double>(), rate);
  totals["npv_unmet_value_usd"] = rules::reported_present_value(r.npv_unmet_value_usd, unmet_value, rate);
  j["totals"] = std::move(totals);

  std::vector<double> spends, avails;
  for (const ProviderTotals& p : r.providers) {
    spends.push_back(p.spend_usd);
    avails.push_back(p.available_gpu_s);
  }
  const int n_providers = static_cast<int>(spends.size());
  const double spend_total = rules::share_total(spends.data(), n_providers);
  ojson providers = ojson::object();
  for (size_t i = 0; i < r.providers.size(); ++i) {
    const ProviderTotals& p = r.providers[i];
    append(providers, r.provider_ids[i], {{"spend_usd", p.spend_usd},
                                    {"used_gpu_hours", p.used_gpu_s / kSecondsPerHour},
                                    {"available_gpu_hours", p.available_gpu_s / kSecondsPerHour},
                                    {"outage_gpu_hours", p.outage_gpu_s / kSecondsPerHour},
                                    {"capacity_gpu_hours", p.capacity_gpu_s / kSecondsPerHour},
                                    {"share_of_spend", rules::share_of(spends[i], spend_total)},
                                    {"npv_spend_usd", rules::reported_present_value(p.npv_spend_usd, p.spend_usd, rate)}});
  }
  j["providers"] = std::move(providers);

  ojson contracts = ojson::object();
  for (size_t k = 0; k < r.contracts.size(); ++k) {
    const ContractTotals& c = r.contracts[k];
    append(contracts, r.contract_ids[k], {{"billed_usd", c.billed_usd},
                                    {"shortfall_usd", c.shortfall_usd},
                                    {"sla_credits_usd", c.sla_credits_usd},
                                    {"commitment_remaining_usd", c.commitment_remaining_usd},
                                    {"npv_billed_usd", rules::reported_present_value(c.npv_billed_usd, c.billed_usd, rate)}});
  }
  j["contracts"] = std::move(contracts);

  const ojson concentration = {{"hhi_spend", rules::hhi_percent(spends.data(), n_providers)},
                               {"hhi_capacity", rules::hhi_percent(avails.data(), n_providers)},
                               {"effective_providers", rules::effective_providers(spends.data(), n_providers)}};
  (void)spend;

  // As j.dump(2) would write it with "workloads" and "concentration" last,
  // a part at a time: the workloads, which can be many, go out as they fill one.
  std::string out;
  out.reserve(std::min(summary_expected_bytes(r), kPartBytes + kSummaryEntryBytes));
  PrettyWriter w(out);
  bool first = true;
  for (const auto& [key, value] : j.items()) {
    w.open_member(first, key, kIndentStep);
    w.pretty(value, kIndentStep);
  }
  w.open_member(first, "workloads", kIndentStep);
  bool first_workload = true;
  for (size_t i = 0; i < r.workloads.size(); ++i) {
    const WorkloadTotals& t = r.workloads[i];
    w.open_member(first_workload, r.workload_ids[i], 2 * kIndentStep);
    bool first_field = true;
    const auto field = [&](const std::string& key, const ojson& value) {
      w.open_member(first_field, key, 3 * kIndentStep);
      w.scalar(value);
    };
    if (!t.training) {
      field("served_gpu_hours", t.served_gpu_s / kSecondsPerHour);
      field("unmet_gpu_hours", t.unmet_gpu_s / kSecondsPerHour);
      field("unmet_value_usd", t.unmet_value_usd);
    } else {
      field("start", t.start_s ? ojson(format_utc(to_epoch(sc, *t.start_s))) : ojson(nullptr));
      field("finish", t.finish_s ? ojson(format_utc(to_epoch(sc, *t.finish_s))) : ojson(nullptr));
      field("interruptions", t.interruptions);
      field("lost_gpu_hours", t.lost_gpu_s / kSecondsPerHour);
      field("served_gpu_hours", t.served_gpu_s / kSecondsPerHour);
      field("egress_usd", t.egress_usd);
    }
    w.close_object(first_field, 2 * kIndentStep);
    emit_full_part(out, emit);  // the writer appends to `out`: the next part starts there
  }
  w.close_object(first_workload, kIndentStep);
  w.open_member(first, "concentration", kIndentStep);
  w.pretty(concentration, kIndentStep);
  w.close_object(first, 0);
  out += '\n';
  emit(out);
}

std::string summary_json(const Scenario& sc, const ReplayResult& r) {
  return whole_text(summary_expected_bytes(r), [&](const TextSink& emit) { write_summary_json(sc, r, emit); });
}

namespace {
// An interval's average or sum, to the nearest millionth (of a GPU, of a
// dollar): the integrals behind it are sums of piece integrals, whose
// rounding (~1e-16 relative) would otherwise show a constant 1,000 GPUs as
// 1000.0000000000002 and $48,000 as 48000.00000000001 (docs/reference.md
// §5.2). Below 9e9, v·1e6 is below 2^53, so it rounds to a whole number
// exactly; beyond, a double's own step is a millionth or more and the value
// is written as it is. A rounded -0 is written 0.
std::string interval_figure(double v) {
  if (std::isfinite(v) && std::fabs(v) < 9e9) {
    v = std::round(v * 1e6) / 1e6;
    if (v == 0.0) v = 0.0;
  }
  return json_number(v);
}
}  // namespace

std::string timeseries_csv(const ReplayResult& r) {
  std::string out = "time,provider,capacity_gpus,available_gpus,used_gpus,unmet_gpus,spend_usd\n";
  for (const TimeseriesRow& row : r.timeseries) {
    out += format_utc(row.epoch_s) + "," + row.provider + "," + interval_figure(row.capacity_gpus) + "," +
           interval_figure(row.available_gpus) + "," + interval_figure(row.used_gpus) + "," +
           interval_figure(row.unmet_gpus) + "," + interval_figure(row.spend_usd) + "\n";
  }
  return out;
}

std::string ledger_csv(const ReplayResult& r) {
  std::vector<const LedgerRow*> rows;
  for (const LedgerRow& row : r.ledger) rows.push_back(&row);
  std::stable_sort(rows.begin(), rows.end(), [](const LedgerRow* a, const LedgerRow* b) { return a->epoch_s < b->epoch_s; });
  std::string out = "time,contract,item,amount_usd,provider\n";
  for (const LedgerRow* row : rows)
    out += format_utc(row->epoch_s) + "," + row->contract + "," + row->item + "," + json_number(row->amount_usd) + "," +
           row->provider + "\n";
  return out;
}

namespace {
// An event field as JSON text: numbers in their shortest round-trip form
// (json_number), so events.jsonl is lossless and byte-stable. Appended in
// place: the stress scenario logs some 200,000 events.
void append_event_value(std::string& out, const ojson& v) {
  switch (v.type()) {
    case ojson::value_t::number_float:
    case ojson::value_t::number_integer:
    case ojson::value_t::number_unsigned:
      append_json_number(out, v.get<double>());
      return;
    case ojson::value_t::string:
      append_json_string(out, v.get_ref<const std::string&>());
      return;
    case ojson::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, x] : v.items()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, k);
        out += ':';
        append_event_value(out, x);
      }
      out += '}';
      return;
    }
    default:
      out += v.dump();
  }
}
}  // namespace

void write_events_jsonl(const Scenario& sc, const ReplayResult& r, const TextSink& emit) {
  std::string out;
  out.reserve(std::min(events_expected_bytes(r), kPartBytes + 4 * kEventLineBytes));
  for (const EventRecord& e : r.events) {
    out += "{\"time\":";
    append_json_string(out, format_utc(to_epoch(sc, e.t_s)));
    out += ",\"t_hours\":";
    append_json_number(out, e.t_s / kSecondsPerHour);
    out += ",\"type\":";
    append_json_string(out, e.type);
    for (const auto& [k, v] : e.fields.items()) {
      out += ',';
      append_json_string(out, k);
      out += ':';
      append_event_value(out, v);
    }
    out += "}\n";
    emit_full_part(out, emit);
  }
  emit(out);
}

std::string events_jsonl(const Scenario& sc, const ReplayResult& r) {
  // Room for every line at once: growing by doubling would copy the text
  // written so far into fresh memory again and again, and hold both copies
  // at the growth's peak. Pages reserved and never written are never touched.
  return whole_text(events_expected_bytes(r), [&](const TextSink& emit) { write_events_jsonl(sc, r, emit); });
}

std::vector<OutputFile> replay_outputs(const Scenario& sc, const ReplayResult& r) {
  // Not an initializer list: its elements are const, so every file's text
  // (tens of MB for the stress scenario) would be copied into the vector.
  std::vector<OutputFile> files;
  files.push_back({"summary.json", {}, [&sc, &r](const TextSink& emit) { write_summary_json(sc, r, emit); }});
  files.push_back({"timeseries.csv", timeseries_csv(r)});
  files.push_back({"ledger.csv", ledger_csv(r)});
  files.push_back({"events.jsonl", {}, [&sc, &r](const TextSink& emit) { write_events_jsonl(sc, r, emit); }});
  return files;
}

std::string summary_json_shape(const Scenario& sc) {
  ReplayResult r;
  for (const Provider& p : sc.providers) r.provider_ids.push_back(p.id);
  for (const Contract& c : sc.contracts) r.contract_ids.push_back(c.id);
  for (const Workload& w : sc.workloads) {
    r.workload_ids.push_back(w.id);
    WorkloadTotals t;
    t.training = w.kind == WorkloadKind::training;
    r.workloads.push_back(t);
  }
  r.providers.resize(sc.providers.size());
  r.contracts.resize(sc.contracts.size());
  return summary_json(sc, r);
}

}  // namespace cloudpact
