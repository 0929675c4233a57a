#include <stdexcept>

#include "hc/common/config.h"

namespace hc {
// Placeholder: the loader lands with the config work.
EnvLookup process_environment() { return [](const std::string&) { return std::nullopt; }; }
ConfigLoadResult load_config(const std::filesystem::path& file, const EnvLookup&) {
  return {std::nullopt, {ConfigError{file.string(), 0, 0, "", "config loader not built yet"}}};
}
ConfigLoadResult parse_config(std::string_view, std::string_view file_name, const EnvLookup&) {
  return {std::nullopt, {ConfigError{std::string(file_name), 0, 0, "", "not built yet"}}};
}
std::string ConfigError::to_string() const { return file + ": " + message; }
bool is_safe_identifier(std::string_view) { return false; }
}  // namespace hc
