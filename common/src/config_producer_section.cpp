// healthcheck-producer-config: Kafka settings, `defaults` and the `websites` to check.
#include <fmt/format.h>
#include <re2/re2.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>

#include "config_names.h"
#include "config_sections.h"
#include "first_given.h"
#include "hc/common/dns_target.h"
#include "hc/common/host_port.h"
#include "hc/common/message.h"
#include "hc/common/site_json.h"
#include "hc/common/url_redaction.h"
#include "url_validation.h"

namespace hc::config_detail {
namespace {

constexpr std::array<std::string_view, 2> kBasicAuthKeys = {"username", "password"};
constexpr std::array<std::string_view, 6> kTlsKeys = {
    "ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify", "min_version"};
constexpr std::array<std::string_view, 2> kTlsVersions = {"1.2", "1.3"};
constexpr std::array<std::string_view, 3> kIpVersions = {"4", "6", "any"};
// Address ranges `redirect_deny` may name (link-local is always refused).
constexpr std::array<std::string_view, 2> kRedirectDenyRanges = {"loopback", "private"};
// Answers a dns check's `expected` list may name (each fits the message's bounds).
constexpr std::size_t kMaxExpectedAnswers = kMaxFailedConditions;
// Bytes a tcp check may send.
constexpr std::int64_t kMaxSendBytes = 65536;
constexpr auto kProducerKeys = with_kafka_keys(std::array<std::string_view, 10>{
    "max_in_flight", "check_threads", "max_queued_messages", "shutdown_grace_ms",
    "redact_query_params", "defaults", "websites", "sites_topic", "producer_group",
    "session_timeout_ms"});
constexpr std::array<std::string_view, 5> kMethods = {"GET", "HEAD", "POST", "PUT", "OPTIONS"};

constexpr std::int64_t kMaxIntervalSeconds = 86400;
constexpr std::int64_t kMaxTimeoutMs = 300000;
constexpr std::int64_t kMaxRedirects = 50;
constexpr std::int64_t kMaxBodyBytes = std::int64_t{256} * 1024 * 1024;
constexpr std::int64_t kMaxCertDays = 3650;
constexpr std::int64_t kMaxMinBodyBytes = std::int64_t{1} << 40;
constexpr std::int64_t kMaxRetries = 5;
constexpr std::int64_t kMaxRetryDelayMs = 60000;
constexpr std::int64_t kMaxEchoIntervalMs = 60000;
// A check's failed_conditions must fit the message's bounds (message.h), or the consumer
// would refuse every message of the site: six fixed names ("status", "response_time",
// "cert_days", "regex", "regex_absent", "body_bytes") plus one "header:<Name>" per entry.
constexpr std::string_view kHeaderConditionPrefix = "header:";
constexpr std::size_t kMaxHeadersMatch = kMaxFailedConditions - 6;
constexpr std::size_t kMaxHeaderMatchNameBytes = kMaxConditionBytes - kHeaderConditionPrefix.size();

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// RFC 9110 token characters.
bool is_header_name(std::string_view name) {
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kSymbols.find(c) != std::string_view::npos;
  });
}

}  // namespace

// Header values may carry credentials ("Authorization"): never quoted in messages.
void read_headers(YamlReader& reader, const Located& value,
                  std::vector<std::pair<std::string, std::string>>& headers) {
  auto fields = reader.free_map(value, "a map of header name to value");
  if (!fields) return;
  for (const auto& entry : fields->entries()) {
    const std::string& name = entry.first;
    const Located& header = entry.second;
    if (!is_header_name(name)) {
      reader.report(header.mark, header.path,
                    "expected an HTTP header name (letters, digits, !#$%&'*+-.^_`|~), got " +
                        quote_for_message(name));
      continue;
    }
    auto text = reader.string(header);
    if (!text) continue;
    if (text->find_first_of("\r\n", 0) != std::string::npos ||
        text->find('\0') != std::string::npos) {
      reader.report(header.mark, header.path, "a header value must not contain CR, LF or NUL");
      continue;
    }
    auto same_name = std::find_if(headers.begin(), headers.end(), [&](const auto& existing) {
      return equals_ignoring_case(existing.first, name);
    });
    if (same_name != headers.end()) {
      same_name->second = *text;  // a site's header replaces the default of the same name
    } else {
      headers.emplace_back(name, *text);
    }
  }
}

