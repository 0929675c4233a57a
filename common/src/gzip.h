// Response compression for hc's HTTP servers (zlib).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hc::http {

// Whether an Accept-Encoding value accepts gzip ("gzip", "gzip;q=0.5", "*"; not "gzip;q=0").
bool accepts_gzip(std::string_view accept_encoding);

// `data` as a gzip member; nullopt when zlib fails (the caller sends it uncompressed).
std::optional<std::string> gzip_compress(std::string_view data);

}  // namespace hc::http
