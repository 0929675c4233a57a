#include "kafka_pipeline.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <array>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>

#include "hc/common/kafka_handles.h"

namespace hc::kafka_test {

Sites::Sites() {
  web_.server().Get("/up", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("hc: all systems operational", "text/plain");
  });
  web_.server().Get("/down", [](const httplib::Request&, httplib::Response& response) {
    response.status = 500;
    response.set_content("broken", "text/plain");
  });
  web_.start();
}

std::filesystem::path write_pipeline_config(const std::filesystem::path& dir,
                                            const std::string& name, const PipelineSpec& spec) {
  auto path = dir / (name + ".yaml");
  std::ofstream out(path);
  out << "healthcheck-producer-config:\n"
      << spec.kafka_yaml << spec.producer_yaml << "  defaults:\n"
      << "    polling_interval_in_seconds: 1\n"
      << "    timeout_ms: 2000\n"
      << "    destination_topic: " << spec.topic << "\n"
      << "  websites:\n";
  for (const auto& url : spec.urls) out << "    - url: " << url << "\n";
  out << "healthcheck-consumer-config:\n"
      << spec.kafka_yaml << spec.consumer_yaml << "  group_id: " << spec.group << "\n"
      << "  auto_offset_reset: earliest\n"
      << "  batch_max_wait_ms: 50\n"
      << "  session_timeout_ms: 6000\n"
      << "  topics:\n"
      << "    - source_topic: " << spec.topic << "\n"
      << "      connection_uri: \"" << spec.database_uri << "\"\n"
      << "      table_name: " << spec.table << "\n";
  return path;
}

namespace {

int partition_count(rd_kafka_t* handle, const std::string& topic) {
  const rd_kafka_metadata_t* metadata = nullptr;
  std::unique_ptr<rd_kafka_topic_t, decltype(&rd_kafka_topic_destroy)> topic_handle(
      rd_kafka_topic_new(handle, topic.c_str(), nullptr), &rd_kafka_topic_destroy);
  if (auto error = rd_kafka_metadata(handle, 0, topic_handle.get(), &metadata, 10000)) {
    throw std::runtime_error("metadata of " + topic + ": " + rd_kafka_err2str(error));
  }
  int partitions = 0;
  rd_kafka_resp_err_t topic_error = RD_KAFKA_RESP_ERR_NO_ERROR;
  if (metadata->topic_cnt == 1) {
    partitions = metadata->topics[0].partition_cnt;
    topic_error = metadata->topics[0].err;
  }
  rd_kafka_metadata_destroy(metadata);
  if (partitions == 0) {
    throw std::runtime_error("topic " + topic + " has no partitions (" +
                             rd_kafka_err2str(topic_error) + ")");
  }
  return partitions;
}

}  // namespace

std::vector<test::KafkaRecord> read_to_end(const std::string& bootstrap, const std::string& topic,
                                           std::chrono::milliseconds timeout) {
  KafkaSettings settings;
  settings.bootstrap_servers = {bootstrap};
  KafkaConf conf = make_kafka_conf(settings, {{"group.id", "hc-kafka-test-reader"},
                                              {"enable.auto.commit", "false"},
                                              {"enable.partition.eof", "true"}});
  KafkaHandle consumer = make_kafka_client(RD_KAFKA_CONSUMER, std::move(conf), "the test reader");
  const int partitions = partition_count(consumer.get(), topic);
  KafkaPartitionList assignment(rd_kafka_topic_partition_list_new(partitions));
  for (int partition = 0; partition < partitions; ++partition) {
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), partition)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(consumer.get(), assignment.get());

  std::vector<test::KafkaRecord> records;
  std::set<int> at_end;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (static_cast<int>(at_end.size()) < partitions) {
    if (std::chrono::steady_clock::now() > deadline) {
      rd_kafka_consumer_close(consumer.get());
      throw std::runtime_error("reading " + topic + ": " + std::to_string(at_end.size()) + " of " +
                               std::to_string(partitions) + " partitions reached their end in " +
                               std::to_string(timeout.count()) + " ms");
    }
    KafkaMessage message(rd_kafka_consumer_poll(consumer.get(), 100));
    if (!message) continue;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end.insert(message->partition);
    } else if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      records.push_back(test::record_of(*message));
    }
  }
  rd_kafka_consumer_close(consumer.get());
  return records;
}

