// Logging setup for the hc binary (spdlog). Called once from main before any role runs.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace hc {

enum class LogFormat { kText, kJson };

// Installs the default spdlog logger: text ("2026-11-23 10:00:00.123 info [producer] ...")
// or JSON, one object per line: {"time":..,"level":..,"role":..,"message":..}.
void init_logging(LogFormat format, spdlog::level::level_enum level, const std::string& role);

}  // namespace hc
