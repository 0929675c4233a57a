#include "silences_api.h"

#include <fmt/format.h>

#include <array>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>

#include "api_responses.h"
#include "hc/common/silence_json.h"

namespace hc::serve {
namespace {

std::string_view state_of(const RuntimeSilence& silence, std::chrono::sys_seconds now) {
  if (now < silence.starts_at) return "pending";
  return now < silence.ends_at ? "active" : "expired";
}

nlohmann::ordered_json shown(const RuntimeSilence& silence, std::chrono::sys_seconds now) {
  nlohmann::ordered_json json = nlohmann::ordered_json::parse(encode_silence_json(silence));
  json["state"] = state_of(silence, now);
  return json;
}

std::string dump(const nlohmann::ordered_json& json) {
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

class SilencesApi {
 public:
  SilencesApi(RecordStore* store, const WriteGuard& guard, const Clock& clock,
              SilenceIdSource new_id)
      : store_(store), guard_(guard), clock_(clock), new_id_(std::move(new_id)) {}

  http::Response list(const http::Request& /*request*/) const {
    if (store_ == nullptr) return not_configured();
    CompactedTopicRead read = store_->read();
    if (!read.complete) return unreadable(read.problem);
    const auto now = now_seconds();
    nlohmann::ordered_json silences = nlohmann::ordered_json::array();
    for (const auto& [id, record] : read.latest.sites()) {
      SilenceParse decoded = decode_silence_record(id, record.value);
      if (decoded.silence) {
        silences.push_back(shown(*decoded.silence, now));
      } else {
        // Not written by hc serve (or by another version): shown, so it can be deleted.
        silences.push_back(
            {{"id", id},
             {"invalid", decoded.errors.front().field + ": " + decoded.errors.front().message}});
      }
    }
    return json_response(200, dump({{"silences", silences}}));
  }

  http::Response create(const http::Request& request) const {
    if (store_ == nullptr) return not_configured();
    if (auto refused = guard_.refuse(request)) return *refused;
    SilenceParse parsed = parse_silence_request(request.body, new_id_(), now_seconds());
    if (!parsed.silence) return field_errors_response(parsed.errors);
    const RuntimeSilence& silence = *parsed.silence;
    const auto failures = store_->publish({{silence.id, encode_silence_json(silence)}});
    if (!failures.empty()) return unpublished(failures);
    http::Response created = json_response(201, dump(shown(silence, now_seconds())));
    created.headers.emplace_back("Location", "/api/v1/silences/" + silence.id);
    return created;
  }

  http::Response remove(const http::Request& request) const {
    if (store_ == nullptr) return not_configured();
    if (auto refused = guard_.refuse(request)) return *refused;
    const auto found = request.path_params.find("id");
    const auto id =
        found == request.path_params.end() ? std::nullopt : http::percent_decode(found->second);
    if (!id) return field_errors_response({FieldError{"id", "expected a silence id"}});
    CompactedTopicRead read = store_->read();
    if (!read.complete) return unreadable(read.problem);
    if (!read.latest.sites().contains(*id)) {
      return error_response(404, fmt::format("no such silence in {}", store_->topic()));
    }
    const auto failures = store_->publish({{*id, std::nullopt}});
    if (!failures.empty()) return unpublished(failures);
    return json_response(200, dump({{"deleted", *id}}));
  }

 private:
  std::chrono::sys_seconds now_seconds() const {
    return std::chrono::time_point_cast<std::chrono::seconds>(clock_.wall_now());
  }
  http::Response unreadable(const std::string& problem) const {
    return error_response(503, fmt::format("cannot read {}: {}", store_->topic(), problem));
  }
  http::Response unpublished(const std::vector<std::string>& failures) const {
    return error_response(503, fmt::format("not written to {}: {}", store_->topic(),
                                           failures.empty() ? "" : failures.front()));
  }
  static http::Response not_configured() {
    return error_response(501,
                          "the silences API needs a healthcheck-notify-config section (its "
                          "silences_topic) in hc serve's config");
  }

  RecordStore* store_;
  const WriteGuard& guard_;
  const Clock& clock_;
  SilenceIdSource new_id_;
};

}  // namespace

std::string random_silence_id() {
  std::random_device random;
  std::string id;
  for (int i = 0; i < 4; ++i) id += fmt::format("{:08x}", random());
  return id;
}

void add_silences_api(http::Routes& routes, RecordStore* store, const WriteGuard& guard,
                      const Clock& clock, SilenceIdSource new_id) {
  auto api = std::make_shared<const SilencesApi>(store, guard, clock, std::move(new_id));
  routes.get("/api/v1/silences",
             [api](const http::Request& request) { return api->list(request); });
  routes.add(
      "POST", "/api/v1/silences",
      [api](const http::Request& request) { return api->create(request); },
      http::RouteOptions{.max_body_bytes = kMaxSilenceBodyBytes});
  routes.add("DELETE", "/api/v1/silences/{id}",
             [api](const http::Request& request) { return api->remove(request); });
}

}  // namespace hc::serve
