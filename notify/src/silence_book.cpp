#include "silence_book.h"

#include <utility>

namespace hc::notify {

// The silences and their compiled form, which points into them: built once, never moved.
struct SilenceBook::Runtime {
  explicit Runtime(std::vector<NotifySilence> given)
      : silences(std::move(given)), compiled(silences) {}
  // Never changed: the book shares a Runtime only as shared_ptr<const Runtime>.
  std::vector<NotifySilence> silences;
  Silences compiled;
};

SilenceBook::SilenceBook(const std::vector<NotifySilence>& configured)
    : configured_(configured),
      runtime_(std::make_shared<const Runtime>(std::vector<NotifySilence>{})) {}

SilenceBook::~SilenceBook() = default;

std::optional<std::string> SilenceBook::silenced_by(const StateEvent& event) const {
  if (auto name = configured_.silenced_by(event)) return name;
  std::shared_ptr<const Runtime> runtime;
  {
    MutexLock lock(mutex_);
    runtime = runtime_;
  }
  return runtime->compiled.silenced_by(event);
}

void SilenceBook::replace_runtime(std::vector<NotifySilence> silences) {
  // Compiled outside the lock: readers keep using the previous set meanwhile.
  auto runtime = std::make_shared<const Runtime>(std::move(silences));
  MutexLock lock(mutex_);
  runtime_ = std::move(runtime);
}

}  // namespace hc::notify
