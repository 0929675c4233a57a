// Configuration of every role, parsed and validated once at the edge.
//
// Contract: a Config returned by load_config() is valid (URLs parse, intervals are in
// 1..86400 s, regexes compile under RE2, table names are safe identifiers, every !ENV
// variable resolved). The rest of hc trusts it and never re-validates.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hc/common/kafka_settings.h"
#include "hc/common/notify_config.h"
#include "hc/common/shared_text.h"
#include "hc/common/url_redaction.h"

namespace hc {

// An inclusive range of HTTP statuses; a single status is {s, s}.
struct StatusRange {
  int first = 0;
  int last = 0;
  bool operator==(const StatusRange&) const = default;
};

// HTTP basic authentication for a site (sent only to the site's own host, never after a
// redirect to another).
struct BasicAuth {
  SharedText username;
  SharedText password;  // secret: never logged
  bool operator==(const BasicAuth&) const = default;
};

// TLS settings of an https site, like blackbox_exporter's tls_config. Files are checked at
// parse (they exist and are readable); their contents are read by the transport.
struct TlsSettings {
  SharedText ca_file;    // PEM bundle trusted instead of the system's; empty = system
  SharedText cert_file;  // client certificate (PEM); set together with key_file
  SharedText key_file;   // client key (PEM, unencrypted)
  // Name sent in SNI and checked against the certificate instead of the URL's host; the
  // connection still goes to the URL's host and the Host header stays the URL's.
  SharedText server_name;
  bool insecure_skip_verify = false;  // no certificate or name check (expiry still recorded)
  int min_version = 0;                // 0: libcurl's default; 12 = TLS 1.2, 13 = TLS 1.3
  bool operator==(const TlsSettings&) const = default;
};

// What a site's check does, chosen by its URL's scheme (README "Check types"): http and
// https URLs are HTTP checks; tcp://host:port connects (and may send and expect bytes);
// tls://host:port adds a TLS handshake and reads the certificate chain; dns://server/name
// resolves a name (hc/common/dns_target.h); icmp://host sends ICMP echo requests
// (hc/common/icmp_socket.h).
enum class CheckType { kHttp, kTcp, kTls, kDns, kIcmp };
// "http", "tcp", "tls", "dns", "icmp": the message's check_type and the row's.
std::string_view to_string(CheckType type);

// The address family a check connects over (site key `ip_version`: 4, 6 or any). With kAny
// a name's IPv4 addresses are tried first; a site whose host is an IP literal of the other
// family is a config error.
enum class IpVersion { kAny, kV4, kV6 };

// A site's settings. The ones a config repeats over many sites (topics, method, patterns,
// TLS files, proxy...) are SharedText: a config load (and a fleet producer's decoder) gives
// equal texts one block (TextPool), so 100,000 sites with the same pattern hold it once.
struct SiteConfig {
  std::string url;  // never holds user:password@ (refused at parse: see basic_auth)
  CheckType check_type = CheckType::kHttp;    // from the url's scheme
  std::chrono::seconds polling_interval{30};  // 1 .. 86400
  SharedText destination_topic;
  SharedText method = "GET";  // GET, HEAD, POST, PUT, OPTIONS
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<BasicAuth> basic_auth;
  std::chrono::milliseconds timeout{10000};  // whole check, 1 .. 300000 ms
  bool follow_redirects = false;
  int max_redirects = 5;
  // Address ranges a redirect may not lead to (producer/src/address_policy.h), beyond the
  // link-local ones (169.254.0.0/16, fe80::/10) that are always refused unless the site
  // itself is there. From `redirect_deny: [loopback, private]`.
  bool redirect_deny_loopback = false;
  bool redirect_deny_private = false;
  // Bytes of the body kept for the regex conditions; the rest is read and counted only.
  std::size_t max_body_bytes = std::size_t{1024} * 1024;

