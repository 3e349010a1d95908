// Output files appear as one whole set or not at all (docs/reference.md §1.2).
//
// commit_outputs(DIR, files) writes a command's files into DIR:
//  - every file is created under a name nobody can guess (getrandom), with
//    O_CREAT | O_EXCL | O_NOFOLLOW, written, flushed (fsync) and only then
//    given its name by rename(2); nothing is ever written through a symbolic
//    link, and DIR itself may not be one;
//  - one file (risk.json, sweep.csv, a JUnit report) replaces its namesake in
//    DIR by one rename;
//  - several files (run's four, a baseline's two) are committed together: a
//    sibling folder PARENT/.NAME.cloudpact-new-XXXXXXXXXXXX receives the new
//    files plus a hard link of every other entry of DIR (sub-folders are made
//    again, their files linked), and is exchanged with DIR in one
//    renameat2(RENAME_EXCHANGE); where the file system cannot exchange, DIR
//    is renamed away and the sibling renamed in. The old folder is then
//    removed, after anything written into it meanwhile has been moved over;
//  - a DIR that does not exist yet is made the same way and renamed into place.
// So whatever stops the process (an error, a kill, a power loss), DIR holds the
// previous set or the new one, never a mix, and nothing but the command's own
// files changes. Every commit into PARENT holds an flock on PARENT, and first
// cleans what an interrupted one left (and, if DIR was renamed away and not
// back, renames it back).
#pragma once

#include <string>
#include <vector>

#include "report/text_sink.hpp"

namespace cloudpact {

struct OutputFile {
  std::string name;  // file name inside the output folder
  std::string content;
  // When set, the text instead of `content`, given part by part as the file
  // is written, so that a large output is never held whole in memory (the
  // stress scenario's events.jsonl and summary.json: 57 MB). What it reads
  // must outlive the commit; it may be called more than once.
  TextWriter write_text = nullptr;
};

// Why DIR cannot take a command's outputs ("" when it can), checked before
// any work so that the command can refuse it as a usage error (exit 2).
// `several` files replace DIR as a whole: DIR must then not be a mount point,
// a file system root, or the current folder or one holding it.
std::string output_folder_problem(const std::string& dir, bool several);

struct CommitOptions {
  // A missing DIR is made (with its parents); when false it is a failure
  // (a sweep folder removed while the sweep runs).
  bool create = true;
  // Files of DIR that go with the commit: with several files they are left
  // out of the new folder (gone at the exchange); with one file they are
  // removed once the new file is written and flushed, just before its rename.
  std::vector<std::string> remove;
};

// Commits `files` into DIR as one set (see above). Throws std::runtime_error
// with one line naming the path on any I/O failure (exit 3); DIR then holds
// what it held before. A failure after the commit point (removing the old
// folder) is a warning on stderr.
void commit_outputs(const std::string& dir, const std::vector<OutputFile>& files, const CommitOptions& options = {});

// Removes the file NAME from DIR (nothing when absent), under the same lock.
void remove_output(const std::string& dir, const std::string& name);

// A whole folder appears at once: the files are written into a sibling
// `PARENT/.tmp-NAME-XXXXXXXXXXXX` created exclusively, flushed, and the folder
// is renamed to `PARENT/NAME` (which must not exist). Returns false (and
// removes the sibling) when NAME already exists: someone else committed it
// first. PARENT must exist and may not be a link. Throws std::runtime_error
// on I/O failure.
bool commit_folder(const std::string& parent, const std::string& name, const std::vector<OutputFile>& files);

// Removes PATH (a file, or a folder with everything in it) without following
// any link. Throws std::runtime_error naming what could not be removed.
void remove_path(const std::string& path);

}  // namespace cloudpact
