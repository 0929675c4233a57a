// A poison corpus of 10,000+ messages under hc --consumer: every kind of bad message the
// issue lists (NUL in a string or the key, year 0, a signed year, non-finite and
// out-of-range numbers, bad JSON, missing fields, key and digest mismatches, empty values,
// 4 MB values over max_message_bytes, and a 1.5 MB value whose dead letter does not fit the
// dead-letter producer's default message size) mixed with good ones. Afterwards: every good
// row written, every bad message in the dead-letter topic exactly once, a message produced
// after the poison in the table within 5 s, and SIGTERM ends the consumer within 10 s.
#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <regex>
#include <set>

#include "fault_fixture.h"
#include "hc/common/url_digest.h"
#include "hc/test/kafka_test_reader.h"

namespace hc::faults {
namespace {

constexpr int kPartitions = 16;
constexpr int kSites = 200;
constexpr long kGood = 6000;
constexpr int kBadPerKind = 400;
// The consumer reads values up to 2 MB: the 1.5 MB one is decoded (and is bad JSON), the
// 4 MB ones are too_large without decoding.
constexpr std::size_t kMaxMessageBytes = std::size_t{2} * 1024 * 1024;
constexpr std::size_t kHugeBytes = std::size_t{4} * 1024 * 1024;
constexpr std::size_t kLargeBytes = std::size_t{1536} * 1024;

struct Message {
  std::string key;
  std::string value;
  int partition = -1;  // -1: by key
};

std::string replace_first(const std::string& text, const std::string& pattern,
                          const std::string& replacement) {
  return std::regex_replace(text, std::regex(pattern), replacement,
                            std::regex_constants::format_first_only);
}

// Bad message `index` of kind `kind`: each one unique (its own URL and time), so the
// dead-letter topic can be compared value by value.
std::map<std::string, std::function<Message(int)>> bad_kinds() {
  auto base = [](int index) {
    Measurement m = measurement("https://bad" + std::to_string(index) + ".test/",
                                kFirstUs + 10'000'000 + index);
    return m;
  };
  auto encoded = [base](int index) {
    Measurement m = base(index);
    return Message{m.url, encode_message(m)};
  };
  return {
      {"nul_in_string",
       [=](int index) {
         Measurement m = base(index);
         m.error = "connect";
         m.error_detail = std::string("refused\0here", 12);
         return Message{m.url, encode_message(m)};
       }},
      {"nul_in_key_and_url",
       [=](int index) {
         Measurement m = base(index);
         m.url = "https://bad" + std::to_string(index) + std::string(1, '\0') + ".test/";
         m.url_digest = url_digest(m.url);
         return Message{m.url, encode_message(m)};
       }},
      {"year_zero",
       [=](int index) {
         Message message = encoded(index);
         message.value =
             replace_first(message.value, R"("measured_at":"\d{4})", R"("measured_at":"0000)");
         return message;
       }},
      {"signed_year",
       [=](int index) {
         Measurement m = base(index);
         m.cert_expires_at = m.measured_at;
         Message message{m.url, encode_message(m)};
         message.value = replace_first(message.value, R"("cert_expires_at":"\d{4})",
                                       R"("cert_expires_at":"-0001)");
         return message;
       }},
      {"non_finite_number",
       [=](int index) {
         Message message = encoded(index);
         message.value = replace_first(
             message.value, R"("response_time_us":\d+)",
             index % 2 == 0 ? R"("response_time_us":1e999)" : R"("response_time_us":NaN)");
         return message;
       }},
      {"status_out_of_range",
       [=](int index) {
         Message message = encoded(index);
         message.value =
             replace_first(message.value, R"("status_code":\d+)", R"("status_code":3000000000)");
         return message;
       }},
      {"bad_json",
       [=](int index) {
         return Message{"https://bad" + std::to_string(index) + ".test/",
                        "{\"v\":1, not json " + std::to_string(index)};
       }},
      {"missing_field",
       [=](int index) {
         Message message = encoded(index);
         message.value = replace_first(message.value, R"("url_digest":"[0-9a-f]+",)", "");
         return message;
       }},
      {"key_mismatch",
       [=](int index) {
         Message message = encoded(index);
         message.key = "https://another" + std::to_string(index) + ".test/";
         return message;
       }},
      {"digest_mismatch",
       [=](int index) {
         Measurement m = base(index);
         m.url_digest = url_digest(m.url + "x");
         return Message{m.url, encode_message(m)};
       }},
      {"empty_value",
       [=](int index) {
         return Message{"https://bad" + std::to_string(index) + ".test/", ""};
       }},
  };
}

// Keys whose partition differs for each of `count` big messages, under both librdkafka
// partitioners a dead-letter producer may use (CRC32 "consistent" and murmur2), so that no
// two big values share a partition of the 5 MB-per-partition dev broker.
std::vector<std::string> keys_in_distinct_partitions(int count) {
  std::vector<std::string> keys;
  std::set<int> crc_used;
  std::set<int> murmur_used;
  for (int n = 0; static_cast<int>(keys.size()) < count; ++n) {
    const std::string key = "https://big" + std::to_string(n) + ".test/";
    const int crc = rd_kafka_msg_partitioner_consistent(nullptr, key.data(), key.size(),
                                                        kPartitions, nullptr, nullptr);
    const int murmur = rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(),
                                                        kPartitions, nullptr, nullptr);
    if (crc_used.count(crc) != 0 || murmur_used.count(murmur) != 0) continue;
    crc_used.insert(crc);
    murmur_used.insert(murmur);
    keys.push_back(key);
  }
  return keys;
}

