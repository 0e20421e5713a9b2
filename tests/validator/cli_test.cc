// `sluice validate` end to end: exit codes, JSONL, --json output, --prefix.
// Runs the CLI built next to this test executable (bin/sluice); skips with a
// warning when it was not built.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Run {
  int code;
  std::string out;
};

Run run(const std::string& command) {
  Run r{-1, {}};
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace

TEST_CASE("sluice validate: exit codes and output", "[validator][cli]") {
  const fs::path cli = fs::read_symlink("/proc/self/exe").parent_path() / "sluice";
  if (!fs::exists(cli)) {
    WARN("SKIPPED: " << cli.string() << " is not built; the CLI test did not run");
    return;
  }
  const fs::path dir = fs::temp_directory_path() / ("sluice_cli_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "schema.json") << R"({"type":"object","properties":{"n":{"type":"integer","maximum":5}},"required":["n"]})";
  std::ofstream(dir / "bad_schema.json") << R"({"type":"nope"})";
  std::ofstream(dir / "ok.jsonl") << "{\"n\":1}\n\n{\"n\":5}\n";
  std::ofstream(dir / "mixed.jsonl") << "{\"n\":1}\n{\"n\":9}\n{\"n\":\n";
  std::ofstream(dir / "partial.json") << "{\"n\":";
  const std::string base = cli.string() + " validate --schema " + (dir / "schema.json").string() + " ";

  CHECK(run(base + "--jsonl " + (dir / "ok.jsonl").string()).code == 0);
  Run mixed = run(base + "--jsonl --json " + (dir / "mixed.jsonl").string());
  CHECK(mixed.code == 1);
  CHECK(mixed.out.find(R"({"valid":true,"errors":[]})") == 0);
  CHECK(mixed.out.find(R"("instanceLocation":"/n","keywordLocation":"/properties/n/maximum")") != std::string::npos);
  CHECK(run(base + (dir / "partial.json").string()).code == 1);
  Run prefix = run(base + "--prefix --json " + (dir / "partial.json").string());
  CHECK(prefix.code == 3);
  CHECK(prefix.out.find(R"("state":"incomplete")") != std::string::npos);
  CHECK(run(cli.string() + " validate --schema " + (dir / "bad_schema.json").string() + " " +
            (dir / "ok.jsonl").string())
            .code == 2);
  CHECK(run(base + "--draft 99 " + (dir / "ok.jsonl").string()).code == 2);
  CHECK(run(cli.string() + " validate --help").code == 0);
  fs::remove_all(dir);
}
