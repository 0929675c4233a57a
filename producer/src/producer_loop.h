// The producer role's loops, built from injected parts (ProducerParts, producer_parts.h):
// check_threads CheckLoops, each with its share of the sites and its own Checker, publishing
// measurements to one MeasurementSink and state changes to one EventSink; the coordinator
// (the thread that calls run()) serves the sinks, the SiteSource (reloads, fleet
// assignments) and the periodic log line. Production wires Kafka, libcurl and the config
// file or sites topic (run_producer, producer.cpp); unit tests wire fakes and a fake clock and
// drive everything turn by turn with start() and step().
//
// State changes stay exact across restarts and moves: the sites known at start have their
// states restored from their events topics before the first check; in fleet mode
// (SiteSource::sites_move) so has every site handed over later, before its first check here,
// and a revoke delivers the state changes published so far before it completes, so that the
// next owner reads them.
//
// Threads: run() on the coordinator, the loops on threads of their own; or start() and
// step() on one thread (tests).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "check_loop.h"
#include "hc/common/config.h"
#include "hc/common/signals.h"
#include "hc/producer/producer.h"
#include "host_slots.h"
#include "memory_release.h"
#include "producer_metrics.h"
#include "producer_parts.h"
#include "producer_stats.h"
#include "site_states.h"
#include "stats_log.h"

namespace hc::producer {

class ProducerLoop final : private SiteListener {
 public:
  // Takes the sites the source has at start (initial_sites()) and hands them to the loops.
  // REQUIRES: every part is set. Throws what a part's creation throws.
  ProducerLoop(const ProducerConfig& config, const ProducerOptions& options, ProducerParts parts);
  ~ProducerLoop() override;
  ProducerLoop(const ProducerLoop&) = delete;
  ProducerLoop& operator=(const ProducerLoop&) = delete;

  // Until control.stop_requested(), as run_producer() (hc/producer/producer.h) describes;
  // then stops the loops, leaves the site source, flushes the sinks and returns 0. Rethrows
  // what made a check loop fail.
  int run(StopControl& control);

  // For tests, instead of run(): start() restores the initial sites' states; each step() is
  // one turn of the coordinator (a reload if requested, the site source, the sinks) and then
  // one turn of every check loop, none of which waits. `control` must outlive the calls.
  void start(StopControl& control);
  void step();

  const ProducerStats& stats() const { return stats_; }
  const EventStats& event_stats() const { return event_stats_; }
  const SiteStates& states() const { return states_; }

 private:
  // Returns each loop's ticket (CheckLoop::settled). With `initial`, notes the sites whose
  // state is restored at start (owned_urls_, events_topics_).
  std::vector<std::uint64_t> assign_sites(std::vector<SiteConfig> sites, bool initial = false);
  void restore_states_at_start(const StopControl& control);
  void restore_states_of(const UrlSet& urls, const std::set<std::string>& topics,
                         std::chrono::milliseconds timeout, const StopControl& control,
                         std::string_view what, bool forget_missing);
  void restore_moved_in(const std::vector<SiteConfig>& sites);
  // SiteListener: the source's new site list. With wait_for_removed (a revoke), waits until
  // every loop applied it and no check of a removed site still runs (at most shutdown_grace),
  // then delivers the state changes published so far (bounded).
  void use_sites(const std::vector<SiteConfig>& sites, bool wait_for_removed) override;
  // What the coordinator does while it waits for the loops: serve the measurement sink (and,
  // when the test drives the loops, turn them).
  void serve_while_waiting();
  void sync_stats();

  ProducerOptions options_;
  std::shared_ptr<const Clock> clock_;
  std::chrono::milliseconds shutdown_grace_;
  // From the config at start, like the other bounds: a reload keeps them.
  std::vector<std::string> redact_query_params_;
  // The sites whose state is restored at start (emptied after), and their events topics. The
  // URLs view the initial plans' (assign_sites), which live until a reload, after the restore.
  UrlSet owned_urls_;
  std::set<std::string> events_topics_;
  // Fleet mode: the URLs the loops were last given (restore_moved_in()).
  std::unordered_set<std::string> checked_urls_;
  StopControl* control_ = nullptr;  // start()'s or run()'s, from then on
  bool stepping_ = false;           // a test drives the loops through step()
  ProducerStats stats_;
  ProducerMetrics metrics_{stats_};
  EventStats event_stats_;
  std::unique_ptr<MeasurementSink> publisher_;
  std::unique_ptr<EventSink> events_;
  StateRestorer restorer_;
  SiteStates states_;
  StatsLog stats_log_;
  // The coordinator hands the heap's free pages back (malloc_trim) once a period, half a period
  // after the loops freed their idle handles (memory_release.h).
  MemoryReleaseSchedule heap_trim_;
  std::unique_ptr<SiteSource> sites_;
  std::unique_ptr<HostSlots> host_slots_;          // shared by loops_
  std::vector<std::unique_ptr<CheckLoop>> loops_;  // after what they refer to
};

}  // namespace hc::producer
