// Runs a test's body in a forked child (which may then unshare namespaces without touching the
// test process) and reads back the report it prints: lines of "key=value".
#pragma once

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <exception>
#include <functional>
#include <map>
#include <sstream>
#include <string>

namespace hc::test {

struct ForkedReport {
  std::string text;                           // what the child wrote, as written
  std::map<std::string, std::string> values;  // its "key=value" lines
};

// `body` runs in the child and returns the report; an exception it throws becomes
// "error=<what>". The child is killed once `timeout` passes without output, or when its report
// ends. A failed pipe or fork gives "error=...".
inline ForkedReport run_forked(const std::function<std::string()>& body,
                               std::chrono::milliseconds timeout) {
  ForkedReport report;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) {
    report.values["error"] = "pipe failed";
    return report;
  }
  const pid_t child = fork();
  if (child < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    report.values["error"] = "fork failed";
    return report;
  }
  if (child == 0) {
    close(pipe_fds[0]);
    std::string text;
    try {
      text = body();
    } catch (const std::exception& error) {
      text = std::string("error=") + error.what() + "\n";
    }
    (void)!write(pipe_fds[1], text.data(), text.size());
    _exit(0);
  }
  close(pipe_fds[1]);
  char buffer[512];
  pollfd readable{pipe_fds[0], POLLIN, 0};
  while (poll(&readable, 1, static_cast<int>(timeout.count())) > 0) {
    const ssize_t got = read(pipe_fds[0], buffer, sizeof buffer);
    if (got <= 0) break;
    report.text.append(buffer, static_cast<std::size_t>(got));
  }
  close(pipe_fds[0]);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  std::istringstream lines(report.text);
  for (std::string line; std::getline(lines, line);) {
    const std::size_t equals = line.find('=');
    if (equals != std::string::npos)
      report.values[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return report;
}

}  // namespace hc::test