namespace {

// "200-299": a range of statuses; nullopt if the text is not of that form.
std::optional<StatusRange> parse_status_range(std::string_view text) {
  auto number = [](std::string_view digits) -> std::optional<int> {
    if (digits.size() != 3 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    return (digits[0] - '0') * 100 + (digits[1] - '0') * 10 + (digits[2] - '0');
  };
  const std::size_t dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first = number(text.substr(0, dash));
  auto last = number(text.substr(dash + 1));
  if (!first || !last) return std::nullopt;
  return StatusRange{*first, *last};
}

// A status (200), a range ("200-299"), or a list of either.
void read_expected_status(YamlReader& reader, const Located& value,
                          std::vector<StatusRange>& statuses) {
  std::vector<Located> items;
  if (value.node.is_sequence()) {
    auto list = reader.list(value, "an HTTP status, a range like 200-299, or a list of them");
    if (!list) return;
    if (list->empty()) {
      reader.report(value.mark, value.path, "expected at least one HTTP status (100..599)");
      return;
    }
    items = std::move(*list);
  } else {
    items.push_back(value);
  }
  std::vector<StatusRange> result;
  for (const Located& item : items) {
    const std::string text(item.node.scalar());
    if (text.find('-') != std::string::npos) {
      auto range = parse_status_range(text);
      if (!range || range->first < 100 || range->last > 599 || range->first > range->last) {
        reader.report(item.mark, item.path,
                      "expected a status range FIRST-LAST within 100..599 (e.g. 200-299), got " +
                          quote_for_message(text));
        continue;
      }
      result.push_back(*range);
    } else if (auto status = reader.integer(item, 100, 599)) {
      result.push_back(StatusRange{static_cast<int>(*status), static_cast<int>(*status)});
    }
  }
  statuses = std::move(result);
}

// {username, password}; the password is a secret (use !ENV) and never quoted in messages.
void read_basic_auth(YamlReader& reader, const Located& value,
                     std::optional<BasicAuth>& basic_auth) {
  auto fields = reader.map(value, kBasicAuthKeys, "a map with username and password");
  if (!fields) return;
  BasicAuth auth;
  const Located* username = reader.require(*fields, "username", "the user name");
  const Located* password = reader.require(*fields, "password", "the password (use !ENV)");
  if (username == nullptr || password == nullptr) return;
  auto name = reader.string(*username);
  auto secret = reader.string(*password);
  if (!name || !secret) return;
  if (name->find(':') != std::string::npos) {
    reader.report(username->mark, username->path,
                  "a basic auth user name must not contain ':' (RFC 7617)");
    return;
  }
  basic_auth = BasicAuth{*name, *secret};
}

}  // namespace

// An RE2 pattern; "" means none, like an absent key.
std::optional<std::string> read_pattern(YamlReader& reader, const Located& value) {
  auto pattern = reader.string(value);
  if (!pattern || pattern->empty()) return std::nullopt;
  if (reader.is_known_pattern(*pattern)) return pattern;
  RE2::Options options;
  options.set_log_errors(false);
  RE2 compiled(*pattern, options);
  if (!compiled.ok()) {
    reader.report(value.mark, value.path, "regex does not compile under RE2: " + compiled.error());
    return std::nullopt;
  }
  reader.add_known_pattern(*pattern);
  return pattern;
}

namespace {

void read_headers_match(YamlReader& reader, const Located& value,
                        std::vector<std::pair<std::string, std::string>>& headers_match) {
  auto fields = reader.free_map(value, "a map of response header name to an RE2 pattern");
  if (!fields) return;
  for (const auto& [name, pattern_value] : fields->entries()) {
    if (!is_header_name(name)) {
      reader.report(pattern_value.mark, pattern_value.path,
                    "expected an HTTP header name (letters, digits, !#$%&'*+-.^_`|~), got " +
                        quote_for_message(name));
      continue;
    }
    if (name.size() > kMaxHeaderMatchNameBytes) {
      reader.report(pattern_value.mark, pattern_value.path,
                    fmt::format("header name is {} bytes; at most {}", name.size(),
                                kMaxHeaderMatchNameBytes));
      continue;
    }
    auto pattern = read_pattern(reader, pattern_value);
    if (!pattern) continue;
    // Named, not the structured binding itself: clang 14 (the fuzz build) cannot capture one.
    const auto& header_name = name;
    auto same_name = std::find_if(
        headers_match.begin(), headers_match.end(),
        [&](const auto& existing) { return equals_ignoring_case(existing.first, header_name); });
    if (same_name != headers_match.end()) {
      same_name->second = *pattern;  // a site's pattern replaces the default's
    } else {
      headers_match.emplace_back(name, *pattern);
    }
  }
  if (headers_match.size() > kMaxHeadersMatch) {
    reader.report(value.mark, value.path,
                  fmt::format("{} headers to match (with the defaults'); at most {}",
                              headers_match.size(), kMaxHeadersMatch));
  }
}

// A PEM file the transport reads at each check: it must exist and be readable now.
void read_readable_file(YamlReader& reader, const Located& value, SharedText& path) {
  auto text = reader.string(value);
  if (!text) return;
  std::error_code error;
  if (text->empty()) {
    path = {};  // "" (e.g. "${CA:-}") means: not set
  } else if (!std::filesystem::is_regular_file(*text, error) ||
             ::access(text->c_str(), R_OK) != 0) {
    reader.report(value.mark, value.path,
                  "expected a readable file, but " + quote_for_message(*text) +
                      " does not exist, is not a file or cannot be read");
  } else {
    path = *text;
  }
}

// A DNS name for SNI: letters, digits, '-' and '.', at most 253 characters.
bool is_dns_name(std::string_view name) {
  return !name.empty() && name.size() <= 253 && name.front() != '.' && name.front() != '-' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.';
         });
}

