#include "hc/producer/producer.h"

#include <stdexcept>

namespace hc {

// Placeholder until the producer lands (issue 3).
int run_producer(const Config&, StopControl&, const ProducerOptions&) {
  throw std::runtime_error("producer not built yet");
}

}  // namespace hc
