#pragma once

#include <string>
#include <string_view>

namespace hc {

// Lowercase hex SHA-256 of the URL bytes: the url_digest of messages and tables.
std::string url_digest(std::string_view url);

}  // namespace hc
