// A sweep file (docs/reference.md §7): a base scenario and the parameters to vary, typed
// and validated in one place. Values stay JSON text (canonical dump) because
// a parameter may be a number, a string or any JSON value the base accepts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cloudpact {

enum class SweepMode { grid, lhs, random };

struct SweepParameter {
  std::string pointer;                   // JSON pointer into the base scenario
  std::vector<std::string> values_json;  // grid: the values, as JSON text (numbers as written: value_key compares them by value)
  double min = 0.0, max = 0.0;           // lhs / random: the range sampled
  bool integer = false;                  // lhs / random: round to the nearest integer
};

struct SweepSpec {
  std::string path;         // the sweep file as given
  std::string sha256;       // of its bytes
  std::string name;         // an id: "name", else the file stem when it is an id, else "sweep"
  std::string base_path;    // the base scenario, resolved (see load_sweep_spec)
  std::string base_sha256;  // of the base file's bytes
  SweepMode mode = SweepMode::grid;
  std::vector<SweepParameter> parameters;
  std::int64_t samples = 0;     // lhs / random
  std::uint64_t seed = 1;       // lhs / random: Philox key of the design
  bool run_replay = true;       // "run" in `run`
  bool run_risk = false;        // "risk" in `run`
  std::int64_t risk_paths = 2000;
  std::optional<std::uint64_t> risk_seed;  // default: the scenario's own uncertainty.seed
  std::vector<std::string> metrics;        // dotted paths into summary.json / risk.json
  std::int64_t variant_count = 0;          // grid: product of value counts; else samples
};

// The headline columns of sweep.csv when the file names none.
std::vector<std::string> default_sweep_metrics(bool replay, bool risk);

// Reads and validates a sweep file. `base` is resolved against the sweep
// file's folder, then against the current directory. Every parameter's
// pointer is checked against the base scenario (its parent must exist), and
// the base itself must be a valid scenario. Throws InputError with every
// problem, one line each (`FILE: /json/pointer: problem (expected ...)`).
SweepSpec load_sweep_spec(const std::string& path);
// The same, from the file's text already read (`path` names it in messages
// and resolves its base); the sweep file's size limit still applies.
SweepSpec parse_sweep_spec(const std::string& text, const std::string& path);

// Whether a file holds a sweep (a JSON object with "base") rather than a
// scenario, judged from its top-level keys (top_level_keys_of).
bool looks_like_sweep_file(const std::vector<std::string>& top_keys);

// A swept value's JSON text by value: numbers that are equal are one
// number (2, 2.0 and 2e0 are "2"), at any depth ({"h": 24.0} is {"h":24});
// everything else as nlohmann::json dumps it (object keys sorted). Two
// values with one key set the same scenario: they are one grid value and
// give one variant id.
std::string value_key(const std::string& json_text);

}  // namespace cloudpact