  // Conditions: the check is healthy when all hold (producer/src/check_verdict.h).
  std::vector<StatusRange> expected_status;  // empty: 200..399
  std::optional<std::chrono::milliseconds> max_response_time;
  std::optional<int> min_cert_days;        // https only: days left on the leaf certificate
  std::optional<SharedText> regex;         // RE2 pattern that must match in the body
  std::optional<SharedText> regex_absent;  // RE2 pattern that must not match in the body
  // Response header name -> RE2 pattern its value must match.
  std::vector<std::pair<std::string, std::string>> headers_match;
  std::optional<std::int64_t> min_body_bytes;

  // State changes (producer/src/site_state.h): consecutive unhealthy checks before an up site
  // is down, consecutive healthy ones before a down site is up; each 1 .. 100.
  int down_after = 1;
  int up_after = 1;
  SharedText events_topic;  // where state changes go; default "<destination_topic>.events"
  // Retries within the interval (producer/src/retry_policy.h): a failed attempt is tried
  // again after retry_delay, at most `retries` times, only while the next deadline is safe.
  int retries = 0;                              // 0 .. 5
  std::chrono::milliseconds retry_delay{1000};  // 0 .. 60000 ms
  // Checks of one host (the URL's host, lower case; a dns site's server) running at once,
  // over every site and check loop of the producer (producer/src/host_slots.h): a check
  // that finds them all taken waits for one, and its timings start when it gets it.
  // 1 .. kMaxConcurrentPerHost.
  std::size_t max_concurrent_per_host = 4;
  static constexpr std::size_t kMaxConcurrentPerHost = 100000;
  IpVersion ip_version = IpVersion::kAny;  // http, tcp and tls sites
  // http sites: the proxy every hop goes through. "" (the default): none, whatever the
  // environment says (a checker measures what it was told to); "env": the environment's
  // http_proxy / https_proxy / no_proxy, as curl reads them; else a URL http://, https://,
  // socks5:// or socks5h://[USER:PASSWORD@]HOST[:PORT]. Secret (it may hold a password):
  // never logged, shown with its user information replaced.
  SharedText proxy;
  // http sites with a proxy: hosts (and their subdomains) reached directly, comma-separated
  // as curl's CURLOPT_NOPROXY takes them; "" = none ("env" then uses the environment's).
  SharedText no_proxy;

  TlsSettings tls;  // https and tls sites

  // tcp sites only (site keys, never in defaults): bytes written once connected, and an RE2
  // pattern over the bytes that come back within the timeout (at most max_body_bytes).
  SharedText send;
  std::optional<SharedText> expect;
  // dns sites only (site key `expected`): the answers expected, as a list (the answers, in
  // any order, are exactly these) or as an RE2 pattern (some answer matches it).
  std::vector<std::string> expected_answers;
  std::optional<SharedText> expected_pattern;
  // icmp sites (site keys `count`, `interval_ms`, condition `max_loss_percent`): echo requests
  // per check, the time between two, and the loss (percent of echo_count unanswered within
  // the timeout) at most allowed. (echo_count - 1) * echo_interval < timeout: the last request
  // is sent within the check's timeout.
  int echo_count = 3;                             // 1 .. kMaxEchoCount
  std::chrono::milliseconds echo_interval{1000};  // 1 .. 60000 ms
  std::optional<int> max_loss_percent;            // 0 .. 100
  static constexpr int kMaxEchoCount = 100;

