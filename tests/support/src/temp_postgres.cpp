// A throwaway PostgreSQL through scripts/pg, the same script the demo and developers use.
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "hc/test/support.h"
#include "run_capture.h"

namespace hc::test {
namespace {

constexpr std::chrono::seconds kServerCommandTimeout{60};
constexpr std::chrono::seconds kQueryTimeout{60};

std::string pg_script() { return (source_dir() / "scripts" / "pg").string(); }

// Runs scripts/pg COMMAND DIR; throws with its output when it fails.
void run_pg_script(const std::string& command, const std::string& state_dir) {
  CommandResult result = run_command({pg_script(), command, state_dir}, kServerCommandTimeout);
  if (result.exit_code != 0) {
    throw std::runtime_error("scripts/pg " + command + " " + state_dir + " failed (exit " +
                             std::to_string(result.exit_code) + "): " + result.output);
  }
}

}  // namespace

TempPostgres::TempPostgres() : state_dir_(make_temp_directory("hc-pg").string()) {
  try {
    run_pg_script("start", state_dir_);
    std::ifstream port_file(std::filesystem::path(state_dir_) / "port");
    if (!(port_file >> port_)) throw std::runtime_error("scripts/pg wrote no port file");
  } catch (...) {
    run_command({pg_script(), "stop", state_dir_}, kServerCommandTimeout);
    std::filesystem::remove_all(state_dir_);
    throw;
  }
}

TempPostgres::~TempPostgres() {
  CommandResult result = run_command({pg_script(), "stop", state_dir_}, kServerCommandTimeout);
  if (result.exit_code != 0) {
    std::cerr << "TempPostgres: scripts/pg stop " << state_dir_ << " failed: " << result.output
              << '\n';
  }
}

std::string TempPostgres::uri(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

void TempPostgres::create_database(const std::string& name) {
  query("CREATE DATABASE \"" + name + "\"");
}

std::string TempPostgres::query(const std::string& sql, const std::string& database) const {
  // NOTICEs (e.g. "already exists, skipping") go to stderr and are not part of the result.
  CapturedRun run =
      run_capture({"psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", uri(database), "-c", sql},
                  kQueryTimeout, {{"PGCONNECT_TIMEOUT", "5"}},
                  /*merge_stderr=*/false);
  if (run.exit_code != 0) {
    throw std::runtime_error("psql on " + uri(database) + " failed (exit " +
                             std::to_string(run.exit_code) + ") for: " + sql + "\n" +
                             run.stderr_text);
  }
  return trim(run.stdout_text);
}

long TempPostgres::row_count(const std::string& table, const std::string& database) const {
  try {
    return std::stol(query("SELECT count(*) FROM " + table, database));
  } catch (const std::exception&) {
    return -1;
  }
}

void TempPostgres::stop_server() { run_pg_script("stop-server", state_dir_); }

void TempPostgres::start_server() { run_pg_script("start-server", state_dir_); }

}  // namespace hc::test
