// Captures what spdlog's default logger writes while it lives (at every level), then puts the
// previous default logger back. Not for tests that log from several test threads at once
// through other loggers.
#pragma once

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>
#include <string>

namespace hc::test {

class LogCapture {
 public:
  // `formatter`: how lines are written (null: spdlog's default pattern).
  explicit LogCapture(std::unique_ptr<spdlog::formatter> formatter = nullptr)
      : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    if (formatter) sink->set_formatter(std::move(formatter));
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::string text() const {
    spdlog::default_logger()->flush();
    return stream_.str();
  }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace hc::test
