// Small JSON encoders for values the simulation logs before any writer runs.
// Numbers use the shortest text that reads back to the same double, so
// outputs are byte-stable and lossless.
#pragma once

#include <string>

namespace cloudpact {

std::string json_string(const std::string& s);
std::string json_number(double v);  // non-finite -> null

// The same texts, appended to `out`: writers of large files (events.jsonl)
// build them without a temporary string per value.
void append_json_string(std::string& out, const std::string& s);
void append_json_number(std::string& out, double v);

}  // namespace cloudpact