// `tls`: each present key overrides the same key of `tls` (a site's tls merges over defaults').
void read_tls(YamlReader& reader, const Located& value, TlsSettings& tls) {
  auto fields = reader.map(value, kTlsKeys, "a map of TLS settings");
  if (!fields) return;
  for (const auto& [key, setting] : fields->entries()) {
    if (key == "ca_file") {
      read_readable_file(reader, setting, tls.ca_file);
    } else if (key == "cert_file") {
      read_readable_file(reader, setting, tls.cert_file);
    } else if (key == "key_file") {
      read_readable_file(reader, setting, tls.key_file);
    } else if (key == "server_name") {
      auto name = reader.string(setting);
      if (!name) continue;
      if (!name->empty() && !is_dns_name(*name)) {
        reader.report(
            setting.mark, setting.path,
            "expected a DNS name (letters, digits, '-' and '.'), got " + quote_for_message(*name));
        continue;
      }
      tls.server_name = *name;
    } else if (key == "insecure_skip_verify") {
      if (auto skip = reader.boolean(setting)) tls.insecure_skip_verify = *skip;
    } else if (key == "min_version") {
      if (auto version = reader.choice(setting, kTlsVersions)) {
        tls.min_version = *version == "1.3" ? 13 : 12;
      }
    }
  }
}

// `proxy`: "", "env" or a proxy URL; the value may hold a password, so a message shows it with
// its user information replaced.
void read_proxy(YamlReader& reader, const Located& value, SharedText& proxy) {
  auto text = reader.string(value);
  if (!text) return;
  const std::optional<std::string> problem =
      text->empty() || *text == "env" ? std::nullopt : proxy_url_problem(*text);
  if (problem) {
    reader.report(value.mark, value.path,
                  "expected 'env' or a proxy URL (http://, https://, socks5:// or "
                  "socks5h://[USER:PASSWORD@]HOST[:PORT]), got " +
                      quote_for_message(redact_userinfo(*text)) + ": " + *problem);
    return;
  }
  proxy = *text;
}

// `no_proxy`: a list of host names, domains or IP addresses reached without the proxy.
void read_no_proxy(YamlReader& reader, const Located& value, SharedText& no_proxy) {
  auto hosts = reader.list(value, "a list of host names, domains or IP addresses");
  if (!hosts) return;
  std::string joined;
  for (const Located& host : *hosts) {
    auto name = reader.string(host);
    if (!name) continue;
    if (name->empty() || name->find_first_of(", \t\r\n") != std::string::npos) {
      reader.report(host.mark, host.path,
                    "expected a host name, domain or IP address (no comma or space), got " +
                        quote_for_message(*name));
      continue;
    }
    if (!joined.empty()) joined += ',';
    joined += *name;
  }
  no_proxy = std::move(joined);
}

// Which check types a key applies to, as a set of bits (1 << CheckType). Set on a site of
// another type it is an error; inherited from defaults it is ignored there (defaults serve
// every type).
constexpr unsigned type_bit(CheckType type) { return 1U << static_cast<unsigned>(type); }
constexpr unsigned kHttpOnly = type_bit(CheckType::kHttp);
constexpr unsigned kConnecting =
    type_bit(CheckType::kHttp) | type_bit(CheckType::kTcp) | type_bit(CheckType::kTls);
constexpr unsigned kEveryType = ~0U;

// Reads one key's value into the site (a key present in the map overrides the site's value).
using SiteKeyReader = void (*)(YamlReader&, const Located&, SiteConfig&);

// An integer in Min..Max stored as the member's type (a count, a size, a std::chrono
// duration); Unit names the range in errors.
template <auto Member, std::int64_t Min, std::int64_t Max, const std::string_view& Unit>
void read_number(YamlReader& reader, const Located& value, SiteConfig& site) {
  using Target = std::remove_cvref_t<decltype(site.*Member)>;
  if (auto number = reader.integer(value, Min, Max, Unit)) {
    if constexpr (requires { typename Target::rep; }) {
      site.*Member = Target(*number);  // a duration
    } else if constexpr (requires { typename Target::value_type; }) {
      site.*Member = static_cast<typename Target::value_type>(*number);  // an optional
    } else {
      site.*Member = static_cast<Target>(*number);
    }
  }
}
constexpr std::string_view kNoUnit;
constexpr std::string_view kSeconds = "seconds";
constexpr std::string_view kMilliseconds = "milliseconds";
constexpr std::string_view kBytes = "bytes";
constexpr std::string_view kDays = "days";
constexpr std::string_view kChecks = "checks";
constexpr std::string_view kEchoRequests = "echo requests";
constexpr unsigned kIcmpOnly = type_bit(CheckType::kIcmp);