  bool operator==(const SiteConfig&) const = default;
};

// Gives each SharedText setting of `site` the pool's block of an equal text: the sites of one
// config load (and of one fleet producer's decoder) hold each distinct text once.
void share_site_texts(SiteConfig& site, TextPool& pool);

struct ProducerConfig {
  KafkaSettings kafka;
  // File mode: the sites to check. Empty in fleet mode (sites_topic set; the config refuses
  // both at once).
  std::vector<SiteConfig> websites;
  // Fleet mode when not empty: the sites are the records of this compacted topic (key = URL,
  // value = a websites entry as JSON, site_json.h; a tombstone removes the site), shared by
  // the producers of the consumer group producer_group (each checks the sites of its
  // assigned partitions).
  std::string sites_topic;
  std::string producer_group = "hc-producers";
  std::chrono::milliseconds session_timeout{10000};  // of producer_group; 1000 .. 3600000
  // The section's `defaults`: what a site from the sites topic starts from (a `websites`
  // entry starts from the same values).
  SiteConfig site_defaults;
  std::size_t max_in_flight = 1000;  // global bound on concurrent checks
  // Event loops (threads) the checks are split over, each with its share of the sites;
  // 0 = one per CPU this process may use (affinity, cgroup CPU quota), at most
  // kAutoCheckThreadsMax.
  std::size_t check_threads = 0;
  static constexpr std::size_t kAutoCheckThreadsMax = 8;
  std::size_t max_queued_messages = 100000;  // librdkafka queue bound; beyond it we drop+count
  // At a stop, checks in flight get this long to finish; the rest are cancelled unpublished.
  std::chrono::milliseconds shutdown_grace{5000};
  // Query parameters whose values are shown as REDACTED wherever a URL is shown
  // (url_redaction.h); the same list in both sections of one config (the union of both).
  std::vector<std::string> redact_query_params = default_redacted_query_params();
};

// How a measurements table is split by measurement_time: one partition per UTC day, ISO
// week (from Monday 00:00 UTC) or calendar month (store/src/partition_layout.h).
enum class PartitionInterval { kDay, kWeek, kMonth };

// What a route's source topic carries, and so which table it writes: measurements (message
// v1 into a measurements table) or state-change events (state_event.h into an events table).
enum class RouteKind { kMeasurements, kEvents };

// One (topic -> table) route. Several routes may share a source_topic: the topic then
// feeds several tables, possibly in several databases.

struct TopicSinkConfig {
  std::string source_topic;
  std::string connection_uri;     // libpq URI; may hold a password: never logged
  std::string table_name;         // validated identifier: [A-Za-z_][A-Za-z0-9_]{0,62}
  std::string dead_letter_topic;  // defaults to "<source_topic>.dlq"
  // The config's `kind`. A topic is one kind in every route that reads it, and a table one
  // kind in every route that writes it (the config refuses anything else).
  RouteKind kind = RouteKind::kMeasurements;
  // Storage of a measurements table (events tables are not partitioned and keep every
  // event); routes writing one table (same connection_uri and table_name) have the same
  // values (checked at parse).
  PartitionInterval partition_interval = PartitionInterval::kDay;
  int retention_days = 0;  // 0 = keep forever; else 1 .. 36500
  // Hourly rollup rows older than this are deleted when hours are closed; 0 = keep forever.
  // Routes writing one table should agree; where they differ the largest wins.
  int rollup_retention_days = 400;
  // What the read side (`hc serve`, `hc status`) connects with instead, e.g. a role with only
  // SELECT; empty = connection_uri. Same database; never logged.
  std::string read_connection_uri{};
};

// Bounds on every database session, so a stuck write ends and is seen (the consumer
// section's statement_timeout_ms, lock_timeout_ms, connect_timeout_seconds and
// tcp_keepalives_*). 0 ms = no limit for the two timeouts. A connection URI's own
// connect_timeout / keepalives win.
struct SessionSettings {
  std::chrono::milliseconds statement_timeout{60000};
  std::chrono::milliseconds lock_timeout{30000};
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds keepalives_idle{30};
  std::chrono::seconds keepalives_interval{10};
  int keepalives_count = 3;
};

struct ConsumerConfig {
  KafkaSettings kafka;
  std::string group_id = "hc-consumer";
  std::string auto_offset_reset = "earliest";  // earliest | latest
  std::vector<TopicSinkConfig> topics;
  std::size_t batch_max_rows = 5000;
  std::chrono::milliseconds batch_max_wait{100};
  std::size_t max_message_bytes = std::size_t{64} * 1024;  // larger messages are poison
  std::chrono::milliseconds session_timeout{10000};
  // Concurrent writers (COPY streams) per database; a batch's rows are split by URL.
  std::size_t connections_per_database = 2;
  SessionSettings session;
  // /healthz answers 503 "writer busy for N s" once one write has taken this long.
  std::chrono::milliseconds writer_busy_unhealthy_after{10000};
  // How often the consumer runs the table upkeep of `hc maintain` (partitions ahead, expired
  // partitions dropped); one consumer of the group at a time does it. 1 .. 86400 s.
  std::chrono::seconds maintenance_interval{300};
  // As ProducerConfig::redact_query_params: URLs read back (hc status, hc serve) and logged
  // are shown through redact_url with these.
  std::vector<std::string> redact_query_params = default_redacted_query_params();
};

// Settings of `hc serve` itself (its tables are the consumer section's).
struct ServeConfig {
  // The bearer token the admin API's writes (PUT/DELETE /api/v1/sites/{url}, POST/DELETE
  // /api/v1/silences) require, compared in constant time; empty: every write is refused.
  // At least kMinApiTokenBytes when set. Secret: never logged.
  std::string api_token;
  static constexpr std::size_t kMinApiTokenBytes = 16;
};

struct Config {
  std::filesystem::path path;
  std::optional<ProducerConfig> producer;  // section healthcheck-producer-config
  std::optional<ConsumerConfig> consumer;  // section healthcheck-consumer-config
  std::optional<NotifyConfig> notify;      // section healthcheck-notify-config
  std::optional<ServeConfig> serve;        // section healthcheck-serve-config
};

// One problem in a config file. to_string() gives one line, "FILE:LINE:COL: KEY_PATH: MESSAGE":
//   config.yaml:12:7: healthcheck-producer-config.websites[2].url: expected an http(s) URL, ...
// ("FILE: MESSAGE" when line is 0). Messages never contain passwords or connection URIs.
struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when the problem is not tied to a position (missing file)
  int column = 0;  // 1-based
  std::string key_path;
  std::string message;
  std::string to_string() const;
};

