// Real servers for tests: child processes, hc-devbroker, a throwaway PostgreSQL 15.
// Every object cleans up what it started in its destructor (RAII), also when a test fails.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hc::test {

// Paths baked in at build time (compile definitions of hc_test_support).
std::filesystem::path source_dir();  // repository root
std::filesystem::path hc_binary();   // built `hc`
std::filesystem::path devbroker_binary();

// A 127.0.0.1 port that nothing listened on a moment ago (bound to 0, then closed): for
// "connection refused" targets and for servers that must be told their port up front.
int unused_loopback_port();  // built `hc-devbroker`

// Creates a fresh directory $TMPDIR/PREFIX-XXXXXX (/tmp without TMPDIR), mode 0700.
// The caller owns it. Throws std::system_error.
std::filesystem::path make_temp_directory(const std::string& prefix);

// A fresh directory under $TMPDIR, removed recursively in the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A child process (fork + execve; argv[0] without '/' is looked up in PATH) in its own
// process group, with an empty signal mask. The constructor throws if execve fails. The
// destructor sends SIGKILL to the group if the child still runs and reaps it, so no test
// leaves a process behind. Not thread-safe: use one object from one thread.
class ChildProcess {
 public:
  struct Options {
    std::vector<std::pair<std::string, std::string>> extra_env;  // added to our environment
    std::filesystem::path stdout_file;                           // empty: inherit
    std::filesystem::path stderr_file;  // empty: inherit; same as stdout_file: shared
    // The child gets SIGKILL when the thread that started it ends (PR_SET_PDEATHSIG), so a
    // crashed or killed test leaves nothing behind. Turn off to start a child from a
    // short-lived thread.
    bool kill_when_parent_dies = true;
  };
  // Two constructors rather than `Options options = {}`: GCC rejects that default argument
  // while Options' member initializers belong to the still-incomplete enclosing class.
  explicit ChildProcess(std::vector<std::string> argv);
  ChildProcess(std::vector<std::string> argv, Options options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void send_signal(int signal_number);
  // Exit code (128+signal if killed by a signal) or nullopt if still running at the deadline.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
  bool running();

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// Runs a command to completion; returns its exit code and combined stdout+stderr.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60),
                          const std::vector<std::pair<std::string, std::string>>& extra_env = {});
// `hc ARGUMENTS...` (the built binary) run to completion, 30 s at most.
CommandResult run_hc(const std::vector<std::string>& arguments);
// `hc ROLE -c CONFIG ARGS...` (the built binary) as a child, its stderr and stdout in
// NAME.log and NAME.out beside CONFIG.
ChildProcess start_hc(const std::string& role, const std::filesystem::path& config,
                      const std::string& name, const std::vector<std::string>& args = {});

// DIR/config.yaml with only a consumer section for the commands that read or keep tables
// (status, maintain, serve, migrate): topic "healthcheck" into table "checks" of `uri`, and a
// broker address nothing answers on. `route_lines`: more lines of the route, each indented by
// six spaces and ending in a newline.
// SQL that does, for rows written by hand into the measurements table `table`, what the
// consumer does in the transaction of its rows: the newest row per site into <table>_latest
// (a site already there keeps its row), the rows' hours marked for the rollups (closed by
// `hc maintain`). REQUIRES: table is a plain identifier.
std::string record_like_the_consumer_sql(const std::string& table);

// `hc [HC_OPTIONS...] serve -c CONFIG --listen 127.0.0.1:PORT`, its stdout and stderr in
// DIR/serve.log (read it with read_file for a failure message).
ChildProcess start_serve(const std::filesystem::path& config, const TempDir& dir, int port,
                         const std::vector<std::string>& hc_options = {});

// The whole file as it is on disk (bytes, no newline translation); "" when it cannot be read:
// for a process's log in a failure message, read whether or not the process wrote one.
std::string read_file(const std::filesystem::path& path);

std::filesystem::path write_checks_config(const TempDir& dir, const std::string& uri,
                                          const std::string& route_lines = "");

// hc-devbroker (librdkafka mock cluster) in its own process on loopback, with its fault
// controls on a control socket (see tools/mock_faults.h for the commands).
class DevBroker {
 public:
  struct Topic {
    std::string name;
    int partitions = 4;
    int error = 0;  // non-zero: metadata requests for it answer this Kafka error code
  };
  // Throws std::runtime_error (with hc-devbroker's stderr) if it is not ready within 10 s.
  explicit DevBroker(const std::vector<Topic>& topics = {}, int broker_count = 1);
  // SIGTERM, up to 5 s for a clean exit, then SIGKILL.
  ~DevBroker();
  const std::string& bootstrap_servers() const { return bootstrap_servers_; }

  // Sends one fault command ("all-down", "broker-up 1", "request-errors Produce
  // NOT_LEADER_FOR_PARTITION 5", ...) and returns the answer line ("ok", "ok ...",
  // "error ..."). Throws std::runtime_error if the control socket cannot be reached.
  std::string control(const std::string& command) const;
  // control(), but throws std::runtime_error unless the answer starts with "ok".
  void must(const std::string& command) const;
  // The broker's control socket, for `hc-devbroker ctl --socket PATH ...` in scripts.
  std::filesystem::path control_socket() const { return dir_.path() / "control.sock"; }

 private:
  TempDir dir_;
  std::optional<ChildProcess> process_;
  std::string bootstrap_servers_;
};

// A throwaway PostgreSQL 15 started through scripts/pg (own data dir, port and socket
// dir under a temp dir; as user postgres when we are root). Stopped and removed in the
// destructor.
class TempPostgres {
 public:
  TempPostgres();
  ~TempPostgres();
  TempPostgres(const TempPostgres&) = delete;
  TempPostgres& operator=(const TempPostgres&) = delete;

  int port() const { return port_; }
  // "postgresql://postgres@127.0.0.1:PORT/DATABASE"
  std::string uri(const std::string& database = "postgres") const;
  void create_database(const std::string& name);
  // Runs SQL through psql and returns its unaligned, tuples-only output (trimmed).
  std::string query(const std::string& sql, const std::string& database = "postgres") const;
  // The row count of `table`, or -1 while it cannot be read: not created yet (a consumer
  // migrates at start), or the server is away.
  long row_count(const std::string& table = "healthcheck",
                 const std::string& database = "postgres") const;
  // For outage tests: stop the server (fast) and start it again on the same port and data.
  void stop_server();
  void start_server();

 private:
  std::string state_dir_;
  int port_ = 0;
};

// Polls `condition` every 50 ms until it is true or `timeout` passes. Returns its last value.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout);

}  // namespace hc::test

#include "hc/test/support_inl.h"
