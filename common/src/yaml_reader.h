// Walking a YAML document (yaml_document.h) with key paths, positions and error collection.
//
// The section readers (config_*_section.cpp) describe what they expect through this
// class; it reports every mismatch as a ConfigError (file:line:col, key path, what was
// expected) and carries on, so one pass finds every problem. It never throws for bad
// input. Values of scalars are quoted in messages only by the typed readers (integer,
// boolean, choice); string() never repeats the value, so secrets read with it
// (passwords, connection URIs, header values) never reach an error message.
#pragma once

#include <yaml-cpp/mark.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "hc/common/config.h"
#include "hc/common/shared_text.h"
#include "yaml_document.h"

namespace hc::config_detail {

// A node of the document together with its key path and the position to report for it.
struct Located {
  YamlNode node;
  std::string path;  // "healthcheck-producer-config.websites[2].url"
  YAML::Mark mark;   // the value's position; the key's when the value is empty
};

// The entries of one YAML map whose keys were all known, in document order.
class MapFields {
 public:
  const Located* find(std::string_view key) const;
  const Located& map() const { return map_; }
  const std::vector<std::pair<std::string, Located>>& entries() const { return entries_; }

 private:
  friend class YamlReader;
  Located map_;
  std::vector<std::pair<std::string, Located>> entries_;
};

class YamlReader {
 public:
  YamlReader(std::string file_name, const EnvLookup& env);

  void report(const YAML::Mark& mark, std::string key_path, std::string message);
  std::size_t error_count() const { return errors_.size(); }
  // Every reported problem, sorted by position (stable, so same-position order is kept).
  std::vector<ConfigError> take_errors_in_file_order();

  // The document root (a map expected); path "".
  static Located root(const YamlNode& node);

  // Checks that `value` is a map whose keys are all in `allowed`. Unknown keys (with a
  // "did you mean" hint) and duplicate keys are reported and left out. nullopt if
  // `value` is not a map at all (reported, `what` describes the expected map).
  std::optional<MapFields> map(const Located& value, std::span<const std::string_view> allowed,
                               std::string_view what);
  // A map with free-form keys (e.g. HTTP headers); duplicate keys are reported.
  std::optional<MapFields> free_map(const Located& value, std::string_view what);
  // The items of a list, each with path "<path>[i]". nullopt if not a list (reported).
  std::optional<std::vector<Located>> list(const Located& value, std::string_view what);
  // As list(), one item at a time (a list of 50,000 sites is never copied): calls
  // read(index, item) for each item in order; a deferred list's items (yaml_document.h) are
  // valid during their call only. false if not a list (reported).
  bool for_each_item(const Located& value, std::string_view what,
                     const std::function<void(std::size_t, const Located&)>& read);
  // Reports "missing required key" at the map's position unless `key` is present.
  const Located* require(const MapFields& fields, std::string_view key, std::string_view what);

  // Scalars; a !ENV tag interpolates "${VAR}" / "${VAR:-default}" first.
  // string() never quotes the value back (it may be a secret).
  std::optional<std::string> string(const Located& value);
  // An integer in min..max; `unit` ("seconds", "milliseconds", "bytes") names the range.
  std::optional<std::int64_t> integer(const Located& value, std::int64_t min, std::int64_t max,
                                      std::string_view unit = "");
  std::optional<bool> boolean(const Located& value);
  // One of `choices`, matched case-insensitively; returns the choice as spelled there.
  std::optional<std::string> choice(const Located& value,
                                    std::span<const std::string_view> choices);

  // RE2 patterns already found to compile in this parse: a 50,000-site file that gives every
  // site one pattern compiles it once (read_pattern).
  bool is_known_pattern(const std::string& pattern) const {
    return known_patterns_.contains(pattern);
  }
  void add_known_pattern(const std::string& pattern) { known_patterns_.insert(pattern); }

  // Where the sites read through this reader intern their texts (share_site_texts): its own
  // pool, or one that outlives it (a fleet producer's, over many records).
  TextPool& text_pool() { return *text_pool_; }
  void use_text_pool(TextPool& pool) { text_pool_ = &pool; }

  // "got 'abc'", "got a list", "got an empty value": for "expected ..., <describe>".
  static std::string describe(const YamlNode& node, std::string_view scalar_text);

 private:
  // The scalar's text after !ENV interpolation; reports and returns nullopt on failure or
  // when `value` is not a scalar (`expected` says what was wanted).
  std::optional<std::string> scalar_text(const Located& value, std::string_view expected);
  std::optional<MapFields> read_map(const Located& value,
                                    std::optional<std::span<const std::string_view>> allowed,
                                    std::string_view what);
  // Reports a tag other than !ENV and the YAML core tags; false if reported.
  bool check_tag(const Located& value, bool scalar_expected);

  std::string file_name_;
  EnvLookup env_;
  std::vector<ConfigError> errors_;
  std::unordered_set<std::string> known_patterns_;
  TextPool own_text_pool_;
  TextPool* text_pool_ = &own_text_pool_;
};

// "a.b" / "b" when a is the root; for key paths in messages.
std::string child_path(std::string_view parent, std::string_view key);

// A value for an error message: at most 100 characters, non-printable bytes as \xNN.
std::string quote_for_message(std::string_view text);

}  // namespace hc::config_detail