TEST(PoisonCorpus, EveryGoodRowWrittenEveryBadOneDeadLetteredOnceAndLaterMessagesFlow) {
  test::TempDir dir;
  test::DevBroker broker({{"checks", kPartitions}, {"checks.dlq", kPartitions}});
  test::TempPostgres postgres;

  // The corpus, shuffled: good stream messages [0, kGood) and the bad ones.
  std::vector<Message> corpus;
  for (long i = 0; i < kGood; ++i) {
    Measurement m = measurement(site_url(static_cast<int>(i % kSites)), kFirstUs + i);
    corpus.push_back({m.url, encode_message(m)});
  }
  std::multiset<std::string> bad_values;  // the small ones, compared byte for byte
  int index = 0;
  for (const auto& [kind, make] : bad_kinds()) {
    for (int n = 0; n < kBadPerKind; ++n) {
      Message message = make(index++);
      bad_values.insert(message.value);
      corpus.push_back(std::move(message));
    }
  }
  const std::vector<std::string> big_keys = keys_in_distinct_partitions(3);
  std::vector<Message> big;
  for (int n = 0; n < 3; ++n) {
    const std::size_t size = n < 2 ? kHugeBytes : kLargeBytes;
    const int partition = rd_kafka_msg_partitioner_consistent(
        nullptr, big_keys[n].data(), big_keys[n].size(), kPartitions, nullptr, nullptr);
    std::string value(size, 'x');
    value.replace(0, 10, "{\"v\":1,\"u");  // starts like JSON, is not
    big.push_back({big_keys[n], std::move(value), partition});
  }
  std::mt19937 random(12345);
  std::shuffle(corpus.begin(), corpus.end(), random);
  // The big ones in the middle of the stream, where they would block what follows.
  for (int n = 0; n < 3; ++n) {
    corpus.insert(corpus.begin() + static_cast<long>(corpus.size() * (n + 1) / 4), big[n]);
  }
  const long bad_count = static_cast<long>(bad_values.size() + big.size());
  ASSERT_GE(static_cast<long>(corpus.size()), 10'000);

  StreamProducer producer(broker.bootstrap_servers());
  for (const Message& message : corpus) {
    producer.send("checks", message.key, message.value, message.partition);
  }
  producer.flush();
  ASSERT_EQ(partitions_that_lost_messages(broker.bootstrap_servers(), "checks", kPartitions), "");

  FaultConsumer::Options options;
  options.extra_yaml = "  max_message_bytes: " + std::to_string(kMaxMessageBytes) + "\n";
  FaultConsumer consumer(dir.path(), "consumer", broker.bootstrap_servers(),
                         {{"checks", postgres.uri(), "healthcheck"}}, options);
  const auto started = std::chrono::steady_clock::now();
  const bool good_written =
      test::eventually([&] { return count_rows(postgres) == kGood; }, seconds(60));
  const double corpus_s = seconds_since(started);

  // After the poison, the partitions flow: new messages reach the table within 5 s.
  bool flowing = false;
  double after_s = -1;
  if (good_written) {
    producer.send_stream("checks", kGood, 200, kSites);
    producer.flush();
    const auto sent_after = std::chrono::steady_clock::now();
    flowing = test::eventually([&] { return count_rows(postgres) == kGood + 200; }, seconds(5));
    after_s = seconds_since(sent_after);
  }
  auto letters = test::read_topic(broker.bootstrap_servers(), "checks.dlq", kPartitions,
                                  static_cast<std::size_t>(bad_count) + 1, seconds(5));
  report_figures({"poison corpus (" + std::to_string(corpus.size()) + " msgs)",
                  good_written ? corpus_s : -1, kGood + 200, count_rows(postgres),
                  static_cast<long>(letters.size()), 0});
  ASSERT_TRUE(good_written) << count_rows(postgres) << " of " << kGood << " good rows\n"
                            << consumer.log_tail();
  EXPECT_TRUE(flowing) << "messages after the poison not in the table within 5 s: "
                       << count_rows(postgres) << "\n"
                       << consumer.log_tail();
  std::cout << "new messages after the poison in the table after " << after_s << " s\n";
  EXPECT_EQ(verify_stream(postgres, kGood + 200, kSites), "");

  ASSERT_EQ(partitions_that_lost_messages(broker.bootstrap_servers(), "checks.dlq", kPartitions),
            "");
  std::map<std::string, int> reasons;
  std::set<std::pair<std::string, std::string>> sources;  // (partition, offset): once each
  std::multiset<std::string> small_letters;
  int big_letters = 0;
  for (const auto& letter : letters) {
    reasons[letter.header("hc-dlq-reason")]++;
    EXPECT_EQ(letter.header("hc-source-topic"), "checks");
    sources.insert({letter.header("hc-source-partition"), letter.header("hc-source-offset")});
    if (letter.value.size() >= std::size_t{64} * 1024 ||
        letter.header("hc-dlq-original-bytes") != "<missing>") {
      ++big_letters;
    } else {
      small_letters.insert(letter.value);
    }
  }
  std::string reason_summary;
  for (const auto& [reason, count] : reasons) {
    reason_summary += " " + reason + "=" + std::to_string(count);
  }
  SCOPED_TRACE("dead-letter reasons:" + reason_summary);
  EXPECT_EQ(reasons.count("<missing>"), 0u);
  EXPECT_EQ(static_cast<long>(letters.size()), bad_count) << "every bad message once";
  EXPECT_EQ(sources.size(), letters.size()) << "a source message was dead-lettered twice";
  EXPECT_EQ(big_letters, 3);
  EXPECT_TRUE(small_letters == bad_values) << "the small dead letters differ from the bad "
                                              "messages sent";

  const auto stopping = std::chrono::steady_clock::now();
  EXPECT_EQ(consumer.stop(seconds(10)), 0) << consumer.log_tail();
  EXPECT_LT(seconds_since(stopping), 10.0);
}

}  // namespace
}  // namespace hc::faults
