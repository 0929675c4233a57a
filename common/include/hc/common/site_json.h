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
#include "hc/common/site_set.h"

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
// The same, the site's texts shared through `pool` (share_site_texts): a producer decoding
// many records keeps one pool so that equal settings are held once.
SiteDecodeResult decode_site_json(std::string_view url_key, std::string_view value,
                                  const ProducerConfig& producer, std::string_view source,
                                  TextPool& pool);

// A site's every setting as a sites-topic value (with "url"): decoding it over the defaults
// it was read with gives `site` back. Over other defaults, what has no "none" spelling is
// taken from them where the site has none: max_response_time_ms, min_cert_days,
// min_body_bytes, expected_status, and the headers and headers_match of other names.
// basic_auth.password is written as is: the topic's readers can read it.
std::string encode_site_json(const SiteConfig& site);

// What `hc sites add` and PUT /api/v1/sites/{url} publish: `settings_json`, a JSON object of
// site keys ("url" optional; when given it equals `url`), validated as a `websites` entry
// over producer.site_defaults. `value` is the same object with "url" first, as compact JSON;
// set if and only if `errors` is empty (errors as decode_site_json's, key_path = the key).
struct SiteValue {
  std::optional<std::string> value;
  std::vector<ConfigError> errors;
};
SiteValue prepare_site_value(std::string_view url, std::string_view settings_json,
                             const ProducerConfig& producer, std::string_view source);

// The sites of `sites` as `hc sites list --format json` and GET /api/v1/sites show them: a
// JSON array sorted by URL, each {"url", then the settings as stored}, basic_auth.password
// shown as "REDACTED", and "invalid": the first error when the value does not decode over
// producer.site_defaults. `topic` names records in those errors. indent < 0: one line.
std::string list_sites_json(const SiteSet& sites, const ProducerConfig& producer,
                            std::string_view topic, int indent);
// The same object for one site; nullopt when `url` is not in `sites`.
std::optional<std::string> listed_site_json(const SiteSet& sites, std::string_view url,
                                            const ProducerConfig& producer, std::string_view topic);

}  // namespace hc
