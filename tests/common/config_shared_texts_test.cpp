// The settings sites repeat are held once: equal texts of the sites of one load share one
// block (SharedText, TextPool), whether the sites set them or take them from defaults.
#include <gtest/gtest.h>

#include "config_test_helpers.h"
#include "hc/common/shared_text.h"

namespace hc {
namespace {

using test::parse;

TEST(SharedTexts, EqualSettingsOfTheSitesOfOneLoadShareOneBlock) {
  auto result = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: [\"localhost:9092\"]\n"
      "  defaults: {proxy: env}\n"
      "  websites:\n"
      "    - url: http://127.0.0.1/a\n"
      "      regex: \"Directory listing\"\n"
      "      destination_topic: checks\n"
      "    - url: http://127.0.0.1/b\n"
      "      regex: \"Directory listing\"\n"
      "      destination_topic: checks\n"
      "    - url: http://127.0.0.1/c\n"
      "      regex: \"another pattern\"\n"
      "      destination_topic: checks\n");
  ASSERT_TRUE(result.ok()) << test::all_errors(result);
  const std::vector<SiteConfig>& sites = result.config->producer->websites;
  ASSERT_EQ(sites.size(), 3u);
  EXPECT_TRUE(sites[0].regex->shares_block_with(*sites[1].regex));
  EXPECT_FALSE(sites[0].regex->shares_block_with(*sites[2].regex));
  // Written on each site, and derived per site ("<destination_topic>.events").
  EXPECT_TRUE(sites[0].destination_topic.shares_block_with(sites[2].destination_topic));
  EXPECT_TRUE(sites[0].events_topic.shares_block_with(sites[2].events_topic));
  EXPECT_EQ(sites[2].events_topic, "checks.events");
  // From defaults, and a default nobody wrote ("GET").
  EXPECT_TRUE(sites[0].proxy.shares_block_with(sites[2].proxy));
  EXPECT_TRUE(sites[0].method.shares_block_with(sites[2].method));
}

TEST(SharedTexts, APoolForgetsTheTextsOnlyItHolds) {
  TextPool pool;
  SharedText kept = pool.intern(SharedText(std::string("kept")));
  pool.intern(SharedText(std::string("dropped")));
  EXPECT_EQ(pool.size(), 2u);
  pool.prune();
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_TRUE(pool.intern(SharedText(std::string("kept"))).shares_block_with(kept));
  EXPECT_EQ(kept.use_count(), 2u);  // kept and the pool's
}

TEST(SharedTexts, AnEmptyTextHasNoBlockAndEqualsEveryEmptyText) {
  const SharedText empty;
  EXPECT_TRUE(SharedText(std::string()).empty());
  EXPECT_EQ(SharedText(""), empty);
  EXPECT_EQ(empty.str(), "");
  EXPECT_EQ(empty.use_count(), 0u);
  EXPECT_EQ(TextPool().intern(empty), "");
}

}  // namespace
}  // namespace hc
