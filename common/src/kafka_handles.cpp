#include "hc/common/kafka_handles.h"

#include <fmt/format.h>

#include <array>
#include <stdexcept>

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

}  // namespace hc
