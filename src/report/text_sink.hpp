// A text handed over part by part, in order: how an output file is written
// as it is produced (report/atomic_file.hpp) instead of held whole first.
#pragma once

#include <functional>
#include <string_view>

namespace cloudpact {

// Receives the next part of a text.
using TextSink = std::function<void(std::string_view part)>;

// Gives a whole text to `emit`, part by part; the text is their
// concatenation. Called again, it gives the same parts.
using TextWriter = std::function<void(const TextSink& emit)>;

}  // namespace cloudpact
