// html_escape: nothing from the database can open a tag, close an attribute or carry bytes
// that are not UTF-8.
#include "html_escape.h"

#include <gtest/gtest.h>

namespace hc::serve {
namespace {

TEST(HtmlEscape, MarkupCharactersBecomeEntities) {
  EXPECT_EQ(html_escape(R"(<script>alert("x")</script> & 'q')"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;");
  EXPECT_EQ(html_escape("https://a/?x=1&y=2"), "https://a/?x=1&amp;y=2");
  EXPECT_EQ(html_escape("&amp;"), "&amp;amp;");  // already-escaped text is escaped again
}

TEST(HtmlEscape, ValidUtf8IsKeptAsIs) {
  EXPECT_EQ(html_escape("Grüße — 日本 😀"), "Grüße — 日本 😀");
  EXPECT_EQ(html_escape("\xEF\xBF\xBD"), "\xEF\xBF\xBD");  // U+FFFD itself
}

TEST(HtmlEscape, InvalidUtf8AndControlsBecomeReplacementCharacters) {
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(html_escape("a\xFF"
                        "b"),
            "a" + replacement + "b");
  EXPECT_EQ(html_escape("\xC3\x28"), replacement + "(");          // bad continuation
  EXPECT_EQ(html_escape("\xC0\xBC"), replacement + replacement);  // overlong '<'
  EXPECT_EQ(html_escape("\xE0\x80\xBC"), replacement + replacement + replacement);
  EXPECT_EQ(html_escape("\xED\xA0\x80"), replacement + replacement + replacement);  // surrogate
  const std::string four = replacement + replacement + replacement + replacement;
  EXPECT_EQ(html_escape("\xF4\x90\x80\x80"), four);               // above U+10FFFF
  EXPECT_EQ(html_escape("\xE6\x97"), replacement + replacement);  // truncated at the end
  EXPECT_EQ(html_escape(std::string("a\0b", 3)), "a" + replacement + "b");
  EXPECT_EQ(html_escape("a\x1b[31mb\x7f"), "a" + replacement + "[31mb" + replacement);
  EXPECT_EQ(html_escape("tab\tline\nreturn\r"), "tab\tline\nreturn\r");
}

TEST(HtmlEscape, ValidUtf8ReplacesOnlyBadBytes) {
  EXPECT_EQ(valid_utf8("<ok> \xFF"), "<ok> \xEF\xBF\xBD");
}

}  // namespace
}  // namespace hc::serve