// The keys a site shares with `defaults` (how to check, and the conditions of
// check_verdict.h): each key once, with the check types it applies to and how it is read.
struct CheckKey {
  std::string_view key;
  unsigned types;
  SiteKeyReader read;
};
constexpr auto kCheckKeyTable =
    std::to_array<CheckKey>(
        {
            {"regex", kHttpOnly,
             [](YamlReader& reader, const Located& value, SiteConfig& site) {
               site.regex = read_pattern(reader, value);
             }},
            {"polling_interval_in_seconds", kEveryType,
             read_number<&SiteConfig::polling_interval, 1, kMaxIntervalSeconds, kSeconds>},
            {"timeout_ms", kEveryType,
             read_number<&SiteConfig::timeout, 1, kMaxTimeoutMs, kMilliseconds>},
            {"destination_topic", kEveryType,
             [](YamlReader& reader, const Located& value, SiteConfig& site) {
               if (auto topic = read_topic_name(reader, value)) site.destination_topic = *topic;
             }},
            {"method", kHttpOnly,
             [](YamlReader& reader, const Located& value, SiteConfig& site) {
               if (auto method = reader.choice(value, kMethods)) site.method = *method;
             }},
            {"headers", kHttpOnly,
             [](YamlReader& reader, const Located& value, SiteConfig& site) {
               read_headers(reader, value, site.headers);
             }},
            {"basic_auth", kHttpOnly,
             [](YamlReader& reader, const Located& value, SiteConfig& site) {
               read_basic_auth(reader, value, site.basic_auth);
             }},
            {"follow_redirects", kHttpOnly,
             [](YamlReader& reader, const Located& value, SiteConfig& site) {
               if (auto follow = reader.boolean(value)) site.follow_redirects = *follow;
             }},
            {"max_redirects", kHttpOnly,
             read_number<&SiteConfig::max_redirects, 0, kMaxRedirects, kNoUnit>},
            {"redirect_deny", kHttpOnly,
             [](YamlReader& reader, const Located& value, SiteConfig& site) {
               site.redirect_deny_loopback = false;
               site.redirect_deny_private = false;
               if (auto ranges =
                       reader.list(value, "a list of address ranges: loopback, private")) {
                 for (const Located& range : *ranges) {
                   if (auto name = reader.choice(range, kRedirectDenyRanges)) {
                     (*name == "loopback" ? site.redirect_deny_loopback
                                          : site.redirect_deny_private) = true;
                   }
                 }
               }
             }},
            {"max_body_bytes", kHttpOnly | type_bit(CheckType::kTcp),
             read_number<&SiteConfig::max_body_bytes, 1, kMaxBodyBytes, kBytes>},
            {"expected_status", kHttpOnly,
             [](YamlReader& reader, const Located& value, SiteConfig& site) {
               read_expected_status(reader, value, site.expected_status);
             }},
            {"max_response_time_ms", kEveryType,
             read_number<&SiteConfig::max_response_time, 1, kMaxTimeoutMs, kMilliseconds>},
            {"min_cert_days", kHttpOnly | type_bit(CheckType::kTls),
             read_number<&SiteConfig::min_cert_days, 0, kMaxCertDays, kDays>},
            {"regex_absent", kHttpOnly,
             [](YamlReader& reader, const Located& value, SiteConfig& site) {
               site.regex_absent = read_pattern(reader, value);
             }},
            {"headers_match", kHttpOnly,
             [](YamlReader& reader, const Located& value, SiteConfig& site) {
               read_headers_match(reader, value, site.headers_match);
             }},
            {"min_body_bytes", kHttpOnly,
             read_number<&SiteConfig::min_body_bytes, 0, kMaxMinBodyBytes, kBytes>},
            {"retries", kEveryType, read_number<&SiteConfig::retries, 0, kMaxRetries, kNoUnit>},
            {"retry_delay_ms", kEveryType,
             read_number<&SiteConfig::retry_delay, 0, kMaxRetryDelayMs, kMilliseconds>},
            {"tls", kHttpOnly | type_bit(CheckType::kTls),
             [](YamlReader& reader, const Located& value, SiteConfig& site) {
               read_tls(reader, value, site.tls);
             }},
            {"max_concurrent_per_host", kEveryType,
             read_number<&SiteConfig::max_concurrent_per_host, 1,
                         static_cast<std::int64_t>(SiteConfig::kMaxConcurrentPerHost), kChecks>},
            {"ip_version", kConnecting,
             [](YamlReader& reader, const Located& value, SiteConfig& site) {
               if (auto version = reader.choice(value, kIpVersions)) {
                 site.ip_version = *version == "4"   ? IpVersion::kV4
                                   : *version == "6" ? IpVersion::kV6
                                                     : IpVersion::kAny;
               }
             }},
            {"count", kIcmpOnly,
             read_number<&SiteConfig::echo_count, 1, SiteConfig::kMaxEchoCount, kEchoRequests>},
            {"interval_ms", kIcmpOnly,
             read_number<&SiteConfig::echo_interval, 1, kMaxEchoIntervalMs, kMilliseconds>},
            {"max_loss_percent", kIcmpOnly,
             read_number<&SiteConfig::max_loss_percent, 0, 100, kNoUnit>},
            {"proxy", kHttpOnly,
             [](YamlReader& reader, const Located& value,
                SiteConfig& site) { read_proxy(reader, value, site.proxy); }},
            {"no_proxy", kHttpOnly,
             [](YamlReader& reader, const Located& value,
                SiteConfig& site) { read_no_proxy(reader, value, site.no_proxy); }},
        });

