// What the brokers accept as one record batch for a topic, read through the admin API
// (DescribeConfigs), so a producer can size what it sends instead of being refused.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace hc {

// The topic's `max.message.bytes` (its own or the broker default it inherits); when the topic
// cannot be described (no DescribeConfigs, not authorized, not there yet), a broker's
// `message.max.bytes`; nullopt when neither answers within `timeout` (each request; the
// caller then keeps its own bound). `client`: any librdkafka handle (a producer's will do).
// Blocks the calling thread; Thread: any thread that may use `client`.
std::optional<std::size_t> max_message_bytes(rd_kafka_t* client, const std::string& topic,
                                             std::chrono::milliseconds timeout);

}  // namespace hc
