// The silences `hc notify` applies: the config's `silences` (fixed) and the runtime silences
// of the silences topic (silence_json.h; replaced whole by the SilencesFollower each time the
// topic changes). Both decide alike (silences.h): an event is silenced when its URL matches
// and its `at` falls in the silence's time.
//
// Thread: silenced_by() from any thread (the channel workers); replace_runtime() from the
// follower's. A change is seen by every silenced_by() that starts after replace_runtime()
// returned.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hc/common/mutex.h"
#include "hc/common/notify_config.h"
#include "hc/common/state_event.h"
#include "silences.h"

namespace hc::notify {

class SilenceBook {
 public:
  // REQUIRES: `configured` valid (the config checked it); it must outlive the book.
  explicit SilenceBook(const std::vector<NotifySilence>& configured);
  ~SilenceBook();
  SilenceBook(const SilenceBook&) = delete;
  SilenceBook& operator=(const SilenceBook&) = delete;

  // The name of the config silence that holds `event`, else the id of a runtime one, else
  // nullopt.
  std::optional<std::string> silenced_by(const StateEvent& event) const;

  // The runtime silences from now on. REQUIRES: valid (decode_silence_record checked them).
  void replace_runtime(std::vector<NotifySilence> silences);

 private:
  struct Runtime;
  Silences configured_;  // read-only after construction
  mutable Mutex mutex_;
  std::shared_ptr<const Runtime> runtime_ GUARDED_BY(mutex_);  // never null
};

}  // namespace hc::notify
