// A site as a sites-topic record (fleet mode): key = the URL, value = a JSON object with the
// keys of a `websites` entry, in their order ("url" optional; when present it equals the key). A
// tombstone (no value) removes the site. The same reader validates both (config_sections.h
// read_site), so a value is valid exactly when the same entry in `websites` would be.
//
// Thread: any; pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/config.h"

namespace hc {

// The keys of a site besides "url", in the config's order: those `defaults` may hold too,
// then the keys of one check type (send, expect, expected). `hc sites add` has one flag for
// each.
std::span<const std::string_view> site_setting_keys();

// Whether site key `key` applies to checks of `type` (the config refuses it on a site of
// another type). Keys not tied to a type (intervals, topics, conditions...) apply to all.
bool site_key_applies(std::string_view key, CheckType type);

struct SiteDecodeResult {
  std::optional<SiteConfig> site;  // set if and only if errors is empty
  std::vector<ConfigError>
      errors;  // file = `source`, line 0, key_path = the site key ("tls.ca_file")
};

// Decodes a record of the sites topic over producer.site_defaults (the section's `defaults`,
// as for a `websites` entry). `source` names the record in errors ("hc.sites[2]@17"). Never
// throws for bad input: not JSON, not an object, nested deeper than 32 levels, an unknown
// key, a bad value, or a "url" that differs from `url_key` are errors.
SiteDecodeResult decode_site_json(std::string_view url_key, std::string_view value,
                                  const ProducerConfig& producer, std::string_view source);

// A site's every setting as a sites-topic value (with "url"): decoding it over the defaults
// it was read with gives `site` back. Over other defaults, what has no "none" spelling is
// taken from them where the site has none: max_response_time_ms, min_cert_days,
// min_body_bytes, expected_status, and the headers and headers_match of other names.
// basic_auth.password is written as is: the topic's readers can read it.
std::string encode_site_json(const SiteConfig& site);

}  // namespace hc
