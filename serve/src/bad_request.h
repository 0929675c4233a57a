// What every request parser of `hc serve` shares: the refusal it returns and how it quotes a
// client's value back.
#pragma once

#include <string>
#include <string_view>

#include "hc/common/http_message.h"

namespace hc::serve {

// A request the server refuses with 400; `message` is one line for the client.
struct BadRequest {
  std::string message;
};

using QueryParams = http::QueryParams;

// A client's value quoted back in a BadRequest message: at most 80 bytes (then "..."), valid
// UTF-8. The message is sent as text/plain with nosniff, so no further escaping is needed.
std::string echo(std::string_view value);

}  // namespace hc::serve
