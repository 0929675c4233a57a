// Private to hc_test_support: run a command to completion with stdout and stderr kept apart.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace hc::test {

struct CapturedRun {
  int exit_code = -1;  // -1 if it was killed at the timeout
  bool timed_out = false;
  std::string stdout_text;
  std::string stderr_text;
};

// stderr_text is empty and everything is in stdout_text when `merge_stderr` is true.
CapturedRun run_capture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                        const std::vector<std::pair<std::string, std::string>>& extra_env,
                        bool merge_stderr);

// The text with leading and trailing whitespace removed.
std::string trim(const std::string& text);

}  // namespace hc::test
