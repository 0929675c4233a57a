// FirstGiven (common/src/first_given.h): the config's duplicate-URL check finds the first
// entry with the same text, however the hashes fall and however many entries come.
#include "first_given.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hc::config_detail {
namespace {

TEST(FirstGiven, FindsTheFirstEntryWithTheSameTextBeyondTheExpectedCount) {
  std::vector<std::string> texts;
  const auto text_of = [&texts](std::uint32_t index) -> std::string_view { return texts[index]; };
  FirstGiven first(10);  // 1,000 entries come: the table grows
  for (int i = 0; i < 1000; ++i) {
    const std::string text = "http://127.0.0.1/?site=" + std::to_string(i);
    ASSERT_FALSE(first.find(text, text_of)) << text;
    texts.push_back(text);
    first.add(texts.back(), static_cast<std::uint32_t>(texts.size() - 1), text_of);
  }
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(first.find("http://127.0.0.1/?site=" + std::to_string(i), text_of), i);
  }
  EXPECT_FALSE(first.find("http://127.0.0.1/?site=1000", text_of));
  EXPECT_FALSE(first.find("", text_of));
}

}  // namespace
}  // namespace hc::config_detail
