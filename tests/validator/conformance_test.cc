// The official JSON-Schema-Test-Suite (../shared/data/json-schema-test-suite)
// run against sluice's validator: drafts 4, 6, 7, 2019-09 and 2020-12, the
// required tests, optional/ and optional/format/ (formats asserted only
// there, as the suite intends), remotes served from the local mapping for
// http://localhost:1234/. Every document is validated through simdjson and
// through the nlohmann reference path, which must agree.
//
// Ratchet: tests/validator/known_failures.txt lists the test ids that fail
// today. A failure not listed fails this test; a listed test that now passes
// fails it too, so the list only shrinks. Regenerate the list with
// SLUICE_UPDATE_KNOWN_FAILURES=1 after a deliberate change.
#include <catch2/catch.hpp>

#include "skip.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "sluice/validator.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

struct Tally {
  int passed = 0;
  int total = 0;
};

}  // namespace

TEST_CASE("JSON-Schema-Test-Suite conformance with a known-failures ratchet", "[validator][conformance][shared]") {
  const fs::path suite = fs::path(SLUICE_SHARED_DIR) / "data" / "json-schema-test-suite";
  if (!fs::exists(suite / "tests")) {
    sluice::testing::skip(suite.string() + " is absent; the JSON-Schema-Test-Suite conformance run did not happen");
    return;
  }
  const fs::path ratchet_path = fs::path(SLUICE_SOURCE_DIR) / "tests" / "validator" / "known_failures.txt";
  std::set<std::string> known;
  {
    std::istringstream lines(read_text(ratchet_path));
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && line[0] != '#') known.insert(line);
    }
  }

  const std::pair<const char*, sluice::SchemaDraft> kDrafts[] = {
      {"draft4", sluice::SchemaDraft::kDraft4},
      {"draft6", sluice::SchemaDraft::kDraft6},
      {"draft7", sluice::SchemaDraft::kDraft7},
      {"draft2019-09", sluice::SchemaDraft::kDraft2019_09},
      {"draft2020-12", sluice::SchemaDraft::kDraft2020_12},
  };
  std::map<std::string, Tally> tallies;  // "<draft> <category>"
  std::vector<std::string> failures;
  std::vector<std::string> disagreements;

  for (const auto& [draft_dir, draft] : kDrafts) {
    const fs::path root = suite / "tests" / draft_dir;
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      const std::string rel = fs::relative(file, root).generic_string();
      const std::string category = rel.rfind("optional/format/", 0) == 0 ? "format"
                                   : rel.rfind("optional/", 0) == 0      ? "optional"
                                                                         : "required";
      sluice::ValidatorOptions options;
      options.draft = draft;
      options.assert_formats = category == "format";
      options.remote_dirs = {{"http://localhost:1234/", (suite / "remotes").string()}};
      json groups = json::parse(read_text(file));
      for (const json& group : groups) {
        const std::string schema_text = group.at("schema").dump();
        auto validator = sluice::Validator::compile(schema_text, options);
        for (const json& test : group.at("tests")) {
          const std::string id = std::string(draft_dir) + "/" + rel + " | " + group.at("description").get<std::string>() +
                                 " | " + test.at("description").get<std::string>();
          Tally& tally = tallies[std::string(draft_dir) + " " + category];
          ++tally.total;
          bool pass = false;
          if (validator.ok()) {
            const std::string doc = test.at("data").dump();
            auto fast = validator->validate(doc);
            auto reference = validator->validate_reference(doc);
            if (fast.ok() && reference.ok() && fast->valid != reference->valid) disagreements.push_back(id);
            pass = fast.ok() && fast->valid == test.at("valid").get<bool>();
          }
          if (pass) {
            ++tally.passed;
          } else {
            failures.push_back(id);
          }
        }
      }
    }
  }

  for (const auto& [name, tally] : tallies) {
    std::printf("conformance %-22s %4d / %4d passed (%.2f%%)\n", name.c_str(), tally.passed, tally.total,
                100.0 * tally.passed / std::max(1, tally.total));
  }

  if (const char* update = std::getenv("SLUICE_UPDATE_KNOWN_FAILURES"); update && std::string(update) == "1") {
    std::ofstream out(ratchet_path);
    out << "# Known failures of the JSON-Schema-Test-Suite run (tests/validator/conformance_test.cc).\n"
           "# This list may only shrink. One test id per line: <draft>/<file> | <group> | <test>.\n";
    for (const std::string& id : failures) out << id << "\n";
    WARN("rewrote " << ratchet_path.string() << " with " << failures.size() << " known failures");
    return;
  }

  std::set<std::string> failed(failures.begin(), failures.end());
  std::vector<std::string> new_failures;
  for (const std::string& id : failures) {
    if (!known.count(id)) new_failures.push_back(id);
  }
  std::vector<std::string> fixed;
  for (const std::string& id : known) {
    if (!failed.count(id)) fixed.push_back(id);
  }
  for (const std::string& id : new_failures) UNSCOPED_INFO("new failure: " << id);
  CHECK(new_failures.empty());
  for (const std::string& id : fixed) UNSCOPED_INFO("now passes, remove from known_failures.txt: " << id);
  CHECK(fixed.empty());
  for (const std::string& id : disagreements) UNSCOPED_INFO("simdjson and nlohmann paths disagree: " << id);
  CHECK(disagreements.empty());
  for (const auto& [draft_dir, draft] : kDrafts) {
    const Tally& t = tallies[std::string(draft_dir) + " required"];
    INFO(draft_dir << " required pass rate " << t.passed << "/" << t.total);
    CHECK(t.passed * 1000 >= t.total * 995);
  }
}