constexpr auto kCheckKeys = [] {
  std::array<std::string_view, kCheckKeyTable.size()> keys{};
  for (std::size_t i = 0; i < keys.size(); ++i) keys[i] = kCheckKeyTable[i].key;
  return keys;
}();
// The keys of state changes (site_state.h), also per site or in `defaults`.
constexpr std::array<std::string_view, 3> kStateKeys = {"down_after", "up_after", "events_topic"};
constexpr auto kDefaultsKeys = [] {
  std::array<std::string_view, kCheckKeys.size() + kStateKeys.size()> keys{};
  std::copy(kCheckKeys.begin(), kCheckKeys.end(), keys.begin());
  std::copy(kStateKeys.begin(), kStateKeys.end(), keys.begin() + kCheckKeys.size());
  return keys;
}();
// Keys of a site only (never in defaults): the settings of one check type
// (read_type_options), with the type each belongs to.
struct TypeKey {
  std::string_view key;
  unsigned types;
};
constexpr auto kTypeKeyTable = std::to_array<TypeKey>({
    {"send", type_bit(CheckType::kTcp)},
    {"expect", type_bit(CheckType::kTcp)},
    {"expected", type_bit(CheckType::kDns)},
});
constexpr auto kTypeKeys = [] {
  std::array<std::string_view, kTypeKeyTable.size()> keys{};
  for (std::size_t i = 0; i < keys.size(); ++i) keys[i] = kTypeKeyTable[i].key;
  return keys;
}();
constexpr auto kSiteKeys = [] {
  std::array<std::string_view, kDefaultsKeys.size() + kTypeKeys.size() + 1> keys{"url"};
  std::copy(kDefaultsKeys.begin(), kDefaultsKeys.end(), keys.begin() + 1);
  std::copy(kTypeKeys.begin(), kTypeKeys.end(), keys.begin() + 1 + kDefaultsKeys.size());
  return keys;
}();

// The check types `key` applies to: every type for a key of neither table.
unsigned key_types(std::string_view key) {
  for (const CheckKey& known : kCheckKeyTable) {
    if (known.key == key) return known.types;
  }
  for (const TypeKey& known : kTypeKeyTable) {
    if (known.key == key) return known.types;
  }
  return kEveryType;
}

// The keys a site shares with `defaults`; each present key overrides `site`'s value.
void read_check_options(YamlReader& reader, const MapFields& fields, SiteConfig& site) {
  for (const auto& [key, value] : fields.entries()) {
    for (const CheckKey& known : kCheckKeyTable) {
      if (known.key == key) known.read(reader, value, site);
    }
  }
}

constexpr std::int64_t kMaxStateThreshold = 100;

// kStateKeys; each present key overrides `site`'s value.
void read_state_options(YamlReader& reader, const MapFields& fields, SiteConfig& site) {
  if (const Located* value = fields.find("down_after")) {
    if (auto count = reader.integer(*value, 1, kMaxStateThreshold, "consecutive checks")) {
      site.down_after = static_cast<int>(*count);
    }
  }
  if (const Located* value = fields.find("up_after")) {
    if (auto count = reader.integer(*value, 1, kMaxStateThreshold, "consecutive checks")) {
      site.up_after = static_cast<int>(*count);
    }
  }
  if (const Located* value = fields.find("events_topic")) {
    if (auto topic = read_topic_name(reader, *value)) site.events_topic = *topic;
  }
}

// Without events_topic (here or in defaults), state changes go to
// "<destination_topic>.events", which must be a valid topic name too. Events and
// measurements never share a topic: each is poison to the other's consumer route.
void settle_events_topic(YamlReader& reader, const MapFields& fields, const Located& item,
                         SiteConfig& site) {
  if (site.destination_topic.empty()) return;
  const Located* where = fields.find("events_topic");
  const YAML::Mark mark = where ? where->mark : item.mark;
  const std::string path = where ? where->path : child_path(item.path, "events_topic");
  if (site.events_topic.empty()) {
    site.events_topic = site.destination_topic.str() + ".events";
    if (!is_kafka_topic_name(site.events_topic.view())) {
      reader.report(mark, path,
                    "the default events topic '<destination_topic>.events' is too long for a "
                    "Kafka topic name (at most 249 characters); set events_topic");
    }
  } else if (site.events_topic == site.destination_topic) {
    reader.report(mark, path,
                  "events_topic must differ from destination_topic (events and measurements "
                  "are read by different routes)");
  }
}

