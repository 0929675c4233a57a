#include "hc/common/url_redaction.h"

#include <algorithm>
#include <cctype>

#include "hc/common/http_message.h"
#include "url_validation.h"

namespace hc {
namespace {

// A parameter name as the site's server reads it: percent escapes decoded, lowercased (so
// "%74oken" and "TOKEN" are "token").
std::string comparable_name(std::string_view name) {
  std::string result;
  result.reserve(name.size());
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '%' && i + 2 < name.size()) {
      const int high = http::hex_digit_value(name[i + 1]);
      const int low = http::hex_digit_value(name[i + 2]);
      if (high >= 0 && low >= 0) {
        c = static_cast<char>(high * 16 + low);
        i += 2;
      }
    }
    result.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return result;
}

}  // namespace

std::vector<std::string> default_redacted_query_params() {
  return {"token",
          "access_token",
          "key",
          "apikey",
          "api_key",
          "password",
          "secret",
          "client_secret",
          "signature",
          "sig",
          "auth",
          "code",
          "x-amz-signature",
          "x-amz-credential",
          "x-amz-security-token"};
}

std::string redact_url(std::string_view url, const std::vector<std::string>& params) {
  std::string text = config_detail::redact_userinfo(url);
  const std::size_t query = text.find('?');
  if (query == std::string::npos) return text;
  const std::size_t fragment = text.find('#', query);
  const std::size_t query_end = fragment == std::string::npos ? text.size() : fragment;
  std::string result = text.substr(0, query + 1);
  std::size_t start = query + 1;
  while (start <= query_end) {
    std::size_t end = text.find('&', start);
    if (end == std::string::npos || end > query_end) end = query_end;
    const std::string_view pair(text.data() + start, end - start);
    const std::size_t equals = pair.find('=');
    const std::string_view name = pair.substr(0, equals);
    const std::string comparable = comparable_name(name);
    const bool secret = equals != std::string_view::npos &&
                        std::any_of(params.begin(), params.end(), [&](const std::string& param) {
                          return comparable == comparable_name(param);
                        });
    result.append(secret ? std::string(name) + "=REDACTED" : std::string(pair));
    if (end == query_end) break;
    result.push_back('&');
    start = end + 1;
  }
  result.append(text, query_end, std::string::npos);
  return result;
}

}  // namespace hc
