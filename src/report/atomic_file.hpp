// Outputs appear whole or not at all: each file is written to a temporary
// name in the same folder, flushed to disk, then renamed over the target.
#pragma once

#include <string>
#include <vector>

namespace cloudpact {

struct OutputFile {
  std::string name;     // file name inside the output folder
  std::string content;
};

// Creates `dir` (and parents) and writes every file atomically. Throws
// std::runtime_error naming the path on any I/O failure (exit code 3).
void write_outputs(const std::string& dir, const std::vector<OutputFile>& files);

}  // namespace cloudpact
