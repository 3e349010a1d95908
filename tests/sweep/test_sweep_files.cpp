// Files of a sweep folder are read as cloudpact wrote them, never through a
// symbolic link planted in the folder (docs/reference.md §7.4, §9.4): plan
// files, plan-variants.jsonl (line by line, at a variant's offset too) and
// the variants' results.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include "sweep/plan.hpp"
#include "sweep/sweep_folder.hpp"

namespace fs = std::filesystem;
using namespace cloudpact;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("cloudpact-sweep-files-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

const std::string two_variants = "{\"id\":\"v1\",\"values\":[1]}\n{\"id\":\"v2\",\"values\":[2.5]}\n";

}  // namespace

TEST_CASE("plan-variants.jsonl: every line, and one variant at its offset or by search") {
  TempDir d;
  write(d.path / "plan-variants.jsonl", two_variants);
  SweepPlan plan;
  plan.variant_count = 2;
  read_plan_variants(plan, (d.path / "plan-variants.jsonl").string());
  REQUIRE(plan.variants.size() == 2);
  CHECK(plan.variants[1].id == "v2");
  CHECK(plan.variants[1].values_json == std::vector<std::string>{"2.5"});
  CHECK(plan.variant_offsets == std::vector<std::int64_t>{0, 25});
  const auto at = read_plan_variant((d.path / "plan-variants.jsonl").string(), "v2", 25);
  REQUIRE(at.has_value());
  CHECK(at->values_json == std::vector<std::string>{"2.5"});
  // A wrong offset falls back to a search; an unknown id is nullopt.
  CHECK(read_plan_variant((d.path / "plan-variants.jsonl").string(), "v2", 3)->id == "v2");
  CHECK_FALSE(read_plan_variant((d.path / "plan-variants.jsonl").string(), "v9", 0).has_value());
  plan.variant_count = 3;
  CHECK_THROWS_WITH_AS(read_plan_variants(plan, (d.path / "plan-variants.jsonl").string()),
                       ((d.path / "plan-variants.jsonl").string() + ": holds 2 variants, plan.json 3").c_str(),
                       std::runtime_error);
}

TEST_CASE("a link planted in the sweep folder is not followed: not for the plan, its variants or a result") {
  TempDir d;
  write(d.path / "outside.jsonl", two_variants);
  write(d.path / "outside.json", "{\"status\":\"ok\"}");
  fs::create_symlink(d.path / "outside.jsonl", d.path / "plan-variants.jsonl");
  fs::create_symlink(d.path / "outside.json", d.path / "result.json");
  const std::string variants = (d.path / "plan-variants.jsonl").string();
  SweepPlan plan;
  plan.variant_count = 2;
  CHECK_THROWS_WITH_AS(read_plan_variants(plan, variants), ("cannot read " + variants).c_str(), std::runtime_error);
  CHECK_THROWS_WITH_AS(read_plan_variant(variants, "v1", 0), ("cannot read " + variants).c_str(), std::runtime_error);
  CHECK(read_text_file((d.path / "result.json").string()).empty());
  // The same files, not links, are read.
  CHECK(read_text_file((d.path / "outside.json").string()) == "{\"status\":\"ok\"}");
}
