// Readers for the two sections of the config file and the Kafka keys they share.
// Each reads what it can, reports every problem to the YamlReader and returns the
// (possibly partial) result; the loader discards it if anything was reported.
#pragma once

#include <array>
#include <string_view>

#include "hc/common/config.h"
#include "yaml_reader.h"

namespace hc::config_detail {

inline constexpr std::string_view kProducerSection = "healthcheck-producer-config";
inline constexpr std::string_view kConsumerSection = "healthcheck-consumer-config";
inline constexpr std::string_view kNotifySection = "healthcheck-notify-config";
inline constexpr std::string_view kServeSection = "healthcheck-serve-config";

// Connection and security keys, valid in both sections.
inline constexpr std::array<std::string_view, 9> kKafkaKeys = {
    "bootstrap_servers", "security_protocol", "ssl_cafile",    "ssl_certfile",        "ssl_keyfile",
    "sasl_mechanism",    "sasl_username",     "sasl_password", "allow_plaintext_sasl"};

// Reads kKafkaKeys from a section's fields; bootstrap_servers is required.
KafkaSettings read_kafka_settings(YamlReader& reader, const MapFields& section);

// A Kafka topic name (see is_kafka_topic_name); nullopt if invalid (reported).
std::optional<std::string> read_topic_name(YamlReader& reader, const Located& value);

// `redact_query_params` of a section (valid in both): the names given, or
// default_redacted_query_params() when absent. Bad names are reported.
std::vector<std::string> read_redact_query_params(YamlReader& reader, const MapFields& section);
// When both sections are present, each gets the union of their lists: a name given in either
// is redacted by every role (the producer's logs and the status page alike).
void share_redact_query_params(Config& config);

// HTTP request headers (name -> value) added to `headers`; a name given again replaces the
// earlier value (case-insensitive). Values are never quoted in messages (credentials).
void read_headers(YamlReader& reader, const Located& value,
                  std::vector<std::pair<std::string, std::string>>& headers);

// An RE2 pattern that compiles; nullopt for "" (like an absent key) or when reported.
std::optional<std::string> read_pattern(YamlReader& reader, const Located& value);

// One `websites` entry (or a sites-topic value, site_json.h) over `defaults`; nullopt when
// anything was reported. redact_query_params: how the URL is quoted in errors.
std::optional<SiteConfig> read_site(YamlReader& reader, const Located& item,
                                    const SiteConfig& defaults,
                                    const std::vector<std::string>& redact_query_params);

// icmp_access: see load_config (empty: not checked).
ProducerConfig read_producer_section(YamlReader& reader, const Located& section,
                                     const IcmpAccessProbe& icmp_access = {});
ConsumerConfig read_consumer_section(YamlReader& reader, const Located& section);
NotifyConfig read_notify_section(YamlReader& reader, const Located& section);
ServeConfig read_serve_section(YamlReader& reader, const Located& section);

// kKafkaKeys followed by `more`: the keys valid in a section.
template <std::size_t N>
constexpr std::array<std::string_view, kKafkaKeys.size() + N> with_kafka_keys(
    const std::array<std::string_view, N>& more) {
  std::array<std::string_view, kKafkaKeys.size() + N> keys{};
  for (std::size_t i = 0; i < kKafkaKeys.size(); ++i) keys[i] = kKafkaKeys[i];
  for (std::size_t i = 0; i < N; ++i) keys[kKafkaKeys.size() + i] = more[i];
  return keys;
}

}  // namespace hc::config_detail
