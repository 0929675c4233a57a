// Interpolation of "${VAR}" and "${VAR:-default}" in scalars tagged !ENV.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hc/common/config.h"

namespace hc::config_detail {

// Why a !ENV value could not be interpolated. Messages name variables, never values.
struct InterpolationFailure {
  std::vector<std::string> unset_variables;  // "${VAR}" with VAR unset and no default
  std::string syntax_error;                  // malformed "${...}"; empty if none
};

// Replaces every "${NAME}" and "${NAME:-default}" in `text`, shell-style: the default is
// used when NAME is unset or empty. NAME is [A-Za-z_][A-Za-z0-9_]*. A "$" not followed by
// "{" is literal. Returns the interpolated string or, if any variable without a default is
// unset or the syntax is malformed, every such problem.
std::variant<std::string, InterpolationFailure> interpolate_env(std::string_view text,
                                                                const EnvLookup& env);

}  // namespace hc::config_detail
