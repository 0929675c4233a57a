// encode_site_json: every setting of a SiteConfig under its `websites` key (the key names of
// config_producer_section.cpp; site_json_test round-trips a site with every field set).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "hc/common/site_json.h"

namespace hc {
namespace {

nlohmann::ordered_json header_map(const std::vector<std::pair<std::string, std::string>>& headers) {
  nlohmann::ordered_json map = nlohmann::ordered_json::object();
  for (const auto& [name, value] : headers) map[name] = value;
  return map;
}

nlohmann::ordered_json status_list(const std::vector<StatusRange>& statuses) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const StatusRange& range : statuses) {
    if (range.first == range.last) {
      list.push_back(range.first);
    } else {
      list.push_back(std::to_string(range.first) + "-" + std::to_string(range.last));
    }
  }
  return list;
}

nlohmann::ordered_json tls_map(const TlsSettings& tls) {
  nlohmann::ordered_json map = {{"ca_file", tls.ca_file.str()},
                                {"cert_file", tls.cert_file.str()},
                                {"key_file", tls.key_file.str()},
                                {"server_name", tls.server_name.str()},
                                {"insecure_skip_verify", tls.insecure_skip_verify}};
  if (tls.min_version != 0) map["min_version"] = tls.min_version == 13 ? "1.3" : "1.2";
  return map;
}

const std::string& text_or_empty(const std::optional<SharedText>& text) {
  static const std::string none;
  return text ? text->str() : none;
}

}  // namespace

std::string encode_site_json(const SiteConfig& site) {
  nlohmann::ordered_json json = {
      {"url", site.url},
      {"polling_interval_in_seconds", site.polling_interval.count()},
      {"timeout_ms", site.timeout.count()},
      {"destination_topic", site.destination_topic.str()},
      {"method", site.method.str()},
      {"headers", header_map(site.headers)},
      {"follow_redirects", site.follow_redirects},
      {"max_redirects", site.max_redirects},
      {"max_body_bytes", site.max_body_bytes},
      {"regex", text_or_empty(site.regex)},
      {"regex_absent", text_or_empty(site.regex_absent)},
      {"headers_match", header_map(site.headers_match)},
      {"down_after", site.down_after},
      {"up_after", site.up_after},
      {"events_topic", site.events_topic.str()},
      {"retries", site.retries},
      {"retry_delay_ms", site.retry_delay.count()},
      {"max_concurrent_per_host", site.max_concurrent_per_host},
      {"proxy", site.proxy.str()},
      {"ip_version", site.ip_version == IpVersion::kV4   ? "4"
                     : site.ip_version == IpVersion::kV6 ? "6"
                                                         : "any"},
      {"tls", tls_map(site.tls)},
      {"count", site.echo_count},
      {"interval_ms", site.echo_interval.count()},
  };
  nlohmann::ordered_json deny = nlohmann::ordered_json::array();
  if (site.redirect_deny_loopback) deny.push_back("loopback");
  if (site.redirect_deny_private) deny.push_back("private");
  json["redirect_deny"] = deny;
  if (const std::string& no_proxy = site.no_proxy; !no_proxy.empty()) {
    nlohmann::ordered_json hosts = nlohmann::ordered_json::array();
    for (std::size_t start = 0; start <= no_proxy.size();) {
      const std::size_t comma = std::min(no_proxy.find(',', start), no_proxy.size());
      hosts.push_back(no_proxy.substr(start, comma - start));
      start = comma + 1;
    }
    json["no_proxy"] = hosts;
  }
  if (!site.expected_status.empty()) json["expected_status"] = status_list(site.expected_status);
  if (site.basic_auth) {
    json["basic_auth"] = {{"username", site.basic_auth->username.str()},
                          {"password", site.basic_auth->password.str()}};
  }
  if (site.max_response_time) json["max_response_time_ms"] = site.max_response_time->count();
  if (site.min_cert_days) json["min_cert_days"] = *site.min_cert_days;
  if (site.min_body_bytes) json["min_body_bytes"] = *site.min_body_bytes;
  if (site.max_loss_percent) json["max_loss_percent"] = *site.max_loss_percent;
  if (!site.send.empty()) json["send"] = site.send.str();
  if (site.expect) json["expect"] = site.expect->str();
  if (site.expected_pattern) {
    json["expected"] = site.expected_pattern->str();
  } else if (!site.expected_answers.empty()) {
    json["expected"] = site.expected_answers;
  }
  // Only the keys of the site's check type: the reader refuses an http key on a tcp site.
  nlohmann::ordered_json applying = nlohmann::ordered_json::object();
  for (auto& [key, value] : json.items()) {
    if (site_key_applies(key, site.check_type)) applying[key] = std::move(value);
  }
  json = std::move(applying);
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace hc
