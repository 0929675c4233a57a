// Text from the database made safe for HTML: the one escaping function of the status page.
#pragma once

#include <string>
#include <string_view>

namespace hc::serve {

// For element content and for attribute values in double or single quotes: & < > " ' become
// entities; a byte sequence that is not valid UTF-8, NUL and the C0 controls other than tab,
// line feed and carriage return become U+FFFD. The result is valid UTF-8 with no markup.
std::string html_escape(std::string_view text);

// `text` with every invalid UTF-8 sequence replaced by U+FFFD (one per bad byte).
std::string valid_utf8(std::string_view text);

}  // namespace hc::serve
