#include "bad_request.h"

#include "html_escape.h"

namespace hc::serve {

std::string echo(std::string_view value) {
  constexpr std::size_t kMaxEchoBytes = 80;
  if (value.size() > kMaxEchoBytes) return valid_utf8(value.substr(0, kMaxEchoBytes)) + "...";
  return valid_utf8(value);
}

}  // namespace hc::serve
