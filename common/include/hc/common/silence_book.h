// The silences in force: the config's `silences` (fixed) and the runtime silences of the
// silences topic (silence_json.h; replaced whole by the SilencesFollower each time the topic
// changes). Both decide alike (silences.h). `hc notify` asks whether an event is silenced (its
// URL matches and its `at` falls in the silence's time); `hc serve` asks which silences cover
// a site now or soon, to show them on its pages as maintenance.
//
// Thread: silenced_by() and covering() from any thread (notify's channel workers, serve's
// request workers); replace_runtime() from the follower's. A change is seen by every call that
// starts after replace_runtime() returned.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/mutex.h"
#include "hc/common/notify_config.h"
#include "hc/common/silence_json.h"
#include "hc/common/silences.h"
#include "hc/common/state_event.h"

namespace hc {

// A silence over a site for one stretch of time, as a page shows it.
struct SilenceNotice {
  SilencePeriod period;  // name: the config silence's name, or the runtime silence's id
  bool runtime = false;  // from the silences topic; else from the config
  std::string comment;   // a runtime silence's comment and author; empty for the config's
  std::string created_by;
};

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

  // The silences whose url_regex matches `url`, one notice per period that overlaps
  // [from, to): the config's first, then the runtime ones, each group sorted by start
  // (Silences::periods). REQUIRES: as Silences::periods.
  std::vector<SilenceNotice> covering(std::string_view url, std::chrono::sys_seconds from,
                                      std::chrono::sys_seconds to) const;

  // The runtime silences from now on. REQUIRES: valid (decode_silence_record checked them).
  void replace_runtime(std::vector<RuntimeSilence> silences);

 private:
  struct Runtime;
  Silences configured_;  // read-only after construction
  mutable Mutex mutex_;
  std::shared_ptr<const Runtime> runtime_ GUARDED_BY(mutex_);  // never null
};

}  // namespace hc
