#include "hc/common/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <memory>
#include <nlohmann/json.hpp>

namespace hc {
namespace {

// Formats one record as a JSON object on one line. Fields are not parsed out of the
// message: the message is kept as written, escaped by nlohmann::json.
class JsonFormatter final : public spdlog::formatter {
 public:
  explicit JsonFormatter(std::string role) : role_(std::move(role)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(msg.time.time_since_epoch());
    WallTimeText time = format_time(micros);
    nlohmann::json record = {
        {"time", time.text},
        {"level", spdlog::level::to_string_view(msg.level).data()},
        {"role", role_},
        {"message", std::string(msg.payload.data(), msg.payload.size())},
    };
    std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line.push_back('\n');
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>(role_);
  }

 private:
  struct WallTimeText {
    std::string text;
  };
  static WallTimeText format_time(std::chrono::microseconds since_epoch) {
    std::time_t seconds = static_cast<std::time_t>(since_epoch.count() / 1'000'000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[40];
    std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(buffer + n, sizeof buffer - n, ".%06lldZ",
                  static_cast<long long>(since_epoch.count() % 1'000'000));
    return {buffer};
  }

  std::string role_;
};

}  // namespace

void init_logging(LogFormat format, spdlog::level::level_enum level, const std::string& role) {
  // Logs go to stderr so stdout stays free for command output (check-config, status).
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(spdlog::color_mode::automatic);
  auto logger = std::make_shared<spdlog::logger>("hc", sink);
  if (format == LogFormat::kJson) {
    logger->set_formatter(std::make_unique<JsonFormatter>(role));
  } else {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ [" + role + "] %v");
  }
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace hc
