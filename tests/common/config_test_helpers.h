// Shared helpers of the config_*_test.cpp files.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/config.h"

namespace hc::test {

// An EnvLookup over a fixed map: tests never read or change the process environment.
inline EnvLookup env_of(std::map<std::string, std::string> variables = {}) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

inline ConfigLoadResult parse(std::string_view yaml, const EnvLookup& env = env_of()) {
  return parse_config(yaml, "test.yaml", env);
}

// A producer section up to `websites:` (lines 1-5): a test's sites start at line 6.
inline constexpr std::string_view kSitesHead =
    "healthcheck-producer-config:\n"
    "  bootstrap_servers: 127.0.0.1:9092\n"
    "  defaults:\n"
    "    destination_topic: healthcheck\n"
    "  websites:\n";

// Each error as its one-line text (file:line:col: key: message), in order.
inline std::vector<std::string> error_lines(const ConfigLoadResult& result) {
  std::vector<std::string> lines;
  for (const ConfigError& error : result.errors) lines.push_back(error.to_string());
  return lines;
}

// Every error, one per line, for failure messages.
inline std::string all_errors(const ConfigLoadResult& result) {
  std::string text;
  for (const ConfigError& error : result.errors) text += error.to_string() + "\n";
  return text;
}

}  // namespace hc::test

namespace hc {
// "200-299" in test failure messages (gtest would print the struct's bytes).
// NOLINTNEXTLINE(readability-identifier-naming): gtest looks the name up.
inline void PrintTo(const StatusRange& range, std::ostream* out) {
  *out << range.first << '-' << range.last;
}
}  // namespace hc
