// The fast path of YamlDocument::parse: libyaml's event parser (C, Debian's libyaml), which
// reads a 50,000-site config about ten times faster than yaml-cpp's scanner.
//
// It builds the tree yaml-cpp would build, or declines: whenever libyaml cannot say what
// yaml-cpp would say, the caller parses the same input with yaml-cpp instead, so every
// error message and position stays yaml-cpp's. It declines on any libyaml error, an alias of
// an anchor not (yet) defined, nesting deeper than kMaxFastDepth, and any byte outside
// ASCII (libyaml counts columns in characters, yaml-cpp in bytes).
#pragma once

#include <cstddef>
#include <istream>

#include "yaml_document.h"

namespace hc::config_detail {

// Nesting beyond this goes to yaml-cpp, which refuses documents nested 2000 deep.
inline constexpr std::size_t kMaxFastDepth = 1000;

// Feeds the first document of `in` to `events` as yaml-cpp's parser would. false when it
// declined (see above): then `events` got part of the document and `in` was read in part.
bool build_with_libyaml(std::istream& in, YamlEvents& events);

}  // namespace hc::config_detail
