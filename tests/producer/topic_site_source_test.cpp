// Fleet mode's site source on a real group protocol (hc-devbroker): two members split the
// sites topic's partitions, the revoke reaches the first member as a wait-for-removed change
// before the second gets the sites, and a member leaving hands its sites back.
#include "topic_site_source.h"

#include <gtest/gtest.h>

#include <set>

#include "hc/common/sites_topic.h"
#include "hc/test/support.h"

namespace hc::producer {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Records what the source hands over.
class RecordingListener : public SiteListener {
 public:
  void use_sites(const std::vector<SiteConfig>& sites, bool wait_for_removed) override {
    urls.clear();
    for (const SiteConfig& site : sites) urls.insert(site.url);
    if (wait_for_removed) ++revokes;
  }
  std::set<std::string> urls;
  int revokes = 0;
};

TEST(TopicSiteSource, MembersSplitTheSitesAndAStoppedMemberHandsThemBack) {
  test::DevBroker broker({{"hc.sites", 4}});
  ProducerConfig producer;
  producer.kafka.bootstrap_servers = {broker.bootstrap_servers()};
  producer.sites_topic = "hc.sites";
  producer.producer_group = "fleet-test";
  producer.session_timeout = milliseconds(6000);
  producer.site_defaults.destination_topic = "checks";
  std::vector<SiteRecordToPublish> records;
  std::set<std::string> all;
  for (int i = 0; i < 12; ++i) {
    const std::string url = "http://127.0.0.1:9/site/" + std::to_string(i);
    all.insert(url);
    records.emplace_back(url, "{}");
  }
  ASSERT_TRUE(
      publish_site_records(producer.kafka, producer.sites_topic, records, seconds(10)).empty());

  RecordingListener first_sites;
  TopicSiteSource first(producer);
  ASSERT_TRUE(test::eventually(
      [&] {
        first.poll(first_sites, milliseconds(50));
        return first_sites.urls == all;
      },
      seconds(30)));

  RecordingListener second_sites;
  auto second = std::make_unique<TopicSiteSource>(producer);
  auto split = [&] {
    first.poll(first_sites, milliseconds(20));
    second->poll(second_sites, milliseconds(20));
    std::set<std::string> together = first_sites.urls;
    together.insert(second_sites.urls.begin(), second_sites.urls.end());
    return !first_sites.urls.empty() && !second_sites.urls.empty() && together == all &&
           first_sites.urls.size() + second_sites.urls.size() == all.size();
  };
  ASSERT_TRUE(test::eventually(split, seconds(60)))
      << first_sites.urls.size() << " + " << second_sites.urls.size();
  EXPECT_GE(first_sites.revokes, 1) << "the moved sites were stopped through a revoke";
  EXPECT_EQ(second_sites.revokes, 0);

  // The second leaves the group (as at a stop): the first takes every site back.
  second->close(second_sites);
  EXPECT_TRUE(second_sites.urls.empty());
  ASSERT_TRUE(test::eventually(
      [&] {
        first.poll(first_sites, milliseconds(50));
        return first_sites.urls == all;
      },
      seconds(60)));
}

}  // namespace
}  // namespace hc::producer