// kTypeKeys: the settings of one check type.
void read_type_options(YamlReader& reader, const MapFields& fields, SiteConfig& site) {
  if (const Located* value = fields.find("send")) {
    if (auto bytes = reader.string(*value)) {
      if (static_cast<std::int64_t>(bytes->size()) > kMaxSendBytes) {
        reader.report(value->mark, value->path,
                      fmt::format("{} bytes to send; at most {}", bytes->size(), kMaxSendBytes));
      } else {
        site.send = *bytes;
      }
    }
  }
  if (const Located* value = fields.find("expect")) site.expect = read_pattern(reader, *value);
  if (const Located* value = fields.find("expected")) {
    if (!value->node.is_sequence()) {
      site.expected_pattern = read_pattern(reader, *value);
    } else if (auto answers = reader.list(*value, "a list of answers, or an RE2 pattern")) {
      if (answers->size() > kMaxExpectedAnswers) {
        reader.report(value->mark, value->path,
                      fmt::format("{} answers; at most {}", answers->size(), kMaxExpectedAnswers));
      }
      for (const Located& answer : *answers) {
        if (auto text = reader.string(answer)) site.expected_answers.push_back(*text);
      }
    }
  }
}

// A key set on the site itself must apply to the site's check type (key_types).
void check_keys_apply(YamlReader& reader, const MapFields& fields, CheckType type) {
  for (const auto& entry : fields.entries()) {
    const std::string& key = entry.first;
    const Located& value = entry.second;
    const unsigned types = key_types(key);
    if ((types & type_bit(type)) != 0) continue;
    std::string applies_to;
    for (CheckType other :
         {CheckType::kHttp, CheckType::kTcp, CheckType::kTls, CheckType::kDns, CheckType::kIcmp}) {
      if ((types & type_bit(other)) == 0) continue;
      if (!applies_to.empty()) applies_to += ", ";
      applies_to += to_string(other);
    }
    reader.report(value.mark, value.path,
                  fmt::format("'{}' does not apply to {} {} check (it applies to: {})", key,
                              type == CheckType::kHttp || type == CheckType::kIcmp ? "an" : "a",
                              to_string(type), applies_to));
  }
}

// A host that is an IP literal of one family cannot be reached over the other.
void check_ip_version_fits(YamlReader& reader, const MapFields& fields, const SiteConfig& site,
                           const Located& item) {
  if (site.ip_version == IpVersion::kAny || !site_key_applies("ip_version", site.check_type)) {
    return;
  }
  std::string host;
  if (site.check_type == CheckType::kHttp) {
    host = url_host(site.url);
  } else {
    const auto target = parse_host_port_url(site.url);
    if (const auto* host_port = std::get_if<HostPort>(&target)) host = host_port->host;
  }
  const std::optional<int> family = ip_literal_family(host);
  const int wanted = site.ip_version == IpVersion::kV4 ? 4 : 6;
  if (!family || *family == wanted) return;
  const Located* where = fields.find("ip_version");
  reader.report(where ? where->mark : item.mark,
                where ? where->path : child_path(item.path, "ip_version"),
                fmt::format("ip_version {} cannot reach {}, an IPv{} address", wanted,
                            quote_for_message(host), *family));
}

// An icmp check sends its last echo request within its timeout, so that every request has
// some time to be answered.
void check_echo_schedule(YamlReader& reader, const MapFields& fields, const SiteConfig& site,
                         const Located& item) {
  if (site.check_type != CheckType::kIcmp) return;
  const auto last_sent = site.echo_interval * (site.echo_count - 1);
  if (last_sent < site.timeout) return;
  const char* key = fields.find("interval_ms") != nullptr ? "interval_ms"
                    : fields.find("count") != nullptr     ? "count"
                                                          : "timeout_ms";
  const Located* where = fields.find(key);
  reader.report(where ? where->mark : item.mark, where ? where->path : child_path(item.path, key),
                fmt::format("count {} echo requests every {} ms end at {} ms, not within "
                            "timeout_ms {}: the last request would have no time to be answered",
                            site.echo_count, site.echo_interval.count(), last_sent.count(),
                            site.timeout.count()));
}

// Conditions that need a response body cannot hold for a HEAD request.
void check_body_conditions(YamlReader& reader, const MapFields& fields, const SiteConfig& site,
                           const Located& item) {
  if (site.check_type != CheckType::kHttp || site.method != "HEAD") return;
  for (std::string_view key : {"regex", "regex_absent", "min_body_bytes"}) {
    const bool set = (key == "regex" && site.regex) ||
                     (key == "regex_absent" && site.regex_absent) ||
                     (key == "min_body_bytes" && site.min_body_bytes.value_or(0) > 0);
    if (!set) continue;
    const Located* where = fields.find(key);
    reader.report(where ? where->mark : item.mark,
                  where ? where->path : child_path(item.path, std::string(key)),
                  std::string(key) + " needs a response body, and method HEAD has none");
  }
}

}  // namespace

