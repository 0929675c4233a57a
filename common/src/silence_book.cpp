#include "hc/common/silence_book.h"

#include <algorithm>
#include <utility>

namespace hc {

// The runtime silences as given, as the matcher takes them, and their compiled form, which
// points into `silences`: built once, never moved.
struct SilenceBook::Runtime {
  explicit Runtime(std::vector<RuntimeSilence> given)
      : records(std::move(given)), silences(converted(records)), compiled(silences) {}
  static std::vector<NotifySilence> converted(const std::vector<RuntimeSilence>& records) {
    std::vector<NotifySilence> out;
    out.reserve(records.size());
    for (const RuntimeSilence& record : records) out.push_back(to_notify_silence(record));
    return out;
  }
  // Never changed: the book shares a Runtime only as shared_ptr<const Runtime>.
  std::vector<RuntimeSilence> records;
  std::vector<NotifySilence> silences;  // silences[i] is records[i]'s
  Silences compiled;
};

SilenceBook::SilenceBook(const std::vector<NotifySilence>& configured)
    : configured_(configured),
      runtime_(std::make_shared<const Runtime>(std::vector<RuntimeSilence>{})) {}

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

std::vector<SilenceNotice> SilenceBook::covering(std::string_view url,
                                                 std::chrono::sys_seconds from,
                                                 std::chrono::sys_seconds to) const {
  std::vector<SilenceNotice> notices;
  for (SilencePeriod& period : configured_.periods(url, from, to)) {
    notices.push_back(SilenceNotice{std::move(period), false, {}, {}});
  }
  std::shared_ptr<const Runtime> runtime;
  {
    MutexLock lock(mutex_);
    runtime = runtime_;
  }
  for (SilencePeriod& period : runtime->compiled.periods(url, from, to)) {
    const auto record =
        std::find_if(runtime->records.begin(), runtime->records.end(),
                     [&](const RuntimeSilence& silence) { return silence.id == period.name; });
    SilenceNotice notice{std::move(period), true, {}, {}};
    if (record != runtime->records.end()) {
      notice.comment = record->comment;
      notice.created_by = record->created_by;
    }
    notices.push_back(std::move(notice));
  }
  return notices;
}

void SilenceBook::replace_runtime(std::vector<RuntimeSilence> silences) {
  // Compiled outside the lock: readers keep using the previous set meanwhile.
  auto runtime = std::make_shared<const Runtime>(std::move(silences));
  MutexLock lock(mutex_);
  runtime_ = std::move(runtime);
}

}  // namespace hc
