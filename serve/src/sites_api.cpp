#include "sites_api.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api_responses.h"
#include "hc/common/site_json.h"

namespace hc::serve {
namespace {

// The site's URL from the path, percent-decoded once.
std::optional<std::string> path_url(const http::Request& request) {
  const auto found = request.path_params.find("url");
  if (found == request.path_params.end()) return std::nullopt;
  auto url = http::percent_decode(found->second);
  if (!url || url->empty()) return std::nullopt;
  return url;
}

http::Response bad_path_url() {
  return field_errors_response(
      {FieldError{"url", "expected the site's URL, percent-encoded, after /api/v1/sites/"}});
}

http::Response unreadable(const RecordStore& store, const std::string& problem) {
  return error_response(503, fmt::format("cannot read {}: {}", store.topic(), problem));
}

http::Response unpublished(const RecordStore& store, const std::vector<std::string>& failures) {
  return error_response(503, fmt::format("not written to {}: {}", store.topic(),
                                         failures.empty() ? "" : failures.front()));
}

class SitesApi {
 public:
  SitesApi(const ProducerConfig* producer, RecordStore* store, const WriteGuard& guard)
      : producer_(producer), store_(store), guard_(guard) {}

  http::Response list(const http::Request& /*request*/) const {
    if (store_ == nullptr) return not_configured();
    CompactedTopicRead read = store_->read();
    if (!read.complete) return unreadable(*store_, read.problem);
    return json_response(200, list_sites_json(read.latest, *producer_, store_->topic(), -1) + "\n");
  }

  http::Response get(const http::Request& request) const {
    if (store_ == nullptr) return not_configured();
    const auto url = path_url(request);
    if (!url) return bad_path_url();
    CompactedTopicRead read = store_->read();
    if (!read.complete) return unreadable(*store_, read.problem);
    auto site = listed_site_json(read.latest, *url, *producer_, store_->topic());
    if (!site) return not_found();
    return json_response(200, *site + "\n");
  }

  http::Response put(const http::Request& request) const {
    if (store_ == nullptr) return not_configured();
    if (auto refused = guard_.refuse(request)) return *refused;
    const auto url = path_url(request);
    if (!url) return bad_path_url();
    const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_object() && body.contains("url") && body["url"].is_string() &&
        body["url"].get<std::string>() != *url) {
      return error_response(
          409, "the body's url is not the URL in the path: leave it out or give the same URL");
    }
    const SiteValue prepared = prepare_site_value(*url, request.body, *producer_, "request body");
    if (!prepared.value) {
      std::vector<FieldError> errors;
      for (const ConfigError& error : prepared.errors) {
        errors.push_back(FieldError{error.key_path, error.message});
      }
      return field_errors_response(errors);
    }
    const auto failures = store_->publish({{*url, *prepared.value}});
    if (!failures.empty()) return unpublished(*store_, failures);
    SiteSet stored;
    stored.apply(0, 0, *url, *prepared.value);
    return json_response(200, *listed_site_json(stored, *url, *producer_, store_->topic()) + "\n");
  }

  http::Response remove(const http::Request& request) const {
    if (store_ == nullptr) return not_configured();
    if (auto refused = guard_.refuse(request)) return *refused;
    const auto url = path_url(request);
    if (!url) return bad_path_url();
    CompactedTopicRead read = store_->read();
    if (!read.complete) return unreadable(*store_, read.problem);
    if (!read.latest.sites().contains(*url)) return not_found();
    const auto failures = store_->publish({{*url, std::nullopt}});
    if (!failures.empty()) return unpublished(*store_, failures);
    return json_response(200, nlohmann::json({{"deleted", *url}}).dump() + "\n");
  }

 private:
  http::Response not_found() const {
    return error_response(404, fmt::format("no such site in {}", store_->topic()));
  }
  static http::Response not_configured() {
    return error_response(501,
                          "the sites API needs fleet mode: sites_topic in the "
                          "healthcheck-producer-config section of hc serve's config");
  }

  const ProducerConfig* producer_;
  RecordStore* store_;
  const WriteGuard& guard_;
};

}  // namespace

void add_sites_api(http::Routes& routes, const ProducerConfig* producer, RecordStore* store,
                   const WriteGuard& guard) {
  auto api = std::make_shared<const SitesApi>(producer, store, guard);
  routes.get("/api/v1/sites", [api](const http::Request& request) { return api->list(request); });
  routes.get("/api/v1/sites/{url...}",
             [api](const http::Request& request) { return api->get(request); });
  routes.add(
      "PUT", "/api/v1/sites/{url...}",
      [api](const http::Request& request) { return api->put(request); },
      http::RouteOptions{.max_body_bytes = kMaxSiteBodyBytes});
  routes.add("DELETE", "/api/v1/sites/{url...}",
             [api](const http::Request& request) { return api->remove(request); });
}

}  // namespace hc::serve
