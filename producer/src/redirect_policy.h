// Which redirects a check follows, and what each hop sends: pure, no I/O.
//
// hc follows redirects itself (libcurl's CURLOPT_FOLLOWLOCATION is never set) because libcurl
// keeps CURLOPT_HTTPHEADER on every hop, whatever the host: a custom header such as
// X-Api-Key would reach whichever host a redirect names. Rules:
//   - The site's origin is the scheme, host (case-insensitive) and port (80/443 when not
//     written) of its configured URL. Custom headers, basic auth and tls.server_name are sent
//     only on hops to that origin: not to another host, nor to the same host on another port
//     or scheme (browsers' same-origin rule; curl, too, treats host+port as the credential
//     scope since 7.83).
//   - An https site never follows a redirect to plain http; any site follows http and https
//     redirects only.
//   - The address a redirect hop connects to is judged as its socket opens (address_policy.h):
//     link-local always, loopback and private ranges with redirect_deny, unless the site is
//     there itself.
//   - At most max_redirects hops; 301, 302, 303, 307 and 308 with a Location are followed.
//   - The method changes as curl and browsers do: 303 turns anything but HEAD into GET; 301
//     and 302 turn POST into GET; 307 and 308 keep it.
//
// Thread: any (stateless).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace hc::producer {

// Scheme, host and port of an absolute http(s) URL.
struct Origin {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower case; an IPv6 address in brackets
  int port = 0;
  bool operator==(const Origin&) const = default;
};

// nullopt if `url` is not an absolute URL curl can parse.
std::optional<Origin> origin_of(std::string_view url);

// The absolute URL a Location header value names, resolved against the URL that answered it
// (the configured hop URL, never the one rewritten for tls.server_name). nullopt if either
// does not parse.
std::optional<std::string> resolve_location(std::string_view hop_url, std::string_view location);

// True if `status` is a redirect hc follows (given a Location).
bool is_followed_redirect(int status);

// One redirect to follow.
struct RedirectHop {
  std::string url;              // absolute
  std::string method;           // the method for this hop
  bool to_site_origin = false;  // custom headers, basic auth and server_name go along
};

// Why a redirect is not followed: the check ends with an http error saying so.
struct RedirectRefused {
  std::string detail;
};

struct RedirectRequest {
  std::string_view site_url;  // the configured URL (its origin owns the credentials)
  std::string_view method;    // the method of the hop that was redirected
  int status = 0;             // its response status (a followed redirect)
  std::string_view location;  // the absolute URL it redirects to
  int hops_done = 0;          // redirects followed before this one
  int max_redirects = 0;
};

std::variant<RedirectHop, RedirectRefused> follow_redirect(const RedirectRequest& redirect);

}  // namespace hc::producer
