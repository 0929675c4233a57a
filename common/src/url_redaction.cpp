#include "hc/common/url_redaction.h"

#include <algorithm>
#include <cctype>

#include "url_validation.h"

namespace hc {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

std::vector<std::string> default_redacted_query_params() {
  return {"token", "key", "apikey", "api_key", "password", "secret", "signature", "sig"};
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
    const bool secret = equals != std::string_view::npos &&
                        std::any_of(params.begin(), params.end(), [name](const std::string& param) {
                          return same_name(name, param);
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
