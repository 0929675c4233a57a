#include "hc/common/config.h"

namespace hc {
std::vector<std::pair<std::string, std::string>> KafkaSettings::librdkafka_properties() const {
  return {};
}
}  // namespace hc
