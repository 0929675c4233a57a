// `hc --producer --help` and `hc --consumer --help`: what the role does and the options that
// apply to it (the general --help lists the subcommands and every option).
#pragma once

#include <string>
#include <string_view>

namespace hc::cli {

// The help text of `role` ("producer" or "consumer"); empty for any other name.
std::string role_help(std::string_view role);

}  // namespace hc::cli
