#include "hc/common/message_size_limit.h"

#include <charconv>
#include <memory>
#include <string_view>

#include "hc/common/kafka_handles.h"

namespace hc {
namespace {

struct AdminDeleter {
  void operator()(rd_kafka_ConfigResource_t* resource) const {
    rd_kafka_ConfigResource_destroy(resource);
  }
  void operator()(rd_kafka_AdminOptions_t* options) const {
    rd_kafka_AdminOptions_destroy(options);
  }
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
  void operator()(const rd_kafka_metadata_t* metadata) const {
    rd_kafka_metadata_destroy(metadata);
  }
};
using ConfigResource = std::unique_ptr<rd_kafka_ConfigResource_t, AdminDeleter>;
using AdminOptions = std::unique_ptr<rd_kafka_AdminOptions_t, AdminDeleter>;
using KafkaEvent = std::unique_ptr<rd_kafka_event_t, AdminDeleter>;
using Metadata = std::unique_ptr<const rd_kafka_metadata_t, AdminDeleter>;

// The value of config `name` of one resource, as a size; nullopt on any error.
std::optional<std::size_t> describe_size(rd_kafka_t* client, rd_kafka_ResourceType_t type,
                                         const std::string& resource_name, std::string_view name,
                                         std::chrono::milliseconds timeout) {
  ConfigResource resource(rd_kafka_ConfigResource_new(type, resource_name.c_str()));
  AdminOptions options(rd_kafka_AdminOptions_new(client, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS));
  if (!resource || !options) return std::nullopt;
  char error_text[256];
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(timeout.count()),
                                                error_text,
                                                sizeof error_text) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  KafkaQueue queue(rd_kafka_queue_new(client));
  rd_kafka_ConfigResource_t* resources[] = {resource.get()};
  rd_kafka_DescribeConfigs(client, resources, 1, options.get(), queue.get());
  // The request timeout bounds the answer; the margin covers the queue hand-off.
  KafkaEvent event(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 1000));
  if (!event || rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  const rd_kafka_DescribeConfigs_result_t* result =
      rd_kafka_event_DescribeConfigs_result(event.get());
  if (result == nullptr) return std::nullopt;
  std::size_t count = 0;
  const rd_kafka_ConfigResource_t** described =
      rd_kafka_DescribeConfigs_result_resources(result, &count);
  if (count != 1 || rd_kafka_ConfigResource_error(described[0]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  std::size_t entry_count = 0;
  const rd_kafka_ConfigEntry_t** entries =
      rd_kafka_ConfigResource_configs(described[0], &entry_count);
  for (std::size_t i = 0; i < entry_count; ++i) {
    const char* value = rd_kafka_ConfigEntry_value(entries[i]);
    if (name != rd_kafka_ConfigEntry_name(entries[i]) || value == nullptr) continue;
    std::size_t bytes = 0;
    const std::string_view text(value);
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), bytes);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return bytes;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::size_t> max_message_bytes(rd_kafka_t* client, const std::string& topic,
                                             std::chrono::milliseconds timeout) {
  if (auto bytes =
          describe_size(client, RD_KAFKA_RESOURCE_TOPIC, topic, "max.message.bytes", timeout)) {
    return bytes;
  }
  const rd_kafka_metadata_t* raw = nullptr;
  if (rd_kafka_metadata(client, 0, nullptr, &raw, static_cast<int>(timeout.count())) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  const Metadata metadata(raw);
  if (metadata->broker_cnt < 1) return std::nullopt;
  return describe_size(client, RD_KAFKA_RESOURCE_BROKER, std::to_string(metadata->brokers[0].id),
                       "message.max.bytes", timeout);
}

}  // namespace hc
