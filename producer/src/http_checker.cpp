#include "http_checker.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string_view>
#include <variant>

#include "curl_outcome.h"
#include "hc/common/url_redaction.h"
#include "redirect_policy.h"
#include "tls_options.h"

namespace hc::producer {
namespace {

// Resolved names are kept this long (curl's DNS cache is per multi handle, so shared by all
// checks). Without it every check of 10,000 sites would hit the resolver; with it the
// "dns" phase of a cached name is the cache lookup.
constexpr long kDnsCacheSeconds = 60;

bool is_https(std::string_view url) { return url.starts_with("https:"); }

std::int64_t info_time_us(CURL* easy, CURLINFO what) {
  curl_off_t value = 0;
  curl_easy_getinfo(easy, what, &value);
  return static_cast<std::int64_t>(value);
}

}  // namespace

// One easy handle and what a check on it needs. Pooled with its handle: the handle's
// constant options (below, in take_idle_transfer) point into this object, so its address
// must not change (hence unique_ptr).
struct HttpChecker::Transfer {
  CurlEasy easy;
  CurlList headers;
  CurlList connect_to;  // CURLOPT_CONNECT_TO of the current hop (tls.server_name)
  std::shared_ptr<const CheckRequest> request;
  std::string site_url;  // the URL the check was started with (its first hop's)
  // The hop in progress: the URL and method it requests, redirects followed before it and
  // the time they took.
  std::string hop_url;
  std::string hop_method;
  int hops_done = 0;
  std::int64_t earlier_hops_us = 0;
  Completion done;
  std::string body;
  std::int64_t body_bytes = 0;
  bool body_truncated = false;
  std::vector<std::pair<std::string, std::string>> response_headers;
  std::size_t slot = 0;  // index in active_ while in flight
  // The range of the address the check's first hop connected to (the site's own), and why a
  // later hop's address was refused (address_policy.h); set by on_open_socket.
  std::optional<AddressRange> site_range;
  std::string refused_address;
  std::string applied_ca_file;  // CURLOPT_CAINFO currently set on the handle ("" = default)
  // The request whose first-hop options the handle holds, all but the URL (null after any
  // other hop): a check of the same request then sets only its URL (configure_hop).
  std::shared_ptr<const CheckRequest> configured_for;
  bool configured_https = false;  // the scheme of the hop configured_for was set for
  std::array<char, CURL_ERROR_SIZE> error_buffer{};

  // CURLOPT_WRITEFUNCTION: counts every byte, keeps the first body_capture_bytes. Never
  // refuses data: a page longer than what we keep is read to its end (and flagged).
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self) {
    auto& transfer = *static_cast<Transfer*>(self);
    const std::size_t bytes = size * count;
    const std::size_t room = transfer.request->body_capture_bytes - transfer.body.size();
    transfer.body.append(data, std::min(bytes, room));
    if (bytes > room && transfer.request->body_capture_bytes > 0) transfer.body_truncated = true;
    transfer.body_bytes += static_cast<std::int64_t>(bytes);
    return bytes;
  }

  // CURLOPT_HEADERFUNCTION: one header line at a time, the status line included. A status
  // line starts a new response (after a redirect or a 100 Continue): only the final
  // response's fields are kept.
  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self) {
    auto& transfer = *static_cast<Transfer*>(self);
    const std::size_t bytes = size * count;
    if (!transfer.request->capture_headers) return bytes;
    std::string_view line(data, bytes);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.starts_with("HTTP/")) {
      transfer.response_headers.clear();
      return bytes;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || transfer.response_headers.size() >= kMaxHeaders)
      return bytes;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    transfer.response_headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    return bytes;
  }
  // CURLOPT_OPENSOCKETFUNCTION: every connection of a hop opens here, with the address curl
  // resolved: the first hop's address is the site's; a redirect hop to an address the policy
  // refuses gets no socket (curl then fails the hop with CURLE_COULDNT_CONNECT).
  static curl_socket_t on_open_socket(void* self, curlsocktype purpose, curl_sockaddr* address) {
    auto& transfer = *static_cast<Transfer*>(self);
    if (purpose == CURLSOCKTYPE_IPCXN) {
      const AddressRange range = address_range(address->addr);
      if (transfer.hops_done == 0) {
        transfer.site_range = range;
      } else if (auto refusal = redirect_address_refusal(
                     range, transfer.site_range.value_or(AddressRange::kOther),
                     transfer.request->redirect_deny)) {
        transfer.refused_address =
            "refused a redirect to " + address_text(address->addr) + ": " + *refusal;
        return CURL_SOCKET_BAD;
      } else {
        transfer.refused_address.clear();  // another address of the name is allowed
      }
    }
    return ::socket(address->family, address->socktype, address->protocol);
  }

  // Header fields kept per response: a bound against a hostile server's endless headers
  // (curl itself caps a header line at 100 KB).
  static constexpr std::size_t kMaxHeaders = 200;
};

