#include "api_responses.h"

#include <nlohmann/json.hpp>

namespace hc::serve {
namespace {

std::string dump(const nlohmann::ordered_json& json) {
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace

http::Response json_response(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.content_type = "application/json; charset=utf-8";
  response.body = std::move(body);
  return response;
}

http::Response error_response(int status, const std::string& message) {
  return json_response(status, dump({{"error", message}}));
}

http::Response field_errors_response(const std::vector<FieldError>& errors) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const FieldError& error : errors) {
    list.push_back({{"field", error.field}, {"message", error.message}});
  }
  std::string summary = "invalid request";
  if (!errors.empty()) {
    summary = errors.front().field.empty() ? errors.front().message
                                           : errors.front().field + ": " + errors.front().message;
  }
  return json_response(400, dump({{"error", summary}, {"errors", list}}));
}

}  // namespace hc::serve