std::optional<SiteConfig> read_site(YamlReader& reader, const Located& item,
                                    const SiteConfig& defaults,
                                    const std::vector<std::string>& redact_query_params) {
  auto fields = reader.map(item, kSiteKeys, "a site (a map with at least 'url')");
  if (!fields) return std::nullopt;
  SiteConfig site = defaults;
  std::size_t errors_before = reader.error_count();
  if (const Located* url = reader.require(*fields, "url", "the URL to check")) {
    if (auto text = reader.string(*url)) {
      const std::optional<CheckType> type = check_type_of_scheme(*text);
      if (type == CheckType::kIcmp) {
        site.check_type = *type;
        auto target = parse_icmp_url(*text);
        if (const auto* problem = std::get_if<std::string>(&target)) {
          reader.report(
              url->mark, url->path,
              fmt::format("expected icmp://HOST, got {}: {}",
                          quote_for_message(redact_url(*text, redact_query_params)), *problem));
        } else {
          site.url = *text;
        }
      } else if (type == CheckType::kDns) {
        site.check_type = *type;
        auto target = parse_dns_url(*text);
        if (const auto* problem = std::get_if<std::string>(&target)) {
          reader.report(
              url->mark, url->path,
              fmt::format("expected dns://SERVER[:PORT]/NAME[?type=TYPE] or "
                          "dns:///NAME[?type=TYPE], got {}: {}",
                          quote_for_message(redact_url(*text, redact_query_params)), *problem));
        } else {
          site.url = *text;
        }
      } else if (type && *type != CheckType::kHttp) {
        site.check_type = *type;
        auto target = parse_host_port_url(*text);
        if (const auto* problem = std::get_if<std::string>(&target)) {
          reader.report(
              url->mark, url->path,
              fmt::format("expected {}://host:port, got {}: {}", to_string(*type),
                          quote_for_message(redact_url(*text, redact_query_params)), *problem));
        } else {
          site.url = *text;
        }
      } else if (auto problem = http_url_problem(*text)) {
        reader.report(url->mark, url->path,
                      "expected an http(s), tcp, tls, dns or icmp URL, got " +
                          quote_for_message(redact_url(*text, redact_query_params)) + ": " +
                          *problem);
      } else if (has_userinfo(*text)) {
        reader.report(url->mark, url->path,
                      "credentials in the URL (" +
                          quote_for_message(redact_url(*text, redact_query_params)) +
                          ") would be published in the Kafka key, the table, metrics and logs; "
                          "put them in basic_auth: {username: NAME, password: !ENV \"${VAR}\"}");
      } else {
        site.url = *text;
      }
    }
  }
  read_check_options(reader, *fields, site);
  read_state_options(reader, *fields, site);
  read_type_options(reader, *fields, site);
  check_keys_apply(reader, *fields, site.check_type);
  settle_events_topic(reader, *fields, item, site);
  if (site.destination_topic.empty() && fields->find("destination_topic") == nullptr) {
    reader.report(item.mark, child_path(item.path, "destination_topic"),
                  "missing required key 'destination_topic' (and defaults has none)");
  }
  check_body_conditions(reader, *fields, site, item);
  check_echo_schedule(reader, *fields, site, item);
  if (!site.url.empty()) check_ip_version_fits(reader, *fields, site, item);
  if (site.tls.cert_file.empty() != site.tls.key_file.empty()) {
    const Located* where = fields->find("tls");
    reader.report(where ? where->mark : item.mark,
                  where ? where->path : child_path(item.path, "tls"),
                  "tls.cert_file and tls.key_file go together (client certificate): set both or "
                  "neither (here or in defaults)");
  }
  if (reader.error_count() != errors_before || site.url.empty()) return std::nullopt;
  share_site_texts(site, reader.text_pool());
  return site;
}

namespace {

// Fleet-mode keys: sites_topic, producer_group, session_timeout_ms.
void read_fleet_options(YamlReader& reader, const MapFields& fields, ProducerConfig& producer) {
  if (const Located* value = fields.find("sites_topic")) {
    if (auto topic = read_topic_name(reader, *value)) producer.sites_topic = *topic;
  }
  if (const Located* value = fields.find("producer_group")) {
    auto group = reader.string(*value);
    if (group && group->empty()) {
      reader.report(value->mark, value->path, "expected a non-empty consumer group id");
    } else if (group) {
      producer.producer_group = *group;
    }
  }
  if (const Located* value = fields.find("session_timeout_ms")) {
    if (auto ms = reader.integer(*value, 1000, 3600000, "milliseconds")) {
      producer.session_timeout = std::chrono::milliseconds(*ms);
    }
  }
}

}  // namespace

}  // namespace hc::config_detail

namespace hc {

std::span<const std::string_view> site_setting_keys() {
  static constexpr auto kKeys = [] {
    std::array<std::string_view,
               config_detail::kDefaultsKeys.size() + config_detail::kTypeKeys.size()>
        keys{};
    std::copy(config_detail::kDefaultsKeys.begin(), config_detail::kDefaultsKeys.end(),
              keys.begin());
    std::copy(config_detail::kTypeKeys.begin(), config_detail::kTypeKeys.end(),
              keys.begin() + config_detail::kDefaultsKeys.size());
    return keys;
  }();
  return kKeys;
}

bool site_key_applies(std::string_view key, CheckType type) {
  return (config_detail::key_types(key) & config_detail::type_bit(type)) != 0;
}

}  // namespace hc

