// Planned silences from the config: an event whose URL matches a silence's url_regex and whose
// `at` falls in its time (an absolute range, or a weekly window in its time zone) is recorded
// as silenced, not sent. Deciding on `at` (not on the clock) makes a replay decide the same.
//
// Weekly windows are read in the silence's IANA time zone (cctz, /usr/share/zoneinfo), so
// "Sundays 02:00-04:00 Europe/Berlin" follows daylight saving time. A window whose end is
// before its start spans midnight (22:00-02:00: from 22:00 on the listed day to 02:00 the
// next).
//
// Thread: any after construction (read-only).
#pragma once

#include <re2/re2.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hc/common/notify_config.h"
#include "hc/common/state_event.h"

namespace hc::notify {

class Silences {
 public:
  // REQUIRES: silences valid (regexes compile, zones load: the config checked them).
  // Throws std::invalid_argument otherwise.
  explicit Silences(const std::vector<NotifySilence>& silences);
  ~Silences();

  // The name of the first silence that holds `event`, or nullopt.
  std::optional<std::string> silenced_by(const StateEvent& event) const;

 private:
  struct Compiled;
  std::vector<std::unique_ptr<Compiled>> silences_;
};

}  // namespace hc::notify
