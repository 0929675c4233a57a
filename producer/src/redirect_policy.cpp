#include "redirect_policy.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "curl_handles.h"

namespace hc::producer {
namespace {

std::optional<std::string> url_part(CURLU* url, CURLUPart part, unsigned int flags = 0) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, flags) != CURLUE_OK || text == nullptr) return std::nullopt;
  CurlString owned(text);
  return std::string(owned.get());
}

}  // namespace

std::optional<Origin> origin_of(std::string_view url) {
  CurlUrl parsed(curl_url());
  if (!parsed) return std::nullopt;
  const std::string text(url);
  if (curl_url_set(parsed.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) return std::nullopt;
  auto scheme = url_part(parsed.get(), CURLUPART_SCHEME);
  auto host = url_part(parsed.get(), CURLUPART_HOST);
  auto port = url_part(parsed.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!scheme || !host || !port) return std::nullopt;
  Origin origin;
  origin.scheme = std::move(*scheme);
  origin.host = std::move(*host);
  std::transform(origin.scheme.begin(), origin.scheme.end(), origin.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::transform(origin.host.begin(), origin.host.end(), origin.host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto [end, error] = std::from_chars(port->data(), port->data() + port->size(), origin.port);
  if (error != std::errc() || end != port->data() + port->size()) return std::nullopt;
  return origin;
}

std::optional<std::string> resolve_location(std::string_view hop_url, std::string_view location) {
  CurlUrl url(curl_url());
  if (!url) return std::nullopt;
  const std::string base(hop_url);
  const std::string target(location);
  // With a URL already set, curl_url_set resolves a relative one against it.
  if (curl_url_set(url.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK ||
      curl_url_set(url.get(), CURLUPART_URL, target.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;
  }
  return url_part(url.get(), CURLUPART_URL);
}

bool is_followed_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::variant<RedirectHop, RedirectRefused> follow_redirect(const RedirectRequest& redirect) {
  if (redirect.hops_done >= redirect.max_redirects) {
    return RedirectRefused{"Maximum (" + std::to_string(redirect.max_redirects) +
                           ") redirects followed"};
  }
  const std::optional<Origin> site = origin_of(redirect.site_url);
  const std::optional<Origin> target = origin_of(redirect.location);
  if (!site || !target || (target->scheme != "http" && target->scheme != "https")) {
    return RedirectRefused{"redirect to a location that is not an http(s) URL"};
  }
  if (site->scheme == "https" && target->scheme != "https") {
    return RedirectRefused{"refused a redirect from https to plain http"};
  }
  RedirectHop hop;
  hop.url = std::string(redirect.location);
  hop.method = std::string(redirect.method);
  if ((redirect.status == 303 && hop.method != "HEAD") ||
      ((redirect.status == 301 || redirect.status == 302) && hop.method == "POST")) {
    hop.method = "GET";
  }
  hop.to_site_origin = *target == *site;
  return hop;
}

}  // namespace hc::producer