namespace hc::config_detail {

ProducerConfig read_producer_section(YamlReader& reader, const Located& section,
                                     const IcmpAccessProbe& icmp_access) {
  ProducerConfig producer;
  auto fields = reader.map(section, kProducerKeys, "a map of producer settings");
  if (!fields) return producer;
  producer.kafka = read_kafka_settings(reader, *fields);
  if (const Located* value = fields->find("max_in_flight")) {
    if (auto count = reader.integer(*value, 1, 100000)) producer.max_in_flight = *count;
  }
  if (const Located* value = fields->find("check_threads")) {
    if (auto count = reader.integer(*value, 1, 64)) producer.check_threads = *count;
  }
  if (const Located* value = fields->find("max_queued_messages")) {
    if (auto count = reader.integer(*value, 1, 10000000)) producer.max_queued_messages = *count;
  }
  if (const Located* value = fields->find("shutdown_grace_ms")) {
    // Bounded so that grace + the Kafka flush (10 s) fit systemd's 30 s stop timeout.
    if (auto ms = reader.integer(*value, 0, 15000, "milliseconds")) {
      producer.shutdown_grace = std::chrono::milliseconds(*ms);
    }
  }

  producer.redact_query_params = read_redact_query_params(reader, *fields);

  SiteConfig defaults;
  if (const Located* value = fields->find("defaults")) {
    if (auto default_fields = reader.map(*value, kDefaultsKeys, "a map of per-site defaults")) {
      read_check_options(reader, *default_fields, defaults);
      read_state_options(reader, *default_fields, defaults);
    }
  }

  producer.site_defaults = defaults;
  read_fleet_options(reader, *fields, producer);
  const Located* sites_topic = fields->find("sites_topic");
  if (sites_topic != nullptr) {
    if (const Located* websites = fields->find("websites")) {
      reader.report(websites->mark, websites->path,
                    "websites and sites_topic (line " + std::to_string(sites_topic->mark.line + 1) +
                        ") exclude each other: in fleet mode the sites are the records of "
                        "sites_topic (hc sites import FILE publishes a file's websites there)");
    }
    return producer;
  }
  for (std::string_view fleet_key : {"producer_group", "session_timeout_ms"}) {
    if (const Located* value = fields->find(fleet_key)) {
      reader.report(value->mark, value->path,
                    std::string(fleet_key) + " applies to fleet mode only: set sites_topic too");
    }
  }
  const Located* websites = reader.require(
      *fields, "websites", "the list of sites to check (or sites_topic for fleet mode)");
  if (websites == nullptr) return producer;
  producer.websites.reserve(websites->node.size());
  // The URL is the message key and its digest the row key: two entries would be one series.
  // first_url finds an earlier site of producer.websites with the same URL; given_at says
  // where each site was given (item index, line), for the message.
  FirstGiven first_url(websites->node.size());
  const auto url_of = [&producer](std::uint32_t site) -> std::string_view {
    return producer.websites[site].url;
  };
  std::vector<std::pair<std::uint32_t, std::uint32_t>> given_at;
  given_at.reserve(websites->node.size());
  // Asked once, at the first icmp site: nullopt inside when ICMP sockets can be opened.
  std::optional<std::optional<std::string>> icmp_problem;
  const bool listed = reader.for_each_item(
      *websites, "a list of sites", [&](std::size_t index, const Located& item) {
        auto site = read_site(reader, item, defaults, producer.redact_query_params);
        if (!site) return;
        if (const auto first = first_url.find(site->url, url_of)) {
          const auto [first_index, first_line] = given_at[*first];
          reader.report(item.node.find("url").mark(), child_path(item.path, "url"),
                        "duplicate url: " + websites->path + "[" + std::to_string(first_index) +
                            "] (line " + std::to_string(first_line) +
                            ") checks it already; a URL is one series (message key and digest), "
                            "so list it once");
          return;
        }
        if (site->check_type == CheckType::kIcmp && icmp_access) {
          if (!icmp_problem) icmp_problem = icmp_access();
          if (*icmp_problem) {
            reader.report(item.node.find("url").mark(), child_path(item.path, "url"),
                          "an icmp check needs an ICMP socket, and this process can open "
                          "none: " +
                              **icmp_problem);
            return;
          }
        }
        producer.websites.push_back(std::move(*site));
        first_url.add(producer.websites.back().url,
                      static_cast<std::uint32_t>(producer.websites.size() - 1), url_of);
        given_at.emplace_back(static_cast<std::uint32_t>(index),
                              static_cast<std::uint32_t>(item.mark.line + 1));
      });
  if (listed && websites->node.size() == 0) {
    reader.report(websites->mark, websites->path, "expected at least one site (nothing to check)");
  }
  return producer;
}

}  // namespace hc::config_detail