namespace {

struct AdminDeleter {
  void operator()(rd_kafka_ConfigResource_t* resource) const {
    rd_kafka_ConfigResource_destroy(resource);
  }
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
};

KafkaHandle admin_client(const std::string& bootstrap) {
  KafkaSettings settings;
  settings.bootstrap_servers = {bootstrap};
  KafkaConf conf = make_kafka_conf(settings, {});
  return make_kafka_client(RD_KAFKA_PRODUCER, std::move(conf), "the test admin client");
}

}  // namespace

TopicDescription describe_topic(const std::string& bootstrap, const std::string& topic) {
  KafkaHandle client = admin_client(bootstrap);
  TopicDescription description;
  std::unique_ptr<rd_kafka_topic_t, decltype(&rd_kafka_topic_destroy)> topic_handle(
      rd_kafka_topic_new(client.get(), topic.c_str(), nullptr), &rd_kafka_topic_destroy);
  test::eventually(
      [&] {
        const rd_kafka_metadata_t* metadata = nullptr;
        if (auto error = rd_kafka_metadata(client.get(), 0, topic_handle.get(), &metadata, 5000)) {
          throw std::runtime_error("metadata of " + topic + ": " + rd_kafka_err2str(error));
        }
        if (metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
          description.partitions = metadata->topics[0].partition_cnt;
          if (description.partitions > 0) {
            description.replicas = metadata->topics[0].partitions[0].replica_cnt;
          }
        }
        rd_kafka_metadata_destroy(metadata);
        return description.partitions > 0;
      },
      std::chrono::seconds(10));

  std::unique_ptr<rd_kafka_ConfigResource_t, AdminDeleter> resource(
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
  rd_kafka_ConfigResource_t* resources[] = {resource.get()};
  KafkaQueue queue(rd_kafka_queue_new(client.get()));
  rd_kafka_DescribeConfigs(client.get(), resources, 1, nullptr, queue.get());
  std::unique_ptr<rd_kafka_event_t, AdminDeleter> event(rd_kafka_queue_poll(queue.get(), 15000));
  if (!event || rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error("DescribeConfigs " + topic + ": " +
                             (event ? rd_kafka_event_error_string(event.get()) : "no answer"));
  }
  std::size_t count = 0;
  const rd_kafka_ConfigResource_t** results = rd_kafka_DescribeConfigs_result_resources(
      rd_kafka_event_DescribeConfigs_result(event.get()), &count);
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t entries = 0;
    const rd_kafka_ConfigEntry_t** configs = rd_kafka_ConfigResource_configs(results[i], &entries);
    for (std::size_t j = 0; j < entries; ++j) {
      if (rd_kafka_ConfigEntry_source(configs[j]) != RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG) {
        continue;
      }
      const char* value = rd_kafka_ConfigEntry_value(configs[j]);
      description.configs[rd_kafka_ConfigEntry_name(configs[j])] = value != nullptr ? value : "";
    }
  }
  return description;
}

