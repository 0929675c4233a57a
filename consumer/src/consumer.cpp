#include "hc/consumer/consumer.h"

#include <stdexcept>

namespace hc {

// Placeholder until the consumer lands (issue 4).
int run_consumer(const ConsumerConfig&, StopControl&, const ConsumerOptions&) {
  throw std::runtime_error("consumer not built yet");
}
void migrate_all(const ConsumerConfig&) { throw std::runtime_error("consumer not built yet"); }

}  // namespace hc
