// fork + execve with everything the child needs prepared before fork: between fork and
// exec a multi-threaded parent's child may only call async-signal-safe functions.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include "hc/test/support.h"

extern char** environ;

namespace hc::test {
namespace {

// An fd closed on scope exit (parent side of the child's redirections and exec pipe).
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

int open_for_output(const std::filesystem::path& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + path.string());
  return fd;
}

// argv[0] as execve needs it: unchanged if it has a '/', else looked up in $PATH.
std::string resolve_program(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  std::string directories = path != nullptr ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= directories.size()) {
    size_t end = directories.find(':', start);
    if (end == std::string::npos) end = directories.size();
    std::string candidate =
        (end > start ? directories.substr(start, end - start) : std::string(".")) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  throw std::runtime_error("ChildProcess: '" + program + "' not found in PATH");
}

std::vector<std::string> merged_environment(
    const std::vector<std::pair<std::string, std::string>>& extra_env) {
  std::map<std::string, std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text = *entry;
    auto equals = text.find('=');
    if (equals != std::string::npos) variables[text.substr(0, equals)] = text.substr(equals + 1);
  }
  for (const auto& [name, value] : extra_env) variables[name] = value;
  std::vector<std::string> result;
  for (const auto& [name, value] : variables) result.push_back(name + "=" + value);
  return result;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv)
    : ChildProcess(std::move(argv), Options{}) {}

ChildProcess::ChildProcess(std::vector<std::string> argv, Options options) {
  if (argv.empty()) throw std::invalid_argument("ChildProcess: empty argv");
  const std::string program = resolve_program(argv[0]);
  std::vector<std::string> environment = merged_environment(options.extra_env);
  std::vector<char*> argv_pointers = pointers_to(argv);
  std::vector<char*> env_pointers = pointers_to(environment);

  Fd stdout_fd(options.stdout_file.empty() ? -1 : open_for_output(options.stdout_file));
  Fd stderr_fd(options.stderr_file.empty() || options.stderr_file == options.stdout_file
                   ? -1
                   : open_for_output(options.stderr_file));
  const int stderr_target = options.stderr_file.empty()                  ? -1
                            : options.stderr_file == options.stdout_file ? stdout_fd.get()
                                                                         : stderr_fd.get();
  // The child writes its errno here if execve fails; CLOEXEC closes it on success.
  int exec_pipe[2];
  if (pipe2(exec_pipe, O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  Fd exec_read(exec_pipe[0]);
  Fd exec_write(exec_pipe[1]);
  const pid_t parent = getpid();
  const bool kill_when_parent_dies = options.kill_when_parent_dies;

  pid_t pid = fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    // Child: async-signal-safe calls only until execve.
    setpgid(0, 0);  // own group: the destructor also kills grandchildren of a running child
    if (kill_when_parent_dies) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);  // a SignalWatcher may have blocked some
    signal(SIGPIPE, SIG_DFL);
    if (stdout_fd.get() >= 0) dup2(stdout_fd.get(), STDOUT_FILENO);
    if (stderr_target >= 0) dup2(stderr_target, STDERR_FILENO);
    execve(program.c_str(), argv_pointers.data(), env_pointers.data());
    int error = errno;
    ssize_t ignored = write(exec_write.get(), &error, sizeof error);
    (void)ignored;
    _exit(127);
  }
  pid_ = pid;
  exec_write.reset();
  int exec_errno = 0;
  ssize_t count;
  do {
    count = read(exec_read.get(), &exec_errno, sizeof exec_errno);
  } while (count < 0 && errno == EINTR);
  if (count == sizeof exec_errno) {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    throw std::system_error(exec_errno, std::generic_category(), "ChildProcess: execve " + program);
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ <= 0 || exit_code_) return;
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

void ChildProcess::send_signal(int signal_number) {
  if (pid_ > 0 && !exit_code_) kill(pid_, signal_number);
}

bool ChildProcess::running() {
  if (pid_ <= 0 || exit_code_) return false;
  int status = 0;
  pid_t result = waitpid(pid_, &status, WNOHANG);
  if (result == pid_) {
    exit_code_ = exit_code_of(status);
    return false;
  }
  return result == 0;
}

std::optional<int> ChildProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_code_;
}

}  // namespace hc::test