namespace {

// curl names the proxy in some errors ("Unsupported proxy scheme for '...'"); the detail is
// published and logged, so the proxy URL is shown with "***@" for its user information.
void hide_proxy_password(std::string& detail, const std::string& proxy) {
  if (proxy.empty() || proxy == "env") return;
  const std::string shown = redact_url(proxy, {});
  for (std::size_t at = detail.find(proxy); at != std::string::npos;
       at = detail.find(proxy, at + shown.size())) {
    detail.replace(at, proxy.size(), shown);
  }
}

}  // namespace

HttpChecker::HttpChecker() = default;

HttpChecker::~HttpChecker() {
  for (const auto& transfer : active_) {
    curl_multi_remove_handle(loop_.multi(), transfer->easy.get());
  }
}

void HttpChecker::start(std::string_view url, std::shared_ptr<const CheckRequest> request,
                        Completion done) {
  std::unique_ptr<Transfer> transfer = take_idle_transfer();
  transfer->request = std::move(request);
  try {
    transfer->site_url = url;
    transfer->hop_url = url;
    transfer->hop_method = transfer->request->method.str();
    transfer->hops_done = 0;
    transfer->earlier_hops_us = 0;
    transfer->site_range.reset();
    transfer->refused_address.clear();
    configure_hop(*transfer, true, transfer->request->timeout);
    if (CURLMcode code = curl_multi_add_handle(loop_.multi(), transfer->easy.get());
        code != CURLM_OK) {
      throw std::runtime_error(std::string("curl_multi_add_handle failed: ") +
                               curl_multi_strerror(code));
    }
  } catch (...) {
    transfer->request.reset();  // the handle goes back to the pool unused
    idle_.push_back(std::move(transfer));
    throw;
  }
  transfer->done = std::move(done);
  transfer->slot = active_.size();
  active_.push_back(std::move(transfer));
  most_in_flight_ = std::max(most_in_flight_, active_.size());
}

std::size_t HttpChecker::release_idle() {
  const std::size_t keep_idle = most_in_flight_ - std::min(most_in_flight_, active_.size());
  const std::size_t released = idle_.size() - std::min(idle_.size(), keep_idle);
  idle_.resize(idle_.size() - released);
  most_in_flight_ = active_.size();
  return released;
}

