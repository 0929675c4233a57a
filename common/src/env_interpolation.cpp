#include "env_interpolation.h"

#include <cctype>

namespace hc::config_detail {
namespace {

bool is_variable_name(std::string_view name) {
  if (name.empty()) return false;
  if (!std::isalpha(static_cast<unsigned char>(name[0])) && name[0] != '_') return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

std::variant<std::string, InterpolationFailure> interpolate_env(std::string_view text,
                                                                const EnvLookup& env) {
  std::string result;
  InterpolationFailure failure;
  std::size_t position = 0;
  while (position < text.size()) {
    std::size_t start = text.find("${", position);
    if (start == std::string_view::npos) {
      result.append(text.substr(position));
      break;
    }
    result.append(text.substr(position, start - position));
    std::size_t end = text.find('}', start + 2);
    if (end == std::string_view::npos) {
      failure.syntax_error = "unterminated '${' (expected ${NAME} or ${NAME:-default})";
      break;
    }
    std::string_view inner = text.substr(start + 2, end - start - 2);
    std::size_t separator = inner.find(":-");
    std::string_view name = inner.substr(0, separator);
    if (!is_variable_name(name)) {
      failure.syntax_error = "'${" + std::string(inner) +
                             "}' is not ${NAME} or ${NAME:-default} (NAME is letters, digits, _)";
      break;
    }
    std::optional<std::string> value = env(std::string(name));
    if (separator != std::string_view::npos && (!value || value->empty())) {
      result.append(inner.substr(separator + 2));
    } else if (value) {
      result.append(*value);
    } else {
      failure.unset_variables.emplace_back(name);
    }
    position = end + 1;
  }
  if (!failure.syntax_error.empty() || !failure.unset_variables.empty()) return failure;
  return result;
}

}  // namespace hc::config_detail
