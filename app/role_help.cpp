#include "role_help.h"

namespace hc::cli {
namespace {

constexpr std::string_view kCommonOptions =
    "  -c,--config FILE          config file (YAML) [config.yaml]\n"
    "  --metrics-addr HOST:PORT  serve /metrics (Prometheus text) and /healthz\n"
    "  --log-level LEVEL         trace, debug, info, warn, error, critical, off [info]\n"
    "  --log-format FORMAT       text (for people) or json (one object per line) [text]\n"
    "  -h,--help                 this help; `hc --help` lists the subcommands\n";

constexpr std::string_view kProducerHelp =
    "hc --producer: checks every site of healthcheck-producer-config on its own interval\n"
    "(libcurl; the optional regex is searched in the body) and publishes one JSON message per\n"
    "check to the site's Kafka topic, keyed by the URL. A failed check (timeout, refused,\n"
    "DNS, TLS) is published too, with an error class instead of a status code; with a\n"
    "site's `retries`, only after its retries within the interval failed.\n"
    "\n"
    "Usage: hc --producer [-c FILE] [--shard I/N] [--metrics-addr HOST:PORT]\n"
    "                     [--log-level LEVEL] [--log-format text|json]\n"
    "\n"
    "Options:\n"
    "  --shard I/N               check only the sites whose URL hash falls in shard I of N\n"
    "                            (N producers with one site list, each site checked once)\n";

constexpr std::string_view kProducerSignals =
    "\n"
    "Signals: SIGINT/SIGTERM stop scheduling, finish or cancel the checks in flight, flush\n"
    "the messages to Kafka and exit 0. SIGHUP reloads the site list from the same file\n"
    "(an invalid file is logged and the old list keeps running).\n"
    "Exit codes: 0 stopped cleanly, 1 runtime failure, 2 bad config or usage.\n";

constexpr std::string_view kConsumerHelp =
    "hc --consumer: a member of healthcheck-consumer-config's Kafka consumer group; upserts\n"
    "the producer's messages into the PostgreSQL tables of each topic's routes, committing\n"
    "offsets only after every table of a batch committed. Creates or upgrades the tables at\n"
    "start (like `hc migrate`); waits for a database that is not reachable yet. A message it\n"
    "cannot store goes to the route's dead-letter topic.\n"
    "\n"
    "Usage: hc --consumer [-c FILE] [--metrics-addr HOST:PORT]\n"
    "                     [--log-level LEVEL] [--log-format text|json]\n"
    "\n"
    "Options:\n";

constexpr std::string_view kConsumerSignals =
    "\n"
    "Signals: SIGINT/SIGTERM stop consuming, write and commit the batch in hand, leave the\n"
    "group and exit 0.\n"
    "Exit codes: 0 stopped cleanly, 1 runtime failure, 2 bad config or usage.\n";

}  // namespace

std::string role_help(std::string_view role) {
  if (role == "producer") {
    return std::string(kProducerHelp) + std::string(kCommonOptions) + std::string(kProducerSignals);
  }
  if (role == "consumer") {
    return std::string(kConsumerHelp) + std::string(kCommonOptions) + std::string(kConsumerSignals);
  }
  return "";
}

}  // namespace hc::cli