// A handle from the pool, or a new one with the options that are the same for every check.
std::unique_ptr<HttpChecker::Transfer> HttpChecker::take_idle_transfer() {
  if (!idle_.empty()) {
    std::unique_ptr<Transfer> transfer = std::move(idle_.back());
    idle_.pop_back();
    return transfer;
  }
  auto transfer = std::make_unique<Transfer>();
  transfer->easy.reset(curl_easy_init());
  if (!transfer->easy) throw std::runtime_error("curl_easy_init failed");
  CURL* easy = transfer->easy.get();
  set_option(easy, CURLOPT_PRIVATE, static_cast<void*>(transfer.get()));
  set_option(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  // Redirects are followed by follow_redirect_of(), never by curl.
  set_option(easy, CURLOPT_FOLLOWLOCATION, 0L);
  set_option(easy, CURLOPT_NOSIGNAL, 1L);  // we have threads; timeouts must not use SIGALRM
  set_option(easy, CURLOPT_USERAGENT, "hc-healthcheck/0.1");
  set_option(easy, CURLOPT_ERRORBUFFER, transfer->error_buffer.data());
  set_option(easy, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
  set_option(easy, CURLOPT_WRITEDATA, static_cast<void*>(transfer.get()));
  set_option(easy, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  set_option(easy, CURLOPT_HEADERDATA, static_cast<void*>(transfer.get()));
  set_option(easy, CURLOPT_OPENSOCKETFUNCTION, &Transfer::on_open_socket);
  set_option(easy, CURLOPT_OPENSOCKETDATA, static_cast<void*>(transfer.get()));
  set_option(easy, CURLOPT_DNS_CACHE_TIMEOUT, kDnsCacheSeconds);
  // A health check measures what a new visitor gets: a new TCP connection and a full TLS
  // handshake every time. A reused connection (or resumed TLS session) would hide a slow or
  // broken connect/handshake and report ~0 for those phases.
  set_option(easy, CURLOPT_FRESH_CONNECT, 1L);
  set_option(easy, CURLOPT_FORBID_REUSE, 1L);
  set_option(easy, CURLOPT_SSL_SESSIONID_CACHE, 0L);
  return transfer;
}

// Sets every option that depends on the request or the hop, each to its default when the hop
// does not use it: the handle may come from a check of another site.
void HttpChecker::configure_hop(Transfer& transfer, bool to_site_origin,
                                std::chrono::milliseconds timeout) {
  CURL* easy = transfer.easy.get();
  const CheckRequest& request = *transfer.request;
  transfer.error_buffer[0] = '\0';
  const std::optional<ServerNameRoute> route =
      server_name_route(transfer.hop_url, request.tls, to_site_origin);
  set_option(easy, CURLOPT_URL, route ? route->url.c_str() : transfer.hop_url.c_str());
  // A first hop on a handle whose last hop was a first hop of this same request: every other
  // option below would be set to what it already is (a first hop's timeout is the request's).
  const bool first_hop = transfer.hops_done == 0 && to_site_origin;
  const bool https = is_https(transfer.hop_url);
  if (first_hop && !route && transfer.configured_for == transfer.request &&
      transfer.configured_https == https) {
    return;
  }
  transfer.configured_for.reset();  // until every option below is set
  set_option(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  set_option(easy, CURLOPT_IPRESOLVE,
             request.ip_version == IpVersion::kV4   ? static_cast<long>(CURL_IPRESOLVE_V4)
             : request.ip_version == IpVersion::kV6 ? static_cast<long>(CURL_IPRESOLVE_V6)
                                                    : static_cast<long>(CURL_IPRESOLVE_WHATEVER));
  // CURLOPT_PROXY "" turns the environment's proxies off; null lets curl read them. An
  // explicit proxy gets an explicit no-proxy list ("" = none), so no_proxy from the
  // environment does not apply to it either.
  const bool proxy_from_env = request.proxy == "env";
  set_option(easy, CURLOPT_PROXY, proxy_from_env ? nullptr : request.proxy.c_str());
  set_option(easy, CURLOPT_NOPROXY,
             proxy_from_env && request.no_proxy.empty() ? nullptr : request.no_proxy.c_str());
  if (request.basic_auth && to_site_origin) {
    set_option(easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    set_option(easy, CURLOPT_USERNAME, request.basic_auth->username.c_str());
    set_option(easy, CURLOPT_PASSWORD, request.basic_auth->password.c_str());
  } else {
    set_option(easy, CURLOPT_USERNAME, static_cast<const char*>(nullptr));
    set_option(easy, CURLOPT_PASSWORD, static_cast<const char*>(nullptr));
  }
  // HTTPGET clears what HEAD (NOBODY) and POST leave behind.
  const std::string& method = transfer.hop_method;
  set_option(easy, CURLOPT_HTTPGET, 1L);
  const bool custom_method = method != "GET" && method != "HEAD" && method != "POST";
  set_option(easy, CURLOPT_CUSTOMREQUEST, custom_method ? method.c_str() : nullptr);
  if (method == "HEAD") {
    set_option(easy, CURLOPT_NOBODY, 1L);
  } else if (method == "POST") {
    set_option(easy, CURLOPT_POSTFIELDSIZE, 0L);
    set_option(easy, CURLOPT_POSTFIELDS, "");
  }
  CurlList headers;
  auto append = [&headers](const std::string& line) {
    curl_slist* extended = curl_slist_append(headers.get(), line.c_str());
    if (extended == nullptr) throw std::runtime_error("curl_slist_append failed");
    if (!headers) headers.reset(extended);  // later appends return the same first node
  };
  if (to_site_origin) {
    std::string header_line;
    for (const auto& [name, value] : request.headers) {
      append(header_line.assign(name).append(": ").append(value));
    }
  }
  if (route) append(route->host_header);
  set_option(easy, CURLOPT_HTTPHEADER, headers.get());
  CurlList connect_to;
  if (route) {
    connect_to.reset(curl_slist_append(nullptr, route->connect_to.c_str()));
    if (!connect_to) throw std::runtime_error("curl_slist_append failed");
  }
  apply_tls_options(easy, request.tls, to_site_origin, connect_to, transfer.applied_ca_file);
  // The previous lists are freed only now that the handle no longer points to them.
  transfer.headers = std::move(headers);
  transfer.connect_to = std::move(connect_to);
  set_option(easy, CURLOPT_CERTINFO, https ? 1L : 0L);
  if (first_hop && !route) {
    transfer.configured_for = transfer.request;
    transfer.configured_https = https;
  }
}

bool HttpChecker::follow_redirect_of(Transfer& transfer) {
  const CheckRequest& request = *transfer.request;
  if (!request.follow_redirects) return false;
  CURL* easy = transfer.easy.get();
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_header* location_header = nullptr;
  if (!is_followed_redirect(static_cast<int>(status)) ||
      curl_easy_header(easy, "Location", 0, CURLH_HEADER, -1, &location_header) != CURLHE_OK) {
    return false;
  }
  // Resolved here, not by curl (CURLINFO_REDIRECT_URL): curl would resolve it against the URL
  // rewritten for tls.server_name.
  const std::optional<std::string> location =
      resolve_location(transfer.hop_url, location_header->value);
  std::variant<RedirectHop, RedirectRefused> next =
      RedirectRefused{"redirect to a Location that is not a URL"};
  if (location) {
    next = follow_redirect(RedirectRequest{transfer.site_url, transfer.hop_method,
                                           static_cast<int>(status), *location, transfer.hops_done,
                                           request.max_redirects});
  }
  if (auto* refused = std::get_if<RedirectRefused>(&next)) {
    CheckResult result = finish(transfer, CURLE_OK);
    result.transport_error = CheckError::kHttp;
    result.error_detail = std::move(refused->detail);
    complete(transfer, std::move(result));
    return true;
  }
  RedirectHop& hop = std::get<RedirectHop>(next);
  curl_multi_remove_handle(loop_.multi(), easy);
  transfer.earlier_hops_us += info_time_us(easy, CURLINFO_TOTAL_TIME_T);
  const auto left = request.timeout - std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::microseconds(transfer.earlier_hops_us));
  if (left <= std::chrono::milliseconds::zero()) {
    CheckResult result = finish(transfer, CURLE_OK);
    result.transport_error = CheckError::kTimeout;
    result.error_detail = "timed out while following redirects";
    complete(transfer, std::move(result));
    return true;
  }
  transfer.hop_url = std::move(hop.url);
  transfer.hop_method = std::move(hop.method);
  ++transfer.hops_done;
  transfer.body.clear();
  transfer.body_bytes = 0;
  transfer.body_truncated = false;
  transfer.response_headers.clear();
  try {
    configure_hop(transfer, hop.to_site_origin, left);
    if (CURLMcode code = curl_multi_add_handle(loop_.multi(), easy); code != CURLM_OK) {
      throw std::runtime_error(std::string("curl_multi_add_handle failed: ") +
                               curl_multi_strerror(code));
    }
  } catch (const std::exception& error) {
    CheckResult result = finish(transfer, CURLE_OK);
    result.transport_error = CheckError::kInternal;
    result.error_detail = std::string("cannot follow a redirect: ") + error.what();
    complete(transfer, std::move(result));
  }
  return true;
}

std::size_t HttpChecker::run_once(std::chrono::milliseconds max_wait) {
  loop_.run(max_wait);
  const std::size_t failed = fail_unwatchable();
  return failed + deliver_completions();
}

void HttpChecker::wakeup() { loop_.wakeup(); }

std::size_t HttpChecker::cancel_all() {
  const std::size_t cancelled = active_.size();
  while (!active_.empty()) {
    std::unique_ptr<Transfer> transfer = std::move(active_.back());
    active_.pop_back();
    curl_multi_remove_handle(loop_.multi(), transfer->easy.get());
    transfer->done = nullptr;
    transfer->request.reset();
    transfer->body.clear();
    transfer->body_bytes = 0;
    transfer->body_truncated = false;
    transfer->response_headers.clear();
    idle_.push_back(std::move(transfer));
  }
  return cancelled;
}

std::size_t HttpChecker::deliver_completions() {
  std::size_t completed = 0;
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(loop_.multi(), &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    const CURLcode code = message->data.result;
    void* transfer = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
    // `message` is invalid once the handle is removed (in complete()).
    Transfer& done = *static_cast<Transfer*>(transfer);
    if (code == CURLE_OK && follow_redirect_of(done)) continue;
    complete(done, finish(done, code));
    ++completed;
  }
  return completed;
}

std::size_t HttpChecker::fail_unwatchable() {
  std::size_t failed = 0;
  for (CurlMultiLoop::WatchFailure& failure : loop_.take_watch_failures()) {
    void* found = nullptr;
    curl_easy_getinfo(failure.easy, CURLINFO_PRIVATE, &found);
    auto* transfer = static_cast<Transfer*>(found);
    // It may have finished (and be idle, or even started again) meanwhile.
    if (transfer == nullptr || transfer->slot >= active_.size() ||
        active_[transfer->slot].get() != transfer) {
      continue;
    }
    CheckResult result = finish(*transfer, CURLE_OK);
    result.transport_error = CheckError::kInternal;
    result.error_detail = std::move(failure.detail);
    complete(*transfer, std::move(result));
    ++failed;
  }
  return failed;
}

void HttpChecker::complete(Transfer& transfer, CheckResult&& result) {
  curl_multi_remove_handle(loop_.multi(), transfer.easy.get());
  const std::size_t slot = transfer.slot;
  std::unique_ptr<Transfer> owned = std::move(active_[slot]);
  if (slot + 1 != active_.size()) {
    active_[slot] = std::move(active_.back());
    active_[slot]->slot = slot;
  }
  active_.pop_back();
  Completion done = std::move(owned->done);
  owned->done = nullptr;
  owned->request.reset();
  owned->body.clear();
  owned->body_bytes = 0;
  owned->body_truncated = false;
  owned->response_headers.clear();
  idle_.push_back(std::move(owned));
  done(std::move(result));
}

CheckResult HttpChecker::finish(Transfer& transfer, CURLcode code) {
  CURL* easy = transfer.easy.get();
  CheckResult result;
  const std::int64_t dns = info_time_us(easy, CURLINFO_NAMELOOKUP_TIME_T);
  const std::int64_t connect = info_time_us(easy, CURLINFO_CONNECT_TIME_T);
  const std::int64_t tls = info_time_us(easy, CURLINFO_APPCONNECT_TIME_T);
  const std::int64_t ttfb = info_time_us(easy, CURLINFO_STARTTRANSFER_TIME_T);
  // The final hop's phases, counted from the start of the check (its first hop).
  const std::int64_t before = transfer.earlier_hops_us;
  result.response_time_us = before + info_time_us(easy, CURLINFO_TOTAL_TIME_T);
  // curl reports 0 for a phase it never reached.
  if (dns > 0 || connect > 0) result.timings.dns_us = before + dns;
  if (connect > 0) result.timings.connect_us = before + connect;
  if (tls > 0) result.timings.tls_us = before + tls;
  if (ttfb > 0) result.timings.ttfb_us = before + ttfb;

  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (status > 0) result.status_code = static_cast<int>(status);
  const char* address = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &address) == CURLE_OK && address != nullptr &&
      *address != '\0') {
    result.address = address;
  }

  curl_certinfo* certinfo = nullptr;
  if (is_https(transfer.hop_url) &&
      curl_easy_getinfo(easy, CURLINFO_CERTINFO, &certinfo) == CURLE_OK) {
    result.cert_expires_at = server_cert_expiry(certinfo);
  }

  result.body_bytes = transfer.body_bytes;
  result.body = std::move(transfer.body);
  result.body_truncated = transfer.body_truncated;
  result.headers = std::move(transfer.response_headers);
  if (!transfer.refused_address.empty()) {
    // The hop was not made: a redirect's address the policy refuses (address_policy.h).
    result.transport_error = CheckError::kHttp;
    result.error_detail = transfer.refused_address;
  } else if (code != CURLE_OK) {
    result.transport_error = classify_curl_error(code);
    result.error_detail =
        transfer.error_buffer[0] != '\0' ? transfer.error_buffer.data() : curl_easy_strerror(code);
    hide_proxy_password(result.error_detail, transfer.request->proxy);
  } else if (!result.status_code) {
    // curl reports success without a status only for protocols we do not allow.
    result.transport_error = CheckError::kHttp;
    result.error_detail = "no HTTP response";
  }
  return result;
}

}  // namespace hc::producer
