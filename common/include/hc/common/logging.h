// Logging for the hc binary (spdlog). init_logging() is called once from main before any
// role runs; libraries then log through spdlog's default logger, from any thread.
#pragma once

#include <spdlog/spdlog.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

namespace hc {

enum class LogFormat { kText, kJson };

// Installs the default spdlog logger on stderr (stdout stays free for command output):
//   text: "2026-11-23 10:00:00.123 info [producer] check failed url=http://x error=timeout"
//   json: {"time":"2026-11-23T10:00:00.123456Z","level":"info","role":"producer",
//          "message":"check failed","url":"http://x","error":"timeout"}   (one per line)
void init_logging(LogFormat format, spdlog::level::level_enum level, const std::string& role);

// The formatter init_logging installs; for tests and for extra sinks.
std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format, const std::string& role);

// A named value attached to one log line: a field of its own in JSON, " key=value" in text.
struct LogField {
  std::string_view key;  // snake_case: url, topic, partition, table, database, error
  std::string value;
};

// Logs `message` with `fields`. Plain spdlog calls keep working; use this where a machine
// will want to filter on a value (URL, topic, partition, table).
void log_event(spdlog::level::level_enum level, std::string_view message,
               std::initializer_list<LogField> fields);

}  // namespace hc
