// Planned silences (the notify section's `silences`, and the runtime silences of the silences
// topic once converted, silence_json.h): an event whose URL matches a silence's url_regex and
// whose `at` falls in its time (an absolute range, or a weekly window in its time zone) is
// recorded as silenced by `hc notify`, not sent; `hc serve` shows the same silences as
// maintenance on the pages of the sites they cover. Deciding on `at` (not on the clock) makes
// a replay decide the same.
//
// Weekly windows are read in the silence's IANA time zone (cctz, /usr/share/zoneinfo), so
// "Sundays 02:00-04:00 Europe/Berlin" follows daylight saving time. A window whose end is
// before its start spans midnight (22:00-02:00: from 22:00 on the listed day to 02:00 the
// next).
//
// Thread: any after construction (read-only).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/notify_config.h"
#include "hc/common/state_event.h"

namespace hc {

// One stretch of time a silence holds: [starts_at, ends_at); unset = unbounded on that side
// (a config silence without starts_at or ends_at).
struct SilencePeriod {
  std::string name;  // the silence's name (a runtime silence: its id)
  std::optional<std::chrono::sys_seconds> starts_at;
  std::optional<std::chrono::sys_seconds> ends_at;
  bool operator==(const SilencePeriod&) const = default;
};

class Silences {
 public:
  // REQUIRES: silences valid (regexes compile, zones load: the config checked them); they
  // must outlive this object. Throws std::invalid_argument otherwise.
  explicit Silences(const std::vector<NotifySilence>& silences);
  ~Silences();

  // The name of the first silence that holds `event`, or nullopt.
  std::optional<std::string> silenced_by(const StateEvent& event) const;

  // The periods of the silences whose url_regex matches `url` that overlap [from, to): a
  // silence with a weekly window gives one period per window, others at most one. Sorted by
  // start (unbounded first), then by the silences' order. REQUIRES: from < to, and to - from
  // at most a few weeks (each listed day in it is looked at).
  std::vector<SilencePeriod> periods(std::string_view url, std::chrono::sys_seconds from,
                                     std::chrono::sys_seconds to) const;

 private:
  struct Compiled;
  std::vector<std::unique_ptr<Compiled>> silences_;
};

}  // namespace hc
