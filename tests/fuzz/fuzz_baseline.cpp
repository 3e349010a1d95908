// Fuzz target: what `check` reads from results/: a baseline and a new
// output, compared as replay outputs (1e-9) and as risk outputs (z standard
// errors). The input holds both documents, separated by the first line that
// is exactly "---"; text that is not JSON is refused as check refuses it.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "regression/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = cloudpact::fuzz::as_text(data, size);
  const std::size_t cut = text.find("\n---\n");
  if (cut == std::string::npos) return 0;
  const nlohmann::json a = nlohmann::json::parse(text.substr(0, cut), nullptr, false);
  const nlohmann::json b = nlohmann::json::parse(text.substr(cut + 5), nullptr, false);
  if (a.is_discarded() || b.is_discarded()) return 0;
  (void)cloudpact::regression::compare_replay(a, b);
  (void)cloudpact::regression::compare_risk(a, b, 5.0);
  return 0;
}
