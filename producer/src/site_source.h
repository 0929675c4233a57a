// Where a producer's sites come from: the config file (file mode) or the sites topic through
// the group producer_group (fleet mode). The producer asks its source for changes each turn
// and applies what the source hands to its SiteListener; nothing else in the producer knows
// which mode it runs in.
//
// Thread: every call on the producer's coordinator thread; the listener is called from
// inside those calls, on the same thread.
#pragma once

#include <chrono>
#include <vector>

#include "hc/common/config.h"

namespace hc::producer {

class SiteListener {
 public:
  virtual ~SiteListener() = default;
  // From now on check exactly `sites`. With `wait_for_removed` (a revoke in progress), return
  // only when no check of a site left out is running any more (or after a bounded wait,
  // logged), so that the site's next owner never overlaps with this producer.
  virtual void use_sites(const std::vector<SiteConfig>& sites, bool wait_for_removed) = 0;
};

class SiteSource {
 public:
  virtual ~SiteSource() = default;
  // The sites known before the first poll (file mode: the config's; fleet mode: none yet).
  // Called once, before the first poll: the source may hand its list over.
  virtual std::vector<SiteConfig> initial_sites() = 0;
  // Serves the source for at most `wait`; calls listener.use_sites() when the sites changed.
  virtual void poll(SiteListener& listener, std::chrono::milliseconds wait) = 0;
  // SIGHUP: re-read what can be re-read (file mode: the config file's sites).
  virtual void reload(SiteListener& listener) = 0;
  // At a stop, before the checks end: leave what was joined (fleet mode: the group).
  virtual void close(SiteListener& listener) = 0;
  // True when the sites move between producers (fleet mode): a site handed over by
  // use_sites() may have been judged by another producer since this one last saw it, so its
  // state is restored from its events topic before its first check here.
  virtual bool sites_move() const { return false; }
};

}  // namespace hc::producer
