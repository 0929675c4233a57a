#include "mock_faults.h"

#include <librdkafka/rdkafka.h>

#include <array>
#include <charconv>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace hc::devbroker {
namespace {

// A malformed or refused command; its text becomes the "error ..." answer.
class CommandError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

constexpr std::string_view kHelp =
    "commands: ping, status, broker-down ID, broker-up ID, all-down, all-up, rtt ID|all MS, "
    "request-errors API ERR COUNT, broker-request-errors ID API ERR COUNT [RTT_MS], "
    "clear-request-errors API, leader TOPIC PARTITION ID, topic-error TOPIC ERR";

// Kafka API keys by name (the protocol's own names); numbers are accepted as well.
constexpr std::array<std::pair<std::string_view, int>, 23> kApiKeys{{
    {"Produce", 0},
    {"Fetch", 1},
    {"ListOffsets", 2},
    {"Metadata", 3},
    {"OffsetCommit", 8},
    {"OffsetFetch", 9},
    {"FindCoordinator", 10},
    {"JoinGroup", 11},
    {"Heartbeat", 12},
    {"LeaveGroup", 13},
    {"SyncGroup", 14},
    {"DescribeGroups", 15},
    {"ListGroups", 16},
    {"SaslHandshake", 17},
    {"ApiVersions", 18},
    {"CreateTopics", 19},
    {"DeleteTopics", 20},
    {"InitProducerId", 22},
    {"AddPartitionsToTxn", 24},
    {"AddOffsetsToTxn", 25},
    {"EndTxn", 26},
    {"TxnOffsetCommit", 28},
    {"OffsetDelete", 47},
}};
constexpr int kMaxApiKey = 67;  // highest key librdkafka 2.0.2 knows of

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  std::istringstream in{std::string(line)};
  for (std::string word; in >> word;) words.push_back(std::move(word));
  return words;
}

void expect_arguments(const std::vector<std::string>& words, std::size_t minimum,
                      std::size_t maximum, std::string_view usage) {
  const std::size_t given = words.size() - 1;
  if (given < minimum || given > maximum) {
    throw CommandError("usage: " + std::string(usage));
  }
}

long long parse_integer(const std::string& text, long long low, long long high,
                        std::string_view what) {
  long long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    throw CommandError(std::string(what) + " must be an integer in " + std::to_string(low) + ".." +
                       std::to_string(high) + ", got '" + text + "'");
  }
  return value;
}

std::int16_t parse_api_key(const std::string& text) {
  for (const auto& [name, key] : kApiKeys) {
    if (text == name) return static_cast<std::int16_t>(key);
  }
  if (!text.empty() && text.front() >= '0' && text.front() <= '9') {
    return static_cast<std::int16_t>(parse_integer(text, 0, kMaxApiKey, "API key"));
  }
  throw CommandError("unknown API '" + text + "' (a number 0.." + std::to_string(kMaxApiKey) +
                     " or a name such as Produce, Fetch, Metadata, OffsetCommit, JoinGroup)");
}

// By librdkafka's name (rd_kafka_err2name: "NOT_LEADER_FOR_PARTITION", "_TRANSPORT") or number.
rd_kafka_resp_err_t parse_error_code(const std::string& text) {
  const rd_kafka_err_desc* descriptions = nullptr;
  std::size_t count = 0;
  rd_kafka_get_err_descs(&descriptions, &count);
  for (std::size_t i = 0; i < count; ++i) {
    if (descriptions[i].name != nullptr && text == descriptions[i].name) {
      return descriptions[i].code;
    }
  }
  long long code = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), code);
  if (error == std::errc() && end == text.data() + text.size()) {
    for (std::size_t i = 0; i < count; ++i) {
      if (descriptions[i].name != nullptr && descriptions[i].code == code) {
        return descriptions[i].code;
      }
    }
  }
  throw CommandError("unknown error code '" + text +
                     "' (a Kafka error number or a librdkafka name such as "
                     "NOT_LEADER_FOR_PARTITION, REQUEST_TIMED_OUT, _TRANSPORT)");
}

std::string answer(rd_kafka_resp_err_t error, std::string_view what) {
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return "ok";
  return "error " + std::string(what) + ": " + rd_kafka_err2str(error);
}

}  // namespace

MockFaults::MockFaults(rd_kafka_mock_cluster_t* cluster, int broker_count)
    : cluster_(cluster), broker_up_(static_cast<std::size_t>(broker_count), true) {}

std::string MockFaults::execute(std::string_view line) {
  const std::vector<std::string> words = split_words(line);
  if (words.empty()) return "error empty command; " + std::string(kHelp);
  const std::string& command = words.front();
  try {
    if (command == "ping") {
      expect_arguments(words, 0, 0, "ping");
      return "ok";
    }
    if (command == "help") return "ok " + std::string(kHelp);
    if (command == "status") {
      expect_arguments(words, 0, 0, "status");
      return status();
    }
    if (command == "broker-down") return set_broker_up(words, false);
    if (command == "broker-up") return set_broker_up(words, true);
    if (command == "all-down") {
      expect_arguments(words, 0, 0, "all-down");
      return set_all_up(false);
    }
    if (command == "all-up") {
      expect_arguments(words, 0, 0, "all-up");
      return set_all_up(true);
    }
    if (command == "rtt") return set_rtt(words);
    if (command == "request-errors") return push_request_errors(words);
    if (command == "broker-request-errors") return push_broker_request_errors(words);
    if (command == "clear-request-errors") return clear_request_errors(words);
    if (command == "leader") return set_leader(words);
    if (command == "topic-error") return set_topic_error(words);
  } catch (const CommandError& error) {
    return "error " + command + ": " + error.what();
  }
  return "error unknown command '" + command + "'; " + std::string(kHelp);
}

