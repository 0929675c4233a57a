// healthcheck-serve-config: the settings of `hc serve` itself (the admin API's token).
#include <array>

#include "config_sections.h"

namespace hc::config_detail {
namespace {

constexpr std::array<std::string_view, 1> kServeKeys = {"api_token"};

}  // namespace

ServeConfig read_serve_section(YamlReader& reader, const Located& section) {
  ServeConfig serve;
  auto fields = reader.map(section, kServeKeys, "a map of hc serve settings (api_token)");
  if (!fields) return serve;
  if (const Located* token = fields->find("api_token")) {
    // The token is never quoted: only its length is described.
    if (auto text = reader.string(*token)) {
      if (!text->empty() && text->size() < ServeConfig::kMinApiTokenBytes) {
        reader.report(token->mark, token->path,
                      "expected at least 16 characters (e.g. `openssl rand -hex 32`), or empty "
                      "for no token (then the admin API refuses every write)");
      } else if (text->find_first_of(" \t\r\n") != std::string::npos) {
        reader.report(token->mark, token->path,
                      "expected a token without spaces or line breaks (it is sent in an "
                      "Authorization header)");
      } else {
        serve.api_token = *text;
      }
    }
  }
  return serve;
}

}  // namespace hc::config_detail