void set_topic_configs(const std::string& bootstrap, const std::string& topic,
                       const std::map<std::string, std::string>& configs) {
  KafkaHandle client = admin_client(bootstrap);
  std::unique_ptr<rd_kafka_ConfigResource_t, AdminDeleter> resource(
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
  for (const auto& [name, value] : configs) {
    rd_kafka_ConfigResource_set_config(resource.get(), name.c_str(), value.c_str());
  }
  rd_kafka_ConfigResource_t* resources[] = {resource.get()};
  KafkaQueue queue(rd_kafka_queue_new(client.get()));
  rd_kafka_AlterConfigs(client.get(), resources, 1, nullptr, queue.get());
  std::unique_ptr<rd_kafka_event_t, AdminDeleter> event(rd_kafka_queue_poll(queue.get(), 15000));
  if (!event || rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error("AlterConfigs " + topic + ": " +
                             (event ? rd_kafka_event_error_string(event.get()) : "no answer"));
  }
  std::size_t count = 0;
  const rd_kafka_ConfigResource_t** results = rd_kafka_AlterConfigs_result_resources(
      rd_kafka_event_AlterConfigs_result(event.get()), &count);
  for (std::size_t i = 0; i < count; ++i) {
    if (rd_kafka_ConfigResource_error(results[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* text = rd_kafka_ConfigResource_error_string(results[i]);
      throw std::runtime_error("AlterConfigs " + topic + ": " + (text != nullptr ? text : "?"));
    }
  }
}

std::map<std::string, long> count_per_key(const std::vector<test::KafkaRecord>& records) {
  std::map<std::string, long> counts;
  for (const auto& record : records) ++counts[record.key];
  return counts;
}

std::map<std::string, long> rows_per_uri(const test::TempPostgres& postgres,
                                         const std::string& database, const std::string& table) {
  std::map<std::string, long> rows;
  std::string text;
  try {
    text = postgres.query("SELECT uri, count(*) FROM " + table + " GROUP BY uri", database);
  } catch (const std::exception&) {
    return rows;  // not created yet: the consumer migrates at start
  }
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto bar = line.rfind('|');
    rows[line.substr(0, bar)] = std::stol(line.substr(bar + 1));
  }
  return rows;
}

void expect_pipeline_delivers(const test::KafkaCluster& kafka, test::TempPostgres& postgres,
                              const Sites& sites, const std::string& kafka_yaml,
                              const std::string& name) {
  using std::chrono::seconds;
  test::TempDir dir;
  postgres.create_database(name);
  PipelineSpec spec{kafka_yaml, name, {sites.up(), sites.down()}, postgres.uri(name)};
  const auto config = write_pipeline_config(dir.path(), "config", spec);

  const auto created = test::run_command({test::hc_binary().string(), "topics", "create", "-c",
                                          config.string(), "--partitions", "3",
                                          "--replication-factor", "1", "--timeout-ms", "30000"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  EXPECT_NE(created.output.find("created " + name + "\n"), std::string::npos) << created.output;

  test::ChildProcess consumer = start_hc("--consumer", config, "consumer");
  test::ChildProcess producer = start_hc("--producer", config, "producer");
  const bool two_rows_each = test::eventually(
      [&] {
        auto rows = rows_per_uri(postgres, name);
        return rows[sites.up()] >= 2 && rows[sites.down()] >= 2;
      },
      seconds(90));
  producer.send_signal(SIGTERM);
  EXPECT_EQ(producer.wait_for_exit(seconds(30)), 0) << test::read_file(dir.path() / "producer.log");
  ASSERT_TRUE(two_rows_each) << "rows: " << testing::PrintToString(rows_per_uri(postgres, name))
                             << "\nproducer:\n"
                             << test::read_file(dir.path() / "producer.log") << "\nconsumer:\n"
                             << test::read_file(dir.path() / "consumer.log");

  const auto published = count_per_key(read_to_end(kafka.bootstrap(), name));
  ASSERT_EQ(published.size(), 2u);
  EXPECT_TRUE(
      test::eventually([&] { return rows_per_uri(postgres, name) == published; }, seconds(30)));
  EXPECT_EQ(rows_per_uri(postgres, name), published);
  consumer.send_signal(SIGTERM);
  EXPECT_EQ(consumer.wait_for_exit(seconds(30)), 0) << test::read_file(dir.path() / "consumer.log");
}

}  // namespace hc::kafka_test
