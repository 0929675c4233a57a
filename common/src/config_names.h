// Name rules shared by the config sections.
#pragma once

#include <string_view>

namespace hc::config_detail {

// Kafka's own rule for topic names: [A-Za-z0-9._-]{1,249}, but not "." or "..".
bool is_kafka_topic_name(std::string_view name);

// "host:port" with a non-empty host and a port in 1..65535 ("[::1]:9092" for IPv6).
bool is_host_port(std::string_view server);

}  // namespace hc::config_detail
