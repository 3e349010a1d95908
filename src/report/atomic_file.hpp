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

// A whole folder appears at once: the files are written into a temporary
// sibling `PARENT/.tmp-NAME-PID`, flushed, and the folder is renamed to
// `PARENT/NAME`. Returns false (and removes the temporary) when NAME already
// exists: someone else committed it first. Throws std::runtime_error on I/O
// failure.
bool commit_folder(const std::string& parent, const std::string& name, const std::vector<OutputFile>& files);

}  // namespace cloudpact
