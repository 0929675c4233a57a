// A bound on how deep JSON text nests, checked before it is parsed, so that a hostile value
// cannot exhaust the stack of a recursive parse or destruction.
#pragma once

#include <cstddef>
#include <string_view>

namespace hc {

// True when the brackets of `text` outside strings nest at most `max_depth` deep. Not a
// validator: unbalanced or malformed text is the parser's to refuse.
bool json_nesting_within(std::string_view text, std::size_t max_depth);

}  // namespace hc
