#include "hc/common/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>

namespace hc {
namespace {

// log_event() sends "message<kFieldSeparator>{json fields}" through spdlog; our formatters
// split it again. The separator (ASCII unit separator) does not occur in log text.
constexpr char kFieldSeparator = '\x1f';

struct SplitPayload {
  std::string_view message;
  nlohmann::ordered_json fields;  // object in log_event order, or null when none
};

SplitPayload split_payload(const spdlog::details::log_msg& msg) {
  std::string_view payload(msg.payload.data(), msg.payload.size());
  auto separator = payload.find(kFieldSeparator);
  if (separator == std::string_view::npos) return {payload, nullptr};
  return {payload.substr(0, separator),
          nlohmann::ordered_json::parse(payload.substr(separator + 1), nullptr, false)};
}

std::string utc_time(const spdlog::log_clock::time_point& time, bool iso) {
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[48];
  std::size_t n =
      std::strftime(buffer, sizeof buffer, iso ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &utc);
  if (iso) {
    std::snprintf(buffer + n, sizeof buffer - n, ".%06lldZ",
                  static_cast<long long>(micros % 1'000'000));
  } else {
    std::snprintf(buffer + n, sizeof buffer - n, ".%03lld",
                  static_cast<long long>(micros % 1'000'000 / 1000));
  }
  return buffer;
}

void append(spdlog::memory_buf_t& dest, std::string_view text) {
  dest.append(text.data(), text.data() + text.size());
}

std::string level_name(spdlog::level::level_enum level) {
  auto name = spdlog::level::to_string_view(level);
  return {name.data(), name.size()};
}

// "2026-11-23 10:00:00.123 info [producer] message key=value ..." (UTC).
class TextFormatter final : public spdlog::formatter {
 public:
  explicit TextFormatter(std::string role) : role_(std::move(role)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    SplitPayload payload = split_payload(msg);
    append(dest, utc_time(msg.time, false));
    append(dest, " ");
    append(dest, level_name(msg.level));
    append(dest, " [" + role_ + "] ");
    append(dest, payload.message);
    if (payload.fields.is_object()) {
      for (const auto& [key, value] : payload.fields.items()) {
        const std::string& text = value.get_ref<const std::string&>();
        bool quote = text.empty() || text.find_first_of(" \"=") != std::string::npos;
        append(dest, " " + key + "=" + (quote ? nlohmann::json(text).dump() : text));
      }
    }
    append(dest, "\n");
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextFormatter>(role_);
  }

 private:
  std::string role_;
};

// One JSON object per line: time, level, role, message, then the fields of log_event().
class JsonFormatter final : public spdlog::formatter {
 public:
  explicit JsonFormatter(std::string role) : role_(std::move(role)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    SplitPayload payload = split_payload(msg);
    nlohmann::ordered_json record = {
        {"time", utc_time(msg.time, true)},
        {"level", level_name(msg.level)},
        {"role", role_},
        {"message", std::string(payload.message)},
    };
    if (payload.fields.is_object()) {
      for (const auto& [key, value] : payload.fields.items()) {
        if (!record.contains(key)) record[key] = value;
      }
    }
    append(dest, record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    append(dest, "\n");
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>(role_);
  }

 private:
  std::string role_;
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format, const std::string& role) {
  if (format == LogFormat::kJson) return std::make_unique<JsonFormatter>(role);
  return std::make_unique<TextFormatter>(role);
}

void init_logging(LogFormat format, spdlog::level::level_enum level, const std::string& role) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(spdlog::color_mode::never);
  auto logger = std::make_shared<spdlog::logger>("hc", sink);
  logger->set_formatter(make_log_formatter(format, role));
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

void log_event(spdlog::level::level_enum level, std::string_view message,
               std::initializer_list<LogField> fields) {
  if (!spdlog::should_log(level)) return;
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (const auto& field : fields) object[std::string(field.key)] = field.value;
  std::string payload(message);
  payload.push_back(kFieldSeparator);
  payload += object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  spdlog::log(level, "{}", payload);
}

}  // namespace hc