std::string MockFaults::set_broker_up(const std::vector<std::string>& words, bool up) {
  expect_arguments(words, 1, 1, up ? "broker-up ID" : "broker-down ID");
  const auto id = static_cast<std::int32_t>(
      parse_integer(words[1], 1, static_cast<long long>(broker_up_.size()), "broker ID"));
  const rd_kafka_resp_err_t error =
      up ? rd_kafka_mock_broker_set_up(cluster_, id) : rd_kafka_mock_broker_set_down(cluster_, id);
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) broker_up_[static_cast<std::size_t>(id - 1)] = up;
  return answer(error, words[0]);
}

std::string MockFaults::set_all_up(bool up) {
  for (std::size_t index = 0; index < broker_up_.size(); ++index) {
    const auto id = static_cast<std::int32_t>(index + 1);
    const rd_kafka_resp_err_t error = up ? rd_kafka_mock_broker_set_up(cluster_, id)
                                         : rd_kafka_mock_broker_set_down(cluster_, id);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return answer(error, (up ? "all-up at broker " : "all-down at broker ") + std::to_string(id));
    }
    broker_up_[index] = up;
  }
  return "ok";
}

std::string MockFaults::set_rtt(const std::vector<std::string>& words) {
  expect_arguments(words, 2, 2, "rtt ID|all MS");
  const auto rtt_ms = static_cast<int>(parse_integer(words[2], 0, 3'600'000, "MS"));
  const std::int32_t id =
      words[1] == "all" ? -1
                        : static_cast<std::int32_t>(parse_integer(
                              words[1], 1, static_cast<long long>(broker_up_.size()), "broker ID"));
  return answer(rd_kafka_mock_broker_set_rtt(cluster_, id, rtt_ms), "rtt");
}

std::string MockFaults::push_request_errors(const std::vector<std::string>& words) {
  expect_arguments(words, 3, 3, "request-errors API ERR COUNT");
  const std::int16_t api = parse_api_key(words[1]);
  const rd_kafka_resp_err_t code = parse_error_code(words[2]);
  const auto count = static_cast<std::size_t>(parse_integer(words[3], 1, 100'000, "COUNT"));
  const std::vector<rd_kafka_resp_err_t> errors(count, code);
  rd_kafka_mock_push_request_errors_array(cluster_, api, errors.size(), errors.data());
  return "ok";
}

std::string MockFaults::push_broker_request_errors(const std::vector<std::string>& words) {
  expect_arguments(words, 4, 5, "broker-request-errors ID API ERR COUNT [RTT_MS]");
  const auto id = static_cast<std::int32_t>(
      parse_integer(words[1], 1, static_cast<long long>(broker_up_.size()), "broker ID"));
  const std::int16_t api = parse_api_key(words[2]);
  const rd_kafka_resp_err_t code = parse_error_code(words[3]);
  const auto count = parse_integer(words[4], 1, 100'000, "COUNT");
  const int rtt_ms =
      words.size() > 5 ? static_cast<int>(parse_integer(words[5], 0, 3'600'000, "RTT_MS")) : 0;
  // The mock's call is variadic (pairs of error, rtt); it appends, so push one at a time.
  for (long long i = 0; i < count; ++i) {
    const rd_kafka_resp_err_t error =
        rd_kafka_mock_broker_push_request_error_rtts(cluster_, id, api, 1, code, rtt_ms);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) return answer(error, words[0]);
  }
  return "ok";
}

std::string MockFaults::clear_request_errors(const std::vector<std::string>& words) {
  expect_arguments(words, 1, 1, "clear-request-errors API");
  rd_kafka_mock_clear_request_errors(cluster_, parse_api_key(words[1]));
  return "ok";
}

std::string MockFaults::set_leader(const std::vector<std::string>& words) {
  expect_arguments(words, 3, 3, "leader TOPIC PARTITION ID");
  const auto partition =
      static_cast<std::int32_t>(parse_integer(words[2], 0, 100'000, "PARTITION"));
  const auto id = static_cast<std::int32_t>(
      parse_integer(words[3], 1, static_cast<long long>(broker_up_.size()), "broker ID"));
  return answer(rd_kafka_mock_partition_set_leader(cluster_, words[1].c_str(), partition, id),
                "leader " + words[1] + " [" + words[2] + "]");
}

std::string MockFaults::set_topic_error(const std::vector<std::string>& words) {
  expect_arguments(words, 2, 2, "topic-error TOPIC ERR");
  rd_kafka_mock_topic_set_error(cluster_, words[1].c_str(), parse_error_code(words[2]));
  return "ok";
}

std::string MockFaults::status() const {
  std::string text = "ok brokers";
  for (std::size_t index = 0; index < broker_up_.size(); ++index) {
    text += " " + std::to_string(index + 1) + (broker_up_[index] ? ":up" : ":down");
  }
  return text;
}

}  // namespace hc::devbroker
