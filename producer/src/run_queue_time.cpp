#include "run_queue_time.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <cstdint>

namespace hc::producer {

RunQueueTime::RunQueueTime()
    : schedstat_(::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC)) {}

std::optional<std::chrono::nanoseconds> RunQueueTime::read() const {
  if (!schedstat_) return std::nullopt;
  // "<ns on a CPU> <ns runnable, waiting> <timeslices>\n"
  std::array<char, 96> text{};
  const ssize_t size = ::pread(schedstat_.get(), text.data(), text.size(), 0);
  if (size <= 0) return std::nullopt;
  const char* end = text.data() + size;
  std::uint64_t on_cpu = 0;
  std::uint64_t waiting = 0;
  auto parsed = std::from_chars(text.data(), end, on_cpu);
  if (parsed.ec != std::errc() || parsed.ptr == end || *parsed.ptr != ' ') return std::nullopt;
  parsed = std::from_chars(parsed.ptr + 1, end, waiting);
  if (parsed.ec != std::errc()) return std::nullopt;
  return std::chrono::nanoseconds(waiting);
}

}  // namespace hc::producer
