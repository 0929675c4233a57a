#include "hc/common/kafka_handles.h"

#include <fmt/format.h>

#include <array>
#include <stdexcept>

#include "hc/common/logging.h"

namespace hc {

KafkaConf make_kafka_conf(const KafkaSettings& settings,
                          const std::vector<std::pair<std::string, std::string>>& properties) {
  KafkaConf conf(rd_kafka_conf_new());
  std::array<char, 512> reason{};
  auto set = [&](const std::string& name, const std::string& value) {
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), reason.data(), reason.size()) !=
        RD_KAFKA_CONF_OK) {
      throw std::invalid_argument(
          fmt::format("librdkafka rejected property '{}': {}", name, reason.data()));
    }
  };
  for (const auto& [name, value] : settings.librdkafka_properties()) set(name, value);
  for (const auto& [name, value] : properties) set(name, value);
  return conf;
}

namespace {

// librdkafka's syslog levels (0 emergency .. 7 debug) as spdlog levels.
spdlog::level::level_enum log_level_for(int syslog_level) {
  if (syslog_level <= 2) return spdlog::level::critical;
  if (syslog_level == 3) return spdlog::level::err;
  if (syslog_level == 4) return spdlog::level::warn;
  if (syslog_level <= 6) return spdlog::level::info;
  return spdlog::level::debug;
}

// Called from librdkafka's threads (and from rd_kafka_new); spdlog's loggers are thread-safe.
void log_librdkafka_line(const rd_kafka_t* client, int level, const char* facility,
                         const char* message) {
  log_event(log_level_for(level), fmt::format("librdkafka: {}", message),
            {{"facility", facility != nullptr ? facility : ""},
             {"client", client != nullptr ? rd_kafka_name(client) : ""}});
}

}  // namespace

KafkaHandle make_kafka_client(rd_kafka_type_t type, KafkaConf conf, std::string_view what) {
  rd_kafka_conf_set_log_cb(conf.get(), &log_librdkafka_line);
  std::array<char, 512> reason{};
  KafkaHandle client(rd_kafka_new(type, conf.get(), reason.data(), reason.size()));
  if (!client) throw std::runtime_error(fmt::format("cannot create {}: {}", what, reason.data()));
  static_cast<void>(conf.release());  // rd_kafka_new took ownership
  return client;
}

}  // namespace hc
