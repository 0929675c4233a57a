#include <regex>

#include "hc/common/url_redaction.h"

namespace hc {

std::string redact_connection_uri(std::string_view uri) {
  std::string text(uri);
  auto scheme_end = text.find("://");
  if (scheme_end != std::string::npos) {
    auto authority_begin = scheme_end + 3;
    auto at = text.find('@', authority_begin);
    auto slash = text.find('/', authority_begin);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      auto colon = text.find(':', authority_begin);
      if (colon != std::string::npos && colon < at) text.erase(colon, at - colon);
    }
    // A password may also come as a query parameter: ...?password=secret
    static const std::regex query_password(R"(([?&](?:ssl)?password=)[^&]*)");
    return std::regex_replace(text, query_password, "$1***");
  }
  static const std::regex keyword_password(R"((password\s*=\s*)('(\\.|[^'])*'|\S+))");
  return std::regex_replace(text, keyword_password, "$1***");
}

}  // namespace hc
