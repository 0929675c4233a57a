// redact_query_params: one list per config, whichever section names it.
#include <algorithm>

#include "config_sections.h"
#include "hc/common/url_redaction.h"

namespace hc::config_detail {

std::vector<std::string> read_redact_query_params(YamlReader& reader, const MapFields& section) {
  const Located* value = section.find("redact_query_params");
  if (value == nullptr) return default_redacted_query_params();
  std::vector<std::string> params;
  auto items = reader.list(*value, "a list of query parameter names");
  if (!items) return default_redacted_query_params();
  for (const Located& item : *items) {
    auto name = reader.string(item);
    if (!name) continue;
    if (name->empty() || name->find_first_of("&=#") != std::string::npos) {
      reader.report(item.mark, item.path,
                    "expected a query parameter name (not empty, no '&', '=' or '#')");
      continue;
    }
    params.push_back(*name);
  }
  return params;
}

void share_redact_query_params(Config& config) {
  if (!config.producer || !config.consumer) return;
  std::vector<std::string>& producer = config.producer->redact_query_params;
  std::vector<std::string>& consumer = config.consumer->redact_query_params;
  for (const std::string& name : consumer) {
    if (std::find(producer.begin(), producer.end(), name) == producer.end()) {
      producer.push_back(name);
    }
  }
  consumer = producer;
}

}  // namespace hc::config_detail
