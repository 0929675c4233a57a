// Paths baked in at build time; see tests/CMakeLists.txt for the compile definitions.
#include "hc/test/support.h"

#include <fstream>

namespace hc::test {

std::filesystem::path source_dir() { return HC_SOURCE_DIR; }
std::filesystem::path hc_binary() { return HC_BINARY; }
std::filesystem::path devbroker_binary() { return HC_DEVBROKER_BINARY; }

CommandResult run_hc(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv = {hc_binary().string()};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return run_command(argv, std::chrono::seconds(30));
}

ChildProcess start_hc(const std::string& role, const std::filesystem::path& config,
                      const std::string& name, const std::vector<std::string>& args) {
  ChildProcess::Options options;
  options.stderr_file = config.parent_path() / (name + ".log");
  options.stdout_file = config.parent_path() / (name + ".out");
  std::vector<std::string> argv{hc_binary().string(), role, "-c", config.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return ChildProcess(std::move(argv), std::move(options));
}

std::string record_like_the_consumer_sql(const std::string& table) {
  return "INSERT INTO " + table + "_latest SELECT DISTINCT ON (url_digest) * FROM " + table +
         " ORDER BY url_digest, measurement_time DESC ON CONFLICT (url_digest) DO NOTHING;"
         "INSERT INTO hc_rollup_pending (table_name, hour) SELECT DISTINCT '" +
         table +
         "', date_bin('1 hour', measurement_time, timestamptz '2000-01-01 00:00+00') FROM " + table;
}

std::filesystem::path write_checks_config(const TempDir& dir, const std::string& uri,
                                          const std::string& route_lines) {
  auto config = dir.path() / "config.yaml";
  std::ofstream(config) << "healthcheck-consumer-config:\n"
                        << "  bootstrap_servers: [\"127.0.0.1:9\"]\n"
                        << "  topics:\n"
                        << "    - source_topic: healthcheck\n"
                        << "      connection_uri: \"" << uri << "\"\n"
                        << "      table_name: checks\n"
                        << route_lines;
  return config;
}

}  // namespace hc::test
