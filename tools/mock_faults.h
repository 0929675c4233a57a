// The fault controls of librdkafka's mock cluster as a one-line text protocol, for
// hc-devbroker's control socket. One command per line, one answer line per command:
//
//   ping                                   -> ok
//   help                                   -> ok <the command list>
//   status                                 -> ok brokers 1:up 2:down ...
//   broker-down ID | broker-up ID          one broker (IDs are 1..--brokers)
//   all-down | all-up                      every broker
//   rtt ID|all MS                          added round-trip time per response (0: none)
//   request-errors API ERR COUNT           the next COUNT requests of API (any broker) fail
//                                          with ERR
//   broker-request-errors ID API ERR COUNT [RTT_MS]
//                                          same, on broker ID only, each answered after RTT_MS
//   clear-request-errors API               drops the cluster-wide errors still queued for API
//   leader TOPIC PARTITION ID              moves the partition's leader to broker ID (an
//                                          unknown topic is auto-created, as the mock does)
//   topic-error TOPIC ERR                  Metadata reports ERR for TOPIC (ERR 0/NO_ERROR clears)
//
// API is a Kafka API key, by number (0 = Produce) or name (Produce, Fetch, Metadata,
// OffsetCommit, FindCoordinator, JoinGroup, Heartbeat, SyncGroup, InitProducerId, ...).
// ERR is a Kafka error code, by number or by librdkafka's name without the RD_KAFKA_RESP_ERR_
// prefix (NOT_LEADER_FOR_PARTITION, REQUEST_TIMED_OUT, _TRANSPORT = close the connection).
// Answers are "ok[ DETAIL]" or "error WHAT": a bad command never changes anything.
//
// What the mock does (librdkafka 2.0.2, src/rdkafka_mock.c): a broker that is down closes
// its connections and its listening socket stays bound but does not listen, so clients get
// "connection refused" on the same port; up listens again on that port. Topics, partitions,
// messages, committed offsets and groups live in the cluster, not in a broker: they survive
// down/up (group members still time out by session.timeout.ms while the brokers are down).
//
// Thread: execute() may be called from any thread, one call at a time (the control socket's
// single thread); every mock call is handed to the cluster's own thread and waited for.
#pragma once

#include <librdkafka/rdkafka.h>
// rdkafka_mock.h requires rdkafka.h first.
#include <librdkafka/rdkafka_mock.h>

#include <string>
#include <string_view>
#include <vector>

namespace hc::devbroker {

class MockFaults {
 public:
  // REQUIRES: `cluster` outlives this object and has brokers 1..broker_count.
  MockFaults(rd_kafka_mock_cluster_t* cluster, int broker_count);

  // Runs one command line (without its newline) and returns the answer line (no newline).
  std::string execute(std::string_view line);

 private:
  std::string set_broker_up(const std::vector<std::string>& words, bool up);
  std::string set_all_up(bool up);
  std::string set_rtt(const std::vector<std::string>& words);
  std::string push_request_errors(const std::vector<std::string>& words);
  std::string push_broker_request_errors(const std::vector<std::string>& words);
  std::string clear_request_errors(const std::vector<std::string>& words);
  std::string set_leader(const std::vector<std::string>& words);
  std::string set_topic_error(const std::vector<std::string>& words);
  std::string status() const;

  rd_kafka_mock_cluster_t* cluster_;
  std::vector<bool> broker_up_;  // index = broker id - 1; the mock itself has no getter
};

}  // namespace hc::devbroker
