// Commands run to completion; output goes through files in a TempDir, so a chatty child
// can never block on a full pipe.
#include <signal.h>

#include <fstream>
#include <sstream>

#include "hc/test/support.h"
#include "run_capture.h"

namespace hc::test {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trim(const std::string& text) {
  const char* whitespace = " \t\r\n";
  auto first = text.find_first_not_of(whitespace);
  if (first == std::string::npos) return "";
  auto last = text.find_last_not_of(whitespace);
  return text.substr(first, last - first + 1);
}

CapturedRun run_capture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                        const std::vector<std::pair<std::string, std::string>>& extra_env,
                        bool merge_stderr) {
  TempDir dir;
  ChildProcess::Options options;
  options.extra_env = extra_env;
  options.stdout_file = dir.path() / "stdout";
  options.stderr_file = merge_stderr ? options.stdout_file : dir.path() / "stderr";
  CapturedRun result;
  {
    ChildProcess child(argv, options);
    std::optional<int> exit_code = child.wait_for_exit(timeout);
    if (exit_code) {
      result.exit_code = *exit_code;
    } else {
      result.timed_out = true;  // the destructor kills the child and its group
    }
  }
  result.stdout_text = read_file(options.stdout_file);
  if (!merge_stderr) result.stderr_text = read_file(options.stderr_file);
  if (result.timed_out) {
    (merge_stderr ? result.stdout_text : result.stderr_text) +=
        "\n[killed after " + std::to_string(timeout.count()) + " ms]\n";
  }
  return result;
}

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const std::vector<std::pair<std::string, std::string>>& extra_env) {
  CapturedRun run = run_capture(argv, timeout, extra_env, /*merge_stderr=*/true);
  return CommandResult{run.exit_code, std::move(run.stdout_text)};
}

}  // namespace hc::test