struct ConfigLoadResult {
  std::optional<Config> config;     // set if and only if errors is empty
  std::vector<ConfigError> errors;  // every problem found, in file order
  bool ok() const { return errors.empty(); }
};

// Looks up an environment variable; std::nullopt when unset. Injected so tests do not
// touch the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_environment();

// Whether this process can open an ICMP echo socket: nullopt when it can, else why not
// (hc/common/icmp_socket.h's icmp_socket_problem in production; a fake in tests).
using IcmpAccessProbe = std::function<std::optional<std::string>()>;

// Reads, interpolates (!ENV "${VAR}" / "${VAR:-default}") and validates a config file.
// Never throws for bad input: every problem is reported in errors. With icmp_access set
// (`hc check-config` and the producer), an icmp site is an error at its url when the probe
// says no ICMP socket can be opened; it is called at most once, and only with icmp sites.
ConfigLoadResult load_config(const std::filesystem::path& file, const EnvLookup& env,
                             const IcmpAccessProbe& icmp_access = {});
// Same, from text already in memory; file_name is used in error messages only.
ConfigLoadResult parse_config(std::string_view yaml_text, std::string_view file_name,
                              const EnvLookup& env, const IcmpAccessProbe& icmp_access = {});

// One line for `hc check-config`: "3 sites, 1 topic (healthcheck); consumer group
// hc-consumer: 1 topic -> 2 tables in 2 databases" (one part per section present; the
// notify section as "notify group hc-notify: 1 events topic -> 2 routes to 3 channels").
// Never includes connection URIs or passwords.
std::string summarize(const Config& config);

// True for [A-Za-z_][A-Za-z0-9_]{0,62}: the table names we accept and quote.
bool is_safe_identifier(std::string_view name);

}  // namespace hc
