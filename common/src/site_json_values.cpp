// prepare_site_value and the site listing: what the tools that manage the sites topic (`hc
// sites`, the sites API) publish and show, decided here once.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>

#include "hc/common/site_json.h"
#include "url_validation.h"

namespace hc {
namespace {

std::string dump(const nlohmann::ordered_json& json, int indent) {
  return json.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

nlohmann::ordered_json listed_site(const std::string& url, const SiteRecord& record,
                                   const ProducerConfig& producer, std::string_view topic) {
  nlohmann::ordered_json site = {{"url", url}};
  nlohmann::ordered_json stored = nlohmann::ordered_json::parse(record.value, nullptr, false);
  if (stored.is_object()) {
    for (auto& [key, setting] : stored.items()) {
      if (key != "url") site[key] = setting;
    }
  }
  if (site.contains("basic_auth") && site["basic_auth"].is_object() &&
      site["basic_auth"].contains("password")) {
    site["basic_auth"]["password"] = "REDACTED";
  }
  if (site.contains("proxy") && site["proxy"].is_string()) {
    site["proxy"] = config_detail::redact_userinfo(site["proxy"].get<std::string>());
  }
  SiteDecodeResult decoded =
      decode_site_json(url, record.value, producer,
                       fmt::format("{}[{}]@{}", topic, record.partition, record.offset));
  if (!decoded.site) site["invalid"] = decoded.errors.front().to_string();
  return site;
}

}  // namespace

SiteValue prepare_site_value(std::string_view url, std::string_view settings_json,
                             const ProducerConfig& producer, std::string_view source) {
  SiteValue result;
  nlohmann::ordered_json settings = nlohmann::ordered_json::parse(settings_json, nullptr, false);
  if (!settings.is_object()) {
    // decode_site_json words the refusal (not JSON, not an object, too deep).
    result.errors = decode_site_json(url, settings_json, producer, source).errors;
    return result;
  }
  nlohmann::ordered_json value = {{"url", std::string(url)}};
  for (auto& [key, setting] : settings.items()) {
    if (key != "url") value[key] = setting;
  }
  if (const auto given = settings.find("url"); given != settings.end()) value["url"] = *given;
  const std::string text = dump(value, -1);
  SiteDecodeResult decoded = decode_site_json(url, text, producer, source);
  result.errors = std::move(decoded.errors);
  if (result.errors.empty()) result.value = text;
  return result;
}

std::string list_sites_json(const SiteSet& sites, const ProducerConfig& producer,
                            std::string_view topic, int indent) {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const auto& [url, record] : sites.sites()) {
    array.push_back(listed_site(url, record, producer, topic));
  }
  return dump(array, indent);
}

std::optional<std::string> listed_site_json(const SiteSet& sites, std::string_view url,
                                            const ProducerConfig& producer,
                                            std::string_view topic) {
  const auto found = sites.sites().find(std::string(url));
  if (found == sites.sites().end()) return std::nullopt;
  return dump(listed_site(found->first, found->second, producer, topic), -1);
}

}  // namespace hc
