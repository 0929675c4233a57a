// A dead letter is cut to fit its topic's limit: whole when it fits, its value first, then its
// key, then the detail; never the headers that say where the original is.
#include "letter_fit.h"

#include <gtest/gtest.h>

#include <map>

namespace hc::consumer {
namespace {

constexpr std::size_t kMaxValue = std::size_t{64} * 1024;
constexpr std::size_t kMaxKey = std::size_t{16} * 1024;

LetterParts letter(std::size_t key_bytes, std::size_t value_bytes, std::size_t detail_bytes) {
  return LetterParts{std::string(key_bytes, 'k'),
                     std::string(value_bytes, 'v'),
                     {{"hc-dlq-reason", "too_large"},
                      {"hc-dlq-detail", std::string(detail_bytes, 'd')},
                      {"hc-source-topic", "checks"},
                      {"hc-source-partition", "3"},
                      {"hc-source-offset", "12345"}}};
}

std::map<std::string, std::string> headers(const LetterParts& parts) {
  return {parts.headers.begin(), parts.headers.end()};
}

TEST(LetterFit, ALetterThatFitsIsLeftWhole) {
  LetterParts parts = letter(30, 500, 40);
  const LetterParts before = parts;
  ASSERT_TRUE(fit_letter(parts, letter_wire_bytes(parts), kMaxValue, kMaxKey));
  EXPECT_EQ(parts.value, before.value);
  EXPECT_EQ(parts.headers, before.headers);
}

TEST(LetterFit, UnderALargeLimitTheValueKeepsItsFirst64KiBAndSaysSo) {
  LetterParts parts = letter(30, std::size_t{4} * 1024 * 1024, 40);
  ASSERT_TRUE(fit_letter(parts, 1'000'000, kMaxValue, kMaxKey));
  EXPECT_EQ(parts.value.size(), kMaxValue);
  EXPECT_EQ(parts.key.size(), 30u);
  EXPECT_EQ(headers(parts)["hc-dlq-truncated"], "true");
  EXPECT_EQ(headers(parts)["hc-dlq-original-bytes"], std::to_string(std::size_t{4} * 1024 * 1024));
  EXPECT_EQ(headers(parts).count("hc-dlq-original-key-bytes"), 0u);
}

TEST(LetterFit, UnderASmallLimitTheValueIsCutToWhatFits) {
  LetterParts parts = letter(30, 100'000, 40);
  ASSERT_TRUE(fit_letter(parts, 2'000, kMaxValue, kMaxKey));
  EXPECT_EQ(letter_wire_bytes(parts), 2'000u);
  EXPECT_GT(parts.value.size(), 1'000u);
  EXPECT_EQ(parts.key.size(), 30u);
  EXPECT_EQ(headers(parts)["hc-dlq-detail"].size(), 40u);
}

TEST(LetterFit, ThenTheKeyThenTheDetailButNeverWhereTheOriginalIs) {
  LetterParts parts = letter(3'000, 5'000, 1'500);
  ASSERT_TRUE(fit_letter(parts, 1'000, kMaxValue, kMaxKey));
  EXPECT_LE(letter_wire_bytes(parts), 1'000u);
  EXPECT_TRUE(parts.value.empty());
  EXPECT_TRUE(parts.key.empty());
  auto kept = headers(parts);
  EXPECT_EQ(kept["hc-dlq-original-key-bytes"], "3000");
  EXPECT_EQ(kept["hc-dlq-original-bytes"], "5000");
  EXPECT_LT(kept["hc-dlq-detail"].size(), 1'500u);
  EXPECT_EQ(kept["hc-dlq-reason"], "too_large");
  EXPECT_EQ(kept["hc-source-topic"], "checks");
  EXPECT_EQ(kept["hc-source-partition"], "3");
  EXPECT_EQ(kept["hc-source-offset"], "12345");
}

TEST(LetterFit, ASmallerLimitLaterCutsFurther) {
  LetterParts parts = letter(30, 100'000, 40);
  ASSERT_TRUE(fit_letter(parts, 50'000, kMaxValue, kMaxKey));
  const std::size_t first = parts.value.size();
  ASSERT_TRUE(fit_letter(parts, 25'000, kMaxValue, kMaxKey));
  EXPECT_LT(parts.value.size(), first);
  EXPECT_LE(letter_wire_bytes(parts), 25'000u);
  EXPECT_EQ(headers(parts)["hc-dlq-original-bytes"], "100000");  // the original's, not the cut's
}

TEST(LetterFit, ALimitBelowTheBareLetterCannotBeMet) {
  LetterParts parts = letter(30, 100, 40);
  EXPECT_FALSE(fit_letter(parts, 100, kMaxValue, kMaxKey));
  EXPECT_TRUE(parts.value.empty());
  EXPECT_EQ(headers(parts)["hc-source-offset"], "12345");
}

}  // namespace
}  // namespace hc::consumer
