// The JSON answers of the admin API (sites, silences, fleet): one shape for every error,
//   {"error": "one line for a person", "errors": [{"field": "key", "message": "..."}]}
// ("errors" only where fields were at fault), so clients can show which field to fix.
#pragma once

#include <string>
#include <vector>

#include "hc/common/http_message.h"
#include "hc/common/silence_json.h"

namespace hc::serve {

// `body` is JSON already.
http::Response json_response(int status, std::string body);
http::Response error_response(int status, const std::string& message);
// A 400 naming every field at fault; "error" summarizes the first.
http::Response field_errors_response(const std::vector<FieldError>& errors);

}  // namespace hc::serve
